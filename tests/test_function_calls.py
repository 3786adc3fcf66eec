"""Function tools: requires_action, submit_tool_outputs (JSON and streamed), tool_choice,
the 400s, expiry and cancel of a waiting run — through the official SDK."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openai import AssistantEventHandler, BadRequestError, OpenAI
from openai.types.beta import AssistantStreamEvent
from openai.types.beta.threads import Run
from openai.types.beta.threads.runs import ToolCall, ToolCallDelta
from typing_extensions import override

from client.scenarios import WEATHER
from mock_server import MockServer

from .sdk import error_message

FOOD = {
    "type": "function",
    "function": {
        "name": "get_favorite_food",
        "description": "The user's favorite food for a day of the week",
        "parameters": {
            "type": "object",
            "properties": {"day_of_week": {"type": "string"}},
            "required": ["day_of_week"],
        },
    },
}


def _setup(client: OpenAI, question: str, **run: Any) -> tuple[str, Run]:
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER, FOOD])  # type: ignore[list-item]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": question}])
    created = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, **run
    )
    return thread.id, created


def test_function_round_trip(assistants_client: OpenAI) -> None:
    thread_id, run = _setup(assistants_client, "What's the weather in Paris in celsius?")
    assert run.status == "requires_action"
    assert run.required_action is not None
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert len(calls) == 1
    assert re.fullmatch(r"call_[A-Za-z0-9]{24}", calls[0].id)
    assert calls[0].function.name == "get_current_weather"
    assert json.loads(calls[0].function.arguments) == {"location": "Paris", "unit": "celsius"}
    assert run.usage is None
    assert run.expires_at == run.created_at + 600

    step = assistants_client.beta.threads.runs.steps.list(run.id, thread_id=thread_id).data[0]
    assert step.type == "tool_calls"
    assert step.status == "in_progress"
    assert step.step_details.type == "tool_calls"
    pending = step.step_details.tool_calls[0]
    assert pending.type == "function"
    assert pending.function.output is None

    queued = assistants_client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=thread_id, tool_outputs=[{"tool_call_id": calls[0].id, "output": "18C"}]
    )
    assert queued.status == "queued"
    assert queued.required_action is None
    done = assistants_client.beta.threads.runs.poll(run.id, thread_id=thread_id)
    assert done.status == "completed"

    steps = assistants_client.beta.threads.runs.steps.list(
        run.id, thread_id=thread_id, order="asc"
    ).data
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    tool_step = steps[0]
    assert tool_step.status == "completed"
    assert tool_step.step_details.type == "tool_calls"
    call = tool_step.step_details.tool_calls[0]
    assert call.type == "function"
    assert call.function.output == "18C"
    assert done.usage is not None
    assert tool_step.usage is not None
    assert steps[1].usage is not None
    assert done.usage.total_tokens == tool_step.usage.total_tokens + steps[1].usage.total_tokens
    reply = assistants_client.beta.threads.messages.list(thread_id, run_id=run.id).data[0]
    assert reply.content[0].type == "text"
    assert "18C" in reply.content[0].text.value


def test_parallel_calls_and_their_outputs_in_one_request(assistants_client: OpenAI) -> None:
    thread_id, run = _setup(
        assistants_client, "What is the weather in Rome and my favorite food on Friday?"
    )
    assert run.required_action is not None
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert [c.function.name for c in calls] == ["get_current_weather", "get_favorite_food"]
    assert json.loads(calls[1].function.arguments) == {"day_of_week": "Friday"}

    with pytest.raises(BadRequestError) as missing:
        assistants_client.beta.threads.runs.submit_tool_outputs(
            run.id,
            thread_id=thread_id,
            tool_outputs=[{"tool_call_id": calls[0].id, "output": "sunny"}],
        )
    assert missing.value.body == {
        "message": f"Expected tool outputs for call_ids ['{calls[0].id}', '{calls[1].id}'], "
        f"got ['{calls[0].id}']",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    done = assistants_client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread_id,
        tool_outputs=[
            {"tool_call_id": calls[1].id, "output": "pizza"},
            {"tool_call_id": calls[0].id, "output": "sunny"},
        ],
    )
    assert done.status == "completed"
    reply = assistants_client.beta.threads.messages.list(thread_id, run_id=run.id).data[0]
    assert reply.content[0].type == "text"
    assert "pizza" in reply.content[0].text.value
    assert "sunny" in reply.content[0].text.value


def test_parallel_tool_calls_false_makes_one_call(assistants_client: OpenAI) -> None:
    _, run = _setup(
        assistants_client,
        "What is the weather in Rome and my favorite food on Friday?",
        parallel_tool_calls=False,
    )
    assert run.required_action is not None
    assert len(run.required_action.submit_tool_outputs.tool_calls) == 1


@pytest.mark.parametrize(
    ("question", "tool_choice", "called"),
    [
        ("What's the weather in Oslo?", "none", None),
        ("Hello there!", "required", "get_current_weather"),
        ("Hello there!", "auto", None),
        ("What's the weather in Oslo?", "auto", "get_current_weather"),
        (
            "What's the weather in Oslo?",
            {"type": "function", "function": {"name": "get_favorite_food"}},
            "get_favorite_food",
        ),
    ],
    ids=["none", "required", "auto-text", "auto-call", "named"],
)
def test_tool_choice(
    assistants_client: OpenAI, question: str, tool_choice: Any, called: str | None
) -> None:
    _, run = _setup(assistants_client, question, tool_choice=tool_choice)
    if called is None:
        assert run.status == "completed"
        return
    assert run.status == "requires_action"
    assert run.required_action is not None
    names = [c.function.name for c in run.required_action.submit_tool_outputs.tool_calls]
    assert names == [called]


def test_outputs_in_the_wrong_state(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o")
    thread = assistants_client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id
    )
    with pytest.raises(BadRequestError) as error:
        assistants_client.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_x", "output": "1"}]
        )
    assert error_message(error.value) == 'Runs in status "completed" do not accept tool outputs.'


class ToolRecorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.events: list[str] = []
        self.arguments = ""

    @override
    def on_event(self, event: AssistantStreamEvent) -> None:
        if not self.events or self.events[-1] != event.event or not event.event.endswith("delta"):
            self.events.append(event.event)

    @override
    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        self.calls.append(f"created:{tool_call.type}")

    @override
    def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall) -> None:
        if delta.type == "function" and delta.function is not None:
            self.arguments += delta.function.arguments or ""

    @override
    def on_tool_call_done(self, tool_call: ToolCall) -> None:
        self.calls.append(f"done:{tool_call.type}")


def test_streamed_round_trip(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    recorder = ToolRecorder()
    with assistants_client.beta.threads.create_and_run_stream(
        assistant_id=assistant.id,
        thread={"messages": [{"role": "user", "content": "Weather in Lima, in fahrenheit?"}]},
        event_handler=recorder,
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert recorder.events == [
        "thread.created",
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.run.step.delta",
        "thread.run.requires_action",
    ]
    assert recorder.calls[:1] == ["created:function"]
    assert run.status == "requires_action"
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    assert recorder.arguments == call.function.arguments
    assert json.loads(call.function.arguments) == {"location": "Lima", "unit": "fahrenheit"}

    after = ToolRecorder()
    with assistants_client.beta.threads.runs.submit_tool_outputs_stream(
        run_id=run.id,
        thread_id=run.thread_id,
        tool_outputs=[{"tool_call_id": call.id, "output": "warm and sunny"}],
        event_handler=after,
    ) as stream:
        stream.until_done()
        final = stream.get_final_run()
        text = stream.get_final_messages()[0].content[0]
    assert after.events == [
        "thread.run.step.completed",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.message.created",
        "thread.message.in_progress",
        "thread.message.delta",
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
    ]
    assert final.status == "completed"
    assert text.type == "text"
    assert "warm and sunny" in text.text.value


@pytest.mark.assistants_mock(run_progression="immediate")
def test_a_waiting_run_expires(assistants_mock: MockServer, assistants_client: OpenAI) -> None:
    thread_id, run = _setup(assistants_client, "What's the weather in Oslo?")
    assert run.status == "requires_action"
    assert run.expires_at is not None
    assistants_mock.backend.clock.advance(run.expires_at - run.created_at)
    expired = assistants_client.beta.threads.runs.retrieve(run.id, thread_id=thread_id)
    assert expired.status == "expired"
    step = assistants_client.beta.threads.runs.steps.list(run.id, thread_id=thread_id).data[0]
    assert step.status == "expired"
    assert step.expired_at == run.expires_at
    with pytest.raises(BadRequestError, match="do not accept tool outputs"):
        assistants_client.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread_id, tool_outputs=[{"tool_call_id": "call_x", "output": "1"}]
        )
    # The thread is free again.
    assistants_client.beta.threads.messages.create(thread_id, role="user", content="Still there?")


def test_cancel_a_waiting_run(assistants_client: OpenAI) -> None:
    thread_id, run = _setup(assistants_client, "What's the weather in Oslo?")
    cancelling = assistants_client.beta.threads.runs.cancel(run.id, thread_id=thread_id)
    assert cancelling.status == "cancelling"
    cancelled = assistants_client.beta.threads.runs.poll(run.id, thread_id=thread_id)
    assert cancelled.status == "cancelled"
    step = assistants_client.beta.threads.runs.steps.list(run.id, thread_id=thread_id).data[0]
    assert step.status == "cancelled"
