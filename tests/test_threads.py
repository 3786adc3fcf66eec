"""Threads through the SDK: create (with messages), retrieve, modify, delete and its cascade."""

from __future__ import annotations

import json
import re
from typing import Any, cast

import pytest
from openai import NotFoundError, OpenAI
from openai.types.beta import thread_create_params

from mock_server import MockServer

from .conftest import real_references, upload, vector_store, with_references
from .sdk import vector_stores

EPOCH = 1_767_225_600


def raw_json(response: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(response.http_response.text)
    return data


def not_found(kind: str, object_id: str) -> dict[str, Any]:
    return {
        "message": f"No {kind} found with id '{object_id}'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_create_empty_thread(assistants_client: OpenAI) -> None:
    body = raw_json(assistants_client.beta.threads.with_raw_response.create())
    assert list(body) == ["id", "object", "created_at", "metadata", "tool_resources"]
    assert body == {
        "id": body["id"],
        "object": "thread",
        "created_at": EPOCH,
        "metadata": {},
        "tool_resources": {},
    }
    assert re.fullmatch(r"thread_[A-Za-z0-9]{24}", body["id"])


def test_explicit_none_is_accepted(assistants_client: OpenAI) -> None:
    thread = assistants_client.beta.threads.create(metadata=None, tool_resources=None)
    assert thread.metadata == {}
    assert thread.tool_resources is not None
    assert thread.tool_resources.to_dict() == {}


@pytest.mark.parametrize(
    ("tool_resources", "expected"),
    [
        (
            {"code_interpreter": {"file_ids": ["file-a", "file-b"]}},
            {"code_interpreter": {"file_ids": ["file-a", "file-b"]}},
        ),
        (
            {"file_search": {"vector_store_ids": ["vs_abc"]}},
            {"file_search": {"vector_store_ids": ["vs_abc"]}},
        ),
        (
            {"code_interpreter": {}, "file_search": {"vector_store_ids": []}},
            {"code_interpreter": {"file_ids": []}, "file_search": {"vector_store_ids": []}},
        ),
    ],
    ids=["code-interpreter", "file-search", "empty-lists"],
)
def test_create_echoes_tool_resources(
    assistants_client: OpenAI,
    tool_resources: thread_create_params.ToolResources,
    expected: dict[str, Any],
) -> None:
    real = real_references(assistants_client)
    resources = cast(thread_create_params.ToolResources, with_references(tool_resources, real))
    created = raw_json(
        assistants_client.beta.threads.with_raw_response.create(tool_resources=resources)
    )
    assert created["tool_resources"] == with_references(expected, real)
    assert raw_json(assistants_client.beta.threads.with_raw_response.retrieve(created["id"])) == (
        created
    )


def test_vector_stores_helper_makes_a_store(assistants_client: OpenAI) -> None:
    file_id = upload(assistants_client)
    thread = assistants_client.beta.threads.create(
        tool_resources={
            "file_search": {"vector_stores": [{"file_ids": [file_id], "metadata": {"k": "v"}}]}
        }
    )
    assert thread.tool_resources is not None
    assert thread.tool_resources.file_search is not None
    ids = thread.tool_resources.file_search.vector_store_ids
    assert ids is not None
    assert len(ids) == 1
    assert re.fullmatch(r"vs_[0-9a-f]{32}", ids[0])
    store = vector_stores(assistants_client).retrieve(ids[0])
    assert store.metadata == {"k": "v"}
    attached = vector_stores(assistants_client).files.list(ids[0]).data
    assert [f.id for f in attached] == [file_id]


def test_create_with_messages_and_metadata(assistants_client: OpenAI) -> None:
    file_id = upload(assistants_client)
    thread = assistants_client.beta.threads.create(
        messages=[
            {"role": "user", "content": "Hello", "metadata": {"n": "1"}},
            {"role": "assistant", "content": [{"type": "text", "text": "Hi, how can I help?"}]},
            {
                "role": "user",
                "content": "Look at this",
                "attachments": [{"file_id": file_id, "tools": [{"type": "file_search"}]}],
            },
        ],
        metadata={"user": "alice"},
    )
    assert thread.metadata == {"user": "alice"}
    assert assistants_client.beta.threads.retrieve(thread.id) == thread
    messages = list(assistants_client.beta.threads.messages.list(thread.id, order="asc"))
    assert [(m.role, m.content[0].type) for m in messages] == [
        ("user", "text"),
        ("assistant", "text"),
        ("user", "text"),
    ]
    assert [m.content[0].text.value for m in messages if m.content[0].type == "text"] == [
        "Hello",
        "Hi, how can I help?",
        "Look at this",
    ]
    assert {m.thread_id for m in messages} == {thread.id}
    assert [(m.assistant_id, m.run_id) for m in messages] == [(None, None)] * 3
    assert [m.metadata for m in messages] == [{"n": "1"}, {}, {}]
    assert [a.to_dict() for a in messages[2].attachments or []] == [
        {"file_id": file_id, "tools": [{"type": "file_search"}]}
    ]
    assert {m.created_at for m in messages} == {EPOCH}


def test_modify_replaces_metadata_and_tool_resources(assistants_client: OpenAI) -> None:
    file_id, store_id = upload(assistants_client), vector_store(assistants_client)
    thread = assistants_client.beta.threads.create(
        metadata={"a": "1", "b": "2"},
        tool_resources={"code_interpreter": {"file_ids": [file_id]}},
    )
    modified = assistants_client.beta.threads.update(thread.id, metadata={"c": "3"})
    assert modified.metadata == {"c": "3"}
    assert modified.tool_resources == thread.tool_resources
    assert (modified.id, modified.created_at) == (thread.id, thread.created_at)
    again = assistants_client.beta.threads.update(
        thread.id, tool_resources={"file_search": {"vector_store_ids": [store_id]}}
    )
    assert again.metadata == {"c": "3"}
    assert again.tool_resources is not None
    assert again.tool_resources.to_dict() == {"file_search": {"vector_store_ids": [store_id]}}
    assert assistants_client.beta.threads.retrieve(thread.id) == again


def test_modify_with_nothing_changes_nothing(assistants_client: OpenAI) -> None:
    thread = assistants_client.beta.threads.create(metadata={"a": "1"})
    assert assistants_client.beta.threads.update(thread.id) == thread


def test_modify_metadata_to_none_empties_it(assistants_client: OpenAI) -> None:
    thread = assistants_client.beta.threads.create(metadata={"a": "1"})
    assert assistants_client.beta.threads.update(thread.id, metadata=None).metadata == {}


def test_delete_cascades_to_messages(
    assistants_mock: MockServer, assistants_client: OpenAI
) -> None:
    thread = assistants_client.beta.threads.create(messages=[{"role": "user", "content": "a"}])
    message = assistants_client.beta.threads.messages.create(thread.id, role="user", content="b")
    other = assistants_client.beta.threads.create(messages=[{"role": "user", "content": "c"}])
    first = next(iter(assistants_client.beta.threads.messages.list(thread.id, order="asc")))

    deleted = raw_json(assistants_client.beta.threads.with_raw_response.delete(thread.id))
    assert deleted == {"id": thread.id, "object": "thread.deleted", "deleted": True}

    with pytest.raises(NotFoundError) as info:
        assistants_client.beta.threads.retrieve(thread.id)
    assert info.value.body == not_found("thread", thread.id)
    for message_id in (first.id, message.id):
        with pytest.raises(NotFoundError) as info:
            assistants_client.beta.threads.messages.retrieve(message_id, thread_id=thread.id)
        assert info.value.body == not_found("thread", thread.id)
        assert assistants_mock.backend.store.messages.get(message_id) is None
    with pytest.raises(NotFoundError):
        assistants_client.beta.threads.messages.list(thread.id)
    with pytest.raises(NotFoundError):
        assistants_client.beta.threads.delete(thread.id)
    # The other thread and its message are untouched.
    assert assistants_client.beta.threads.retrieve(other.id) == other
    assert len(list(assistants_client.beta.threads.messages.list(other.id))) == 1
