"""Every file and vector store a request names must exist, as the real API checks; a
rejected request leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from openai import NotFoundError, OpenAI

from mock_server.ids import IdFactory, Prefix

from .conftest import upload

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
    assert assistants_client.vector_stores.list().data == []
    # No thread was made, nor an id spent: the next thread is the server's first.
    assert assistants_client.beta.threads.create().id == IdFactory(0).new(Prefix.THREAD)
