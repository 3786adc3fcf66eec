"""Step players: each run step is opened, streamed as deltas, then completed, in one way.

`Steps` is that one way: `open` stores a step and announces it (`created`,
`in_progress`), `tool_delta` makes a tool call's delta, `complete` stores the finished
step and makes its `completed` event. What is open (the step, the reply being written
and what its deltas said) lives in `Open`, so that a cancel or an expiry can close it.
The executor decides which steps a turn plays; these play them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import fake_model, objects
from .clock import Clock
from .ids import IdFactory, Prefix
from .library import Library, SearchHit
from .script import Script
from .sse import Event, TextDelta
from .store import Store
from .turns import TurnSource, Waiting
from .wire import JSON, Message, Run, RunStep

__all__ = ["NO_CALLS", "Calls", "Open", "Players", "Services", "Steps"]

NO_CALLS: JSON = {"type": "tool_calls", "tool_calls": []}
"""A tool_calls step's details when it opens: its calls come with the deltas."""


@dataclass(frozen=True)
class Services:
    """What a run is played with: the store, ids, clock, seed, script, the files to
    search, and the model."""

    store: Store
    ids: IdFactory
    clock: Clock
    seed: int
    script: Script
    library: Library
    model: TurnSource | None = None
    """The model the script's unmatched turns fall through to (None: the fake one)."""


@dataclass
class Open:
    """What a run has open: its step, the reply it writes, and what the reply's deltas
    have said so far (the text and the citations in it)."""

    step: RunStep | None = None
    message: Message | None = None
    text: str = ""
    citations: list[fake_model.Citation] = field(default_factory=list)

    def content(self) -> list[JSON]:
        """The reply's content as the deltas have built it (the SDK's helpers read the
        final event's content at the index the deltas used)."""
        return [objects.text_block(self.text, self.citations)]


class Steps:
    """Opens, revises and completes one run's steps, storing each before its event."""

    def __init__(self, services: Services, run_id: str, open_now: Open) -> None:
        self._services = services
        self._run_id = run_id
        self._open = open_now

    def open(self, run: Run, details: JSON) -> Generator[Event, None, RunStep]:
        """A new step, stored, announced `created` then `in_progress`."""
        services = self._services
        step = objects.run_step(
            id=services.ids.new(Prefix.STEP),
            created_at=services.clock.now(),
            run=run,
            step_details=details,
        )
        services.store.steps.insert(step, parent=self._run_id)
        self._open.step = step
        yield Event("thread.run.step.created", step)
        yield Event("thread.run.step.in_progress", step)
        return step

    def revise(self, step: RunStep, **changes: Any) -> RunStep:
        """The open step with `changes`, stored without an event (deltas told them)."""
        revised = objects.revise(step, **changes)
        self._open.step = revised
        self._services.store.steps.update(revised)
        return revised

    def complete(self, step: RunStep, usage: JSON, **changes: Any) -> Event:
        """The step `completed` with its usage (and `changes`), stored; its event."""
        completed = objects.revise(
            step,
            status="completed",
            completed_at=self._services.clock.now(),
            usage=usage,
            **changes,
        )
        self._services.store.steps.update(completed)
        self._open.step = None
        return Event("thread.run.step.completed", completed)

    def close(self, step: RunStep, status: str, stamp: dict[str, int]) -> Event:
        """The open step ended otherwise (`cancelled`, `expired`), stored; its event."""
        closed = step.model_copy(update={"status": status, **stamp})
        self._services.store.steps.update(closed)
        self._open.step = None
        return Event(f"thread.run.step.{status}", closed)

    @staticmethod
    def tool_delta(step_id: str, tool_call: JSON) -> Event:
        """A delta of a tool_calls step: one call, or a piece of it."""
        return Event(
            "thread.run.step.delta",
            objects.step_delta(step_id, {"type": "tool_calls", "tool_calls": [tool_call]}),
        )


@dataclass(frozen=True)
class Calls:
    """Function calls streamed into their open step, waiting for outputs."""

    step: RunStep
    made: list[tuple[str, fake_model.FunctionCall]]
    """(call id, call), in order."""

    def required_action(self) -> JSON:
        """The run's `required_action` while it waits for these calls' outputs."""
        return {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments},
                    }
                    for call_id, call in self.made
                ]
            },
        }


