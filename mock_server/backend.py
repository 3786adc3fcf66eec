"""The backend: one method per API action, owning rules, ids, the clock and state.

Routers call it with parsed request models and render what it returns; it never
sees HTTP. Like moto's backends, `reset()` re-runs the constructor (on the same store,
cleared), so a reset server is exactly a new one.

Each action holds `lock`, and each outermost hold is one store transaction, committed
(durably, on a lasting store) before the router renders the reply; the id factory's
positions and the clock are committed with it. A backend opened on a store that already
holds objects continues from them (`_resume_runs` says what becomes of runs in flight).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from . import objects
from . import request_models as rq
from .clock import Clock, FrozenClock, SystemClock
from .driver import CANCELLABLE, RunDriver
from .errors import BadRequestError, NotFoundError
from .executor import RunExecutor, Services
from .faults import Faults
from .ids import IdFactory, Prefix
from .journal import Journal
from .library import Library
from .pagination import paginate, paginate_table
from .resume import resumed
from .runs import ACTIVE
from .script import Script, load_scenario
from .settings import Settings
from .sse import Event
from .state import load_state_file, restore_script, script_rules
from .store import Store, StoreError, open_store
from .timeline import Timeline
from .upstream import upstream_model
from .wire import Assistant, Deleted, Message, Run, RunStep, Thread

__all__ = ["RUN_LIFETIME", "ActionLock", "Backend"]

RUN_LIFETIME = 600
"""Seconds from a run's creation to its `expires_at`, as the real API sets it."""


class ActionLock:
    """The backend's lock (re-entrant): each outermost hold is one store transaction."""

    def __init__(self, store: Store) -> None:
        self._lock = threading.RLock()
        self._store = store
        self._open: list[AbstractContextManager[None]] = []

    def __enter__(self) -> None:
        self._lock.acquire()
        try:
            transaction = self._store.transaction()
            transaction.__enter__()
        except BaseException:
            self._lock.release()
            raise
        self._open.append(transaction)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._open.pop().__exit__(exc_type, exc, tb)
        finally:
            self._lock.release()


