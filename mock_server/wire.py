"""The API's objects as this server sends them: the project's own, not the SDK's.

Each class is one object of the Assistants, files and vector stores API, with its fields
declared in the order the real API sent them (recordings in `docs/fidelity.md`), so a
dump is already in wire order. Field names and types follow the official OpenAPI spec;
where the recordings differ from the spec (a run step's `expires_at`, a vector store's
`description`, null `instructions`, a batch's `object`), the recordings win.

Top-level fields are typed. Nested objects whose shape depends on a `type` (tools,
content blocks, step details, deltas, tool resources, ...) are JSON values built by
`objects`, in wire order: the spec's schemas check them in the contract tests, and
parsing them here again on every event would only cost time.

Nothing here imports `openai`: the server answers the same bytes whichever SDK, of
whichever version, is installed next to it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .deferred import DEFER_BUILD

__all__ = [
    "JSON",
    "Assistant",
    "Deleted",
    "FileDeleted",
    "FileObject",
    "Message",
    "MessageDeltaEvent",
    "Run",
    "RunStep",
    "RunStepDeltaEvent",
    "Thread",
    "VectorStore",
    "VectorStoreFile",
    "VectorStoreFileBatch",
    "WireObject",
]

JSON = dict[str, Any]
"""A nested object, as sent."""


class WireObject(BaseModel):
    """An object the API sends. Every field is set by `objects`; nothing else is allowed.
    Fields are declared in the order the real API sent them, `id` included."""

    model_config = ConfigDict(extra="forbid", defer_build=DEFER_BUILD)


class Assistant(WireObject):
    id: str
    object: Literal["assistant"] = "assistant"
    created_at: int
    name: str | None
    description: str | None
    model: str
    instructions: str | None
    tools: list[JSON]
    top_p: float | None
    temperature: float | None
    reasoning_effort: str | None
    tool_resources: JSON
    metadata: dict[str, str]
    response_format: str | JSON


class Thread(WireObject):
    id: str
    object: Literal["thread"] = "thread"
    created_at: int
    metadata: dict[str, str]
    tool_resources: JSON


class Message(WireObject):
    id: str
    object: Literal["thread.message"] = "thread.message"
    created_at: int
    assistant_id: str | None
    thread_id: str
    run_id: str | None
    status: Literal["in_progress", "incomplete", "completed"]
    incomplete_details: JSON | None
    incomplete_at: int | None
    completed_at: int | None
    role: Literal["user", "assistant"]
    content: list[JSON]
    attachments: list[JSON] | None
    metadata: dict[str, str]


class Run(WireObject):
    id: str
    object: Literal["thread.run"] = "thread.run"
    created_at: int
    assistant_id: str
    thread_id: str
    status: str
    """A `runs.RunStatus` value; `runs.transition` is the only writer."""
    started_at: int | None
    expires_at: int | None
    cancelled_at: int | None
    failed_at: int | None
    completed_at: int | None
    required_action: JSON | None
    last_error: JSON | None
    model: str
    instructions: str | None
    """Null when neither the assistant nor the request had any (recorded; the spec says
    string)."""
    tools: list[JSON]
    tool_resources: JSON
    metadata: dict[str, str]
    temperature: float | None
    top_p: float | None
    reasoning_effort: str | None
    max_completion_tokens: int | None
    max_prompt_tokens: int | None
    truncation_strategy: JSON
    incomplete_details: JSON | None
    usage: JSON | None
    response_format: str | JSON
    tool_choice: str | JSON
    parallel_tool_calls: bool


class RunStep(WireObject):
    id: str
    object: Literal["thread.run.step"] = "thread.run.step"
    created_at: int
    run_id: str
    assistant_id: str
    thread_id: str
    type: Literal["message_creation", "tool_calls"]
    status: Literal["in_progress", "cancelled", "failed", "completed", "expired"]
    cancelled_at: int | None
    completed_at: int | None
    expires_at: int | None
    """Sent by the real API (the run's, until it ends); the spec names `expired_at`."""
    expired_at: int | None
    failed_at: int | None
    last_error: JSON | None
    metadata: dict[str, str] | None
    step_details: JSON
    usage: JSON | None


class MessageDeltaEvent(WireObject):
    id: str
    object: Literal["thread.message.delta"] = "thread.message.delta"
    delta: JSON


class RunStepDeltaEvent(WireObject):
    id: str
    object: Literal["thread.run.step.delta"] = "thread.run.step.delta"
    delta: JSON


class Deleted(WireObject):
    """`assistant.deleted`, `thread.deleted`, `thread.message.deleted`,
    `vector_store.deleted`, `vector_store.file.deleted`."""

    id: str
    object: str
    deleted: bool = True


class FileObject(WireObject):
    """An uploaded file (`objects.render` sends `object` first, as recorded)."""

    object: Literal["file"] = "file"
    id: str
    purpose: str
    filename: str
    bytes: int
    created_at: int
    expires_at: int | None
    status: str
    status_details: str | None


class FileDeleted(WireObject):
    """A deleted file: `{"object", "deleted", "id"}` in that order (recorded)."""

    object: Literal["file"] = "file"
    deleted: bool = True
    id: str


class VectorStore(WireObject):
    id: str
    object: Literal["vector_store"] = "vector_store"
    created_at: int
    name: str | None
    description: str | None
    usage_bytes: int
    file_counts: JSON
    status: Literal["expired", "in_progress", "completed"]
    expires_after: JSON | None
    expires_at: int | None
    last_active_at: int
    metadata: dict[str, str]


class VectorStoreFile(WireObject):
    id: str
    object: Literal["vector_store.file"] = "vector_store.file"
    usage_bytes: int
    created_at: int
    vector_store_id: str
    status: Literal["in_progress", "completed", "cancelled", "failed"]
    last_error: JSON | None
    chunking_strategy: JSON
    attributes: dict[str, Any]


class VectorStoreFileBatch(WireObject):
    """A file batch. The real API sent `vector_store.file_batch` (recorded in 2025); the
    spec says `vector_store.files_batch`."""

    id: str
    object: Literal["vector_store.file_batch"] = "vector_store.file_batch"
    created_at: int
    status: Literal["in_progress", "completed", "cancelled", "failed"]
    vector_store_id: str
    file_counts: JSON
