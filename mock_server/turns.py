"""The seam between the run engine and what decides a model's turns.

Three things play turns through one protocol, `TurnSource`: the script (`scripted.py`,
rules of turns), the default fake model (`fake.py`) and an upstream chat-completions
model (`upstream.py`). The engine (`executor.py`) asks the script first; a turn no rule
matches falls through (`PASS`) to the configured model. A source plays its turn through
the engine's players (text streamed in chunks, tool calls, code, a file search, a
failure) and says what comes next: the tool outputs for another turn, or None once the
run has ended.

A source that waits on something outside the server (an upstream model) yields a
`Waiting` instead of an event: whoever moves the run awaits it (a stream) or leaves the
run where it is until the next read (polling), so nothing blocks the server meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

from .sse import Event
from .wire import JSON

if TYPE_CHECKING:
    from .executor import RunExecutor

__all__ = ["PASS", "Outputs", "Pass", "Play", "TurnContext", "TurnSource", "Waiting"]

Outputs = list[tuple[str, str]]
"""The tool outputs a turn got, as `(function name, output)`, in call order."""


class Pass:
    """What a source returns for a turn it leaves to the next one (a script no rule of
    which matches)."""

    def __repr__(self) -> str:
        return "PASS"


PASS: Final = Pass()


class Waiting:
    """Something a run waits for outside the server; set once, from any thread.

    `ready` says whether it came; `wait()` awaits it on an event loop without blocking
    the loop (a stream awaits it between two events)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @property
    def ready(self) -> bool:
        return self._done

    def set(self) -> None:
        with self._lock:
            self._done = True
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            loop.call_soon_threadsafe(_resolve, future)

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._done:
                return
            self._waiters.append((loop, future))
        await future


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


Play = Generator[Event | Waiting, None, Outputs | Pass | None]
"""A turn being played: events (or waits), then what comes next."""


@dataclass
class TurnContext:
    """What a turn sees: the prompt (the last user message), the conversation's texts,
    the run as rendered, the prompt tokens spent so far, and the chat messages the run's
    own turns added (an upstream model's tool calls and their outputs)."""

    prompt: str
    texts: list[str]
    rendered: dict[str, Any]
    prompt_tokens: int
    exchanges: list[JSON] = field(default_factory=list)


class TurnSource(Protocol):
    """What decides a model's turns."""

    def turn(self, engine: RunExecutor, ctx: TurnContext, outputs: Outputs) -> Play:
        """Play one turn through `engine` (given the tool outputs of the last one): the
        outputs of the calls it made, None once the run has ended, or `PASS`."""
        ...