class Players:
    """The four step players of one run: function calls, code, file search, the reply.
    Each yields its step's (and reply's) events; the run's own statuses are the
    executor's."""

    def __init__(self, services: Services, run_id: str, open_now: Open) -> None:
        self._services = services
        self._open = open_now
        self.steps = Steps(services, run_id, open_now)

    def call_functions(
        self, run: Run, calls: list[fake_model.FunctionCall], *, deltas: bool
    ) -> Generator[Event, None, Calls]:
        """A `tool_calls` step: the calls stream in; the step stays open for their outputs."""
        steps, ids = self.steps, self._services.ids
        step = yield from steps.open(run, NO_CALLS)
        made = [(call.call_id or ids.new(Prefix.CALL), call) for call in calls]
        if deltas:
            for index, (call_id, call) in enumerate(made):
                yield steps.tool_delta(
                    step.id,
                    {
                        "index": index,
                        "id": call_id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": "", "output": None},
                    },
                )
                for piece in fake_model.tokenize(call.arguments):
                    yield steps.tool_delta(
                        step.id,
                        {"index": index, "type": "function", "function": {"arguments": piece}},
                    )
        details = _function_details(made, None)
        return Calls(steps.revise(step, step_details=details), made)

    def answer_calls(self, calls: Calls, outputs: dict[str, str], prompt_tokens: int) -> Event:
        """The calls' step completed with their outputs."""
        completion = sum(fake_model.count_tokens(call.arguments) for _, call in calls.made)
        return self.steps.complete(
            calls.step,
            objects.usage(prompt_tokens, completion),
            step_details=_function_details(calls.made, outputs),
        )

    def run_code(
        self,
        run: Run,
        code: fake_model.CodeRun,
        prompt_tokens: int,
        image_file_ids: list[str],
        *,
        deltas: bool,
    ) -> Generator[Event, None, None]:
        """A `tool_calls` step with one code_interpreter call: the input streams in, then
        the logs. Nothing is executed; the code and its output are generated."""
        steps = self.steps
        step = yield from steps.open(run, NO_CALLS)
        call_id = self._services.ids.new(Prefix.CALL)
        outputs: list[JSON] = [{"type": "logs", "logs": code.logs}] if code.logs else []
        outputs += [{"type": "image", "image": {"file_id": f}} for f in image_file_ids]
        if deltas:
            yield steps.tool_delta(
                step.id,
                {
                    "index": 0,
                    "id": call_id,
                    "type": "code_interpreter",
                    "code_interpreter": {"input": "", "outputs": []},
                },
            )
            for piece in fake_model.tokenize(code.input):
                yield steps.tool_delta(
                    step.id,
                    {"index": 0, "type": "code_interpreter", "code_interpreter": {"input": piece}},
                )
            if outputs:
                yield steps.tool_delta(
                    step.id,
                    {
                        "index": 0,
                        "type": "code_interpreter",
                        "code_interpreter": {
                            "outputs": [{"index": i, **o} for i, o in enumerate(outputs)]
                        },
                    },
                )
        call = {"input": code.input, "outputs": outputs}
        yield steps.complete(
            step,
            objects.usage(prompt_tokens, fake_model.count_tokens(code.input)),
            step_details=_one_call(call_id, "code_interpreter", call),
        )

    def search_files(
        self,
        run: Run,
        hits: Sequence[SearchHit],
        ranking: JSON,
        prompt_tokens: int,
        *,
        deltas: bool,
        show_content: bool,
    ) -> Generator[Event, None, None]:
        """A `tool_calls` step with one file_search call: announced by one delta, then
        completed with its results (their `content` only when `show_content`)."""
        steps = self.steps
        step = yield from steps.open(run, NO_CALLS)
        call_id = self._services.ids.new(Prefix.CALL)
        if deltas:
            yield steps.tool_delta(
                step.id,
                {
                    "index": 0,
                    "id": call_id,
                    "type": "file_search",
                    "file_search": {"ranking_options": ranking, "results": []},
                },
            )
        results = [
            {
                "file_id": hit.file_id,
                "file_name": hit.file_name,
                "score": hit.score,
                "attributes": {},
                "content": [{"type": "text", "text": hit.text}],
            }
            for hit in hits
        ]
        call = {"ranking_options": ranking, "results": results}
        completed = steps.complete(
            step,
            objects.usage(prompt_tokens, len(hits)),
            step_details=_one_call(call_id, "file_search", call),
        )
        shown = completed.data
        if not show_content:
            assert isinstance(shown, RunStep)
            shown = objects.without_search_content(shown)
        yield Event(completed.name, shown)

    def write_message(
        self,
        run: Run,
        reply: fake_model.Reply,
        tokens: list[str],
        prompt_tokens: int,
        *,
        deltas: bool,
    ) -> Generator[Event, None, None]:
        """A `message_creation` step: the reply streams in as text deltas, `tokens` of it
        (fewer than the reply's when a limit cut it: then it ends `incomplete`)."""
        open_now = self._open
        cut = len(tokens) < len(reply.tokens)
        step, message = yield from self._open_message(run)
        message_id = message.id

        citations = {c.start_index: c for c in reply.citations}
        if not deltas:
            open_now.text = "".join(tokens)
            open_now.citations = [c for c in reply.citations if c.end_index <= len(open_now.text)]
        for i, token in enumerate(tokens if deltas else ()):
            text: JSON = {"value": token}
            cited = citations.get(len(open_now.text))
            if cited is not None and cited.text == token:
                text["annotations"] = [objects.citation_delta(len(open_now.citations), cited)]
                open_now.citations.append(cited)
            elif i == 0:
                text["annotations"] = []  # the first delta of a block introduces them
            open_now.text += token
            if "annotations" not in text:
                yield Event("thread.message.delta", TextDelta(message_id, token))
                continue
            content = [{"index": 0, "type": "text", "text": text}]
            yield Event("thread.message.delta", objects.message_delta(message_id, content))

        yield from self._close_message(
            step, message, cut, objects.usage(prompt_tokens, len(tokens))
        )

    def _open_message(self, run: Run) -> Generator[Event, None, tuple[RunStep, Message]]:
        """A `message_creation` step and its empty reply, stored and announced."""
        services = self._services
        message_id = services.ids.new(Prefix.MESSAGE)
        step = yield from self.steps.open(
            run, {"type": "message_creation", "message_creation": {"message_id": message_id}}
        )
        message = objects.message(
            id=message_id,
            created_at=services.clock.now(),
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
        self._open.message = message
        yield Event("thread.message.created", message)
        yield Event("thread.message.in_progress", message)
        return step, message

    def _close_message(
        self, step: RunStep, message: Message, cut: bool, usage: JSON
    ) -> Generator[Event, None, None]:
        now = self._services.clock.now()
        if cut:
            update: JSON = {
                "status": "incomplete",
                "incomplete_at": now,
                "incomplete_details": {"reason": "max_tokens"},
            }
        else:
            update = {"status": "completed", "completed_at": now}
        yield self.save_message(
            message.model_copy(update={**update, "content": self._open.content()}),
            "incomplete" if cut else "completed",
        )
        yield self.steps.complete(step, usage)

    def stream_message(
        self, run: Run, pieces: Iterator[str | fake_model.Citation | Waiting], *, deltas: bool
    ) -> Generator[Event | Waiting, None, Callable[[bool, JSON], Generator[Event, None, None]]]:
        """A `message_creation` step whose text arrives in pieces as a model streams it
        (a `Citation` is a marker with its annotation; a `Waiting` passes through). What
        it returns closes the reply, cut or not, with the step's usage."""
        open_now = self._open
        step, message = yield from self._open_message(run)
        first = True
        for piece in pieces:
            if isinstance(piece, Waiting):
                yield piece
                continue
            text: JSON
            if isinstance(piece, fake_model.Citation):
                cited = fake_model.Citation(
                    piece.text, len(open_now.text), len(open_now.text) + len(piece.text),
                    piece.file_id,
                )  # fmt: skip
                text = {
                    "value": cited.text,
                    "annotations": [objects.citation_delta(len(open_now.citations), cited)],
                }
                open_now.citations.append(cited)
                open_now.text += cited.text
            else:
                text = {"value": piece, "annotations": []} if first else {"value": piece}
                open_now.text += piece
            first = False
            if not deltas:
                continue
            if "annotations" not in text:
                yield Event("thread.message.delta", TextDelta(message.id, text["value"]))
            else:
                content = [{"index": 0, "type": "text", "text": text}]
                yield Event("thread.message.delta", objects.message_delta(message.id, content))

        def close(cut: bool, usage: JSON) -> Generator[Event, None, None]:
            return self._close_message(step, message, cut, usage)

        return close

    def save_message(self, message: Message, name: str) -> Event:
        """Store the reply as it now is, unless the client deleted it meanwhile (the
        event still says what the model wrote)."""
        self._open.message = message
        messages = self._services.store.messages
        if messages.get(message.id) is not None:
            messages.update(message)
        return Event(f"thread.message.{name}", message)


def _one_call(call_id: str, kind: str, call: JSON) -> JSON:
    return {"type": "tool_calls", "tool_calls": [{"id": call_id, "type": kind, kind: call}]}


def _function_details(
    made: list[tuple[str, fake_model.FunctionCall]], outputs: dict[str, str] | None
) -> JSON:
    return {
        "type": "tool_calls",
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {
                    "name": call.name,
                    "arguments": call.arguments,
                    "output": None if outputs is None else outputs[call_id],
                },
            }
            for call_id, call in made
        ],
    }
