"""Messages through the SDK: create (string or content parts), retrieve, modify, delete, list."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from openai import NotFoundError, OpenAI
from openai.types.beta.threads import MessageContentPartParam

from .conftest import real_references, upload, with_references

EPOCH = 1_767_225_600
MESSAGE_KEYS = [
    "id", "object", "created_at", "assistant_id", "thread_id", "run_id", "status",
    "incomplete_details", "incomplete_at", "completed_at", "role", "content", "attachments",
    "metadata",
]  # fmt: skip


def raw_json(response: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(response.http_response.text)
    return data


@pytest.fixture
def thread_id(assistants_client: OpenAI) -> str:
    return assistants_client.beta.threads.create().id


def test_create_from_a_string(assistants_client: OpenAI, thread_id: str) -> None:
    body = raw_json(
        assistants_client.beta.threads.messages.with_raw_response.create(
            thread_id, role="user", content="What is a penguin?"
        )
    )
    assert list(body) == MESSAGE_KEYS
    assert body == {
        "id": body["id"],
        "object": "thread.message",
        "created_at": EPOCH,
        "assistant_id": None,
        "thread_id": thread_id,
        "run_id": None,
        "status": "completed",
        "incomplete_details": None,
        "incomplete_at": None,
        "completed_at": EPOCH,
        "role": "user",
        "content": [{"type": "text", "text": {"value": "What is a penguin?", "annotations": []}}],
        "attachments": [],
        "metadata": {},
    }


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            [{"type": "text", "text": "first"}, {"type": "text", "text": "second"}],
            [
                {"type": "text", "text": {"value": "first", "annotations": []}},
                {"type": "text", "text": {"value": "second", "annotations": []}},
            ],
        ),
        (
            [
                {"type": "text", "text": "What is in these images?"},
                {"type": "image_file", "image_file": {"file_id": "file-abc", "detail": "low"}},
                {
                    "type": "image_url",
                    "image_url": {"url": "https://example.com/penguin.png", "detail": "high"},
                },
            ],
            [
                {"type": "text", "text": {"value": "What is in these images?", "annotations": []}},
                {"type": "image_file", "image_file": {"file_id": "file-abc", "detail": "low"}},
                {
                    "type": "image_url",
                    "image_url": {"url": "https://example.com/penguin.png", "detail": "high"},
                },
            ],
        ),
        (
            [
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "auto"},
                }
            ],
            [
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "auto"},
                }
            ],
        ),
    ],
    ids=["text-parts", "text-image-file-image-url", "data-url"],
)
def test_create_from_content_parts(
    assistants_client: OpenAI,
    thread_id: str,
    parts: list[MessageContentPartParam],
    expected: list[dict[str, Any]],
) -> None:
    real = real_references(assistants_client)
    created = raw_json(
        assistants_client.beta.threads.messages.with_raw_response.create(
            thread_id,
            role="user",
            content=cast(list[MessageContentPartParam], with_references(parts, real)),
        )
    )
    assert created["content"] == with_references(expected, real)
    fetched = raw_json(
        assistants_client.beta.threads.messages.with_raw_response.retrieve(
            created["id"], thread_id=thread_id
        )
    )
    assert fetched == created


def test_image_detail_defaults_to_auto(assistants_client: OpenAI, thread_id: str) -> None:
    file_id = upload(assistants_client, "penguin.png")
    created = raw_json(
        assistants_client.beta.threads.messages.with_raw_response.create(
            thread_id,
            role="user",
            content=[
                {"type": "image_file", "image_file": {"file_id": file_id}},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            ],
        )
    )
    assert created["content"] == [
        {"type": "image_file", "image_file": {"file_id": file_id, "detail": "auto"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "auto"}},
    ]


def test_attachments_and_metadata_are_echoed(assistants_client: OpenAI, thread_id: str) -> None:
    a, b = upload(assistants_client, "a.txt"), upload(assistants_client, "b.txt")
    message = assistants_client.beta.threads.messages.create(
        thread_id,
        role="user",
        content="Summarise these files.",
        attachments=[
            {"file_id": a, "tools": [{"type": "code_interpreter"}]},
            {"file_id": b, "tools": [{"type": "file_search"}, {"type": "code_interpreter"}]},
        ],
        metadata={"source": "upload"},
    )
    assert [x.to_dict() for x in message.attachments or []] == [
        {"file_id": a, "tools": [{"type": "code_interpreter"}]},
        {"file_id": b, "tools": [{"type": "file_search"}, {"type": "code_interpreter"}]},
    ]
    assert message.metadata == {"source": "upload"}


def test_explicit_none_is_accepted(assistants_client: OpenAI, thread_id: str) -> None:
    message = assistants_client.beta.threads.messages.create(
        thread_id, role="user", content="Hi", attachments=None, metadata=None
    )
    assert (message.attachments, message.metadata) == ([], {})


def test_users_may_write_assistant_messages(assistants_client: OpenAI, thread_id: str) -> None:
    message = assistants_client.beta.threads.messages.create(
        thread_id, role="assistant", content="I am a penguin expert."
    )
    assert (message.role, message.assistant_id, message.run_id) == ("assistant", None, None)


def test_retrieve_returns_what_create_returned(assistants_client: OpenAI, thread_id: str) -> None:
    created = assistants_client.beta.threads.messages.create(thread_id, role="user", content="x")
    assert (
        assistants_client.beta.threads.messages.retrieve(created.id, thread_id=thread_id) == created
    )


def test_modify_replaces_metadata(assistants_client: OpenAI, thread_id: str) -> None:
    created = assistants_client.beta.threads.messages.create(
        thread_id, role="user", content="x", metadata={"a": "1", "b": "2"}
    )
    modified = assistants_client.beta.threads.messages.update(
        created.id, thread_id=thread_id, metadata={"c": "3"}
    )
    assert modified == created.model_copy(update={"metadata": {"c": "3"}})
    assert (
        assistants_client.beta.threads.messages.retrieve(created.id, thread_id=thread_id)
        == modified
    )
    emptied = assistants_client.beta.threads.messages.update(
        created.id, thread_id=thread_id, metadata=None
    )
    assert emptied.metadata == {}


def test_delete_then_the_message_is_gone(assistants_client: OpenAI, thread_id: str) -> None:
    gone = assistants_client.beta.threads.messages.create(thread_id, role="user", content="a")
    kept = assistants_client.beta.threads.messages.create(thread_id, role="user", content="b")
    deleted = raw_json(
        assistants_client.beta.threads.messages.with_raw_response.delete(
            gone.id, thread_id=thread_id
        )
    )
    assert deleted == {"id": gone.id, "object": "thread.message.deleted", "deleted": True}
    with pytest.raises(NotFoundError) as info:
        assistants_client.beta.threads.messages.retrieve(gone.id, thread_id=thread_id)
    assert info.value.body == {
        "message": f"No message found with id '{gone.id}'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(NotFoundError):
        assistants_client.beta.threads.messages.delete(gone.id, thread_id=thread_id)
    assert [m.id for m in assistants_client.beta.threads.messages.list(thread_id)] == [kept.id]


def test_a_message_is_only_found_in_its_own_thread(
    assistants_client: OpenAI, thread_id: str
) -> None:
    message = assistants_client.beta.threads.messages.create(thread_id, role="user", content="a")
    other = assistants_client.beta.threads.create().id
    with pytest.raises(NotFoundError) as info:
        assistants_client.beta.threads.messages.retrieve(message.id, thread_id=other)
    assert info.value.body == {
        "message": f"No message found with id '{message.id}'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_list_is_newest_first_by_default(assistants_client: OpenAI, thread_id: str) -> None:
    made = [
        assistants_client.beta.threads.messages.create(thread_id, role="user", content=str(i))
        for i in range(3)
    ]
    page = assistants_client.beta.threads.messages.list(thread_id)
    assert [m.id for m in page.data] == [m.id for m in reversed(made)]
    assert page.data == list(reversed(made))
    asc = assistants_client.beta.threads.messages.list(thread_id, order="asc")
    assert asc.data == made


@pytest.mark.parametrize(
    "run_id", ["run_abc123", "run_xZ6AgqQ2vbgE33VpVLO7Xnse"], ids=["short", "well-formed"]
)
def test_run_id_filter_on_user_messages_gives_an_empty_page(
    assistants_client: OpenAI, thread_id: str, run_id: str
) -> None:
    assistants_client.beta.threads.messages.create(thread_id, role="user", content="a")
    response = assistants_client.beta.threads.messages.with_raw_response.list(
        thread_id, run_id=run_id
    )
    assert raw_json(response) == {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }
    assert response.http_request.url.params["run_id"] == run_id
    assert len(assistants_client.beta.threads.messages.list(thread_id).data) == 1
