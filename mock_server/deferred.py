"""`DEFER_BUILD`: whether the project's pydantic models build their validators on first
use rather than at import (about 25 ms of start-up).

Only from pydantic 2.14 on: before it, a model built by two threads at once could
validate with its parent's validator in between (pydantic#13438), and the server serves
from several threads (the event loop, large bodies parsed beside it, `MockServer` calls).
"""

from __future__ import annotations

from pydantic.version import VERSION

__all__ = ["DEFER_BUILD", "defers_build"]


def defers_build(version: str) -> bool:
    """Whether pydantic `version` (`"2.14.4"`, `"2.14.0b1"`) rebuilds models thread-safely."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return (major, minor) >= (2, 14)


DEFER_BUILD = defers_build(VERSION)