class Backend:
    """The state and rules of one mock Assistants API."""

    def __init__(self, settings: Settings | None = None, store: Store | None = None) -> None:
        self.settings = settings or Settings()
        self.store: Store = store or open_store(self.settings.store, sync=self.settings.store_sync)
        try:
            self._build(settings)
        except BaseException:
            if store is None:  # opened here: let go of its file and lock
                self.store.close()
            raise

    def _build(self, settings: Settings | None) -> None:
        """Everything else the constructor makes, on `self.store`."""
        self._init_args = (settings, self.store)
        meta = self.store.load_meta()
        self.clock: Clock = (
            SystemClock()
            if self.settings.clock == "system"
            else FrozenClock(meta.get("clock", self.settings.clock_start))
        )
        positions = dict(meta.get("ids", {}))
        if meta.get("requests"):
            positions["req_"] = meta["requests"]
        try:
            self.ids = IdFactory(self.settings.seed, positions)
        except ValueError as exc:  # a hand-edited store
            raise StoreError(f"The store's meta record cannot be used: {exc}.") from None
        self.library = Library(self.store, self.ids, self.clock, self.settings)
        self.lock = ActionLock(self.store)
        self.library.lock = self.lock  # type: ignore[assignment]  # one lock, one transaction
        self._meta_ids: tuple[int, dict[str, int]] = (-1, {})
        self._meta_script: tuple[int, list[dict[str, Any]]] = (-1, [])
        self.store.meta_source = self._meta
        self.script = Script()
        self.faults = Faults()
        self.journal = Journal(self.settings.journal)
        self.timeline = Timeline(self.settings.journal)
        if self.settings.scenario is not None:
            scenario = load_scenario(self.settings.scenario)
            for rule in scenario.rules:
                self.script.add(rule)
            for fault in scenario.faults:
                self.faults.add(fault)
        if "script" in meta:  # a lasting store's rules, with the turns they have left
            restore_script(self.script, meta["script"])
        self._services = Services(
            self.store,
            self.ids,
            self.clock,
            self.settings.seed,
            self.script,
            self.library,
            upstream_model(self.settings),
        )
        self.driver = RunDriver(self.store, self.clock, self.settings, self.timeline)
        if self.settings.state is not None and self.store.empty:
            load_state_file(self, self.settings.state)
        self._resume_runs()

    def _meta(self) -> dict[str, Any]:
        """What a lasting store keeps beside the objects: where ids and the clock are, and
        the scripted turns left. Called at every commit: each part is rebuilt only when it
        moved (else the same object, which the store sees as unchanged), so a read costs
        nothing and the script is dumped only when a rule was added or a turn taken;
        request ids move on every request and are read each time."""
        if self.ids.revision != self._meta_ids[0]:
            positions = self.ids.positions()
            positions.pop("req_", None)
            self._meta_ids = (self.ids.revision, positions)
        if self.script.revision != self._meta_script[0]:
            self._meta_script = (self.script.revision, script_rules(self.script))
        return {
            "ids": self._meta_ids[1],
            "requests": self.ids.drawn("req_"),
            "clock": self.clock.now() if isinstance(self.clock, FrozenClock) else None,
            "script": self._meta_script[1],
        }

    def _resume_runs(self) -> None:
        """Runs found in flight in the store (the server stopped under them, or a snapshot
        caught them) go on or end, so that no thread stays blocked (see `resume`)."""
        with self.lock:
            for thread in self.store.threads.children():
                for run in self.store.runs.children(thread.id):
                    if run.status in ACTIVE:
                        self.driver.adopt(run, resumed(self._services, run))

    def reset(self) -> None:
        """Forget everything: the backend becomes what its constructor made, on the same
        store, cleared (then the `state` snapshot is loaded again, if set). Runs in flight
        stop (their streams end with `[DONE]`)."""
        settings, store = self._init_args
        with self.lock:
            self.driver.stop_all()
            store.meta_source = None  # this backend's ids and clock are not kept
            store.clear()
        self.__dict__.clear()
        self.__init__(settings, store)  # type: ignore[misc]

    def close(self) -> None:
        """Let go of the store's files and lock (the backend is unusable after)."""
        with self.lock:
            self.driver.stop_all()
        self.store.close()

    # --- assistants --------------------------------------------------------------------

    def create_assistant(self, req: rq.CreateAssistant) -> Assistant:
        with self.lock:
            self._check_references(req.tool_resources)
            tools = [objects.tool(t) for t in req.tools or []]
            created = objects.assistant(
                id=self.ids.new(Prefix.ASSISTANT),
                created_at=self.clock.now(),
                model=req.model,
                name=req.name,
                description=req.description,
                instructions=req.instructions,
                tools=tools,
                tool_resources=objects.tool_resources(
                    req.tool_resources, tools, self._helper_stores(req.tool_resources)
                ),
                metadata=dict(req.metadata or {}),
                temperature=1.0 if req.temperature is None else req.temperature,
                top_p=1.0 if req.top_p is None else req.top_p,
                response_format=objects.response_format(req.response_format),
                reasoning_effort=req.reasoning_effort,
            )
            self.store.assistants.insert(created)
            return created

    def get_assistant(self, assistant_id: str) -> Assistant:
        found = self.store.assistants.get(assistant_id)
        if found is None:
            raise NotFoundError.for_id("assistant", assistant_id)
        return found

    def modify_assistant(self, assistant_id: str, req: rq.ModifyAssistant) -> Assistant:
        with self.lock:
            current = self.get_assistant(assistant_id)
            self._check_references(req.tool_resources)
            data = objects.render(current)
            sent = req.model_fields_set
            for key in ("model", "name", "description", "instructions", "reasoning_effort"):
                if key in sent and not (key == "model" and req.model is None):
                    data[key] = getattr(req, key)
            if "tools" in sent:
                data["tools"] = [objects.tool(t) for t in req.tools or []]
            if "tool_resources" in sent:
                data["tool_resources"] = objects.tool_resources(req.tool_resources, data["tools"])
            elif "tools" in sent:
                filled = objects.tool_resources(None, data["tools"])
                data["tool_resources"] = filled | data["tool_resources"]
            if "metadata" in sent:
                data["metadata"] = dict(req.metadata or {})
            if "temperature" in sent:
                data["temperature"] = 1.0 if req.temperature is None else req.temperature
            if "top_p" in sent:
                data["top_p"] = 1.0 if req.top_p is None else req.top_p
            if "response_format" in sent:
                data["response_format"] = objects.response_format(req.response_format)
            updated = Assistant.model_validate(data)
            self.store.assistants.update(updated)
            return updated

    def delete_assistant(self, assistant_id: str) -> Deleted:
        with self.lock:
            self.get_assistant(assistant_id)
            self.store.assistants.delete(assistant_id)
            return objects.assistant_deleted(assistant_id)

    def list_assistants(self, query: rq.ListQuery) -> tuple[list[Assistant], bool]:
        return paginate_table(self.store.assistants, None, query)

    # --- threads -----------------------------------------------------------------------

    def create_thread(self, req: rq.CreateThread) -> Thread:
        with self.lock:
            self._check_references(req.tool_resources, req.messages or ())
            created = objects.thread(
                id=self.ids.new(Prefix.THREAD),
                created_at=self.clock.now(),
                metadata=dict(req.metadata or {}),
                tool_resources=objects.tool_resources(
                    req.tool_resources, (), self._helper_stores(req.tool_resources)
                ),
            )
            self.store.threads.insert(created)
            for message in req.messages or []:
                self._add_message(created.id, message)
            return created

    def get_thread(self, thread_id: str) -> Thread:
        found = self.store.threads.get(thread_id)
        if found is None:
            raise NotFoundError.for_id("thread", thread_id)
        return found

    def modify_thread(self, thread_id: str, req: rq.ModifyThread) -> Thread:
        with self.lock:
            current = self.get_thread(thread_id)
            self._check_references(req.tool_resources)
            update: dict[str, Any] = {}
            if "metadata" in req.model_fields_set:
                update["metadata"] = dict(req.metadata or {})
            if "tool_resources" in req.model_fields_set:
                update["tool_resources"] = objects.tool_resources(req.tool_resources, ())
            updated = objects.revise(current, **update)
            self.store.threads.update(updated)
            return updated

    def delete_thread(self, thread_id: str) -> Deleted:
        with self.lock:
            self.get_thread(thread_id)
            self.driver.forget_thread(thread_id)
            runs = self.store.runs.children(thread_id)
            for run in runs:
                for step in self.store.steps.children(run.id):
                    self.store.steps.delete(step.id)
                self.store.runs.delete(run.id)
            self.timeline.forget(run.id for run in runs)
            for message in self.store.messages.children(thread_id):
                self.store.messages.delete(message.id)
            self.store.threads.delete(thread_id)
            return objects.thread_deleted(thread_id)

    # --- messages ----------------------------------------------------------------------

    def create_message(self, thread_id: str, req: rq.CreateMessage) -> Message:
        with self.lock:
            self.get_thread(thread_id)
            self.driver.progress(thread_id)
            active = self.active_run(thread_id)
            if active is not None:
                raise BadRequestError(
                    f"Can't add messages to {thread_id} while a run {active.id} is active."
                )
            self._check_references(None, [req])
            return self._add_message(thread_id, req)

    def get_message(self, thread_id: str, message_id: str) -> Message:
        with self.lock:  # reading advances the thread's parked run
            self.get_thread(thread_id)
            self.driver.progress(thread_id)
            found = self.store.messages.get(message_id)
            if found is None or found.thread_id != thread_id:
                raise NotFoundError.for_id("message", message_id)
            return found

    def modify_message(self, thread_id: str, message_id: str, req: rq.ModifyMessage) -> Message:
        with self.lock:
            current = self.get_message(thread_id, message_id)
            if "metadata" not in req.model_fields_set:
                return current
            updated = current.model_copy(update={"metadata": dict(req.metadata or {})})
            self.store.messages.update(updated)
            return updated

    def delete_message(self, thread_id: str, message_id: str) -> Deleted:
        with self.lock:
            self.get_message(thread_id, message_id)
            self.store.messages.delete(message_id)
            return objects.message_deleted(message_id)

    def list_messages(
        self, thread_id: str, query: rq.MessageListQuery
    ) -> tuple[list[Message], bool]:
        with self.lock:  # reading advances the thread's parked run
            self.get_thread(thread_id)
            self.driver.progress(thread_id)
            if query.run_id is None:
                return paginate_table(self.store.messages, thread_id, query)
            messages = self.store.messages.children(thread_id)
            return paginate([m for m in messages if m.run_id == query.run_id], query)

    # --- runs --------------------------------------------------------------------------

    def create_run(
        self, thread_id: str, req: rq.CreateRun, include: rq.StepQuery | None = None
    ) -> RunExecutor:
        """A new queued run; the caller streams the executor or hands it to `run_unstreamed`.
        `include` asks for file_search results' content in the streamed steps."""
        with self.lock:
            self.get_thread(thread_id)
            self._check_no_active_run(thread_id)
            assistant = self.get_assistant(req.assistant_id)
            self._check_references(None, req.additional_messages or ())
            for message in req.additional_messages or []:
                self._add_message(thread_id, message)
            executor = self._start_run(
                thread_id,
                req=req,
                assistant=assistant,
                reasoning_effort=req.reasoning_effort,
                tool_resources={},
            )
            executor.include_search_content = bool(include and include.include)
            return executor

    def create_thread_and_run(self, req: rq.CreateThreadAndRun) -> RunExecutor:
        with self.lock:
            assistant = self.get_assistant(req.assistant_id)
            self._check_references(req.tool_resources)
            thread = self.create_thread(req.thread or rq.CreateThread())
            resources = objects.tool_resources(req.tool_resources, ())
            return self._start_run(
                thread.id,
                req=req,
                assistant=assistant,
                reasoning_effort=None,
                tool_resources=resources,
                announce=thread,
            )

    def run_unstreamed(self, executor: RunExecutor) -> Run:
        """Let an executor advance as reads come in (`Settings.run_progression`); the run
        as it is now (`queued`) is the reply."""
        with self.lock:
            return self.driver.unstreamed(executor)

    def next_event(self, executor: RunExecutor) -> Event | None:
        """The next event of a streamed run, or None when the stream is over: the run
        ended or went away, or it waits for tool outputs (then reads advance it)."""
        with self.lock:
            return self.driver.next_event(executor)

    def park(self, executor: RunExecutor) -> None:
        """Leave a run whose stream went away while it waited outside the server (on an
        upstream model) to reads of its thread."""
        with self.lock:
            self.driver.park(executor)

    def submit_tool_outputs(
        self, thread_id: str, run_id: str, req: rq.SubmitToolOutputs
    ) -> RunExecutor:
        """Resume a run waiting in `requires_action`; every call's output in one request.

        The caller streams the executor, or hands it to `run_unstreamed`.
        """
        with self.lock:
            self.get_thread(thread_id)
            self.driver.progress(thread_id)  # an expired run no longer takes outputs
            run = self._run(thread_id, run_id)
            if run.status != "requires_action" or run.required_action is None:
                raise BadRequestError(f'Runs in status "{run.status}" do not accept tool outputs.')
            expected = [c["id"] for c in run.required_action["submit_tool_outputs"]["tool_calls"]]
            given = [o.tool_call_id for o in req.tool_outputs]
            if sorted(given) != sorted(expected):
                raise BadRequestError(f"Expected tool outputs for call_ids {expected}, got {given}")
            return self.driver.resume(run, {o.tool_call_id: o.output for o in req.tool_outputs})

    def get_run(self, thread_id: str, run_id: str, *, poll: bool = False) -> Run:
        """The run; `poll` marks a retrieve, which advances it in `per_poll` mode."""
        with self.lock:
            self.get_thread(thread_id)
            self.driver.progress(thread_id, polled=run_id if poll else None)
            return self._run(thread_id, run_id)

    def list_runs(self, thread_id: str, query: rq.ListQuery) -> tuple[list[Run], bool]:
        with self.lock:
            self.get_thread(thread_id)
            self.driver.progress(thread_id)
            return paginate_table(self.store.runs, thread_id, query)

    def modify_run(self, thread_id: str, run_id: str, req: rq.ModifyRun) -> Run:
        with self.lock:
            self.get_thread(thread_id)
            run = self._run(thread_id, run_id)
            if "metadata" not in req.model_fields_set:
                return run
            updated = run.model_copy(update={"metadata": dict(req.metadata or {})})
            self.store.runs.update(updated)
            return updated

    def cancel_run(self, thread_id: str, run_id: str) -> Run:
        """Move the run to `cancelling`; its executor winds it down to `cancelled`."""
        with self.lock:
            self.get_thread(thread_id)
            run = self._run(thread_id, run_id)
            if run.status not in CANCELLABLE:
                raise BadRequestError(f"Cannot cancel run with status '{run.status}'.")
            return self.driver.cancel(run)

    def list_steps(
        self, thread_id: str, run_id: str, query: rq.StepListQuery
    ) -> tuple[list[RunStep], bool]:
        """A page of the run's steps; file_search results carry their `content` only when
        `include[]` asks for it."""
        with self.lock:
            self.get_run(thread_id, run_id)
            page, has_more = paginate_table(self.store.steps, run_id, query)
            if not query.include:
                page = [objects.without_search_content(step) for step in page]
            return page, has_more

    def get_step(
        self, thread_id: str, run_id: str, step_id: str, include: rq.StepQuery | None = None
    ) -> RunStep:
        with self.lock:
            self.get_run(thread_id, run_id)
            step = self.store.steps.get(step_id)
            if step is None or step.run_id != run_id:
                raise NotFoundError.for_id("run step", step_id)
            return step if include and include.include else objects.without_search_content(step)

    def _run(self, thread_id: str, run_id: str) -> Run:
        run = self.store.runs.get(run_id)
        if run is None or run.thread_id != thread_id:
            raise NotFoundError.for_id("run", run_id)
        return run

    def _check_no_active_run(self, thread_id: str) -> None:
        active = self.active_run(thread_id)
        if active is not None:
            raise BadRequestError(f"Thread {thread_id} already has an active run {active.id}.")

    def _start_run(
        self,
        thread_id: str,
        *,
        req: rq.CreateRun | rq.CreateThreadAndRun,
        assistant: Assistant,
        reasoning_effort: str | None,
        tool_resources: dict[str, Any],
        announce: Thread | None = None,
    ) -> RunExecutor:
        defaults = objects.render(assistant)
        instructions = req.instructions if req.instructions is not None else assistant.instructions
        extra = req.additional_instructions if isinstance(req, rq.CreateRun) else None
        if extra:
            instructions = f"{instructions}\n\n{extra}" if instructions else extra
        has_user_message = any(m.role == "user" for m in self.store.messages.children(thread_id))
        if not has_user_message and not instructions:
            raise BadRequestError(
                "Run creation requires a Thread with a user message or an assistant with "
                "instructions.",
                code="invalid_thread",
            )
        now = self.clock.now()
        strategy = req.truncation_strategy
        created = objects.run(
            id=self.ids.new(Prefix.RUN),
            created_at=now,
            assistant_id=assistant.id,
            thread_id=thread_id,
            expires_at=now + RUN_LIFETIME,
            model=req.model or assistant.model,
            instructions=instructions,
            tools=[objects.tool(t) for t in req.tools]
            if req.tools is not None
            else defaults["tools"],
            tool_resources=objects.run_tool_resources(tool_resources, streamed=bool(req.stream)),
            metadata=dict(req.metadata or {}),
            temperature=defaults["temperature"] if req.temperature is None else req.temperature,
            top_p=defaults["top_p"] if req.top_p is None else req.top_p,
            reasoning_effort=reasoning_effort or defaults.get("reasoning_effort"),
            max_completion_tokens=req.max_completion_tokens,
            max_prompt_tokens=req.max_prompt_tokens,
            truncation_strategy=strategy.model_dump(mode="json")
            if strategy is not None
            else {"type": "auto", "last_messages": None},
            response_format=defaults["response_format"]
            if req.response_format is None
            else objects.response_format(req.response_format),
            tool_choice=objects.tool_choice(req.tool_choice),
            parallel_tool_calls=True
            if req.parallel_tool_calls is None
            else req.parallel_tool_calls,
        )
        self.store.runs.insert(created, parent=thread_id)
        return self.driver.start(RunExecutor(self._services, created.id, announce=announce))

    # --- shared rules ------------------------------------------------------------------

    def active_run(self, thread_id: str) -> Run | None:
        """The thread's run that is not yet terminal, if any."""
        for run in reversed(self.store.runs.children(thread_id)):
            if run.status in ACTIVE:
                return run
        return None

    def _add_message(self, thread_id: str, req: rq.CreateMessage) -> Message:
        now = self.clock.now()
        created = objects.message(
            id=self.ids.new(Prefix.MESSAGE),
            created_at=now,
            thread_id=thread_id,
            role=req.role,
            content=objects.content_blocks(req.content),
            attachments=[a.model_dump(mode="json") for a in req.attachments or []],
            metadata=dict(req.metadata or {}),
            completed_at=now,
        )
        self.store.messages.insert(created, parent=thread_id)
        return created

    def _helper_stores(self, resources: rq.ToolResourcesIn | None) -> list[str]:
        """Vector stores made through the `vector_stores` helper: real, searchable ones.

        The helper was validated with the request (its limits are not createVectorStore's:
        more file ids are allowed), so it is passed on as it is, not validated again."""
        if resources is None or resources.file_search is None:
            return []
        return [
            self.library.create_vector_store(
                rq.CreateVectorStore.model_construct(
                    file_ids=helper.file_ids,
                    chunking_strategy=helper.chunking_strategy,
                    metadata=helper.metadata,
                )
            ).id
            for helper in resources.file_search.vector_stores or []
        ]

    def _check_references(
        self,
        resources: rq.ToolResourcesIn | rq.ToolResourceIdsIn | None,
        messages: Sequence[rq.CreateMessage] = (),
    ) -> None:
        """Every file and vector store a request names must exist (as the real API
        checks), before anything is created: a rejected request leaves nothing behind."""
        file_ids: list[str] = []
        store_ids: list[str] = []
        if resources is not None and resources.code_interpreter is not None:
            file_ids += resources.code_interpreter.file_ids
        if resources is not None and resources.file_search is not None:
            store_ids += resources.file_search.vector_store_ids or []
            for helper in getattr(resources.file_search, "vector_stores", None) or []:
                file_ids += helper.file_ids or []
        for message in messages:
            file_ids += [a.file_id for a in message.attachments or []]
            if not isinstance(message.content, str):
                file_ids += [
                    p.image_file.file_id for p in message.content if isinstance(p, rq.ImageFilePart)
                ]
        for file_id in file_ids:
            if self.store.files.get(file_id) is None:
                raise NotFoundError.for_id("file", file_id)
        for store_id in store_ids:
            self.library.get_vector_store(store_id)
