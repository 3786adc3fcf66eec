"""Runs found in flight with no executor (the server stopped under them, or a snapshot
caught them), and the executors that take them on from where the store left them.

- `queued`, or `in_progress` with no step made yet: played again from `queued` by a new
  executor, exactly as the first one would have (reads move it, as `run_progression`
  says).
- `requires_action`: waits for its tool outputs until `expires_at` (then expires on the
  next read). The outputs complete the waiting step, and the run answers them as the
  default model does (`RunExecutor.waiting_for_outputs`).
- anything else in flight (`in_progress` after a step, `cancelling`): no executor can
  take it on; `RunDriver.adopt` ends it (`failed` with `server_error`, or `cancelled`).
"""

from __future__ import annotations

from .executor import RunExecutor
from .players import Services
from .runs import RunStatus, requeued
from .wire import Run

__all__ = ["resumed"]


def resumed(services: Services, run: Run) -> RunExecutor | None:
    """An executor that takes `run` on from its stored state, or None when none can."""
    steps = services.store.steps.children(run.id)
    if run.status == RunStatus.QUEUED or (run.status == RunStatus.IN_PROGRESS and not steps):
        if run.status == RunStatus.IN_PROGRESS:  # it made nothing yet: queued again
            services.store.runs.update(requeued(run))
        return RunExecutor(services, run.id)
    if run.status == RunStatus.REQUIRES_ACTION and run.required_action is not None:
        waiting = [s for s in steps if s.status == "in_progress" and s.type == "tool_calls"]
        if waiting:
            return RunExecutor.waiting_for_outputs(services, run, waiting[-1])
    return None
