"""The run state machine: `TRANSITIONS` is the whole lifecycle in one table, and
`transition` is the only way a run changes status, stamping the timestamps that go
with each status. `executor.RunExecutor` plays runs through it. The one change outside
the table, `requeued`, is no API's: a restarted server's (`resume.py`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .wire import Run

__all__ = [
    "ACTIVE",
    "TERMINAL",
    "TRANSITIONS",
    "InvalidTransition",
    "RunStatus",
    "requeued",
    "transition",
]


class RunStatus(StrEnum):
    """Where a run is in its life."""

    QUEUED = "queued"  # created, not yet picked up
    IN_PROGRESS = "in_progress"  # the model is working
    REQUIRES_ACTION = "requires_action"  # waiting for tool outputs
    CANCELLING = "cancelling"  # cancel asked for, winding down
    CANCELLED = "cancelled"  # terminal: cancelled
    FAILED = "failed"  # terminal: last_error says why
    COMPLETED = "completed"  # terminal: the reply is in the thread
    INCOMPLETE = "incomplete"  # terminal: a token limit cut it short
    EXPIRED = "expired"  # terminal: expires_at passed


TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset(
        {RunStatus.IN_PROGRESS, RunStatus.CANCELLING, RunStatus.FAILED, RunStatus.EXPIRED}
    ),
    RunStatus.IN_PROGRESS: frozenset(
        {
            RunStatus.REQUIRES_ACTION,
            RunStatus.COMPLETED,
            RunStatus.INCOMPLETE,
            RunStatus.FAILED,
            RunStatus.CANCELLING,
            RunStatus.EXPIRED,
        }
    ),
    RunStatus.REQUIRES_ACTION: frozenset(
        {RunStatus.QUEUED, RunStatus.CANCELLING, RunStatus.FAILED, RunStatus.EXPIRED}
    ),
    RunStatus.CANCELLING: frozenset({RunStatus.CANCELLED}),
    RunStatus.CANCELLED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.COMPLETED: frozenset(),
    RunStatus.INCOMPLETE: frozenset(),
    RunStatus.EXPIRED: frozenset(),
}

TERMINAL = frozenset(s for s, nexts in TRANSITIONS.items() if not nexts)
ACTIVE = frozenset(RunStatus) - TERMINAL
"""A thread with a run in one of these accepts no new message and no new run."""

_STAMPS: dict[RunStatus, str] = {
    RunStatus.IN_PROGRESS: "started_at",
    RunStatus.COMPLETED: "completed_at",
    RunStatus.FAILED: "failed_at",
    RunStatus.CANCELLED: "cancelled_at",
}


class InvalidTransition(Exception):
    """A status change the lifecycle does not allow (a bug, never a user error)."""


def transition(run: Run, to: RunStatus, now: int, **changes: Any) -> Run:
    """`run` moved to status `to` at time `now`, with its timestamps stamped.

    `expires_at` is cleared once a run ends, as the real API does (an expired run keeps it).
    """
    if to not in TRANSITIONS[RunStatus(run.status)]:
        raise InvalidTransition(f"{run.id}: {run.status} -> {to}")
    update: dict[str, Any] = {"status": to.value, **changes}
    if to in _STAMPS:
        update[_STAMPS[to]] = now
    if to in TERMINAL and to is not RunStatus.EXPIRED:
        update["expires_at"] = None
    return run.model_copy(update=update)


def requeued(run: Run) -> Run:
    """`run`, found `in_progress` with no step made by a server that stopped under it,
    `queued` again so that a restarted server plays it from the start (`resume.py`).

    Not in `TRANSITIONS`: the API never moves a run back, and the table stays the API's
    lifecycle that every move the engine makes is checked against.
    """
    if run.status != RunStatus.IN_PROGRESS:
        raise InvalidTransition(f"{run.id}: {run.status} -> queued (a restart's requeue)")
    return run.model_copy(update={"status": RunStatus.QUEUED.value, "started_at": None})
