"""Runs found in flight with no executor (the server stopped under them, or a snapshot
caught them), and the executors that take them on from where the store left them.

- `queued`, or `in_progress` with no step made yet: played again from `queued` by a new
  executor, exactly as the first one would have (reads move it, as `run_progression`
  says).
- `requires_action`: waits for its tool outputs until `expires_at` (then expires on the
  next read). The outputs complete the waiting step, and the run answers them as the
  default model does (a scripted rule's later turns are not played again).
- anything else in flight (`in_progress` after a step, `cancelling`): no executor can
  take it on; `RunDriver.adopt` ends it (`failed` with `server_error`, or `cancelled`).

These executors reach into `RunExecutor` for the pieces a run's second half is made of
(its players, its moves, its wind-down): the play is the executor's, only its start
differs.
"""

from __future__ import annotations

from collections.abc import Generator

from . import model as fake_model
from .executor import RunExecutor, _text
from .players import Calls, Services
from .runs import RunStatus
from .sse import Event
from .wire import Run, RunStep

__all__ = ["resumed"]


def resumed(services: Services, run: Run) -> RunExecutor | None:
    """An executor that takes `run` on from its stored state, or None when none can."""
    steps = services.store.steps.children(run.id)
    if run.status == RunStatus.QUEUED or (run.status == RunStatus.IN_PROGRESS and not steps):
        if run.status == RunStatus.IN_PROGRESS:  # it made nothing yet: queued again
            services.store.runs.update(
                run.model_copy(update={"status": "queued", "started_at": None})
            )
        return RunExecutor(services, run.id)
    if run.status == RunStatus.REQUIRES_ACTION and run.required_action is not None:
        waiting = [s for s in steps if s.status == "in_progress" and s.type == "tool_calls"]
        if waiting:
            return _waiting(services, run, waiting[-1])
    return None


def _waiting(services: Services, run: Run, step: RunStep) -> RunExecutor:
    """A paused executor whose next events are those after the outputs arrive."""
    assert run.required_action is not None
    made = [
        (
            call["id"],
            fake_model.FunctionCall(call["function"]["name"], call["function"]["arguments"]),
        )
        for call in run.required_action["submit_tool_outputs"]["tool_calls"]
    ]
    executor = RunExecutor(services, run.id)
    executor._open.step = step
    executor.paused = True
    executor._events = _after_outputs(executor, Calls(step, made))
    return executor


def _prompt_tokens(executor: RunExecutor, run: Run) -> int:
    """The run's prompt, counted as `RunExecutor._work` counts it."""
    texts = [_text(m) for m in executor._conversation(run)]
    return (
        3
        + fake_model.count_tokens(run.instructions or "")
        + sum(4 + fake_model.count_tokens(t) for t in texts)
    )


def _after_outputs(executor: RunExecutor, calls: Calls) -> Generator[Event, None, None]:
    """What `RunExecutor._call_functions` does once resumed, then the default model's
    answer to the outputs; a cancel or an expiry winds it down instead."""

    def work() -> Generator[Event, None, None]:
        prompt_tokens = _prompt_tokens(executor, executor.run)
        outputs = executor._outputs
        yield executor._players.answer_calls(calls, outputs, prompt_tokens)
        yield executor.move(RunStatus.QUEUED, required_action=None)
        yield executor.move(RunStatus.IN_PROGRESS)
        answered = [(call.name, outputs[call_id]) for call_id, call in calls.made]
        prompt_tokens += sum(fake_model.count_tokens(o) for _, o in answered)
        reply = fake_model.reply_with_outputs(answered)
        yield from executor.write_message(reply, prompt_tokens)

    steps = work()
    while True:
        if executor.cancel_requested or executor.expire_requested:
            steps.close()
            yield from executor._wind_down()
            return
        event = next(steps, None)
        if event is None:
            return
        yield event
