"""`HEAD` on every `GET` route: the `GET` answer's status and headers, without its body.

The spec lists no `HEAD` operation, but HTTP has every resource that answers `GET` answer
`HEAD` the same way (RFC 9110, section 9.3.2), and FastAPI routes only the methods they
declare. What the real API answered is not recorded; see docs/fidelity.md.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class HeadAsGet:
    """Serves a `HEAD` request as its `GET`, and sends no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        ended = False

        async def headers_only(message: Message) -> None:
            nonlocal ended
            if message["type"] != "http.response.body":
                await send(message)
            elif not ended:  # `content-length` stays the GET body's, as HTTP has it
                ended = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
