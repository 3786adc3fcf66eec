"""`Tap`: the ASGI middleware that sees every `/v1` exchange whole.

It records each one in the backend's journal, prints its line (`Settings.log_level`) and
applies the fault rules (`faults.py`), by wrapping `receive` and `send`: a streamed
answer's event names are read off the outgoing bytes (every event ends with a blank
line), so it needs nothing from the run engine. It sits outside `Edge`, so requests
that fail the header checks are journaled too. A rule with a body condition makes it read
the body before the app does, but no further than a JSON body may go (`max_body_bytes`,
`limits.py`): a longer body (one over its limit, which gets its 413, or a large upload)
matches no such rule.

It reads the backend from `app.state` on each request, as `Edge` does; wrapped around an
app with no backend (`replay`, `record`) it only prints, at the level it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import re
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .connections import DROP
from .errors import error_body
from .faults import Fault, fault_error
from .journal import BODY_LIMIT, EVENT_LIMIT, Call, Journal
from .limits import Limits, body_limit, declared_size
from .rendering import OPENAI_VERSION, json_response
from .settings import LogLevel
from .terminal import Printer

__all__ = ["Tap", "quiet_aborts"]

EVENT_NAME = re.compile(rb"^event: ([^\n]*)$", re.MULTILINE)
_ABORTED: contextvars.ContextVar[bool] = contextvars.ContextVar("aborted", default=False)


class _Cut(Exception):
    """Raised from `send` to stop a stream a fault cuts."""


class _Quiet(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _ABORTED.get()


def quiet_aborts() -> None:
    """Keep uvicorn from reporting, as an application error, a connection a fault closed
    on purpose (it logs, in the request's own task, that the response was incomplete)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _Quiet) for f in logger.filters):
        logger.addFilter(_Quiet())


def _is_cut(exc: BaseException) -> bool:
    if isinstance(exc, _Cut):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return all(_is_cut(inner) for inner in exc.exceptions)
    return False


class Tap:
    """Journal, log line and faults for every `/v1` request (see the module's doc)."""

    def __init__(
        self, app: ASGIApp, *, log_level: LogLevel = LogLevel.QUIET, printer: Printer | None = None
    ) -> None:
        self.app = app
        self.log_level = log_level
        self.printer = printer or Printer()
        quiet_aborts()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1"):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state if "app" in scope else None
        backend: Any = getattr(state, "backend", None)
        if backend is None:
            journal, faults, level, at = Journal(enabled=False), None, self.log_level, 0
        else:
            journal, faults = backend.journal, backend.faults
            level, at = backend.settings.log_level, backend.clock.now()
        if not journal.enabled and level == LogLevel.QUIET and not faults:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method: str = scope["method"]
        query = scope.get("query_string", b"").decode("latin-1")
        call = journal.open(method, path, query, scope.get("headers", []), at)
        receive = _teed(call, receive)
        fault = None
        if faults and faults.needs_body(method, path):
            # Read no further than a JSON body may go (`max_body_bytes`): past it, the body
            # matches no rule, and goes on to the app, whose limits answer 413 or, for an
            # upload, whose form parser spools it to disk (not held here in memory).
            headers = Headers(scope=scope)
            limits = Limits.of(backend.settings)
            limit = min(body_limit(limits, headers), limits.json_bytes)
            body: bytes | None = None
            if (declared_size(headers) or 0) <= limit:
                body, receive = await _buffered(receive, limit)
            fault = faults.take(method, path, body)
        elif faults:
            fault = faults.take(method, path)
        try:
            if fault is None:
                await self.app(scope, receive, _recording(call, send, None, started))
            else:
                call.fault = fault.describe()
                tapped = _recording(call, send, fault, started)
                await self._misbehave(fault, scope, receive, tapped)
        except BaseException as exc:
            if not _is_cut(exc):
                raise
            _ABORTED.set(True)  # the response stays incomplete: uvicorn closes the connection
            if fault is not None and fault.drop:
                call.status = None
            call.duration_ms = (time.perf_counter() - started) * 1000
        self.printer.print(call, level)

    async def _misbehave(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.delay_ms:
            await asyncio.sleep(fault.delay_ms / 1000)
        if fault.status is not None:
            error, headers = fault_error(fault)
            backend = scope["app"].state.backend
            headers["openai-version"] = OPENAI_VERSION
            headers["x-request-id"] = backend.ids.request_id()
            await json_response(error_body(error), error.status, headers)(scope, receive, send)
        elif fault.drop:
            close = scope.get("extensions", {}).get(DROP, {}).get("close")
            if close is None:  # not our uvicorn protocol: the status line goes out first
                await send({"type": "http.response.start", "status": 200, "headers": []})
            else:
                close()
                with contextlib.suppress(TimeoutError):  # bounded, whatever the client does
                    await asyncio.wait_for(_disconnected(receive), DROP_WAIT)
            raise _Cut
        else:
            await self.app(scope, receive, send)


DROP_WAIT = 5.0
"""Seconds a dropped request waits for uvicorn to see its connection closed."""


async def _disconnected(receive: Receive) -> None:
    """Read the body so far until uvicorn reports the connection closed."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _buffered(receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    """The request's body, and a `receive` that gives it again; None for a body over
    `limit`, read only up to the message that crossed it."""
    chunks: list[bytes] = []
    size = 0
    more = False
    first: Message | None = None
    while True:
        message = await receive()
        if message["type"] != "http.request":
            first = message
            break
        chunk: bytes = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = message.get("more_body", False)
        if not more or size > limit:
            break
    body = b"".join(chunks)
    replayed = False

    async def again() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            if first is not None:
                return first
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return (body if size <= limit else None), again


def _teed(call: Call, receive: Receive) -> Receive:
    """`receive`, keeping the first `BODY_LIMIT` bytes of the body in `call` as they pass."""

    async def tee() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            chunk: bytes = message.get("body", b"")
            room = BODY_LIMIT - len(call.request_body)
            if room > 0:
                call.request_body += chunk[:room]
            call.request_size += len(chunk)
        return message

    return tee


def _recording(call: Call, send: Send, fault: Fault | None, started: float) -> Send:
    """`send`, noting the answer in `call` (its duration as the last byte goes out); a
    `cut_after_events` fault stops the stream after that many events."""
    cut = fault.cut_after_events if fault is not None else None

    async def tapped(message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            call.status = message["status"]
            for key, value in message.get("headers", ()):
                if key == b"content-type":
                    call.response_type = value.decode("latin-1")
                    call.streamed = call.response_type.startswith("text/event-stream")
        elif kind == "http.response.body":
            chunk: bytes = message.get("body", b"")
            if call.streamed:
                if cut is not None and call.event_count + chunk.count(b"\n\n") >= cut:
                    end = 0
                    for _ in range(cut - call.event_count):
                        end = chunk.index(b"\n\n", end) + 2
                    chunk = chunk[:end]
                    _note_events(call, chunk)
                    await send({"type": kind, "body": chunk, "more_body": True})
                    raise _Cut
                _note_events(call, chunk)
            else:
                room = BODY_LIMIT - len(call.response_body)
                if room > 0:
                    call.response_body += chunk[:room]
                call.response_size += len(chunk)
            if not message.get("more_body", False):
                call.duration_ms = (time.perf_counter() - started) * 1000
        await send(message)

    return tapped


def _note_events(call: Call, chunk: bytes) -> None:
    names = EVENT_NAME.findall(chunk)
    call.event_count += len(names)
    room = EVENT_LIMIT - len(call.event_names)
    if room > 0:
        call.event_names.extend(names[:room])
