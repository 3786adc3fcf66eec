"""A real recorded chat-completions stream with a tool call (openllmetry's cassette, see
tests/data/README.md), replayed by the stub as the upstream: the Assistants stream the
server makes from it passes the contract checks the fake model's streams pass (the spec's
schemas and the SDK's types, event order) and the Python and Node SDKs' stream helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openai import OpenAI

from mock_server import MockServer

from .conftest import run_node
from .test_contract_runs import event_problems
from .test_upstream import _stream
from .upstream_stub import Reply, UpstreamStub

CASSETTE = Path(__file__).parent / "data" / "openllmetry__test_chat_tools_streaming.yaml"


def recorded() -> tuple[dict[str, Any], str]:
    """The recorded request body and the streamed response's SSE text."""
    (interaction,) = yaml.safe_load(CASSETTE.read_text())["interactions"]
    body = json.loads(interaction["request"]["body"])
    return body, interaction["response"]["body"]["string"]


REQUEST, STREAM = recorded()
TOOL = REQUEST["tools"][0]
CALL_ID = "call_P9Ayqu3UQNYuTBVAg2sLimh9"  # as recorded
PAUSED = [
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.run.step.delta",
    "thread.run.requires_action",
]


@pytest.fixture
def server() -> Iterator[tuple[MockServer, UpstreamStub]]:
    with UpstreamStub() as stub, MockServer(model_upstream=stub.base_url) as running:
        stub.replies += [Reply(recorded=STREAM), Reply(text="It is 18C and foggy.")]
        yield running, stub


def _conversation(client: OpenAI) -> tuple[str, str]:
    assistant = client.beta.assistants.create(model=REQUEST["model"], tools=[TOOL])
    content = REQUEST["messages"][0]["content"]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": content}])
    return assistant.id, thread.id


def test_the_recorded_stream_makes_a_valid_assistants_stream(
    server: tuple[MockServer, UpstreamStub],
) -> None:
    running, stub = server
    assistant_id, thread_id = _conversation(running.client())
    got = _stream(running, thread_id, {"assistant_id": assistant_id})
    assert [p for name, data in got for p in event_problems(name, data)] == []
    assert [name for name, _ in got if not name.endswith(".delta")] == [
        n for n in PAUSED if not n.endswith(".delta")
    ]
    calls = got[-1][1]["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert calls == [
        {
            "id": CALL_ID,
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "arguments": '{"location":"San Francisco"}',
            },
        }
    ]
    sent = stub.requests[0]
    assert sent["messages"] == REQUEST["messages"]  # the request the recording answered
    assert sent["tools"][0]["function"] == {**TOOL["function"], "strict": False}


def test_the_python_stream_helpers_follow_the_replayed_run(
    server: tuple[MockServer, UpstreamStub],
) -> None:
    running, _ = server
    client = running.client()
    assistant_id, thread_id = _conversation(client)
    with client.beta.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id) as stream:
        stream.until_done()
        paused = stream.get_final_run()
    assert paused.status == "requires_action"
    assert paused.required_action is not None
    (call,) = paused.required_action.submit_tool_outputs.tool_calls
    assert call.id == CALL_ID
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread_id,
        run_id=paused.id,
        tool_outputs=[{"tool_call_id": CALL_ID, "output": "18C, fog"}],
    ) as stream:
        text = "".join(stream.text_deltas)
        run = stream.get_final_run()
    assert run.status == "completed"
    assert text == "It is 18C and foggy."


def test_the_node_stream_helpers_follow_the_replayed_run() -> None:
    with UpstreamStub() as stub:
        stub.replies += [Reply(recorded=STREAM), Reply(text="It is 18C and foggy.")]
        seen = run_node("upstream.mjs", server=MockServer(model_upstream=stub.base_url))
    assert seen["paused"] == "requires_action"
    assert seen["call"]["id"] == CALL_ID
    assert seen["callbacks"] == [
        f"toolCallCreated:{CALL_ID}",
        'toolCallDone:{"location":"San Francisco"}',
    ]
    assert seen["status"] == "completed"
    assert seen["text"] == "It is 18C and foggy."
    assert seen["events"][-1] == "thread.run.completed"
    assert stub.requests[1]["messages"][-1] == {
        "role": "tool",
        "tool_call_id": CALL_ID,
        "content": "18C, fog",
    }
