"""The only constructors of API objects, and the one renderer of them.

Objects are `openai.types` models, built with every field explicit, so field names
cannot drift from the SDK. Where the real API sends keys the SDK types lack (see
`REAL_ONLY_FIELDS` and docs/fidelity.md) they ride along as pydantic extras.
`render` dumps a model to JSON-ready data in the real API's key order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from openai import BaseModel
from openai.types.beta import Assistant, AssistantDeleted, Thread, ThreadDeleted
from openai.types.beta.threads import Message, MessageDeleted, MessageDeltaEvent, Run
from openai.types.beta.threads.runs import RunStep, RunStepDeltaEvent

from . import requests as rq

__all__ = [
    "REAL_ONLY_FIELDS",
    "assistant",
    "assistant_deleted",
    "content_blocks",
    "list_page",
    "message",
    "message_deleted",
    "message_delta",
    "render",
    "run",
    "run_step",
    "step_delta",
    "text_block",
    "thread",
    "thread_deleted",
    "tool",
    "tool_choice",
    "tool_resources",
    "usage",
]

REAL_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "assistant": frozenset({"reasoning_effort"}),
    "thread.run": frozenset({"reasoning_effort", "tool_resources"}),
    "thread.run.step": frozenset({"expires_at"}),
    "usage": frozenset({"prompt_token_details", "completion_tokens_details"}),
}
"""Keys the real API sends that the SDK types do not declare, by `object` type."""

_WIRE_ORDER: dict[str, tuple[str, ...]] = {
    "assistant": (
        "id", "object", "created_at", "name", "description", "model", "instructions", "tools",
        "top_p", "temperature", "reasoning_effort", "tool_resources", "metadata",
        "response_format",
    ),
    "thread": ("id", "object", "created_at", "metadata", "tool_resources"),
    "thread.message": (
        "id", "object", "created_at", "assistant_id", "thread_id", "run_id", "status",
        "incomplete_details", "incomplete_at", "completed_at", "role", "content", "attachments",
        "metadata",
    ),
    "thread.run": (
        "id", "object", "created_at", "assistant_id", "thread_id", "status", "started_at",
        "expires_at", "cancelled_at", "failed_at", "completed_at", "required_action",
        "last_error", "model", "instructions", "tools", "tool_resources", "metadata",
        "temperature", "top_p", "reasoning_effort", "max_completion_tokens", "max_prompt_tokens",
        "truncation_strategy", "incomplete_details", "usage", "response_format", "tool_choice",
        "parallel_tool_calls",
    ),
    "thread.run.step": (
        "id", "object", "created_at", "run_id", "assistant_id", "thread_id", "type", "status",
        "cancelled_at", "completed_at", "expires_at", "expired_at", "failed_at", "last_error",
        "metadata", "step_details", "usage",
    ),
    "thread.message.delta": ("id", "object", "delta"),
    "assistant.deleted": ("id", "object", "deleted"),
    "thread.deleted": ("id", "object", "deleted"),
    "thread.message.deleted": ("id", "object", "deleted"),
    "thread.run.step.delta": ("id", "object", "delta"),
}  # fmt: skip

_TYPED = frozenset({"tools", "content", "step_details", "delta", "required_action"})
"""Top-level keys whose nested objects need the real key order (`index`, `type` first);
the SDK types already dump everything else in an order the real API used."""


def _type_first(value: Any) -> Any:
    """Nested objects as the real API orders them: `type` first, text `value` first."""
    if isinstance(value, list):
        return [_type_first(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _type_first(v) for k, v in value.items()}
    if "type" in out:
        out = {"type": out.pop("type"), **out}
    if "index" in out:
        out = {"index": out.pop("index"), **out}
    if "value" in out and "annotations" in out:
        out = {"value": out.pop("value"), **out}
    return out


def render(model: BaseModel) -> dict[str, Any]:
    """A stored object as the wire sends it, in the real key order.

    The constructors below set every field explicitly; dumping only the set fields keeps
    optional nested keys the real API leaves out (`tool_resources: {}`) out.
    """
    data = model.model_dump(mode="json", exclude_unset=True, by_alias=True)
    for key in _TYPED.intersection(data):
        data[key] = _type_first(data[key])
    order = _WIRE_ORDER.get(data.get("object", ""), ())
    head = {key: data[key] for key in order if key in data}
    return head | {k: v for k, v in data.items() if k not in head}


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
    ranking options filled with their defaults."""
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
            }
        }
        if options.max_num_results is not None:
            out = {"max_num_results": options.max_num_results, **out}
        return {"type": "file_search", "file_search": out}
    return {"type": "code_interpreter"}


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
    return Thread(
        id=id,
        object="thread",
        created_at=created_at,
        metadata=metadata,
        tool_resources=tool_resources,  # type: ignore[arg-type]
    )


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


def assistant_deleted(object_id: str) -> AssistantDeleted:
    return AssistantDeleted(id=object_id, object="assistant.deleted", deleted=True)


def thread_deleted(object_id: str) -> ThreadDeleted:
    return ThreadDeleted(id=object_id, object="thread.deleted", deleted=True)


def message_deleted(object_id: str) -> MessageDeleted:
    return MessageDeleted(id=object_id, object="thread.message.deleted", deleted=True)


def text_block(value: str) -> dict[str, Any]:
    return {"type": "text", "text": {"value": value, "annotations": []}}


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
    neither the assistant nor the request has any (the SDK type says `str`)."""
    created = Run.model_validate(
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
            "instructions": instructions or "",
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
    if instructions is None:  # the real API's null, which the SDK type does not admit
        created = created.model_copy(update={"instructions": None})
    return created


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


def step_delta(step_id: str, step_details: dict[str, Any]) -> RunStepDeltaEvent:
    """A `thread.run.step.delta` payload; only the keys given are sent."""
    return RunStepDeltaEvent.model_validate(
        {"id": step_id, "object": "thread.run.step.delta", "delta": {"step_details": step_details}}
    )
