"""How uvicorn serves a connection, so that no client can hold the server.

uvicorn times out idle keep-alive connections but not a request whose headers never
finish arriving: a client that sends half a request line holds its connection (and,
at shutdown, the server) for ever. `GuardedH11Protocol` gives every request
`HEADER_TIMEOUT` seconds from the connection's start (or the previous response's end)
to finish its headers, however slowly its bytes trickle in, then answers 408 and closes.
A request h11 itself refuses (malformed, or a request line and headers past its
buffer) gets the API's error envelope instead of uvicorn's plain-text 400. And a
server asked to stop (SIGTERM, Ctrl-C, `MockServer.stop`) waits at most
`SHUTDOWN_GRACE` seconds for open streams before it cancels them. Each request's scope
carries the extension `DROP` (ASGI has no way to close a connection before answering),
which the `drop` fault uses.

`uvicorn_options()` is what `serve` and `MockServer` pass to uvicorn.
"""

from __future__ import annotations

import asyncio
import http
from typing import Any

import h11
from pydantic_core import to_json
from uvicorn.protocols.http.h11_impl import H11Protocol

from .errors import APIError, BadRequestError, RequestTimeoutError, error_body

__all__ = [
    "DROP",
    "HEADER_TIMEOUT",
    "SHUTDOWN_GRACE",
    "GuardedH11Protocol",
    "uvicorn_options",
]

HEADER_TIMEOUT = 10.0
"""Seconds a request has to send its request line and headers."""
SHUTDOWN_GRACE = 3
"""Seconds a stopping server waits for open responses (streams) to end."""
DROP = "assistants-mock.drop"
"""The scope extension whose `close()` closes the connection with nothing (more) sent;
then `receive()` soon answers `http.disconnect`, and the app returns sending nothing."""


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for request headers and enveloped 400s."""

    header_timeout: float = HEADER_TIMEOUT
    _header_deadline: asyncio.TimerHandle | None = None

    @classmethod
    def with_timeout(cls, seconds: float) -> type[GuardedH11Protocol]:
        """This protocol with another header deadline (tests use a short one)."""
        return type(cls.__name__, (cls,), {"header_timeout": seconds})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None:  # its app has not run yet: it is a task, not started
            extensions = self.cycle.scope.setdefault("extensions", {})
            extensions.setdefault(DROP, {"close": self.transport.close})

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_late(self) -> None:
        """Close the connection if it is still waiting for a request's headers (a request
        whose headers came is being read or answered; an idle one is closed as well)."""
        self._header_deadline = None
        waiting = self.conn.their_state is h11.IDLE
        answering = self.cycle is not None and not self.cycle.response_complete
        if waiting and not answering and not self.transport.is_closing():
            idle = not self.conn.trailing_data[0]
            if idle:
                self.transport.close()  # nothing sent: a keep-alive connection left open
            else:
                self._send_error(RequestTimeoutError("Timed out waiting for the request."))

    def send_400_response(self, msg: str) -> None:
        """h11 refused the request: answer in the API's envelope, then close."""
        self._send_error(
            BadRequestError(
                "Invalid HTTP request: a malformed or oversized request line or header."
            )
        )

    def _send_error(self, error: APIError) -> None:
        """Write the error and close; written as bytes, since h11 may be in no state to
        send a response (no request line ever came)."""
        body = to_json(error_body(error), indent=2)
        reason = http.HTTPStatus(error.status).phrase
        head = (
            f"HTTP/1.1 {error.status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode() + body)
        self.transport.close()


def uvicorn_options(grace: float = SHUTDOWN_GRACE) -> dict[str, Any]:
    """The keyword arguments to `uvicorn.Config`/`uvicorn.run` that apply the above."""
    return {"http": GuardedH11Protocol, "timeout_graceful_shutdown": grace}
