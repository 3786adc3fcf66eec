"""Each run's events as the run engine produced them, streamed or not.

The backend calls `Timeline.record` once for every event it pulls from a run's executor;
`GET /assistants-mock/state` and the inspector show the result. Bounded: the first
`TIMELINE_LIMIT` events of a run are kept (the count goes on), and a run's timeline goes
with its thread (`forget`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TIMELINE_LIMIT", "Timeline"]

TIMELINE_LIMIT = 2000
"""Events kept per run."""


@dataclass(slots=True)
class _Events:
    names: list[str] = field(default_factory=list)
    streamed: list[bool] = field(default_factory=list)
    at: list[int] = field(default_factory=list)
    count: int = 0


class Timeline:
    """The events of every run, by run id. Thread-safe."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._runs: dict[str, _Events] = {}
        self._lock = threading.Lock()

    def record(self, run_id: str, name: str, at: int, *, streamed: bool = False) -> None:
        """One event of a run: its name, the clock's time, and whether a client was sent it."""
        if not self.enabled:
            return
        with self._lock:
            events = self._runs.get(run_id)
            if events is None:
                events = self._runs[run_id] = _Events()
            events.count += 1
            if events.count <= TIMELINE_LIMIT:
                events.names.append(name)
                events.streamed.append(streamed)
                events.at.append(at)

    def __len__(self) -> int:
        """How many runs have a timeline."""
        return len(self._runs)

    def forget(self, run_ids: Iterable[str]) -> None:
        """Drop the timelines of these runs: their thread was deleted."""
        with self._lock:
            for run_id in run_ids:
                self._runs.pop(run_id, None)

    def of(self, run_id: str) -> dict[str, Any]:
        """A run's events, with consecutive repeats folded: `[{"event", "count", "at",
        "streamed"}]`, and how many there were in all."""
        with self._lock:
            events = self._runs.get(run_id)
            if events is None:
                return {"count": 0, "events": []}
            rows = list(zip(events.names, events.streamed, events.at, strict=True))
            total = events.count
        folded: list[dict[str, Any]] = []
        for name, streamed, at in rows:
            last = folded[-1] if folded else None
            if last is not None and last["event"] == name and last["streamed"] == streamed:
                last["count"] += 1
            else:
                folded.append({"event": name, "count": 1, "at": at, "streamed": streamed})
        return {"count": total, "events": folded}
