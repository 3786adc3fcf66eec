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
from .subprocesses import finish, mock_server

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


# --- scripted calls the real model could never make ----------------------------------------

FORECAST: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_forecast",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer"},
                "unit": {"enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}


def failed_with(run: Run) -> str:
    """The message of a run failed by its script (checking status and code on the way)."""
    assert run.status == "failed", run.status
    assert run.last_error is not None
    assert run.last_error.code == "server_error"
    assert run.failed_at is not None
    return run.last_error.message


def test_a_call_to_a_function_the_assistant_lacks_fails_the_run(scripted: Way) -> None:
    server = scripted({"assistant": "Helper", "turns": [{"tool_calls": [{"name": "get_wether"}]}]})
    client, run = run_once(server)
    assert failed_with(run) == (
        "Scripted rule 0 (assistant='Helper'), turn 0: function 'get_wether' is not one of "
        "the run's functions ('get_weather')."
    )
    # The thread is free again, and nothing asked for tool outputs.
    assert client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id).data == []
    client.beta.threads.messages.create(run.thread_id, role="user", content="Again")


def test_a_streamed_run_ends_with_run_failed(assistants_mock: MockServer) -> None:
    assistants_mock.script(turns=[{"text": "Looking."}, {"tool_calls": [{"name": "nope"}]}])
    client: OpenAI = assistants_mock.client()
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])  # type: ignore[list-item]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as s:
        names = [event.event for event in s]
        run = s.current_run
    assert names[-1] == "thread.run.failed"
    assert "thread.run.requires_action" not in names
    assert run is not None
    assert failed_with(run) == (
        "Scripted rule 0 (any run), turn 1: function 'nope' is not one of the run's "
        "functions ('get_weather')."
    )
    client.close()


def test_a_run_override_without_the_function_fails_the_run(assistants_mock: MockServer) -> None:
    assistants_mock.script(turns=[{"tool_calls": [{"name": "get_weather"}]}])
    _, run = run_once(assistants_mock, tools=[{"type": "code_interpreter"}])
    assert failed_with(run).endswith(
        "function 'get_weather' is not one of the run's functions (none)."
    )


def test_a_run_override_with_the_function_lets_the_call_through(
    assistants_mock: MockServer,
) -> None:
    assistants_mock.script(turns=[{"tool_calls": [{"name": "get_forecast"}]}])
    _, run = run_once(assistants_mock, tools=[FORECAST])  # the assistant lacks it
    assert failed_with(run).endswith("at $, 'city' is a required property.")


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ({"city": "Oslo", "days": "three"}, "at $.days, 'three' is not of type 'integer'"),
        ({"days": 3}, "at $, 'city' is a required property"),
        (
            {"city": "Oslo", "unit": "kelvin"},
            "at $.unit, 'kelvin' is not one of ['celsius', 'fahrenheit']",
        ),
        ('{"city": "Oslo"', "arguments are not JSON"),
    ],
    ids=["wrong-type", "missing-required", "not-in-enum", "not-json"],
)
def test_arguments_the_schema_refuses_fail_the_run(
    assistants_mock: MockServer, arguments: dict[str, Any] | str, reason: str
) -> None:
    assistants_mock.script(
        message="forecast",
        turns=[{"tool_calls": [{"name": "get_forecast", "arguments": arguments}]}],
    )
    _, run = run_once(assistants_mock, "The forecast?", tools=[FORECAST])
    message = failed_with(run)
    assert message.startswith("Scripted rule 0 (message='forecast'), turn 0: function ")
    assert reason in message


def test_strict_functions_take_every_property_and_no_other(assistants_mock: MockServer) -> None:
    strict = {"type": "function", "function": {**FORECAST["function"], "strict": True}}
    full = {"city": "Oslo", "days": 3, "unit": "celsius"}
    assistants_mock.script(
        turns=[
            {"tool_calls": [{"name": "get_forecast", "arguments": full}]},
            {"text": "Done."},
        ]
    )
    assistants_mock.script(
        turns=[{"tool_calls": [{"name": "get_forecast", "arguments": {**full, "wind": True}}]}]
    )
    client, run = run_once(assistants_mock, tools=[strict])
    assert run.status == "requires_action"
    [call] = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
    done = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=run.thread_id,
        tool_outputs=[{"tool_call_id": call.id, "output": "Rain."}],
    )
    assert done.status == "completed"
    _, run = run_once(assistants_mock, tools=[strict])
    assert failed_with(run).endswith(
        "(strict: every property required, no others): at $, Additional properties are not "
        "allowed ('wind' was unexpected)."
    )


