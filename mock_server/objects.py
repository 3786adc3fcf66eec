"""The only constructors of API objects, and the one renderer of them.

Objects are the project's own wire models (`wire.py`), built with every field explicit;
nested objects are JSON values made here, each in the real API's key order. `render`
dumps an object to JSON-ready data, as sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from pydantic_core import to_json

from . import request_models as rq
from .wire import (
    Assistant,
    Deleted,
    FileDeleted,
    FileObject,
    Message,
    MessageDeltaEvent,
    Run,
    RunStep,
    RunStepDeltaEvent,
    Thread,
    VectorStore,
    VectorStoreFile,
    VectorStoreFileBatch,
    WireObject,
)

__all__ = [
    "TextDeltas",
    "assistant",
    "assistant_deleted",
    "call_ranking_options",
    "citation_delta",
    "content_blocks",
    "list_page",
    "message",
    "message_deleted",
    "message_delta",
    "render",
    "revise",
    "run",
    "run_step",
    "run_tool_resources",
    "step_delta",
    "text_block",
    "thread",
    "thread_deleted",
    "tool",
    "tool_choice",
    "tool_resources",
    "usage",
    "without_search_content",
]


def render(model: WireObject) -> dict[str, Any]:
    """An object as the wire sends it (the wire models declare the real key order)."""
    return model.model_dump(mode="json")


W = TypeVar("W", bound=WireObject)


def revise(obj: W, **changes: Any) -> W:
    """`obj` with some fields changed, validated as a new object (the stored one is
    never changed in place)."""
    return type(obj).model_validate(obj.model_dump() | changes)


def list_page(data: Sequence[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    """A rendered list: `first_id`/`last_id` are null on an empty page, as the real API sends."""
    return {
        "object": "list",
        "data": list(data),
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


# --- pieces ------------------------------------------------------------------------------


def tool(spec: Any) -> dict[str, Any]:
    """A tool as the real API echoes it: function `parameters`/`strict` and file_search
    ranking options filled with their defaults (`hybrid_search: null` last, as recorded
    in 2025)."""
    if isinstance(spec, rq.FunctionToolIn):
        fn = spec.function
        return {
            "type": "function",
            "function": {
                "name": fn.name,
                # Left out rather than null when not given: the spec's FunctionObject
                # has no null description.
                **({"description": fn.description} if fn.description is not None else {}),
                "parameters": fn.parameters
                if fn.parameters is not None
                else {"type": "object", "properties": {}},
                "strict": bool(fn.strict),
            },
        }
    if isinstance(spec, rq.FileSearchToolIn):
        options = spec.file_search or rq.FileSearchOptionsIn()
        ranking = options.ranking_options
        out: dict[str, Any] = {
            "ranking_options": {
                "ranker": (ranking.ranker if ranking and ranking.ranker else "default_2024_08_21"),
                "score_threshold": ranking.score_threshold if ranking else 0.0,
                "hybrid_search": None,
            }
        }
        if options.max_num_results is not None:
            out = {"max_num_results": options.max_num_results, **out}
        return {"type": "file_search", "file_search": out}
    return {"type": "code_interpreter"}


def call_ranking_options(tool_ranking: dict[str, Any] | None) -> dict[str, Any]:
    """The `ranking_options` of a file_search call in a run step: the tool's `ranker`
    and `score_threshold`, without the tool's `hybrid_search` (as recorded in 2025)."""
    ranking = tool_ranking or {}
    return {
        "ranker": ranking.get("ranker", "default_2024_08_21"),
        "score_threshold": ranking.get("score_threshold", 0.0),
    }


def tool_resources(
    given: rq.ToolResourcesIn | rq.ToolResourceIdsIn | None,
    tools: Iterable[dict[str, Any]],
    vector_store_ids: Sequence[str] = (),
) -> dict[str, Any]:
    """Tool resources as the real API echoes them: `{}` when nothing needs resources,
    code_interpreter `file_ids: []` filled in when that tool is enabled.

    `vector_store_ids` are the ids of stores made by the `vector_stores` helper.
    """
    out: dict[str, Any] = {}
    types = {t["type"] for t in tools}
    if given is not None and given.code_interpreter is not None:
        out["code_interpreter"] = {"file_ids": list(given.code_interpreter.file_ids)}
    elif "code_interpreter" in types:
        out["code_interpreter"] = {"file_ids": []}
    file_search = given.file_search if given is not None else None
    if file_search is not None:
        ids = list(file_search.vector_store_ids or []) + list(vector_store_ids)
        out["file_search"] = {"vector_store_ids": ids}
    return out


