"""The executor that plays a run as a series of events.

A `RunExecutor` is an iterator of `Event`s: each event's object is persisted before the
event is yielded, so streaming (send each event) and polling (pull events until the
next run status) are two ways of consuming the same run. What the model does on each
turn comes from a turn source (`turns.py`): the script, else the configured model (the
fake one, or an upstream one); the executor plays the run's statuses and lends the
sources its step players (`players.py`). While a source waits on something outside the
server the executor stops with `waiting` set: it goes on once that is ready.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator, Sequence
from typing import Any

from . import fake_model, objects
from .fake import FakeModel
from .library import SearchHit
from .players import Calls, Open, Players, Services
from .runs import ACTIVE, RunStatus, transition
from .scripted import ScriptedTurns
from .sse import Event
from .turns import Outputs, Pass, TurnContext, Waiting
from .wire import JSON, Message, Run, RunStep, Thread

__all__ = ["SERVER_FAILURE", "RunExecutor", "Services"]

_FAKE = FakeModel()

_log = logging.getLogger(__name__)

SERVER_FAILURE: JSON = {
    "code": "server_error",
    "message": "Sorry, something went wrong.",
}
"""The `last_error` of a run our own bug broke: failed as the real API fails its own."""


class _RunGone(Exception):
    """The run is no longer in the store: its thread was deleted under it."""


def _text(message: Message) -> str:
    return "".join(block["text"]["value"] for block in message.content if block["type"] == "text")


def _count_prompt(run: Run, texts: Sequence[str]) -> int:
    """The prompt of `run` over the conversation `texts`, counted as the model counts it."""
    return (
        3
        + fake_model.count_tokens(run.instructions or "")
        + sum(4 + fake_model.count_tokens(t) for t in texts)
    )


class RunExecutor:
    """Plays one run from `thread.run.created` to a terminal event.

    Iterate it to advance the run. At `requires_action` it pauses (iteration stops,
    `paused` is true) until `submit` hands it the tool outputs. Setting
    `cancel_requested` (after the backend moved the run to `cancelling`) or calling
    `expire` makes the next step wind the run down instead. With `deltas` off (nobody
    streams the run) no delta events are made: messages are written whole.

    What a client deletes under a run does not break it: a deleted reply message is
    simply no longer stored (the run goes on), a deleted assistant changes nothing (the
    run has its own model, instructions and tools), and a run whose thread went away
    (`abandon`, or found missing) stops without another event.
    """

    def __init__(self, services: Services, run_id: str, *, announce: Thread | None = None) -> None:
        self.services = services
        self.run_id = run_id
        self.thread_id = self.run.thread_id
        self.cancel_requested = False
        self.expire_requested = False
        self.deltas = True
        self.include_search_content = False  # `include[]` asked for file_search content
        self.delay_ms: int | None = None  # a scripted pause before each delta
        self.paused = False
        self.finished = False
        self.waiting: Waiting | None = None  # what the run waits for outside the server
        self.answered: list[tuple[str, fake_model.FunctionCall, str]] = []  # the last calls
        self._outputs: dict[str, str] = {}
        self._announce = announce
        self._open = Open()
        self._players = Players(services, run_id, self._open)
        self._events = self._play()

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        if self.paused or self.finished:
            raise StopIteration
        if self.waiting is not None:
            if not (self.waiting.ready or self.cancel_requested or self.expire_requested):
                raise StopIteration
            self.waiting = None
        try:
            event = next(self._events)
        except (StopIteration, _RunGone):
            self.finished = True
            raise StopIteration from None
        except Exception:
            _log.exception("run %s broke", self.run_id)
            self.finished = True
            return self._fail()
        if isinstance(event, Waiting):
            self.waiting = event
            raise StopIteration
        return event

    def _fail(self) -> Event:
        """End a run the engine broke on: `failed` (`cancelled` when a cancel was under
        way), so that no thread is blocked by it."""
        run = self.services.store.runs.get(self.run_id)
        if run is None or run.status not in ACTIVE:
            raise StopIteration
        now = self.services.clock.now()
        if run.status == RunStatus.CANCELLING:
            ended = transition(run, RunStatus.CANCELLED, now)
        else:
            ended = transition(run, RunStatus.FAILED, now, last_error=SERVER_FAILURE)
        self.services.store.runs.update(ended)
        return Event(f"thread.run.{ended.status}", ended)

    def submit(self, outputs: dict[str, str]) -> None:
        """Resume a paused run with the tool outputs, by call id."""
        self._outputs = outputs
        self.paused = False

    def cancel(self) -> None:
        """Wind the run down at its next step (the backend moved it to `cancelling`)."""
        self.cancel_requested = True
        self.paused = False
        self._stop_waiting()

    def abandon(self) -> None:
        """Stop here for good, without another event: the run's thread is going away."""
        self._events.close()
        self.finished = True

    def expire(self) -> None:
        """Wind a paused run down as `expired`: its `expires_at` has passed."""
        self.expire_requested = True
        self.paused = False
        self._stop_waiting()

    def _stop_waiting(self) -> None:
        """Wake whoever awaits what the run waits for: the run winds down instead."""
        if self.waiting is not None:
            self.waiting.set()

    # --- persistence -------------------------------------------------------------------

    @property
    def run(self) -> Run:
        run = self.services.store.runs.get(self.run_id)
        if run is None:
            raise _RunGone(self.run_id)
        return run

    @property
    def run_status(self) -> str | None:
        """The run's status, or None once it is gone."""
        run = self.services.store.runs.get(self.run_id)
        return None if run is None else run.status

    def move(self, to: RunStatus, **changes: Any) -> Event:
        run = transition(self.run, to, self.services.clock.now(), **changes)
        self.services.store.runs.update(run)
        return Event(f"thread.run.{to.value}", run)

    # --- the play ----------------------------------------------------------------------

    def _play(self) -> Generator[Event | Waiting, None, None]:
        if self._announce is not None:
            yield Event("thread.created", self._announce)
        run = self.run
        yield Event("thread.run.created", run)
        yield Event("thread.run.queued", run)
        yield from self._guarded(self._work())

    def _guarded(
        self, work: Generator[Event | Waiting, None, None]
    ) -> Generator[Event | Waiting, None, None]:
        """`work`'s events, until a cancel or an expiry: then the wind-down's."""
        while True:
            if self.cancel_requested or self.expire_requested:
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
        if strategy["type"] == "last_messages" and strategy["last_messages"]:
            messages = messages[-strategy["last_messages"] :]
        return messages

    def _work(self) -> Generator[Event | Waiting, None, None]:
        yield self.move(RunStatus.IN_PROGRESS)
        run = self.run
        conversation = self._conversation(run)
        texts = [_text(m) for m in conversation]
        prompt_tokens = _count_prompt(run, texts)
        if run.max_prompt_tokens is not None and prompt_tokens > run.max_prompt_tokens:
            yield self.move(
                RunStatus.INCOMPLETE,
                incomplete_details={"reason": "max_prompt_tokens"},
                usage=objects.usage(run.max_prompt_tokens, 0),
            )
            return
        user_texts = [_text(m) for m in conversation if m.role == "user"]
        prompt = user_texts[-1] if user_texts else (texts[-1] if texts else "")
        ctx = TurnContext(prompt, texts, objects.render(run), prompt_tokens)
        script = ScriptedTurns(self.services.script)
        model = self.services.model or _FAKE
        outputs: Outputs | Pass | None = []
        while isinstance(outputs, list):  # one turn per pass: scripted while a rule matches
            given = outputs
            outputs = yield from script.turn(self, ctx, given)
            if isinstance(outputs, Pass):
                outputs = yield from model.turn(self, ctx, given)

    def conversation(self) -> list[Message]:
        """The thread's messages the run sees (its `truncation_strategy` applied)."""
        return self._conversation(self.run)

    def _prompt_tokens(self) -> int:
        """The run's prompt in tokens: its instructions and the conversation it sees."""
        run = self.run
        return _count_prompt(run, [_text(m) for m in self._conversation(run)])

    def file_name(self, file_id: str) -> str:
        found = self.services.store.files.get(file_id)
        return found.filename if found is not None else file_id

    def _file_search_options(self, ctx: TurnContext) -> dict[str, Any]:
        tool = next(t for t in ctx.rendered["tools"] if t["type"] == "file_search")
        options: dict[str, Any] = tool.get("file_search") or {}
        return options

    def search(self, ctx: TurnContext, query: str) -> list[SearchHit]:
        """What the file_search tool finds for `query` in the run's vector stores (the
        run's, else the thread's and the assistant's)."""
        options = self._file_search_options(ctx)
        ranking = options.get("ranking_options") or {}
        return self.services.library.search(
            self.vector_store_ids(),
            query,
            max_num_results=options.get("max_num_results") or 20,
            score_threshold=ranking.get("score_threshold") or 0.0,
        )

    def vector_store_ids(self) -> list[str]:
        run = self.run
        sources: list[dict[str, Any]] = [objects.render(run).get("tool_resources") or {}]
        thread = self.services.store.threads.get(run.thread_id)
        assistant = self.services.store.assistants.get(run.assistant_id)
        for owner in (thread, assistant):
            if owner is not None:
                sources.append(objects.render(owner).get("tool_resources") or {})
        ids: list[str] = []
        for resources in sources:
            for store_id in (resources.get("file_search") or {}).get("vector_store_ids") or []:
                if store_id not in ids:
                    ids.append(store_id)
        return ids

    def search_files(
        self, hits: Sequence[SearchHit], ctx: TurnContext
    ) -> Generator[Event, None, None]:
        options = self._file_search_options(ctx)
        yield from self._players.search_files(
            self.run,
            hits,
            objects.call_ranking_options(options.get("ranking_options")),
            ctx.prompt_tokens,
            deltas=self.deltas,
            show_content=self.include_search_content,
        )

    def default_reply(self, ctx: TurnContext) -> fake_model.Reply:
        return fake_model.respond(
            seed=self.services.seed,
            prompt=ctx.prompt,
            context=[ctx.rendered.get("instructions") or "", *ctx.texts],
            response_format=ctx.rendered.get("response_format", "auto"),
        )

    def call_functions(
        self, calls: Sequence[fake_model.FunctionCall], prompt_tokens: int
    ) -> Generator[Event, None, Outputs]:
        """A `tool_calls` step: the calls stream in, the run waits in `requires_action`
        for their outputs, then the step completes and the run goes on."""
        made: Calls = yield from self._players.call_functions(
            self.run, list(calls), deltas=self.deltas
        )
        self.paused = True
        yield self.move(RunStatus.REQUIRES_ACTION, required_action=made.required_action())
        # Resumed by `submit`.
        return (yield from self._take_outputs(made, prompt_tokens))

    def _take_outputs(self, made: Calls, prompt_tokens: int) -> Generator[Event, None, Outputs]:
        """The outputs `submit` handed over complete the calls' step; the run goes on."""
        yield self._players.answer_calls(made, self._outputs, prompt_tokens)
        yield self.move(RunStatus.QUEUED, required_action=None)
        yield self.move(RunStatus.IN_PROGRESS)
        self.answered = [(call_id, call, self._outputs[call_id]) for call_id, call in made.made]
        return [(call.name, self._outputs[call_id]) for call_id, call in made.made]

    @classmethod
    def waiting_for_outputs(cls, services: Services, run: Run, step: RunStep) -> RunExecutor:
        """An executor for a run found waiting in `requires_action` on its calls' `step`
        with no executor to go on with (the server stopped under it, or a snapshot caught
        it): paused until `submit`; the outputs complete the step and the default model
        answers them (a scripted rule's later turns are not played again)."""
        assert run.required_action is not None
        made = Calls(
            step,
            [
                (
                    call["id"],
                    fake_model.FunctionCall(
                        call["function"]["name"], call["function"]["arguments"]
                    ),
                )
                for call in run.required_action["submit_tool_outputs"]["tool_calls"]
            ],
        )
        executor = cls(services, run.id)
        executor._open.step = step
        executor.paused = True
        executor._events = executor._guarded(executor._answer_resumed(made))
        return executor

    def _answer_resumed(self, made: Calls) -> Generator[Event, None, None]:
        """The outputs a resumed run waited for, answered as the default model answers."""
        prompt_tokens = self._prompt_tokens()
        outputs = yield from self._take_outputs(made, prompt_tokens)
        prompt_tokens += sum(fake_model.count_tokens(output) for _, output in outputs)
        yield from self.write_message(fake_model.reply_with_outputs(outputs), prompt_tokens)

    def run_code(
        self, code: fake_model.CodeRun, prompt_tokens: int, image_file_ids: Sequence[str] = ()
    ) -> Generator[Event, None, None]:
        yield from self._players.run_code(
            self.run, code, prompt_tokens, list(image_file_ids), deltas=self.deltas
        )

    def write_message(
        self, reply: fake_model.Reply, prompt_tokens: int, *, cut: bool = False
    ) -> Generator[Event, None, None]:
        """The reply, then the run's end. `cut` (a scripted `incomplete`) ends it after
        half its tokens, as a token limit would."""
        run = self.run
        limit = run.max_completion_tokens
        if cut:
            limit = min(limit or len(reply.tokens), max(len(reply.tokens) // 2, 1))
        tokens = reply.tokens if limit is None else reply.tokens[:limit]
        yield from self._players.write_message(
            run, reply, list(tokens), prompt_tokens, deltas=self.deltas
        )
        yield from self.finish(cut=len(tokens) < len(reply.tokens))

    def finish(self, *, cut: bool) -> Generator[Event, None, None]:
        """End the run `completed`, or `incomplete` when a token limit `cut` its reply;
        its usage is the sum of its steps'."""
        if cut:
            yield self.move(
                RunStatus.INCOMPLETE,
                incomplete_details={"reason": "max_completion_tokens"},
                usage=self._run_usage(),
            )
        else:
            yield self.move(RunStatus.COMPLETED, usage=self._run_usage())
        self._clear_step_expiry()

    @property
    def players(self) -> Players:
        return self._players

    def _run_usage(self) -> JSON:
        """The run's usage: the sum of its steps'."""
        prompt = completion = 0
        for step in self.services.store.steps.children(self.run_id):
            if step.usage is not None:
                prompt += step.usage["prompt_tokens"]
                completion += step.usage["completion_tokens"]
        return objects.usage(prompt, completion)

    def _clear_step_expiry(self) -> None:
        """A step's `expires_at` mirrors its run's: null once the run has ended (streamed
        step events keep the value they had when sent, as recorded)."""
        steps = self.services.store.steps
        for step in steps.children(self.run_id):
            if step.expires_at is not None:
                steps.update(step.model_copy(update={"expires_at": None}))

    def _wind_down(self) -> Iterator[Event]:
        """After a cancel or an expiry: the open message ends incomplete, the open step
        cancelled or expired, then the run."""
        now = self.services.clock.now()
        expired = self.expire_requested and not self.cancel_requested
        message, step = self._open.message, self._open.step
        if message is not None and message.status == "in_progress":
            reason = {"reason": "run_expired" if expired else "run_cancelled"}
            yield self._players.save_message(
                message.model_copy(
                    update={
                        "status": "incomplete",
                        "incomplete_at": now,
                        "incomplete_details": reason,
                        "content": self._open.content() if self._open.text else [],
                    }
                ),
                "incomplete",
            )
        if step is not None and step.status == "in_progress":
            stamp = {"expired_at": now} if expired else {"cancelled_at": now}
            yield self._players.steps.close(step, "expired" if expired else "cancelled", stamp)
        yield self.move(RunStatus.EXPIRED if expired else RunStatus.CANCELLED)
        self._clear_step_expiry()
