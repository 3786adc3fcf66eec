"""HTTP rendering: JSON bodies, the response headers every answer carries, and errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from pydantic_core import to_json
from starlette.responses import Response, StreamingResponse

from . import objects
from .errors import APIError, error_body
from .sse import DONE, encode
from .wire import WireObject

if TYPE_CHECKING:
    from .backend import Backend
    from .executor import RunExecutor

__all__ = [
    "OPENAI_VERSION",
    "WRITE_SIZE",
    "error_response",
    "event_stream",
    "json_response",
    "object_response",
    "page_response",
    "run_response",
]

OPENAI_VERSION = "2020-10-01"
"""The `openai-version` header the real API sends."""


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
    stream would have stored is lost.
    """
    default_ms = backend.settings.stream_delay_ms

    async def events() -> AsyncIterator[bytes]:
        try:
            first = backend.next_event(executor)
            if first is not None:
                yield encode(first)
            pending = bytearray()
            while (event := backend.next_event(executor)) is not None:
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
        finally:
            while backend.next_event(executor) is not None:
                pass

    return StreamingResponse(events(), media_type="text/event-stream; charset=utf-8")