def run_tool_resources(given: dict[str, Any], *, streamed: bool) -> dict[str, Any]:
    """A run's `tool_resources`. The 2025 recordings settle when code_interpreter's
    empty `file_ids` shows: on every streamed run (createRun and createThreadAndRun,
    with no tools, function tools or code_interpreter), never on one that is not
    streamed (`{}` there, whatever the tools)."""
    if not streamed or "code_interpreter" in given:
        return given
    return {"code_interpreter": {"file_ids": []}} | given


def content_blocks(
    content: str | Sequence[rq.TextPart | rq.ImageFilePart | rq.ImageUrlPart],
) -> list[dict[str, Any]]:
    """Message content from a request: a string or content parts."""
    if isinstance(content, str):
        return [{"type": "text", "text": {"value": content, "annotations": []}}]
    blocks: list[dict[str, Any]] = []
    for part in content:
        if isinstance(part, rq.TextPart):
            blocks.append({"type": "text", "text": {"value": part.text, "annotations": []}})
        elif isinstance(part, rq.ImageFilePart):
            ref = part.image_file
            blocks.append(
                {
                    "type": "image_file",
                    "image_file": {"file_id": ref.file_id, "detail": ref.detail or "auto"},
                }
            )
        else:
            url = part.image_url
            blocks.append(
                {"type": "image_url", "image_url": {"url": url.url, "detail": url.detail or "auto"}}
            )
    return blocks


def tool_choice(value: Any) -> Any:
    """`"auto"` (the default), another mode string, or the choice object as sent."""
    if value is None:
        return "auto"
    if isinstance(value, str):
        return value
    return value.model_dump(mode="json", exclude_none=True)


def response_format(value: Any) -> Any:
    """`"auto"` (the default) or the format object as sent."""
    if value is None or value == "auto":
        return "auto"
    return value.model_dump(mode="json", by_alias=True, exclude_none=True)


# --- objects -----------------------------------------------------------------------------


def assistant(
    *,
    id: str,
    created_at: int,
    model: str,
    name: str | None,
    description: str | None,
    instructions: str | None,
    tools: list[dict[str, Any]],
    tool_resources: dict[str, Any],
    metadata: dict[str, str],
    temperature: float,
    top_p: float,
    response_format: Any,
    reasoning_effort: str | None,
) -> Assistant:
    return Assistant.model_validate(
        {
            "id": id,
            "object": "assistant",
            "created_at": created_at,
            "name": name,
            "description": description,
            "model": model,
            "instructions": instructions,
            "tools": tools,
            "top_p": top_p,
            "temperature": temperature,
            "reasoning_effort": reasoning_effort,
            "tool_resources": tool_resources,
            "metadata": metadata,
            "response_format": response_format,
        }
    )


def thread(
    *, id: str, created_at: int, metadata: dict[str, str], tool_resources: dict[str, Any]
) -> Thread:
    return Thread(id=id, created_at=created_at, metadata=metadata, tool_resources=tool_resources)


def message(
    *,
    id: str,
    created_at: int,
    thread_id: str,
    role: str,
    content: list[dict[str, Any]],
    attachments: list[dict[str, Any]],
    metadata: dict[str, str],
    assistant_id: str | None = None,
    run_id: str | None = None,
    status: str = "completed",
    completed_at: int | None = None,
) -> Message:
    return Message.model_validate(
        {
            "id": id,
            "object": "thread.message",
            "created_at": created_at,
            "assistant_id": assistant_id,
            "thread_id": thread_id,
            "run_id": run_id,
            "status": status,
            "incomplete_details": None,
            "incomplete_at": None,
            "completed_at": completed_at,
            "role": role,
            "content": content,
            "attachments": attachments,
            "metadata": metadata,
        }
    )


def assistant_deleted(object_id: str) -> Deleted:
    return Deleted(id=object_id, object="assistant.deleted")


def thread_deleted(object_id: str) -> Deleted:
    return Deleted(id=object_id, object="thread.deleted")


def message_deleted(object_id: str) -> Deleted:
    return Deleted(id=object_id, object="thread.message.deleted")


def text_block(value: str, citations: Sequence[Any] = ()) -> dict[str, Any]:
    """A text content block; `citations` (`model.Citation`) become `file_citation`
    annotations, as a completed message carries them (no `index`, no `quote`)."""
    annotations = [
        {
            "type": "file_citation",
            "text": c.text,
            "start_index": c.start_index,
            "end_index": c.end_index,
            "file_citation": {"file_id": c.file_id},
        }
        for c in citations
    ]
    return {"type": "text", "text": {"value": value, "annotations": annotations}}


def citation_delta(index: int, citation: Any) -> dict[str, Any]:
    """A `file_citation` annotation as a message delta carries it: with its `index`, and
    the `quote` the real API sent empty."""
    return {
        "index": index,
        "type": "file_citation",
        "text": citation.text,
        "start_index": citation.start_index,
        "end_index": citation.end_index,
        "file_citation": {"file_id": citation.file_id, "quote": ""},
    }


