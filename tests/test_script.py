"""Scripting the fake model, in its three ways: the Python API, a scenario file, and the
HTTP control endpoint. Each scripted outcome is checked through the official SDK."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openai import OpenAI
from openai.types.beta.threads import Run

from mock_server import MockServer
from mock_server.script import ScriptError

from .sdk import httpx

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}

Way = Callable[[dict[str, Any]], MockServer]


@pytest.fixture(params=["python", "file", "http"])
def scripted(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Way]:
    """Start a server scripted with one rule, in the way the parameter names."""
    servers: list[MockServer] = []

    def start(rule: dict[str, Any]) -> MockServer:
        if request.param == "file":
            path = tmp_path / "scenario.yaml"
            path.write_text(json.dumps({"rules": [rule]}))  # JSON is YAML
            server = MockServer(scenario=path).start()
        else:
            server = MockServer().start()
            if request.param == "python":
                server.script(rule)
            else:
                answer = httpx.post(
                    f"http://127.0.0.1:{server.port}/assistants-mock/script", json=rule
                )
                assert answer.status_code == 200, answer.text
                assert answer.json()["added"] == 1
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.backend.script.assert_all_used()
        server.stop()


def run_once(server: MockServer, question: str = "Hello", **kwargs: Any) -> tuple[OpenAI, Run]:
    client: OpenAI = server.client()
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        name="Helper",
        tools=[WEATHER, {"type": "code_interpreter"}],  # type: ignore[list-item]
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": question}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, **kwargs
    )
    return client, run


def reply_text(client: OpenAI, run: Run) -> str:
    block = client.beta.threads.messages.list(run.thread_id, run_id=run.id).data[0].content[0]
    assert block.type == "text"
    return block.text.value


def test_reply_text(scripted: Way) -> None:
    server = scripted({"message": "hello", "turns": [{"text": "Hi! I am scripted."}]})
    client, run = run_once(server)
    assert run.status == "completed"
    assert reply_text(client, run) == "Hi! I am scripted."


def test_tool_calls_with_exact_arguments(scripted: Way) -> None:
    server = scripted(
        {
            "assistant": "Helper",
            "turns": [
                {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Reykjavík"}}]},
                {"text": "It is cold in Reykjavík."},
            ],
        }
    )
    client, run = run_once(server, "Anything")
    assert run.status == "requires_action"
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    assert call.function.name == "get_weather"
    assert call.function.arguments == '{"city":"Reykjavík"}'
    done = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=run.thread_id,
        tool_outputs=[{"tool_call_id": call.id, "output": "-3C"}],
    )
    assert done.status == "completed"
    assert reply_text(client, done) == "It is cold in Reykjavík."


def test_code_interpreter_input_and_outputs(scripted: Way) -> None:
    server = scripted(
        {
            "turns": [
                {
                    "code": {
                        "input": "import math\nprint(math.pi)",
                        "logs": "3.141592653589793",
                        "image_file_ids": ["file-plot"],
                    },
                    "text": "Pi, and a plot.",
                }
            ]
        }
    )
    client, run = run_once(server)
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc").data
    details = steps[0].step_details
    assert details.type == "tool_calls"
    call = details.tool_calls[0]
    assert call.type == "code_interpreter"
    assert call.code_interpreter.input == "import math\nprint(math.pi)"
    assert [o.model_dump() for o in call.code_interpreter.outputs] == [
        {"type": "logs", "logs": "3.141592653589793"},
        {"type": "image", "image": {"file_id": "file-plot"}},
    ]
    assert reply_text(client, run) == "Pi, and a plot."


def test_failure(scripted: Way) -> None:
    server = scripted(
        {"turns": [{"fail": {"code": "rate_limit_exceeded", "message": "Slow down."}}]}
    )
    client, run = run_once(server)
    assert run.status == "failed"
    assert run.failed_at is not None
    assert run.last_error is not None
    assert run.last_error.model_dump() == {"code": "rate_limit_exceeded", "message": "Slow down."}
    # The thread is free again.
    client.beta.threads.messages.create(run.thread_id, role="user", content="Again")


def test_incomplete(scripted: Way) -> None:
    server = scripted({"turns": [{"text": "one two three four five six", "incomplete": True}]})
    client, run = run_once(server)
    assert run.status == "incomplete"
    assert run.incomplete_details is not None
    assert run.incomplete_details.reason == "max_completion_tokens"
    message = client.beta.threads.messages.list(run.thread_id, run_id=run.id).data[0]
    assert message.status == "incomplete"
    assert message.content[0].type == "text"
    assert message.content[0].text.value == "one two three"


def test_expired(scripted: Way) -> None:
    server = scripted({"turns": [{"expire": True}]})
    _, run = run_once(server)
    assert run.status == "expired"


def test_delay_between_deltas(scripted: Way) -> None:
    server = scripted({"turns": [{"text": "a b c d e", "delay_ms": 40}]})
    client: OpenAI = server.client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    arrivals: list[float] = []
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as s:
        for _ in s.text_deltas:
            arrivals.append(time.monotonic())
    assert len(arrivals) == 5
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.03


def test_rules_match_by_thread_and_apply_in_order(assistants_mock: MockServer) -> None:
    client: OpenAI = assistants_mock.client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    other = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    assistants_mock.script(thread=thread.id, turns=[{"text": "first"}, {"text": "second"}])
    texts = []
    for _ in range(2):
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant.id
        )
        texts.append(reply_text(client, run))
    assert texts == ["first", "second"]
    # Another thread gets the default model, and so does this one once the turns are used.
    run = client.beta.threads.runs.create_and_poll(thread_id=other.id, assistant_id=assistant.id)
    assert reply_text(client, run) not in ("first", "second")
    client.close()


def test_an_unused_script_is_an_error(assistants_mock: MockServer) -> None:
    assistants_mock.script(message="never asked", turns=[{"text": "unused"}])
    with pytest.raises(AssertionError, match="scripted turns never used"):
        assistants_mock.backend.script.assert_all_used()
    answer = httpx.get(f"http://127.0.0.1:{assistants_mock.port}/assistants-mock/script")
    assert answer.json() == {"unused": [{"message": "never asked", "turns_left": 1}]}
    httpx.delete(f"http://127.0.0.1:{assistants_mock.port}/assistants-mock/script")
    assistants_mock.backend.script.assert_all_used()


def test_bad_scripts_are_clear_errors(assistants_mock: MockServer, tmp_path: Path) -> None:
    answer = httpx.post(
        f"http://127.0.0.1:{assistants_mock.port}/assistants-mock/script",
        json={"turns": [{"text": "x", "fail": {}, "expire": True}]},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "invalid_request_error"
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - turns: []\n")
    with pytest.raises(ScriptError, match=r"bad\.yaml"):
        MockServer(scenario=bad)


def test_reset_reloads_the_scenario(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("rules:\n  - turns:\n      - text: From the file.\n")
    with MockServer(scenario=path) as server:
        assert server.backend.script.unused() == [{"turns_left": 1}]
        httpx.post(f"http://127.0.0.1:{server.port}/assistants-mock/reset")
        assert server.backend.script.unused() == [{"turns_left": 1}]
        client, run = run_once(server)
        assert reply_text(client, run) == "From the file."
        client.close()


def test_citations(scripted: Way) -> None:
    server = scripted({"turns": [{"text": "Cited.", "citations": [{"file_id": "file-cited"}]}]})
    client, run = run_once(server)
    message = client.beta.threads.messages.list(run.thread_id, run_id=run.id).data[0]
    block = message.content[0]
    assert block.type == "text"
    assert block.text.value == "Cited.【4:0†file-cited】"
    [annotation] = block.text.annotations
    assert annotation.type == "file_citation"
    assert annotation.file_citation.file_id == "file-cited"
    assert (annotation.start_index, annotation.end_index) == (6, len(block.text.value))
