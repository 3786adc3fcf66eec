"""The run state machine, and the executor that plays a run as a series of events.

`TRANSITIONS` is the whole lifecycle in one table; `transition` is the only way a
run changes status, and it stamps the timestamps that go with each status. A
`RunExecutor` is an iterator of `Event`s: each event's object is persisted before the
event is yielded, so streaming (send each event) and polling (pull events until the
next run status) are two ways of consuming the same run.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from openai.types.beta import Thread
from openai.types.beta.threads import Message, Run, TextContentBlock
from openai.types.beta.threads.message import IncompleteDetails as MessageIncomplete
from openai.types.beta.threads.run import IncompleteDetails, Usage
from openai.types.beta.threads.runs import RunStep

from . import model as fake_model
from . import objects
from .clock import Clock
from .ids import IdFactory, Prefix
from .sse import Event
from .store import Store

__all__ = [
    "ACTIVE",
    "TERMINAL",
    "TRANSITIONS",
    "InvalidTransition",
    "RunExecutor",
    "RunStatus",
    "Services",
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


@dataclass(frozen=True)
class Services:
    """What an executor uses: the store, the id factory, the clock, the seed."""

    store: Store
    ids: IdFactory
    clock: Clock
    seed: int


def _text(message: Message) -> str:
    return "".join(
        block.text.value for block in message.content if isinstance(block, TextContentBlock)
    )


def _usage(prompt_tokens: int, completion_tokens: int) -> Usage:
    return Usage.model_validate(objects.usage(prompt_tokens, completion_tokens))


class RunExecutor:
    """Plays one run from `thread.run.created` to a terminal event.

    Iterate it to advance the run; set `cancel_requested` (the backend does, after moving
    the run to `cancelling`) and the next step winds the run down instead. With `deltas`
    off (nobody streams the run) no delta events are made: the message is written whole.
    """

    def __init__(self, services: Services, run_id: str, *, announce: Thread | None = None) -> None:
        self.services = services
        self.run_id = run_id
        self.cancel_requested = False
        self.deltas = True
        self._announce = announce
        self._message: Message | None = None
        self._step: RunStep | None = None
        self._text = ""  # what the deltas have said so far
        self._events = self._play()

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        return next(self._events)

    # --- persistence -------------------------------------------------------------------

    @property
    def run(self) -> Run:
        run = self.services.store.runs.get(self.run_id)
        assert run is not None, self.run_id
        return run

    def _move(self, to: RunStatus, **changes: Any) -> Event:
        run = transition(self.run, to, self.services.clock.now(), **changes)
        self.services.store.runs.update(run)
        return Event(f"thread.run.{to.value}", run)

    def _save_step(self, step: RunStep, name: str) -> Event:
        self._step = step
        self.services.store.steps.update(step)
        return Event(f"thread.run.step.{name}", step)

    def _save_message(self, message: Message, name: str) -> Event:
        self._message = message
        self.services.store.messages.update(message)
        return Event(f"thread.message.{name}", message)

    # --- the play ----------------------------------------------------------------------

    def _play(self) -> Iterator[Event]:
        if self._announce is not None:
            yield Event("thread.created", self._announce)
        run = self.run
        yield Event("thread.run.created", run)
        yield Event("thread.run.queued", run)
        work = self._work()
        while True:
            if self.cancel_requested:
                work.close()
                yield from self._wind_down()
                return
            event = next(work, None)
            if event is None:
                return
            yield event

    def _conversation(self, run: Run) -> list[Message]:
        messages = self.services.store.messages.children(run.thread_id)
        strategy = run.truncation_strategy
        if strategy is not None and strategy.type == "last_messages" and strategy.last_messages:
            messages = messages[-strategy.last_messages :]
        return messages

    def _work(self) -> Generator[Event, None, None]:
        services = self.services
        yield self._move(RunStatus.IN_PROGRESS)
        run = self.run
        conversation = self._conversation(run)
        texts = [_text(m) for m in conversation]
        prompt_tokens = (
            3
            + fake_model.count_tokens(run.instructions or "")
            + sum(4 + fake_model.count_tokens(t) for t in texts)
        )
        if run.max_prompt_tokens is not None and prompt_tokens > run.max_prompt_tokens:
            yield self._move(
                RunStatus.INCOMPLETE,
                incomplete_details=IncompleteDetails(reason="max_prompt_tokens"),
                usage=_usage(run.max_prompt_tokens, 0),
            )
            return
        prompt = next(
            (_text(m) for m in reversed(conversation) if m.role == "user"),
            texts[-1] if texts else "",
        )
        reply = fake_model.respond(
            seed=services.seed,
            prompt=prompt,
            context=[run.instructions or "", *texts],
            response_format=objects.render(run).get("response_format", "auto"),
        )
        limit = run.max_completion_tokens
        tokens = reply.tokens if limit is None else reply.tokens[:limit]
        cut = len(tokens) < len(reply.tokens)

        now = services.clock.now()
        message_id = services.ids.new(Prefix.MESSAGE)
        step = objects.run_step(
            id=services.ids.new(Prefix.STEP),
            created_at=now,
            run=run,
            step_details={
                "type": "message_creation",
                "message_creation": {"message_id": message_id},
            },
        )
        services.store.steps.insert(step, parent=run.id)
        self._step = step
        yield Event("thread.run.step.created", step)
        yield Event("thread.run.step.in_progress", step)

        message = objects.message(
            id=message_id,
            created_at=now,
            thread_id=run.thread_id,
            role="assistant",
            content=[],
            attachments=[],
            metadata={},
            assistant_id=run.assistant_id,
            run_id=run.id,
            status="in_progress",
        )
        services.store.messages.insert(message, parent=run.thread_id)
        self._message = message
        yield Event("thread.message.created", message)
        yield Event("thread.message.in_progress", message)

        if not self.deltas:
            self._text = "".join(tokens)
        for i, token in enumerate(tokens if self.deltas else ()):
            self._text += token
            text: dict[str, Any] = (
                {"value": token, "annotations": []} if i == 0 else {"value": token}
            )
            yield Event(
                "thread.message.delta",
                objects.message_delta(message_id, [{"index": 0, "type": "text", "text": text}]),
            )

        now = services.clock.now()
        final = self._content()
        if cut:
            yield self._save_message(
                self._message.model_copy(
                    update={
                        "status": "incomplete",
                        "incomplete_at": now,
                        "incomplete_details": MessageIncomplete(reason="max_tokens"),
                        "content": final,
                    }
                ),
                "incomplete",
            )
        else:
            yield self._save_message(
                self._message.model_copy(
                    update={"status": "completed", "completed_at": now, "content": final}
                ),
                "completed",
            )
        usage = _usage(prompt_tokens, len(tokens))
        yield self._save_step(
            step.model_copy(
                update={
                    "status": "completed",
                    "completed_at": now,
                    "expires_at": None,
                    "usage": usage,
                }
            ),
            "completed",
        )
        if cut:
            yield self._move(
                RunStatus.INCOMPLETE,
                incomplete_details=IncompleteDetails(reason="max_completion_tokens"),
                usage=self._run_usage(),
            )
        else:
            yield self._move(RunStatus.COMPLETED, usage=self._run_usage())

    def _content(self) -> list[TextContentBlock]:
        """The message's content as the deltas have built it (the SDK's helpers read the
        final event's content at the index the deltas used)."""
        return [TextContentBlock.model_validate(objects.text_block(self._text))]

    def _run_usage(self) -> Usage:
        """The run's usage: the sum of its steps'."""
        prompt = completion = 0
        for step in self.services.store.steps.children(self.run_id):
            if step.usage is not None:
                prompt += step.usage.prompt_tokens
                completion += step.usage.completion_tokens
        return _usage(prompt, completion)

    def _wind_down(self) -> Iterator[Event]:
        """After a cancel: the open message ends incomplete, the open step cancelled."""
        now = self.services.clock.now()
        if self._message is not None and self._message.status == "in_progress":
            yield self._save_message(
                self._message.model_copy(
                    update={
                        "status": "incomplete",
                        "incomplete_at": now,
                        "incomplete_details": MessageIncomplete(reason="run_cancelled"),
                        "content": self._content() if self._text else [],
                    }
                ),
                "incomplete",
            )
        if self._step is not None and self._step.status == "in_progress":
            yield self._save_step(
                self._step.model_copy(
                    update={"status": "cancelled", "cancelled_at": now, "expires_at": None}
                ),
                "cancelled",
            )
        yield self._move(RunStatus.CANCELLED)
