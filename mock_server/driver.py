"""The run driver: the runs in flight, and who moves them.

A streamed run is moved by its stream (`next_event`); a run nobody streams is parked and
moved by reads of its thread, as `Settings.run_progression` says (`progress`). A run
waiting for tool outputs is parked too: it expires when its `expires_at` passes. Every
way a client can cut a run short (cancel, deleting its thread, a reset) goes through
here, so each one leaves the run terminal or gone, never stuck.

Each event it pulls goes on the run's timeline (`timeline.py`), streamed or not. The
driver holds no lock of its own: the backend calls it under its lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from .clock import Clock
from .errors import BadRequestError
from .executor import RunExecutor
from .runs import ACTIVE, TRANSITIONS, RunStatus, transition
from .settings import Settings
from .sse import Event
from .store import Store
from .timeline import Timeline
from .wire import Run

__all__ = ["CANCELLABLE", "RunDriver"]

CANCELLABLE = frozenset(s for s, nexts in TRANSITIONS.items() if RunStatus.CANCELLING in nexts)
"""Where a cancel is taken: the statuses the lifecycle lets move to `cancelling`."""
"""The statuses a cancel is accepted in."""

_STOPPED = {
    "code": "server_error",
    "message": "The server stopped while this run was in progress; it cannot be resumed.",
}
"""`last_error` of a run the server stopped under (see `adopt`)."""


@dataclass
class _Parked:
    """A run nobody streams, moved by reads of its thread (see `RunDriver.progress`)."""

    executor: RunExecutor
    last_move: int


class RunDriver:
    """The executors of the runs in flight (by run id), and the parked ones (by thread:
    a thread has at most one active run)."""

    def __init__(self, store: Store, clock: Clock, settings: Settings, timeline: Timeline) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._timeline = timeline
        self._executors: dict[str, RunExecutor] = {}
        self._parked: dict[str, _Parked] = {}

    def __len__(self) -> int:
        """How many runs are in flight."""
        return len(self._executors)

    def start(self, executor: RunExecutor) -> RunExecutor:
        """Take a new run's executor in charge."""
        self._executors[executor.run_id] = executor
        return executor

    def adopt(self, run: Run, executor: RunExecutor | None) -> None:
        """Take charge of a run found in flight in the store at start (no executor had
        it): a new `executor` plays it as a parked run, or a waiting one
        (`requires_action`, `paused`) waits for its outputs. Without one, the run ends
        now: `cancelling` as `cancelled`, `requires_action` as `expired`, anything else
        as `failed` (`server_error`). See `resume`."""
        if executor is not None:
            self._executors[run.id] = executor
            if executor.paused:
                self._park(executor)
            else:
                self.unstreamed(executor)
            return
        now = self._clock.now()
        if run.status == RunStatus.CANCELLING:
            ended = transition(run, RunStatus.CANCELLED, now)
        elif run.status == RunStatus.REQUIRES_ACTION:  # no step to take its outputs
            ended = transition(run, RunStatus.EXPIRED, now)
        else:
            if run.status == RunStatus.QUEUED:
                run = transition(run, RunStatus.IN_PROGRESS, now)
            ended = transition(run, RunStatus.FAILED, now, last_error=_STOPPED)
        for step in self._store.steps.children(run.id):
            if step.status == "in_progress":
                stamp: dict[str, object] = {f"{ended.status}_at": now}
                if ended.status == "failed":
                    stamp["last_error"] = _STOPPED
                self._store.steps.update(
                    step.model_copy(update={"status": ended.status, **stamp, "expires_at": None})
                )
        self._store.runs.update(ended)

    def unstreamed(self, executor: RunExecutor) -> Run:
        """Park a run nobody streams; the run as it is now (`queued`) is the reply."""
        executor.deltas = False
        for event in executor:
            self._timeline.record(executor.run_id, event.name, self._clock.now())
            if event.name == "thread.run.queued":
                break
        self._park(executor)
        return executor.run

    def next_event(self, executor: RunExecutor) -> Event | None:
        """The next event of a streamed run, or None when the stream is over: the run
        ended or went away, or it waits for tool outputs (then it is parked). None with
        `executor.waiting` set: the run waits outside the server (the stream awaits
        that, then asks again)."""
        event = next(executor, None)
        if event is not None:
            self._timeline.record(executor.run_id, event.name, self._clock.now(), streamed=True)
        elif executor.finished:
            self._executors.pop(executor.run_id, None)
        elif executor.waiting is not None:
            pass
        else:
            self._park(executor)
        return event

    def park(self, executor: RunExecutor) -> None:
        """Leave a run whose stream is gone to reads of its thread."""
        if not executor.finished:
            self._park(executor)

    def resume(self, run: Run, outputs: dict[str, str]) -> RunExecutor:
        """Hand a run waiting in `requires_action` its tool outputs; the caller streams
        the executor or hands it to `unstreamed`."""
        executor = self._executors.get(run.id)
        if executor is None or executor.finished:  # nothing left to resume (never expected)
            raise BadRequestError(f'Runs in status "{run.status}" do not accept tool outputs.')
        self._parked.pop(run.thread_id, None)
        executor.deltas = True
        executor.submit(outputs)
        return executor

    def cancel(self, run: Run) -> Run:
        """Move an active run to `cancelling`; its executor winds it down to `cancelled`
        at its next step (at once when it is parked and reads move it all the way)."""
        cancelling = transition(run, RunStatus.CANCELLING, self._clock.now())
        self._store.runs.update(cancelling)
        executor = self._executors.get(run.id)
        if executor is None or executor.finished:  # nothing left to wind it down
            cancelled = transition(cancelling, RunStatus.CANCELLED, self._clock.now())
            self._store.runs.update(cancelled)
            self._executors.pop(run.id, None)
            return cancelling
        executor.cancel()
        return cancelling

    def progress(self, thread_id: str, polled: str | None = None) -> None:
        """Move the thread's parked run as `Settings.run_progression` says; a run left
        waiting for tool outputs past its `expires_at` expires."""
        parked = self._parked.get(thread_id)
        if parked is None:
            return
        executor = parked.executor
        if executor.paused:
            expires_at = executor.run.expires_at
            if expires_at is None or self._clock.now() < expires_at:
                return
            executor.expire()
            self._advance(thread_id, parked, -1)
            return
        mode = self._settings.run_progression
        if mode == "immediate":
            moves = -1
        elif mode == "per_poll":
            moves = 1 if executor.run_id == polled else 0
        else:
            elapsed = self._clock.now() - parked.last_move
            moves = elapsed // max(self._settings.seconds_per_transition, 1)
        if moves:
            self._advance(thread_id, parked, moves)

    def forget_thread(self, thread_id: str) -> None:
        """The thread is being deleted: its runs stop where they are (their streams end
        with `[DONE]`) and are forgotten."""
        self._parked.pop(thread_id, None)
        for run_id, executor in list(self._executors.items()):
            if executor.thread_id == thread_id:
                executor.abandon()
                del self._executors[run_id]

    def stop_all(self) -> None:
        """Stop every run in flight (a reset): open streams end with `[DONE]`."""
        for executor in self._executors.values():
            executor.abandon()
        self._executors.clear()
        self._parked.clear()

    def _park(self, executor: RunExecutor) -> None:
        self._parked[executor.thread_id] = _Parked(executor, self._clock.now())

    def _advance(self, thread_id: str, parked: _Parked, moves: int) -> None:
        """Pull events until `moves` run statuses have changed (all of them when < 0),
        the run ends, or it pauses for tool outputs."""
        executor = parked.executor
        for event in executor:
            self._timeline.record(executor.run_id, event.name, self._clock.now())
            if isinstance(event.data, Run) and event.name != "thread.run.created":
                parked.last_move = self._clock.now()
                moves -= 1
                if moves == 0:
                    break
        if executor.finished or executor.run_status not in ACTIVE:
            for event in executor:  # let it close its books
                self._timeline.record(executor.run_id, event.name, self._clock.now())
            self._parked.pop(thread_id, None)
            self._executors.pop(executor.run_id, None)
