"""The wire format of streamed events: `event: <name>` / `data: <compact JSON>`.

The run engine yields typed `Event`s; `Encoder` turns them into bytes at the edge."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic_core import to_json

from .objects import TextDeltas, render
from .wire import WireObject

__all__ = ["DONE", "Encoder", "Event", "TextDelta", "error_event"]

DONE = b"event: done\ndata: [DONE]\n\n"
"""The closing event; both SDKs stop reading at `data: [DONE]`."""


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A plain piece of a message's text (no annotations): the many small deltas of a
    reply, encoded fast at the edge (`objects.TextDeltas`)."""

    message_id: str
    value: str


@dataclass(frozen=True, slots=True)
class Event:
    """One streamed event: its name (`thread.run.created`) and the object it carries."""

    name: str
    data: WireObject | TextDelta


def _frame(name: str, body: bytes) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + body + b"\n\n"


class Encoder:
    """Events as SSE bytes, one stream's worth: each a single `data:` line of compact
    JSON, then a blank line. It keeps the text-delta template of the message being
    written, so each of its deltas costs one string encoding."""

    def __init__(self) -> None:
        self._deltas: TextDeltas | None = None
        self._deltas_of = ""

    def __call__(self, event: Event) -> bytes:
        data = event.data
        if isinstance(data, TextDelta):
            if self._deltas is None or self._deltas_of != data.message_id:
                self._deltas, self._deltas_of = TextDeltas(data.message_id), data.message_id
            return _frame(event.name, self._deltas.json(data.value))
        return _frame(event.name, to_json(render(data)))


def error_event(body: object) -> bytes:
    """The `error` event the real API ends a stream with when it fails mid-way."""
    return _frame("error", to_json(body))