def without_search_content(step: RunStep) -> RunStep:
    """A run step as sent without `include[]`: file_search results lose their `content`."""
    data = render(step)
    details = data.get("step_details") or {}
    if details.get("type") != "tool_calls" or not any(
        c.get("type") == "file_search" for c in details.get("tool_calls", [])
    ):
        return step
    for call in details["tool_calls"]:
        for result in (call.get("file_search") or {}).get("results") or []:
            result.pop("content", None)
    return RunStep.model_validate(data)


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    """Token usage as the real API sends it (with the detail keys the SDK type lacks)."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_token_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def run(
    *,
    id: str,
    created_at: int,
    assistant_id: str,
    thread_id: str,
    expires_at: int,
    model: str,
    instructions: str | None,
    tools: list[dict[str, Any]],
    tool_resources: dict[str, Any],
    metadata: dict[str, str],
    temperature: float,
    top_p: float,
    reasoning_effort: str | None,
    max_completion_tokens: int | None,
    max_prompt_tokens: int | None,
    truncation_strategy: dict[str, Any],
    response_format: Any,
    tool_choice: Any,
    parallel_tool_calls: bool,
) -> Run:
    """A new run, `queued`. `instructions` may be null, as the real API sends it when
    neither the assistant nor the request has any (the spec says string)."""
    return Run.model_validate(
        {
            "id": id,
            "object": "thread.run",
            "created_at": created_at,
            "assistant_id": assistant_id,
            "thread_id": thread_id,
            "status": "queued",
            "started_at": None,
            "expires_at": expires_at,
            "cancelled_at": None,
            "failed_at": None,
            "completed_at": None,
            "required_action": None,
            "last_error": None,
            "model": model,
            "instructions": instructions,
            "tools": tools,
            "tool_resources": tool_resources,
            "metadata": metadata,
            "temperature": temperature,
            "top_p": top_p,
            "reasoning_effort": reasoning_effort,
            "max_completion_tokens": max_completion_tokens,
            "max_prompt_tokens": max_prompt_tokens,
            "truncation_strategy": truncation_strategy,
            "incomplete_details": None,
            "usage": None,
            "response_format": response_format,
            "tool_choice": tool_choice,
            "parallel_tool_calls": parallel_tool_calls,
        }
    )


def run_step(
    *,
    id: str,
    created_at: int,
    run: Run,
    step_details: dict[str, Any],
) -> RunStep:
    """A new step of `run`, `in_progress`. The real API sends `expires_at`; the spec and
    the SDK name it `expired_at` (and list `metadata`): both are sent."""
    return RunStep.model_validate(
        {
            "id": id,
            "object": "thread.run.step",
            "created_at": created_at,
            "run_id": run.id,
            "assistant_id": run.assistant_id,
            "thread_id": run.thread_id,
            "type": step_details["type"],
            "status": "in_progress",
            "cancelled_at": None,
            "completed_at": None,
            "expires_at": run.expires_at,
            "expired_at": None,
            "failed_at": None,
            "last_error": None,
            "metadata": None,
            "step_details": step_details,
            "usage": None,
        }
    )


def message_delta(message_id: str, content: list[dict[str, Any]]) -> MessageDeltaEvent:
    """A `thread.message.delta` payload; only the keys given are sent."""
    return MessageDeltaEvent.model_validate(
        {"id": message_id, "object": "thread.message.delta", "delta": {"content": content}}
    )


class TextDeltas:
    """The JSON of a message's plain text deltas, made fast.

    One `MessageDeltaEvent` is validated and rendered with a placeholder value; each
    delta's JSON is that rendering with the value swapped in. The bytes around the value
    are the rendered model's own, so the shape cannot drift; only the value is new.
    """

    _PLACEHOLDER = to_json("\x00")

    def __init__(self, message_id: str) -> None:
        sample = message_delta(
            message_id, [{"index": 0, "type": "text", "text": {"value": "\x00"}}]
        )
        self._head, self._tail = to_json(render(sample)).split(self._PLACEHOLDER)

    def json(self, value: str) -> bytes:
        return self._head + to_json(value) + self._tail


def step_delta(step_id: str, step_details: dict[str, Any]) -> RunStepDeltaEvent:
    """A `thread.run.step.delta` payload; only the keys given are sent."""
    return RunStepDeltaEvent.model_validate(
        {"id": step_id, "object": "thread.run.step.delta", "delta": {"step_details": step_details}}
    )


# --- files and vector stores -------------------------------------------------------------


def file_object(
    *,
    id: str,
    created_at: int,
    filename: str,
    size: int,
    purpose: str,
    expires_at: int | None,
) -> FileObject:
    """An uploaded file, `processed` at once. `size` is its `bytes`."""
    return FileObject.model_validate(
        {
            "object": "file",
            "id": id,
            "purpose": purpose,
            "filename": filename,
            "bytes": size,
            "created_at": created_at,
            "expires_at": expires_at,
            "status": "processed",
            "status_details": None,
        }
    )


def file_deleted(object_id: str) -> FileDeleted:
    return FileDeleted(id=object_id)


def file_counts(statuses: Iterable[str]) -> dict[str, int]:
    """`file_counts` of a vector store or a batch whose files are in `statuses`."""
    listed = list(statuses)
    counts = {s: listed.count(s) for s in ("in_progress", "completed", "failed", "cancelled")}
    return counts | {"total": len(listed)}


def chunking_strategy(given: rq.ChunkingStrategyIn | None) -> dict[str, Any]:
    """What a vector store file reports: `auto` (or nothing) is static 800/400."""
    if isinstance(given, rq.StaticChunkingStrategyIn):
        sizes = given.static
        return {
            "type": "static",
            "static": {
                "max_chunk_size_tokens": sizes.max_chunk_size_tokens,
                "chunk_overlap_tokens": sizes.chunk_overlap_tokens,
            },
        }
    return {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}


def vector_store(
    *,
    id: str,
    created_at: int,
    name: str | None,
    description: str | None,
    usage_bytes: int,
    file_counts: dict[str, int],
    status: str,
    expires_after: dict[str, Any] | None,
    expires_at: int | None,
    last_active_at: int,
    metadata: dict[str, str],
) -> VectorStore:
    """A vector store as the real API sends it: with `description` (the spec lacks it)
    and a null `name` when none was given (the spec says string)."""
    return VectorStore.model_validate(
        {
            "id": id,
            "object": "vector_store",
            "created_at": created_at,
            "name": name,
            "description": description,
            "usage_bytes": usage_bytes,
            "file_counts": file_counts,
            "status": status,
            "expires_after": expires_after,
            "expires_at": expires_at,
            "last_active_at": last_active_at,
            "metadata": metadata,
        }
    )


def vector_store_deleted(object_id: str) -> Deleted:
    return Deleted(id=object_id, object="vector_store.deleted")


def vector_store_file(
    *,
    id: str,
    created_at: int,
    vector_store_id: str,
    usage_bytes: int,
    chunking_strategy: dict[str, Any],
    attributes: dict[str, Any],
    status: str = "completed",
) -> VectorStoreFile:
    return VectorStoreFile.model_validate(
        {
            "id": id,
            "object": "vector_store.file",
            "usage_bytes": usage_bytes,
            "created_at": created_at,
            "vector_store_id": vector_store_id,
            "status": status,
            "last_error": None,
            "chunking_strategy": chunking_strategy,
            "attributes": attributes,
        }
    )


def batch_file(attached: VectorStoreFile) -> dict[str, Any]:
    """A file as a batch's file list shows it: the six keys the real API sent there."""
    return {
        "id": attached.id,
        "object": "vector_store.file",
        "created_at": attached.created_at,
        "vector_store_id": attached.vector_store_id,
        "status": attached.status,
        "last_error": attached.last_error,
    }


