"""The wire format of streamed events: `event: <name>` / `data: <compact JSON>`."""

from __future__ import annotations

from dataclasses import dataclass

from openai import BaseModel
from pydantic_core import to_json

from .objects import render

__all__ = ["DONE", "Event", "encode"]

DONE = b"event: done\ndata: [DONE]\n\n"
"""The closing event; both SDKs stop reading at `data: [DONE]`."""


@dataclass(frozen=True, slots=True)
class Event:
    """One streamed event: its name (`thread.run.created`) and the object it carries."""

    name: str
    data: BaseModel


def encode(event: Event) -> bytes:
    """One event as SSE bytes: a single `data:` line of compact JSON, then a blank line."""
    return b"event: " + event.name.encode() + b"\ndata: " + to_json(render(event.data)) + b"\n\n"
