"""The wire format of streamed events: `event: <name>` / `data: <compact JSON>`."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic_core import to_json

from .objects import render
from .wire import WireObject

__all__ = ["DONE", "Event", "encode"]

DONE = b"event: done\ndata: [DONE]\n\n"
"""The closing event; both SDKs stop reading at `data: [DONE]`."""


@dataclass(frozen=True, slots=True)
class Event:
    """One streamed event: its name (`thread.run.created`) and the object it carries,
    or, for the many small deltas of a message, its JSON already made (`raw`, from
    `objects.TextDeltas`, whose bytes come from a validated wire object)."""

    name: str
    data: WireObject | None
    raw: bytes | None = None


def encode(event: Event) -> bytes:
    """One event as SSE bytes: a single `data:` line of compact JSON, then a blank line."""
    if event.raw is not None:
        body = event.raw
    else:
        assert event.data is not None, event.name
        body = to_json(render(event.data))
    return b"event: " + event.name.encode() + b"\ndata: " + body + b"\n\n"
