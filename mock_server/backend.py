"""The backend: one method per API action, owning rules, ids, the clock and state.

Routers call it with parsed request models and render what it returns; it never
sees HTTP. Like moto's backends, `reset()` re-runs the constructor, so a reset
server is exactly a new one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from openai.types.beta import Assistant, AssistantDeleted, Thread, ThreadDeleted
from openai.types.beta.threads import Message, MessageDeleted, Run

from . import objects
from . import requests as rq
from .clock import Clock, FrozenClock, SystemClock
from .errors import BadRequestError, NotFoundError
from .ids import IdFactory, Prefix
from .pagination import paginate
from .settings import Settings
from .store import MemoryStore, Store

__all__ = ["ACTIVE_RUN_STATUSES", "Backend"]

ACTIVE_RUN_STATUSES = frozenset({"queued", "in_progress", "requires_action", "cancelling"})
"""A thread with a run in one of these accepts no new message and no new run."""


class Backend:
    """The state and rules of one mock Assistants API."""

    def __init__(self, settings: Settings | None = None, store: Store | None = None) -> None:
        self._init_args = (settings, store)
        self.settings = settings or Settings()
        self.clock: Clock = (
            SystemClock()
            if self.settings.clock == "system"
            else FrozenClock(self.settings.clock_start)
        )
        self.ids = IdFactory(self.settings.seed)
        self.store: Store = store or MemoryStore()
        self.lock = threading.RLock()

    def reset(self) -> None:
        """Forget everything: the backend becomes what its constructor made."""
        settings, store = self._init_args
        self.__dict__.clear()
        self.__init__(settings, None if store is None else type(store)())  # type: ignore[misc]

    # --- assistants --------------------------------------------------------------------

    def create_assistant(self, req: rq.CreateAssistant) -> Assistant:
        with self.lock:
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

    def delete_assistant(self, assistant_id: str) -> AssistantDeleted:
        with self.lock:
            self.get_assistant(assistant_id)
            self.store.assistants.delete(assistant_id)
            return objects.assistant_deleted(assistant_id)

    def list_assistants(self, query: rq.ListQuery) -> tuple[list[Assistant], bool]:
        return paginate(self.store.assistants.children(), query)

    # --- threads -----------------------------------------------------------------------

    def create_thread(self, req: rq.CreateThread) -> Thread:
        with self.lock:
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
            update: dict[str, Any] = {}
            if "metadata" in req.model_fields_set:
                update["metadata"] = dict(req.metadata or {})
            if "tool_resources" in req.model_fields_set:
                update["tool_resources"] = objects.tool_resources(req.tool_resources, ())
            updated = Thread.model_validate(objects.render(current) | update)
            self.store.threads.update(updated)
            return updated

    def delete_thread(self, thread_id: str) -> ThreadDeleted:
        with self.lock:
            self.get_thread(thread_id)
            for run in self.store.runs.children(thread_id):
                for step in self.store.steps.children(run.id):
                    self.store.steps.delete(step.id)
                self.store.runs.delete(run.id)
            for message in self.store.messages.children(thread_id):
                self.store.messages.delete(message.id)
            self.store.threads.delete(thread_id)
            return objects.thread_deleted(thread_id)

    # --- messages ----------------------------------------------------------------------

    def create_message(self, thread_id: str, req: rq.CreateMessage) -> Message:
        with self.lock:
            self.get_thread(thread_id)
            active = self.active_run(thread_id)
            if active is not None:
                raise BadRequestError(
                    f"Can't add messages to {thread_id} while a run {active.id} is active."
                )
            return self._add_message(thread_id, req)

    def get_message(self, thread_id: str, message_id: str) -> Message:
        self.get_thread(thread_id)
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

    def delete_message(self, thread_id: str, message_id: str) -> MessageDeleted:
        with self.lock:
            self.get_message(thread_id, message_id)
            self.store.messages.delete(message_id)
            return objects.message_deleted(message_id)

    def list_messages(
        self, thread_id: str, query: rq.MessageListQuery
    ) -> tuple[list[Message], bool]:
        self.get_thread(thread_id)
        messages: Sequence[Message] = self.store.messages.children(thread_id)
        if query.run_id is not None:
            messages = [m for m in messages if m.run_id == query.run_id]
        return paginate(messages, query)

    # --- shared rules ------------------------------------------------------------------

    def active_run(self, thread_id: str) -> Run | None:
        """The thread's run that is not yet terminal, if any."""
        for run in reversed(self.store.runs.children(thread_id)):
            if run.status in ACTIVE_RUN_STATUSES:
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
        """Ids for vector stores asked for through the `vector_stores` helper."""
        if resources is None or resources.file_search is None:
            return []
        return [
            self.ids.new(Prefix.VECTOR_STORE) for _ in resources.file_search.vector_stores or []
        ]
