"""Assistants through the SDK: create, retrieve, modify, delete, with the real API's echoes."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from openai import NotFoundError, OpenAI
from openai.types.beta import AssistantToolParam

from .conftest import real_references, upload, vector_store, with_references
from .sdk import require_parameter

EPOCH = 1_767_225_600
"""The frozen clock's default start: every object of a fresh server is created then."""

EMPTY_PARAMETERS = {"type": "object", "properties": {}}
FILE_SEARCH_DEFAULTS = {
    "ranking_options": {
        "ranker": "default_2024_08_21",
        "score_threshold": 0.0,
        "hybrid_search": None,
    },
}
"""As recorded in 2025 (`FileSearchWorks`): `hybrid_search: null` last."""


def raw_json(response: Any) -> dict[str, Any]:
    """The body of a `with_raw_response` call, as sent."""
    data: dict[str, Any] = json.loads(response.http_response.text)
    return data


def test_create_returns_every_field_in_the_real_order(assistants_client: OpenAI) -> None:
    require_parameter(assistants_client.beta.assistants.create, "reasoning_effort")
    response = assistants_client.beta.assistants.with_raw_response.create(
        model="gpt-4o",
        name="Math Tutor",
        description="Helps with maths.",
        instructions="You are a personal math tutor.",
        metadata={"team": "maths"},
        temperature=0.5,
        top_p=0.9,
        reasoning_effort="low",
        response_format={"type": "json_object"},
    )
    body = raw_json(response)
    assert list(body) == [
        "id", "object", "created_at", "name", "description", "model", "instructions", "tools",
        "top_p", "temperature", "reasoning_effort", "tool_resources", "metadata",
        "response_format",
    ]  # fmt: skip
    assert body == {
        "id": body["id"],
        "object": "assistant",
        "created_at": EPOCH,
        "name": "Math Tutor",
        "description": "Helps with maths.",
        "model": "gpt-4o",
        "instructions": "You are a personal math tutor.",
        "tools": [],
        "top_p": 0.9,
        "temperature": 0.5,
        "reasoning_effort": "low",
        "tool_resources": {},
        "metadata": {"team": "maths"},
        "response_format": {"type": "json_object"},
    }
    assert response.parse().id == body["id"]


def test_defaults_when_only_the_model_is_given(assistants_client: OpenAI) -> None:
    body = raw_json(assistants_client.beta.assistants.with_raw_response.create(model="gpt-4o"))
    assert {k: v for k, v in body.items() if k != "id"} == {
        "object": "assistant",
        "created_at": EPOCH,
        "name": None,
        "description": None,
        "model": "gpt-4o",
        "instructions": None,
        "tools": [],
        "top_p": 1.0,
        "temperature": 1.0,
        "reasoning_effort": None,
        "tool_resources": {},
        "metadata": {},
        "response_format": "auto",
    }


def test_explicit_none_is_accepted_for_every_nullable_field(assistants_client: OpenAI) -> None:
    require_parameter(assistants_client.beta.assistants.create, "reasoning_effort")
    created = assistants_client.beta.assistants.create(
        model="gpt-4o",
        name=None,
        description=None,
        instructions=None,
        metadata=None,
        tool_resources=None,
        temperature=None,
        top_p=None,
        response_format=None,
        reasoning_effort=None,
    )
    assert (created.name, created.description, created.instructions) == (None, None, None)
    assert created.metadata == {}
    assert created.tools == []
    assert (created.temperature, created.top_p, created.response_format) == (1.0, 1.0, "auto")


@pytest.mark.parametrize(
    ("tools", "expected_tools", "expected_resources"),
    [
        (
            [{"type": "function", "function": {"name": "get_weather"}}],
            [
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "parameters": EMPTY_PARAMETERS,
                        "strict": False,
                    },
                }
            ],
            {},
        ),
        (
            [
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "description": "The weather in a city.",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                        },
                        "strict": True,
                    },
                }
            ],
            [
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "description": "The weather in a city.",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                        },
                        "strict": True,
                    },
                }
            ],
            {},
        ),
        (
            [{"type": "code_interpreter"}],
            [{"type": "code_interpreter"}],
            {"code_interpreter": {"file_ids": []}},
        ),
        (
            [{"type": "file_search"}],
            [{"type": "file_search", "file_search": FILE_SEARCH_DEFAULTS}],
            {},
        ),
        (
            [
                {
                    "type": "file_search",
                    "file_search": {
                        "max_num_results": 5,
                        "ranking_options": {"ranker": "auto", "score_threshold": 0.5},
                    },
                }
            ],
            [
                {
                    "type": "file_search",
                    "file_search": {
                        "max_num_results": 5,
                        "ranking_options": {
                            "ranker": "auto",
                            "score_threshold": 0.5,
                            "hybrid_search": None,
                        },
                    },
                }
            ],
            {},
        ),
        (
            [{"type": "code_interpreter"}, {"type": "function", "function": {"name": "f"}}],
            [
                {"type": "code_interpreter"},
                {
                    "type": "function",
                    "function": {
                        "name": "f",
                        "parameters": EMPTY_PARAMETERS,
                        "strict": False,
                    },
                },
            ],
            {"code_interpreter": {"file_ids": []}},
        ),
    ],
    ids=[
        "function-defaults",
        "function-as-given",
        "code-interpreter-fills-resources",
        "file-search-defaults",
        "file-search-as-given",
        "mixed",
    ],
)
def test_tools_are_normalised(
    assistants_client: OpenAI,
    tools: list[AssistantToolParam],
    expected_tools: list[dict[str, Any]],
    expected_resources: dict[str, Any],
) -> None:
    created = raw_json(
        assistants_client.beta.assistants.with_raw_response.create(model="gpt-4o", tools=tools)
    )
    assert created["tools"] == expected_tools
    assert created["tool_resources"] == expected_resources
    fetched = raw_json(assistants_client.beta.assistants.with_raw_response.retrieve(created["id"]))
    assert fetched == created


