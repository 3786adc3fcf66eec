"""Everything a server is configured with, in one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
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
    run_progression: Literal["immediate", "per_poll", "clock"] = "immediate"
    """How a run that is not streamed advances: `immediate` (the first read after create
    already sees it finished), `per_poll` (one status per retrieve of the run), or `clock`
    (one status per `seconds_per_transition` of clock time)."""
    seconds_per_transition: int = 1
    """With `run_progression="clock"`: clock seconds between two statuses of a run."""
    poll_after_ms: int = 10
    """Sent as `openai-poll-after-ms` on run responses: how long the SDK's polling
    helpers sleep between retrieves (their defaults are 1 s in Python, 5 s in Node)."""
    stream_delay_ms: int = 0
    """A pause before each streamed delta event (0: none); gives a test time to act
    while a stream is under way."""
    scenario: Path | None = None
    """A scenario file (YAML or JSON) scripting the fake model; loaded again on reset."""
    require_beta_header: bool = True
    """Answer 400 `invalid_beta` to Assistants requests without `OpenAI-Beta: assistants=v2`."""
