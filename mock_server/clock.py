"""The server's only source of time.

Every timestamp the server emits comes from one injected `Clock`. The default,
`FrozenClock`, stands still unless the run engine advances it, so the same seed and
the same requests give the same bytes. `SystemClock` reads the wall clock for users
who want real timestamps.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["DEFAULT_EPOCH", "Clock", "FrozenClock", "SystemClock"]

DEFAULT_EPOCH = 1_767_225_600
"""2026-01-01T00:00:00Z: the frozen clock's default start, in Unix seconds."""


class Clock(Protocol):
    """Tells the time in whole Unix seconds, as every Assistants timestamp is."""

    def now(self) -> int:
        """The current time."""
        ...

    def advance(self, seconds: int) -> None:
        """Move time forward (a no-op for clocks that move by themselves)."""
        ...


class FrozenClock:
    """A clock that moves only when told to: deterministic by construction."""

    def __init__(self, start: int = DEFAULT_EPOCH) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> int:
        return self._now

    def advance(self, seconds: int) -> None:
        if seconds < 0:
            raise ValueError("time does not run backwards")
        with self._lock:
            self._now += seconds

    def set(self, now: int) -> None:
        """Stand at `now`, earlier or later (a snapshot or a lasting store resumes here)."""
        with self._lock:
            self._now = now


class SystemClock:
    """The wall clock, for users who want real timestamps (not deterministic)."""

    def now(self) -> int:
        return int(time.time())

    def advance(self, seconds: int) -> None:
        """The wall clock moves by itself."""