def vector_store_file_deleted(object_id: str) -> Deleted:
    return Deleted(id=object_id, object="vector_store.file.deleted")


def file_batch(
    *,
    id: str,
    created_at: int,
    vector_store_id: str,
    status: str,
    file_counts: dict[str, int],
) -> VectorStoreFileBatch:
    """A file batch, `object: "vector_store.file_batch"` as the real API sent it."""
    return VectorStoreFileBatch.model_validate(
        {
            "id": id,
            "object": "vector_store.file_batch",
            "created_at": created_at,
            "status": status,
            "vector_store_id": vector_store_id,
            "file_counts": file_counts,
        }
    )


def files_page(data: Sequence[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    """A page of `GET /files`, whose keys the real API orders apart from other lists."""
    page = list_page(data, has_more)
    return {"object": "list", "data": page["data"], "has_more": has_more} | {
        "first_id": page["first_id"],
        "last_id": page["last_id"],
    }


def file_content_page(text: str) -> dict[str, Any]:
    """The parsed content of a vector store file, as one text part."""
    return {
        "object": "vector_store.file_content.page",
        "data": [{"type": "text", "text": text}],
        "has_more": False,
        "next_page": None,
    }


def search_results_page(query: str, results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The reply of `POST /vector_stores/{id}/search`."""
    return {
        "object": "vector_store.search_results.page",
        "search_query": [query],
        "data": list(results),
        "has_more": False,
        "next_page": None,
    }


__all__ += [
    "batch_file",
    "chunking_strategy",
    "file_batch",
    "file_content_page",
    "file_counts",
    "file_deleted",
    "file_object",
    "files_page",
    "search_results_page",
    "vector_store",
    "vector_store_deleted",
    "vector_store_file",
    "vector_store_file_deleted",
]
