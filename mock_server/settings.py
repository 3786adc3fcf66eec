"""Everything a server is configured with, in one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .clock import DEFAULT_EPOCH

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """How one server behaves. Two servers with equal settings answer equal requests
    with equal bytes (unless `clock` is `"system"`)."""

    seed: int = 0
    """Seeds the id factory."""
    clock: Literal["frozen", "system"] = "frozen"
    """`"frozen"`: time starts at `clock_start` and moves only as runs advance it;
    `"system"`: the wall clock."""
    clock_start: int = DEFAULT_EPOCH
    """Where the frozen clock starts (Unix seconds)."""
    require_auth: bool = True
    """Answer 401 to requests without `Authorization: Bearer …`, as the real API does."""
    api_key: str | None = None
    """When set, only this key is accepted (401 `invalid_api_key` otherwise)."""
    require_beta_header: bool = True
    """Answer 400 `invalid_beta` to Assistants requests without `OpenAI-Beta: assistants=v2`."""
