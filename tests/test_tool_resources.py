"""Every file and vector store a request names must exist, as the real API checks; a
rejected request leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from openai import BadRequestError, NotFoundError, OpenAI

from mock_server.ids import IdFactory, Prefix

from .conftest import upload
from .sdk import require_method, vector_stores

NO_FILE = {
    "message": "No file found with id 'file-nope'.",
    "type": "invalid_request_error",
    "param": None,
    "code": None,
}
NO_STORE = {
    "message": "No vector store found with id 'vs_nope'.",
    "type": "invalid_request_error",
    "param": None,
    "code": None,
}
Action = Callable[[OpenAI], Any]


def _assistant(c: OpenAI, resources: Any) -> Any:
    return c.beta.assistants.create(model="gpt-4o", tool_resources=resources)


def _thread_id(c: OpenAI) -> str:
    return c.beta.threads.create().id


CASES: list[tuple[str, Action, dict[str, Any]]] = [
    (
        "assistant-code-interpreter-file",
        lambda c: _assistant(c, {"code_interpreter": {"file_ids": ["file-nope"]}}),
        NO_FILE,
    ),
    (
        "assistant-vector-store",
        lambda c: _assistant(c, {"file_search": {"vector_store_ids": ["vs_nope"]}}),
        NO_STORE,
    ),
    (
        "assistant-modify-vector-store",
        lambda c: c.beta.assistants.update(
            c.beta.assistants.create(model="gpt-4o").id,
            tool_resources={"file_search": {"vector_store_ids": ["vs_nope"]}},
        ),
        NO_STORE,
    ),
    (
        "thread-helper-file",
        lambda c: c.beta.threads.create(
            tool_resources={"file_search": {"vector_stores": [{"file_ids": ["file-nope"]}]}}
        ),
        NO_FILE,
    ),
    (
        "thread-modify-file",
        lambda c: c.beta.threads.update(
            _thread_id(c), tool_resources={"code_interpreter": {"file_ids": ["file-nope"]}}
        ),
        NO_FILE,
    ),
    (
        "message-attachment",
        lambda c: c.beta.threads.messages.create(
            _thread_id(c),
            role="user",
            content="See attached",
            attachments=[{"file_id": "file-nope", "tools": [{"type": "file_search"}]}],
        ),
        NO_FILE,
    ),
    (
        "message-image-file",
        lambda c: c.beta.threads.messages.create(
            _thread_id(c),
            role="user",
            content=[{"type": "image_file", "image_file": {"file_id": "file-nope"}}],
        ),
        NO_FILE,
    ),
    (
        "create-and-run-vector-store",
        lambda c: c.beta.threads.create_and_run(
            assistant_id=c.beta.assistants.create(model="gpt-4o").id,
            tool_resources={"file_search": {"vector_store_ids": ["vs_nope"]}},
        ),
        NO_STORE,
    ),
]


@pytest.mark.parametrize(("action", "error"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_unknown_references_are_rejected(
    assistants_client: OpenAI, action: Action, error: dict[str, Any]
) -> None:
    with pytest.raises(NotFoundError) as info:
        action(assistants_client)
    assert info.value.body == error


def test_a_rejected_thread_leaves_nothing_behind(assistants_client: OpenAI) -> None:
    real = upload(assistants_client)
    with pytest.raises(NotFoundError):
        assistants_client.beta.threads.create(
            messages=[{"role": "user", "content": "Hi"}],
            tool_resources={
                "code_interpreter": {"file_ids": [real]},
                "file_search": {"vector_stores": [{"file_ids": [real, "file-nope"]}]},
            },
        )
    assert vector_stores(assistants_client).list().data == []
    # No thread was made, nor an id spent: the next thread is the server's first.
    assert assistants_client.beta.threads.create().id == IdFactory(0).new(Prefix.THREAD)


def test_a_rejected_assistant_leaves_nothing_behind(assistants_client: OpenAI) -> None:
    with pytest.raises(NotFoundError):
        assistants_client.beta.assistants.create(
            model="gpt-4o",
            tool_resources={"file_search": {"vector_stores": [{"file_ids": ["file-nope"]}]}},
        )
    assert assistants_client.beta.assistants.list().data == []
    assert vector_stores(assistants_client).list().data == []
    assert assistants_client.beta.assistants.create(model="gpt-4o").id == IdFactory(0).new(
        Prefix.ASSISTANT
    )


def test_a_rejected_modify_changes_nothing(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o", name="before")
    thread = assistants_client.beta.threads.create(metadata={"k": "v"})
    with pytest.raises(NotFoundError):
        assistants_client.beta.assistants.update(
            assistant.id,
            name="after",
            tool_resources={"code_interpreter": {"file_ids": ["file-nope"]}},
        )
    with pytest.raises(NotFoundError):
        assistants_client.beta.threads.update(
            thread.id,
            metadata={"k": "changed"},
            tool_resources={"file_search": {"vector_store_ids": ["vs_nope"]}},
        )
    assert assistants_client.beta.assistants.retrieve(assistant.id) == assistant
    assert assistants_client.beta.threads.retrieve(thread.id) == thread


def test_rejected_messages_are_not_added(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o", instructions="Help.")
    thread = assistants_client.beta.threads.create()
    with pytest.raises(NotFoundError) as info:
        assistants_client.beta.threads.messages.create(
            thread.id,
            role="user",
            content=[
                {"type": "text", "text": "Look"},
                {"type": "image_file", "image_file": {"file_id": "file-nope"}},
            ],
        )
    assert info.value.body == NO_FILE
    with pytest.raises(NotFoundError) as info:
        assistants_client.beta.threads.runs.create(
            thread.id,
            assistant_id=assistant.id,
            additional_messages=[
                {"role": "user", "content": "First"},
                {
                    "role": "user",
                    "content": "Second",
                    "attachments": [{"file_id": "file-nope", "tools": [{"type": "file_search"}]}],
                },
            ],
        )
    assert info.value.body == NO_FILE
    assert assistants_client.beta.threads.messages.list(thread.id).data == []
    assert assistants_client.beta.threads.runs.list(thread.id).data == []


def test_a_rejected_create_and_run_makes_no_thread(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o", instructions="Help.")
    with pytest.raises(NotFoundError) as info:
        assistants_client.beta.threads.create_and_run(
            assistant_id=assistant.id,
            thread={
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_file", "image_file": {"file_id": "file-nope"}}],
                    }
                ]
            },
        )
    assert info.value.body == NO_FILE
    assert assistants_client.beta.threads.create().id == IdFactory(0).new(Prefix.THREAD)


def test_the_helper_makes_a_real_searchable_store(assistants_client: OpenAI) -> None:
    file_id = upload(assistants_client, "birds.txt", b"Penguins swim.\n\nParrots talk.")
    assistant = assistants_client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={
            "file_search": {
                "vector_stores": [
                    {
                        "file_ids": [file_id],
                        "chunking_strategy": {
                            "type": "static",
                            "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50},
                        },
                        "metadata": {"made_by": "helper"},
                    }
                ]
            }
        },
    )
    assert assistant.tool_resources is not None
    assert assistant.tool_resources.file_search is not None
    [store_id] = assistant.tool_resources.file_search.vector_store_ids or []
    assert [s.id for s in vector_stores(assistants_client).list().data] == [store_id]
    store = vector_stores(assistants_client).retrieve(store_id)
    assert store.metadata == {"made_by": "helper"}
    assert store.file_counts.completed == 1
    [attached] = vector_stores(assistants_client).files.list(store_id).data
    assert attached.id == file_id
    assert attached.chunking_strategy is not None
    assert attached.chunking_strategy.to_dict() == {
        "type": "static",
        "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50},
    }
    require_method(vector_stores(assistants_client), "search")
    hits = vector_stores(assistants_client).search(store_id, query="penguins").data
    assert [(h.file_id, h.content[0].text) for h in hits] == [(file_id, "Penguins swim.")]


def test_a_bad_helper_chunking_strategy_is_a_400(assistants_client: OpenAI) -> None:
    file_id = upload(assistants_client)
    with pytest.raises(BadRequestError) as info:
        assistants_client.beta.threads.create(
            tool_resources={
                "file_search": {
                    "vector_stores": [
                        {
                            "file_ids": [file_id],
                            "chunking_strategy": {
                                "type": "static",
                                "static": {"max_chunk_size_tokens": 50, "chunk_overlap_tokens": 0},
                            },
                        }
                    ]
                }
            }
        )
    param = "tool_resources.file_search.vector_stores[0].chunking_strategy.static"
    assert info.value.body == {
        "message": f"Invalid '{param}.max_chunk_size_tokens': integer below minimum value. "
        "Expected a value >= 100, but got 50 instead.",
        "type": "invalid_request_error",
        "param": f"{param}.max_chunk_size_tokens",
        "code": "integer_below_min_value",
    }
    assert vector_stores(assistants_client).list().data == []
