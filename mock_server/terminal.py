"""What a server prints about each request: one readable line, coloured on a terminal.

    23:41:07 POST /v1/threads/thread_x/runs 200 41.2 ms · stream 37 events, run completed

At `debug` the request's and the response's bodies follow, shortened. The time shown is
the wall clock's: it is for the person watching, never part of an answer.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any, TextIO

from .journal import Call
from .settings import LogLevel

__all__ = ["DEBUG_WIDTH", "Printer", "describe"]

DEBUG_WIDTH = 400
"""Characters of a body shown at `debug`."""

_RESET = "\x1b[0m"
_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_BY_CLASS = {2: "\x1b[32m", 3: "\x1b[36m", 4: "\x1b[33m", 5: "\x1b[31m"}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= DEBUG_WIDTH else text[:DEBUG_WIDTH] + f"… ({len(text)} chars)"


def describe(call: Call) -> str:
    """What happened beyond the status: a stream's events, a run's status, a fault."""
    parts = []
    if call.streamed:
        parts.append(f"stream {call.event_count} events")
    status = call.run_status
    if status is not None:
        parts.append(f"run {status}")
    if call.fault is not None:
        parts.append(f"fault: {call.fault}")
    return ", ".join(parts)


class Printer:
    """Prints calls on `out` (stdout by default) at `level`; colours when it is a TTY."""

    def __init__(self, out: TextIO | None = None, *, colour: bool | None = None) -> None:
        self.out = out
        self.colour = colour

    def line(self, call: Call) -> str:
        stream = self.out or sys.stdout
        colour = self.colour if self.colour is not None else stream.isatty()
        clock = datetime.now().strftime("%H:%M:%S")
        status = "---" if call.status is None else str(call.status)
        target = call.path + (f"?{call.query_string}" if call.query_string else "")
        extra = describe(call)
        if colour:
            tint = _BY_CLASS.get((call.status or 500) // 100, "")
            text = (
                f"{_DIM}{clock}{_RESET} {_BOLD}{call.method}{_RESET} {target} "
                f"{tint}{status}{_RESET} {_DIM}{call.duration_ms:.1f} ms{_RESET}"
            )
        else:
            text = f"{clock} {call.method} {target} {status} {call.duration_ms:.1f} ms"
        return text + (f" · {extra}" if extra else "")

    def print(self, call: Call, level: LogLevel) -> None:
        if level == LogLevel.QUIET:
            return
        lines = [self.line(call)]
        if level == LogLevel.DEBUG:
            if call.request_size:
                lines.append(f"    → {_short(call.json)}")
            if call.streamed:
                lines.append(f"    ← {', '.join(call.events)}")
            elif call.response_size:
                lines.append(f"    ← {_short(call.response)}")
        stream = self.out or sys.stdout
        stream.write("\n".join(lines) + "\n")
        stream.flush()