@pytest.mark.parametrize(
    ("run_options", "reason"),
    [
        ({"tool_choice": "none"}, "the run's tool_choice is 'none'"),
        (
            {"tool_choice": {"type": "function", "function": {"name": "get_forecast"}}},
            "function 'get_weather', but the run's tool_choice forces 'get_forecast'",
        ),
        ({"tool_choice": {"type": "code_interpreter"}}, "forces the code_interpreter tool"),
        ({"parallel_tool_calls": False}, "2 calls, but the run's parallel_tool_calls is false"),
    ],
    ids=["choice-none", "choice-other-function", "choice-code", "not-parallel"],
)
def test_calls_the_run_options_rule_out_fail_the_run(
    assistants_mock: MockServer, run_options: dict[str, Any], reason: str
) -> None:
    calls = [{"name": "get_weather", "arguments": {"city": c}} for c in ("Oslo", "Rome")]
    assistants_mock.script(turns=[{"tool_calls": calls}])
    _, run = run_once(assistants_mock, tools=[WEATHER, FORECAST], **run_options)
    assert reason in failed_with(run)


# --- scripts that cannot be read -------------------------------------------------------------


def test_unknown_keys_are_named_with_where_they_are(assistants_mock: MockServer) -> None:
    url = f"http://127.0.0.1:{assistants_mock.port}/assistants-mock/script"
    scenario = {"rules": [{"turns": [{"text": "x"}, {"toolcalls": []}]}]}
    answer = httpx.post(url, json=scenario)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "message": "Unrecognized key: 'rules[0].turns[1].toolcalls' (a turn takes text, "
            "citations, tool_calls, code, fail, incomplete, expire, delay_ms).",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    answer = httpx.post(url, json={"turn": [{"text": "x"}], "assistant": "a", "colour": 1})
    assert answer.json()["error"]["message"] == (
        "Unrecognized keys: 'turn' (a rule takes assistant, thread, message, turns); "
        "'colour' (a rule takes assistant, thread, message, turns)."
    )
    # Other complaints speak of the body as it is (a rule), not of a scenario's `rules`.
    answer = httpx.post(url, json={"assistant": "a"})
    assert answer.json()["error"]["message"] == "Missing required parameter: 'turns'."
    answer = httpx.post(url, json={"message": "(", "turns": [{"text": "x"}]})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith(
        "Invalid 'message': Value error, not a regular expression"
    )
    assert httpx.get(url).json() == {"unused": []}


def test_python_and_file_scripts_name_unknown_keys(
    assistants_mock: MockServer, tmp_path: Path
) -> None:
    with pytest.raises(ScriptError) as raised:
        assistants_mock.script(turns=[{"tool_calls": [{"name": "f", "args": {}}]}])
    assert str(raised.value) == (
        "Unrecognized key: 'turns[0].tool_calls[0].args' (a call takes name, arguments)."
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - turns:\n      - text: x\n        delay: 5\n")
    with pytest.raises(ScriptError) as raised:
        MockServer(scenario=bad)
    assert str(raised.value) == (
        f"{bad}: Unrecognized key: 'rules[0].turns[0].delay' (a turn takes text, citations, "
        "tool_calls, code, fail, incomplete, expire, delay_ms)."
    )


def test_serve_names_a_bad_scenario_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - turns: [{text: x}]\n    asistant: Helper\n")
    done = finish(mock_server("serve", "--scenario", str(bad), "--port", "0"))
    assert done.returncode == 2  # a bad input, as argparse exits
    assert done.stdout == ""
    assert done.stderr == (
        f"assistants-mock: bad scenario: {bad}: Unrecognized key: 'rules[0].asistant' "
        "(a rule takes assistant, thread, message, turns).\n"
    )
