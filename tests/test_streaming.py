"""Streamed runs, consumed by the SDK's own `AssistantEventHandler`.

The event order is the one recorded from the real API (api_fidelity.md §8.3); the
handler's callbacks must fire in order and its snapshots must match what is stored.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from openai import AssistantEventHandler, OpenAI
from openai.types.beta import AssistantStreamEvent
from openai.types.beta.threads import Message, Run, Text, TextDelta
from openai.types.beta.threads.runs import RunStep
from typing_extensions import override

from mock_server import MockServer

from .conftest import Conversation
from .sdk import httpx

TEXT_REPLY = [
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
    "thread.message.delta*",
    "thread.message.completed",
    "thread.run.step.completed",
    "thread.run.completed",
]


class Recorder(AssistantEventHandler):
    """Records every callback the SDK fires, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.events: list[str] = []
        self.deltas: list[str] = []

    @override
    def on_event(self, event: AssistantStreamEvent) -> None:
        self.events.append(event.event)

    @override
    def on_run_step_created(self, run_step: RunStep) -> None:
        self.calls.append("run_step_created")

    @override
    def on_run_step_done(self, run_step: RunStep) -> None:
        self.calls.append(f"run_step_done:{run_step.status}")

    @override
    def on_message_created(self, message: Message) -> None:
        self.calls.append("message_created")

    @override
    def on_message_done(self, message: Message) -> None:
        self.calls.append(f"message_done:{message.status}")

    @override
    def on_text_created(self, text: Text) -> None:
        self.calls.append("text_created")

    @override
    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        self.deltas.append(delta.value or "")
        if self.calls[-1] != "text_delta*":
            self.calls.append("text_delta*")

    @override
    def on_text_done(self, text: Text) -> None:
        self.calls.append("text_done")

    @override
    def on_end(self) -> None:
        self.calls.append("end")


def collapse(events: list[str]) -> list[str]:
    """Runs of `*.delta` events become one `*.delta*` entry."""
    out: list[str] = []
    for event in events:
        name = f"{event}*" if event.endswith(".delta") else event
        if not (out and out[-1] == name and name.endswith("*")):
            out.append(name)
    return out


