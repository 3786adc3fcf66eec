"""HTTP rendering: JSON bodies, the response headers every answer carries, and errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from pydantic_core import to_json
from starlette.responses import Response, StreamingResponse

from . import objects
from .errors import APIError, error_body
from .sse import DONE, Encoder, error_event
from .wire import WireObject

if TYPE_CHECKING:
    from .backend import Backend
    from .executor import RunExecutor

__all__ = [
    "OPENAI_VERSION",
    "SERVER_ERROR",
    "WRITE_SIZE",
    "error_response",
    "event_stream",
    "json_response",
    "object_response",
    "page_response",
    "run_response",
]

_log = logging.getLogger(__name__)

OPENAI_VERSION = "2020-10-01"
"""The `openai-version` header the real API sends."""


SERVER_ERROR = "The server had an error while processing your request. Sorry about that!"
"""What the real API says when it fails."""


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON pretty-printed with two spaces, as the real API sends it."""
    return Response(
        to_json(data, indent=2), status_code=status, headers=headers, media_type="application/json"
    )


def object_response(model: WireObject, headers: dict[str, str] | None = None) -> Response:
    return json_response(objects.render(model), headers=headers)


def page_response(items: Sequence[WireObject], has_more: bool) -> Response:
    return json_response(objects.list_page([objects.render(i) for i in items], has_more))


def error_response(error: APIError) -> Response:
    return json_response(error_body(error), status=error.status)


def run_response(backend: Backend, run: WireObject) -> Response:
    """A run or a file batch, with `openai-poll-after-ms` so the SDK's pollers do not
    sleep a whole second."""
    return object_response(
        run, headers={"openai-poll-after-ms": str(backend.settings.poll_after_ms)}
    )


WRITE_SIZE = 16_384
"""Events produced back to back share one write of up to this many bytes."""


def event_stream(backend: Backend, executor: RunExecutor) -> StreamingResponse:
    """A run as Server-Sent Events, then `[DONE]`.

    Each event goes out as soon as it is produced: the first one alone, so nothing holds
    it back; later ones that are produced back to back share writes of up to
    `WRITE_SIZE` bytes (a write per event costs the client more than the event), and
    anything pending is written before every pause (`stream_delay_ms`, or a scripted
    turn's `delay_ms`).

    If the client goes away mid-stream the run still plays to its end, so nothing the
    stream would have stored is lost. If the run goes away (its thread deleted, a reset)
    the stream ends with `[DONE]`. Should the engine itself fail (a bug), the traceback
    is logged once and the stream ends with an `error` event, as the real API's do.
    """
    default_ms = backend.settings.stream_delay_ms
    encode = Encoder()

    async def events() -> AsyncIterator[bytes]:
        pending = bytearray()
        first = True
        try:
            while True:
                event = backend.next_event(executor)
                if event is None:
                    if executor.waiting is None:
                        break
                    if pending:  # it waits on an upstream model: off the lock
                        yield bytes(pending)
                        pending.clear()
                    await executor.waiting.wait()
                    continue
                if first:
                    first = False
                    yield encode(event)
                    continue
                delay = (executor.delay_ms or default_ms) / 1000
                if delay and event.name.endswith(".delta"):
                    if pending:
                        yield bytes(pending)
                        pending.clear()
                    await asyncio.sleep(delay)
                pending += encode(event)
                if len(pending) >= WRITE_SIZE:
                    yield bytes(pending)
                    pending.clear()
            yield bytes(pending + DONE)
        except Exception:
            _log.exception("run %s failed mid-stream", executor.run_id)
            yield bytes(pending + error_event(error_body(APIError(SERVER_ERROR))))
        finally:
            _drain(backend, executor)

    return StreamingResponse(events(), media_type="text/event-stream; charset=utf-8")


def _drain(backend: Backend, executor: RunExecutor) -> None:
    """Play a run whose stream is over to its end (or its next pause); one that waits
    on an upstream model is left to reads of its thread."""
    try:
        while backend.next_event(executor) is not None:
            pass
        if executor.waiting is not None:
            backend.park(executor)
    except Exception:
        _log.exception("run %s failed after its stream", executor.run_id)