def test_function_keys_come_in_the_real_order(assistants_client: OpenAI) -> None:
    created = raw_json(
        assistants_client.beta.assistants.with_raw_response.create(
            model="gpt-4o",
            tools=[
                {"type": "function", "function": {"strict": True, "description": "d", "name": "f"}}
            ],
        )
    )
    assert list(created["tools"][0]) == ["type", "function"]
    assert list(created["tools"][0]["function"]) == ["name", "description", "parameters", "strict"]


def test_tool_resources_are_echoed(assistants_client: OpenAI) -> None:
    file_id = upload(assistants_client)
    store_id = vector_store(assistants_client)
    created = assistants_client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "code_interpreter"}, {"type": "file_search"}],
        tool_resources={
            "code_interpreter": {"file_ids": [file_id]},
            "file_search": {"vector_store_ids": [store_id]},
        },
    )
    assert created.tool_resources is not None
    assert created.tool_resources.to_dict() == {
        "code_interpreter": {"file_ids": [file_id]},
        "file_search": {"vector_store_ids": [store_id]},
    }


def test_retrieve_returns_what_create_returned(assistants_client: OpenAI) -> None:
    created = assistants_client.beta.assistants.create(
        model="gpt-4o", name="A", tools=[{"type": "code_interpreter"}], metadata={"k": "v"}
    )
    assert assistants_client.beta.assistants.retrieve(created.id) == created


def test_modify_changes_only_what_is_sent(assistants_client: OpenAI) -> None:
    created = assistants_client.beta.assistants.create(
        model="gpt-4o",
        name="Before",
        description="Kept.",
        instructions="Old instructions.",
        metadata={"a": "1", "b": "2"},
        temperature=0.2,
    )
    modified = assistants_client.beta.assistants.update(
        created.id, instructions="New instructions.", metadata={"c": "3"}, model="gpt-4.1"
    )
    assert modified.id == created.id
    assert modified.created_at == created.created_at
    assert modified.instructions == "New instructions."
    assert modified.model == "gpt-4.1"
    assert modified.metadata == {"c": "3"}  # replaced, not merged
    assert (modified.name, modified.description, modified.temperature) == ("Before", "Kept.", 0.2)
    assert assistants_client.beta.assistants.retrieve(created.id) == modified


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": None}, {"name": None}),
        ({"description": None}, {"description": None}),
        ({"instructions": None}, {"instructions": None}),
        ({"metadata": {}}, {"metadata": {}}),
        ({"temperature": None, "top_p": None}, {"temperature": 1.0, "top_p": 1.0}),
        ({"response_format": "auto"}, {"response_format": "auto"}),
        (
            {"tools": [{"type": "code_interpreter"}]},
            {
                "tools": [{"type": "code_interpreter"}],
                "tool_resources": {"code_interpreter": {"file_ids": []}},
            },
        ),
        (
            {"tool_resources": {"code_interpreter": {"file_ids": ["file-x"]}}},
            {"tool_resources": {"code_interpreter": {"file_ids": ["file-x"]}}},
        ),
    ],
    ids=[
        "name-null",
        "description-null",
        "instructions-null",
        "metadata-emptied",
        "sampling-back-to-defaults",
        "response-format-auto",
        "tools-replaced",
        "tool-resources-replaced",
    ],
)
def test_modify_field(
    assistants_client: OpenAI, changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    created = raw_json(
        assistants_client.beta.assistants.with_raw_response.create(
            model="gpt-4o",
            name="N",
            description="D",
            instructions="I",
            metadata={"k": "v"},
            temperature=0.3,
            top_p=0.4,
            response_format={"type": "json_object"},
        )
    )
    real = real_references(assistants_client)
    changes = cast(dict[str, Any], with_references(changes, real))
    modified = raw_json(
        assistants_client.beta.assistants.with_raw_response.update(created["id"], **changes)
    )
    assert modified == created | cast(dict[str, Any], with_references(expected, real))


def test_delete_then_the_assistant_is_gone(assistants_client: OpenAI) -> None:
    created = assistants_client.beta.assistants.create(model="gpt-4o")
    kept = assistants_client.beta.assistants.create(model="gpt-4o")
    deleted = raw_json(assistants_client.beta.assistants.with_raw_response.delete(created.id))
    assert deleted == {"id": created.id, "object": "assistant.deleted", "deleted": True}
    with pytest.raises(NotFoundError) as info:
        assistants_client.beta.assistants.retrieve(created.id)
    assert info.value.body == {
        "message": f"No assistant found with id '{created.id}'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(NotFoundError):
        assistants_client.beta.assistants.delete(created.id)
    assert [a.id for a in assistants_client.beta.assistants.list()] == [kept.id]


def test_ids_differ_and_share_the_frozen_timestamp(assistants_client: OpenAI) -> None:
    made = [assistants_client.beta.assistants.create(model="gpt-4o") for _ in range(3)]
    assert len({a.id for a in made}) == 3
    assert {a.created_at for a in made} == {EPOCH}