def test_text_reply(assistants_client: OpenAI, conversation: Conversation) -> None:
    recorder = Recorder()
    with assistants_client.beta.threads.runs.stream(
        thread_id=conversation.thread.id,
        assistant_id=conversation.assistant.id,
        event_handler=recorder,
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
        messages = stream.get_final_messages()

    assert collapse(recorder.events) == TEXT_REPLY
    assert recorder.calls == [
        "run_step_created",
        "message_created",
        "text_created",
        "text_delta*",
        "text_done",
        "message_done:completed",
        "run_step_done:completed",
        "end",
    ]
    assert run.status == "completed"
    assert run.completed_at is not None
    assert run.expires_at is None
    stored = assistants_client.beta.threads.messages.retrieve(
        messages[0].id, thread_id=conversation.thread.id
    )
    assert stored.content == messages[0].content
    text = stored.content[0]
    assert text.type == "text"
    assert "".join(recorder.deltas) == text.text.value
    assert text.text.value.lower().count("penguin") >= 1
    assert stored.run_id == run.id
    assert stored.assistant_id == conversation.assistant.id

    steps = assistants_client.beta.threads.runs.steps.list(
        run_id=run.id, thread_id=conversation.thread.id
    ).data
    assert [s.status for s in steps] == ["completed"]
    assert steps[0].usage is not None
    assert run.usage is not None
    assert run.usage.total_tokens == steps[0].usage.total_tokens > 0
    assert run.usage.completion_tokens == len(recorder.deltas)


def test_text_deltas_join_to_the_stored_reply(
    assistants_client: OpenAI, conversation: Conversation
) -> None:
    with assistants_client.beta.threads.runs.stream(
        thread_id=conversation.thread.id, assistant_id=conversation.assistant.id
    ) as stream:
        text = "".join(stream.text_deltas)
        final = stream.get_final_messages()
    block = final[0].content[0]
    assert block.type == "text"
    assert text == block.text.value


def test_create_and_run_starts_with_thread_created(
    assistants_client: OpenAI, conversation: Conversation
) -> None:
    recorder = Recorder()
    with assistants_client.beta.threads.create_and_run_stream(
        assistant_id=conversation.assistant.id,
        thread={"messages": [{"role": "user", "content": "What do koalas eat?"}]},
        event_handler=recorder,
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert collapse(recorder.events) == ["thread.created", *TEXT_REPLY]
    assert run.status == "completed"
    thread = assistants_client.beta.threads.retrieve(run.thread_id)
    listed = assistants_client.beta.threads.messages.list(thread.id, order="asc").data
    assert [m.role for m in listed] == ["user", "assistant"]


def test_token_limit_makes_the_run_incomplete(
    assistants_client: OpenAI, conversation: Conversation
) -> None:
    thread_id = conversation.thread.id
    assistants_client.beta.threads.messages.create(
        thread_id, role="user", content="Write 400 words about the history of Rome."
    )
    recorder = Recorder()
    with assistants_client.beta.threads.runs.stream(
        thread_id=thread_id,
        assistant_id=conversation.assistant.id,
        max_completion_tokens=256,
        event_handler=recorder,
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert collapse(recorder.events) == [
        *TEXT_REPLY[:8],
        "thread.message.incomplete",
        "thread.run.step.completed",
        "thread.run.incomplete",
    ]
    assert "message_done:incomplete" in recorder.calls
    assert run.status == "incomplete"
    assert run.incomplete_details is not None
    assert run.incomplete_details.reason == "max_completion_tokens"
    assert run.usage is not None
    assert run.usage.completion_tokens == 256 == len(recorder.deltas)
    reply = stream.get_final_messages()[0]
    assert reply.status == "incomplete"
    assert reply.incomplete_details is not None
    assert reply.incomplete_details.reason == "max_tokens"
    assert reply.incomplete_at is not None


@pytest.mark.assistants_mock(stream_delay_ms=20)
def test_cancel_during_a_stream(assistants_client: OpenAI) -> None:
    client = assistants_client
    assistant = client.beta.assistants.create(model="gpt-4o", instructions="Be brief.")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello there"}])
    recorder = Recorder()
    cancelled: list[Run] = []

    class Canceller(Recorder):
        @override
        def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
            super().on_text_delta(delta, snapshot)
            if not cancelled and self.current_run is not None:
                cancelled.append(
                    client.beta.threads.runs.cancel(self.current_run.id, thread_id=thread.id)
                )

    recorder = Canceller()
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=recorder
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert cancelled[0].status == "cancelling"
    assert collapse(recorder.events)[-3:] == [
        "thread.message.incomplete",
        "thread.run.step.cancelled",
        "thread.run.cancelled",
    ]
    assert run.status == "cancelled"
    assert run.cancelled_at is not None
    message = stream.get_final_messages()[0]
    assert message.incomplete_details is not None
    assert message.incomplete_details.reason == "run_cancelled"
    # Nothing said before the cancel is lost: the stored message holds every delta.
    stored = client.beta.threads.messages.retrieve(message.id, thread_id=thread.id)
    assert stored == message
    assert stored.content[0].type == "text"
    assert stored.content[0].text.value == "".join(recorder.deltas) != ""
    step = client.beta.threads.runs.steps.list(run_id=run.id, thread_id=thread.id).data[0]
    assert step.status == "cancelled"
    # The thread is free again.
    client.beta.threads.messages.create(thread.id, role="user", content="Again?")


def _stream_bytes(seed: int) -> list[bytes]:
    """A scripted streamed workflow against a fresh server, as raw SSE bytes."""
    with MockServer(seed=seed) as server:
        headers = {"Authorization": "Bearer sk-x", "OpenAI-Beta": "assistants=v2"}
        with httpx.Client(base_url=server.base_url, headers=headers) as http:
            assistant = http.post("/assistants", json={"model": "gpt-4o"}).json()
            thread = http.post(
                "/threads", json={"messages": [{"role": "user", "content": "Why is the sky blue?"}]}
            ).json()
            first = http.post(
                f"/threads/{thread['id']}/runs",
                json={"assistant_id": assistant["id"], "stream": True},
            ).content
            second = http.post(
                "/threads/runs",
                json={"assistant_id": assistant["id"], "stream": True, "thread": {}},
            ).content
            return [first, second]


def test_same_seed_gives_byte_identical_streams() -> None:
    first, again = _stream_bytes(3), _stream_bytes(3)
    assert first == again
    assert first[0].startswith(b"event: thread.run.created\ndata: {")
    assert first[0].endswith(b"event: done\ndata: [DONE]\n\n")
    assert _stream_bytes(4) != first


def test_stream_is_decided_by_the_body_not_the_accept_header(
    assistants_mock: MockServer, conversation: Conversation
) -> None:
    headers = {
        "Authorization": "Bearer sk-x",
        "OpenAI-Beta": "assistants=v2",
        "Accept": "application/json",
    }
    response = httpx.post(
        f"{assistants_mock.base_url}/threads/{conversation.thread.id}/runs",
        json={"assistant_id": conversation.assistant.id, "stream": True},
        headers=headers,
    )
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    blocks = response.text.split("\n\n")
    assert all(
        b.startswith("event: ") and "\ndata: " in b and b.count("\n") == 1 for b in blocks if b
    )


def test_everything_streamed_is_stored(
    assistants_client: OpenAI, conversation: Conversation
) -> None:
    seen: dict[str, Any] = {}

    class Snapshots(AssistantEventHandler):
        @override
        def on_event(self, event: AssistantStreamEvent) -> None:
            data = event.data
            if event.event in ("thread.run.completed", "thread.message.completed"):
                seen[event.event] = data
            if event.event == "thread.run.step.completed":
                seen[event.event] = data

    with assistants_client.beta.threads.runs.stream(
        thread_id=conversation.thread.id,
        assistant_id=conversation.assistant.id,
        event_handler=Snapshots(),
    ) as stream:
        stream.until_done()
    run = seen["thread.run.completed"]
    assert assistants_client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id) == run
    message = seen["thread.message.completed"]
    assert (
        assistants_client.beta.threads.messages.retrieve(message.id, thread_id=run.thread_id)
        == message
    )
    step = seen["thread.run.step.completed"]
    stored = assistants_client.beta.threads.runs.steps.retrieve(
        step.id, run_id=run.id, thread_id=run.thread_id
    )
    # A step's `expires_at` mirrors its run's, as recorded: set while the run was going
    # when the step completed, null once the run has ended.
    assert step.model_extra == {"expires_at": run.expires_at or run.created_at + 600}
    assert stored.model_extra == {"expires_at": None}
    assert stored.model_dump(exclude={"expires_at"}) == step.model_dump(exclude={"expires_at"})
    assert step.step_details.message_creation.message_id == message.id


def test_a_stream_left_early_still_finishes_its_run(
    assistants_client: OpenAI, conversation: Conversation
) -> None:
    client = assistants_client
    with client.beta.threads.runs.create(
        thread_id=conversation.thread.id, assistant_id=conversation.assistant.id, stream=True
    ) as events:
        first = next(iter(events))
    assert first.event == "thread.run.created"
    done = threading.Event()
    for _ in range(200):
        run = client.beta.threads.runs.retrieve(first.data.id, thread_id=conversation.thread.id)
        if run.status == "completed":
            done.set()
            break
        done.wait(0.01)
    assert done.is_set()
