"""Runs that are not streamed: polling in every progression mode, cancel, the rules."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openai import BadRequestError, NotFoundError, OpenAI

from mock_server import MockServer

from .conftest import PENGUIN, Conversation
from .sdk import error_message, httpx


def test_create_returns_queued_and_the_first_poll_sees_it_finished(
    assistants_client: OpenAI, conversation: Conversation
) -> None:
    created = assistants_client.beta.threads.runs.create(
        thread_id=conversation.thread.id, assistant_id=conversation.assistant.id
    )
    assert created.status == "queued"
    assert created.started_at is None
    assert created.expires_at == created.created_at + 600
    assert created.usage is None
    retrieved = assistants_client.beta.threads.runs.retrieve(
        created.id, thread_id=conversation.thread.id
    )
    assert retrieved.status == "completed"
    assert retrieved.started_at is not None
    assert retrieved.expires_at is None
    assert retrieved.usage is not None


def test_create_and_poll_takes_one_poll_and_no_sleep(
    assistants_mock: MockServer, conversation: Conversation
) -> None:
    polls: list[str] = []

    def count(request: httpx.Request) -> None:
        if request.method == "GET":
            polls.append(request.headers.get("x-stainless-poll-helper", ""))

    hooks = httpx.Client(event_hooks={"request": [count]})
    with assistants_mock.client(http_client=hooks) as client:
        run = client.beta.threads.runs.create_and_poll(
            thread_id=conversation.thread.id, assistant_id=conversation.assistant.id
        )
    assert run.status == "completed"
    assert polls == ["true"]


@pytest.mark.parametrize(
    ("settings", "polls"),
    [
        ({"run_progression": "immediate"}, 1),
        ({"run_progression": "per_poll"}, 2),
        ({"run_progression": "clock", "clock": "system", "seconds_per_transition": 1}, None),
    ],
    ids=["immediate", "per_poll", "clock"],
)
def test_create_and_poll_in_every_progression(settings: dict[str, Any], polls: int | None) -> None:
    seen: list[str] = []

    def count(request: httpx.Request) -> None:
        if request.headers.get("x-stainless-poll-helper") == "true":
            seen.append(request.url.path)

    with (
        MockServer(**settings) as server,
        server.client(http_client=httpx.Client(event_hooks={"request": [count]})) as client,
    ):
        assistant = client.beta.assistants.create(model="gpt-4o")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant.id
        )
    assert run.status == "completed"
    if polls is None:  # the wall clock: two transitions of one second each
        assert len(seen) > 2
        assert run.completed_at is not None
        assert run.completed_at - run.created_at >= 2
    else:
        assert len(seen) == polls


@pytest.mark.assistants_mock(run_progression="per_poll")
def test_per_poll_progression_moves_one_status_per_retrieve(assistants_client: OpenAI) -> None:
    client = assistants_client
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": PENGUIN}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    statuses = [run.status]
    for _ in range(2):
        statuses.append(client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status)
    assert statuses == ["queued", "in_progress", "completed"]
    # Other reads do not advance a run in this mode.
    polled = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id
    )
    assert polled.status == "completed"


@pytest.mark.assistants_mock(run_progression="per_poll", poll_after_ms=1)
def test_poll_interval_comes_from_the_header(assistants_client: OpenAI) -> None:
    client = assistants_client
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    response = client.beta.threads.runs.with_raw_response.create(
        thread_id=thread.id, assistant_id=assistant.id
    )
    assert response.headers["openai-poll-after-ms"] == "1"
    run = client.beta.threads.runs.poll(response.parse().id, thread_id=thread.id)
    assert run.status == "completed"


@pytest.mark.assistants_mock(run_progression="clock", seconds_per_transition=5)
def test_clock_progression_moves_with_time(
    assistants_mock: MockServer, assistants_client: OpenAI
) -> None:
    client = assistants_client
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    retrieve = client.beta.threads.runs.retrieve
    assert retrieve(run.id, thread_id=thread.id).status == "queued"
    assistants_mock.backend.clock.advance(5)
    assert retrieve(run.id, thread_id=thread.id).status == "in_progress"
    assistants_mock.backend.clock.advance(4)
    assert retrieve(run.id, thread_id=thread.id).status == "in_progress"
    assistants_mock.backend.clock.advance(1)
    finished = retrieve(run.id, thread_id=thread.id)
    assert finished.status == "completed"
    assert finished.started_at == run.created_at + 5
    assert finished.completed_at == run.created_at + 10


def test_create_thread_and_run_poll(assistants_client: OpenAI, conversation: Conversation) -> None:
    run = assistants_client.beta.threads.create_and_run_poll(
        assistant_id=conversation.assistant.id,
        thread={"messages": [{"role": "user", "content": "Name three birds."}]},
        metadata={"k": "v"},
    )
    assert run.status == "completed"
    assert run.metadata == {"k": "v"}
    assert run.thread_id != conversation.thread.id
    messages = assistants_client.beta.threads.messages.list(run.thread_id, run_id=run.id).data
    assert [m.role for m in messages] == ["assistant"]


@pytest.mark.assistants_mock(run_progression="per_poll")
def test_one_active_run_per_thread(assistants_client: OpenAI) -> None:
    client = assistants_client
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    with pytest.raises(BadRequestError) as second:
        client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    assert second.value.body == {
        "message": f"Thread {thread.id} already has an active run {run.id}.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(BadRequestError) as message:
        client.beta.threads.messages.create(thread.id, role="user", content="More")
    assert error_message(message.value) == (
        f"Can't add messages to {thread.id} while a run {run.id} is active."
    )
    client.beta.threads.runs.poll(run.id, thread_id=thread.id)
    client.beta.threads.messages.create(thread.id, role="user", content="More")


def test_cancel_a_queued_run(assistants_client: OpenAI, conversation: Conversation) -> None:
    thread_id = conversation.thread.id
    run = assistants_client.beta.threads.runs.create(
        thread_id=thread_id, assistant_id=conversation.assistant.id
    )
    cancelling = assistants_client.beta.threads.runs.cancel(run.id, thread_id=thread_id)
    assert cancelling.status == "cancelling"
    assert cancelling.expires_at == run.expires_at
    cancelled = assistants_client.beta.threads.runs.poll(run.id, thread_id=thread_id)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at is not None
    assert cancelled.expires_at is None
    assert assistants_client.beta.threads.runs.steps.list(run.id, thread_id=thread_id).data == []
    with pytest.raises(
        BadRequestError, match=re.escape("Cannot cancel run with status 'cancelled'.")
    ):
        assistants_client.beta.threads.runs.cancel(run.id, thread_id=thread_id)


@pytest.mark.assistants_mock(run_progression="per_poll")
def test_cancel_in_progress_winds_down(assistants_client: OpenAI) -> None:
    client = assistants_client
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    assert client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "in_progress"
    assert client.beta.threads.runs.cancel(run.id, thread_id=thread.id).status == "cancelling"
    assert client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "cancelled"


def test_overrides_and_defaults(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(
        model="gpt-4o",
        instructions="Base.",
        tools=[{"type": "code_interpreter"}],
        temperature=0.5,
    )
    thread = assistants_client.beta.threads.create()
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant.id,
        model="gpt-4o-mini",
        additional_instructions="Be brief.",
        additional_messages=[{"role": "user", "content": "Hello"}],
        tools=[],
        top_p=0.5,
        max_prompt_tokens=1000,
        truncation_strategy={"type": "last_messages", "last_messages": 3},
        tool_choice="none",
        parallel_tool_calls=False,
    )
    assert run.status == "completed"
    assert run.model == "gpt-4o-mini"
    assert run.instructions == "Base.\n\nBe brief."
    assert run.tools == []
    assert run.temperature == 0.5
    assert run.top_p == 0.5
    assert run.max_prompt_tokens == 1000
    assert run.truncation_strategy is not None
    assert run.truncation_strategy.last_messages == 3
    assert run.tool_choice == "none"
    assert run.parallel_tool_calls is False
    assert run.response_format == "auto"
    messages = assistants_client.beta.threads.messages.list(thread.id, order="asc").data
    assert [m.role for m in messages] == ["user", "assistant"]


def test_instructions_are_null_when_nobody_gives_any(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o")
    thread = assistants_client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    raw = assistants_client.beta.threads.runs.with_raw_response.create(
        thread_id=thread.id, assistant_id=assistant.id
    )
    assert json.loads(raw.text)["instructions"] is None


def test_json_response_formats(assistants_client: OpenAI, conversation: Conversation) -> None:
    thread_id = conversation.thread.id
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread_id,
        assistant_id=conversation.assistant.id,
        response_format={"type": "json_object"},
    )
    reply = assistants_client.beta.threads.messages.list(thread_id, run_id=run.id).data[0]
    assert reply.content[0].type == "text"
    assert isinstance(json.loads(reply.content[0].text.value), dict)
    schema = {
        "type": "object",
        "properties": {
            "animal": {"type": "string"},
            "legs": {"type": "integer"},
            "flies": {"type": "boolean"},
            "habitats": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["animal", "legs", "flies", "habitats"],
        "additionalProperties": False,
    }
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread_id,
        assistant_id=conversation.assistant.id,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "animal", "schema": schema, "strict": True},
        },
    )
    reply = assistants_client.beta.threads.messages.list(thread_id, run_id=run.id).data[0]
    assert reply.content[0].type == "text"
    value = json.loads(reply.content[0].text.value)
    assert set(value) == {"animal", "legs", "flies", "habitats"}
    assert isinstance(value["legs"], int)
    assert isinstance(value["flies"], bool)
    assert all(isinstance(h, str) for h in value["habitats"])


def test_max_prompt_tokens_makes_the_run_incomplete(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o")
    thread = assistants_client.beta.threads.create(
        messages=[{"role": "user", "content": "word " * 400}]
    )
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_prompt_tokens=256
    )
    assert run.status == "incomplete"
    assert run.incomplete_details is not None
    assert run.incomplete_details.reason == "max_prompt_tokens"


def test_run_needs_a_user_message_or_instructions(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o")
    thread = assistants_client.beta.threads.create()
    with pytest.raises(BadRequestError) as error:
        assistants_client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    assert error.value.code == "invalid_thread"
    assert error_message(error.value) == (
        "Run creation requires a Thread with a user message or an assistant with instructions."
    )


def test_unknown_ids(assistants_client: OpenAI, conversation: Conversation) -> None:
    thread_id = conversation.thread.id
    with pytest.raises(NotFoundError, match=re.escape("No assistant found with id 'asst_nope'.")):
        assistants_client.beta.threads.runs.create(thread_id=thread_id, assistant_id="asst_nope")
    with pytest.raises(NotFoundError, match=re.escape("No run found with id 'run_nope'.")):
        assistants_client.beta.threads.runs.retrieve("run_nope", thread_id=thread_id)
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread_id, assistant_id=conversation.assistant.id
    )
    with pytest.raises(NotFoundError, match=re.escape("No run step found with id 'step_nope'.")):
        assistants_client.beta.threads.runs.steps.retrieve(
            "step_nope", run_id=run.id, thread_id=thread_id
        )


def test_modify_run_metadata(assistants_client: OpenAI, conversation: Conversation) -> None:
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=conversation.thread.id, assistant_id=conversation.assistant.id
    )
    modified = assistants_client.beta.threads.runs.update(
        run.id, thread_id=run.thread_id, metadata={"reviewed": "yes"}
    )
    assert modified.metadata == {"reviewed": "yes"}
    assert modified.status == "completed"


def test_runs_and_steps_paginate(assistants_client: OpenAI, conversation: Conversation) -> None:
    thread_id = conversation.thread.id
    runs = [
        assistants_client.beta.threads.runs.create_and_poll(
            thread_id=thread_id, assistant_id=conversation.assistant.id
        )
        for _ in range(5)
    ]
    listed = [r.id for r in assistants_client.beta.threads.runs.list(thread_id, limit=2)]
    assert listed == [r.id for r in reversed(runs)]
    page = assistants_client.beta.threads.runs.list(thread_id, limit=2, order="asc")
    assert [r.id for r in page.data] == [runs[0].id, runs[1].id]
    assert page.has_more is True
    steps = assistants_client.beta.threads.runs.steps.list(
        runs[0].id,
        thread_id=thread_id,
        limit=1,
        include=["step_details.tool_calls[*].file_search.results[*].content"],
    )
    assert len(steps.data) == 1
    assert steps.has_more is False
    assert steps.data[0].type == "message_creation"
    # Every run's reply is a message carrying its run id.
    for run in runs:
        replies = assistants_client.beta.threads.messages.list(thread_id, run_id=run.id).data
        assert [m.run_id for m in replies] == [run.id]
