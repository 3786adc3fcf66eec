"""The upstream bridge (`model_upstream`): a run's turns played by a chat-completions
model, here `UpstreamStub`, through the official SDK and raw HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from openai import OpenAI
from openai.types.beta.threads.run_submit_tool_outputs_params import ToolOutput

from mock_server import MockServer, Settings
from mock_server.settings import SettingsError

from .sdk import vector_stores
from .test_contract_runs import WEATHER, event_problems, events
from .upstream_stub import Reply, UpstreamStub

KEY = "sk-upstream-secret-0123456789"


@pytest.fixture
def stub() -> Iterator[UpstreamStub]:
    with UpstreamStub() as server:
        yield server


@pytest.fixture
def bridged(stub: UpstreamStub, monkeypatch: pytest.MonkeyPatch) -> Iterator[MockServer]:
    monkeypatch.setenv("ASSISTANTS_MOCK_UPSTREAM_KEY", KEY)
    with MockServer(
        model_upstream=stub.base_url, model_map="gpt-4o=llama3.1:8b", model_upstream_timeout_ms=2000
    ) as server:
        yield server


@pytest.fixture
def client(bridged: MockServer) -> OpenAI:
    return bridged.client()


def _thread(client: OpenAI, content: str, **assistant: Any) -> tuple[str, str]:
    made = client.beta.assistants.create(model="gpt-4o", instructions="You are terse.", **assistant)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": content}])
    return made.id, thread.id


def _stream(server: MockServer, thread_id: str, body: dict[str, Any]) -> list[tuple[str, Any]]:
    headers = {"Authorization": f"Bearer {server.api_key}", "OpenAI-Beta": "assistants=v2"}
    with httpx2.Client(base_url=server.base_url, headers=headers, timeout=10) as http:
        response = http.post(f"/threads/{thread_id}/runs", json={**body, "stream": True})
        assert response.status_code == 200, response.text
        return events(response.text)


def test_text_streams_through_from_the_upstream(
    bridged: MockServer, client: OpenAI, stub: UpstreamStub
) -> None:
    usage = {"prompt_tokens": 21, "completion_tokens": 5}
    stub.replies.append(Reply(text="Penguins are flightless birds.", usage=usage))
    assistant_id, thread_id = _thread(client, "What is a penguin?")
    got = _stream(
        bridged, thread_id,
        {"assistant_id": assistant_id, "additional_instructions": "Be kind.", "temperature": 0.2},
    )  # fmt: skip
    problems = [p for name, data in got for p in event_problems(name, data)]
    assert problems == []
    names = [name for name, _ in got]
    assert names[:3] == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert names[-1] == "thread.run.completed"
    deltas = [
        d["delta"]["content"][0]["text"]["value"] for n, d in got if n == "thread.message.delta"
    ]
    assert deltas == ["Penguins", " are", " flightless", " birds."]
    assert {k: got[-1][1]["usage"][k] for k in usage} == usage  # the upstream's
    sent = stub.requests[0]
    assert sent["model"] == "llama3.1:8b"  # renamed by model_map
    assert sent["messages"] == [
        {"role": "system", "content": "You are terse.\n\nBe kind."},
        {"role": "user", "content": "What is a penguin?"},
    ]
    assert sent["temperature"] == 0.2
    assert sent["stream"] is True
    assert stub.headers[0]["authorization"] == f"Bearer {KEY}"
    text = client.beta.threads.messages.list(thread_id).data[0].content[0]
    assert text.type == "text"
    assert text.text.value == "Penguins are flightless birds."


def test_upstream_tool_calls_become_requires_action_with_their_ids(
    bridged: MockServer, client: OpenAI, stub: UpstreamStub
) -> None:
    stub.replies += [
        Reply(tool_calls=[("call_up1", "get_current_weather", '{"location": "Nairobi"}')]),
        Reply(text="It is sunny in Nairobi."),
    ]
    assistant_id, thread_id = _thread(client, "Weather in Nairobi?", tools=[WEATHER])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    assert run.status == "requires_action"
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    assert (call.id, call.function.name) == ("call_up1", "get_current_weather")
    assert json.loads(call.function.arguments) == {"location": "Nairobi"}
    sent: dict[str, Any] = stub.requests[0]["tools"][0]
    assert sent["function"].pop("strict") is False
    assert sent == WEATHER
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread_id,
        tool_outputs=[ToolOutput(tool_call_id="call_up1", output="sunny")],
    )
    assert run.status == "completed"
    assert stub.requests[1]["messages"][-2:] == [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_up1", "type": "function",
             "function": {"name": "get_current_weather", "arguments": '{"location": "Nairobi"}'}}]},
        {"role": "tool", "tool_call_id": "call_up1", "content": "sunny"},
    ]  # fmt: skip
    reply = client.beta.threads.messages.list(thread_id).data[0].content[0]
    assert reply.type == "text"
    assert reply.text.value == "It is sunny in Nairobi."


@pytest.mark.parametrize(
    ("reply", "status", "code"),
    [
        (Reply(status=429), "failed", "rate_limit_exceeded"),
        (Reply(status=500), "failed", "server_error"),
        (Reply(text="cut short here", finish="length"), "incomplete", None),
    ],
)
def test_upstream_failures_end_the_run_as_the_real_api(
    client: OpenAI, stub: UpstreamStub, reply: Reply, status: str, code: str | None
) -> None:
    stub.replies.append(reply)
    assistant_id, thread_id = _thread(client, "Hello?")
    run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    assert run.status == status
    if code is not None:
        assert run.last_error is not None
        assert run.last_error.code == code
        assert KEY not in run.last_error.message
    else:
        assert run.incomplete_details is not None
        assert run.incomplete_details.reason == "max_completion_tokens"


def test_a_timeout_fails_the_run_instead_of_leaving_it_stuck(
    bridged: MockServer, client: OpenAI, stub: UpstreamStub
) -> None:
    stub.replies.append(Reply(text="too late", delay_s=3))
    assistant_id, thread_id = _thread(client, "Hello?")
    got = _stream(bridged, thread_id, {"assistant_id": assistant_id})
    assert got[-1][0] == "thread.run.failed"
    assert got[-1][1]["last_error"]["code"] == "server_error"


def test_a_slow_upstream_blocks_no_other_request(
    bridged: MockServer, client: OpenAI, stub: UpstreamStub
) -> None:
    stub.replies.append(Reply(text="one two three four", delay_s=0.3))
    assistant_id, thread_id = _thread(client, "Hello?")
    done: list[float] = []
    streaming = threading.Thread(
        target=lambda: done.append(len(_stream(bridged, thread_id, {"assistant_id": assistant_id})))
    )
    streaming.start()
    time.sleep(0.4)  # the stream now waits on the upstream
    started = time.perf_counter()
    client.beta.assistants.list()
    other = time.perf_counter() - started
    streaming.join()
    assert done
    assert other < 0.3, other  # answered while the upstream was still streaming


def test_the_key_lands_in_no_journal_or_state(
    bridged: MockServer, client: OpenAI, stub: UpstreamStub
) -> None:
    stub.replies.append(Reply(status=401))
    assistant_id, thread_id = _thread(client, "Hello?")
    run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    assert run.status == "failed"
    headers = {"Authorization": f"Bearer {bridged.api_key}"}
    root = bridged.base_url.removesuffix("/v1")
    for path in ("/assistants-mock/requests", "/assistants-mock/state"):
        answer = httpx2.get(root + path, headers=headers)
        assert KEY not in answer.text
    assert KEY not in repr(bridged.backend.settings)


def test_a_scripted_turn_falls_through_to_the_upstream(
    bridged: MockServer, client: OpenAI, stub: UpstreamStub
) -> None:
    call = {"name": "get_current_weather", "arguments": {"location": "Oslo"}}
    bridged.script(message="weather", turns=[{"tool_calls": [call]}])
    stub.replies.append(Reply(text="Cold in Oslo."))
    assistant_id, thread_id = _thread(client, "What is the weather in Oslo?", tools=[WEATHER])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    assert run.status == "requires_action"
    assert run.required_action is not None
    call_id = run.required_action.submit_tool_outputs.tool_calls[0].id
    assert stub.requests == []  # the script played that turn
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread_id,
        tool_outputs=[ToolOutput(tool_call_id=call_id, output="-3C")],
    )
    assert run.status == "completed"
    assert stub.requests[0]["messages"][-1] == {
        "role": "tool",
        "tool_call_id": call_id,
        "content": "-3C",
    }


def test_file_search_stays_ours_and_the_reply_cites_what_it_used(
    bridged: MockServer, client: OpenAI, stub: UpstreamStub
) -> None:
    notes = b"Emperor penguins huddle together through the Antarctic winter to keep warm."
    file_id = client.files.create(
        file=("penguins.txt", notes, "text/plain"), purpose="assistants"
    ).id
    store = vector_stores(client).create(file_ids=[file_id]).id
    stub.replies += [
        Reply(tool_calls=[("call_fs", "file_search", '{"query": "emperor penguins winter"}')]),
        Reply(text="Emperor penguins huddle through the Antarctic winter."),
    ]
    assistant_id, thread_id = _thread(
        client, "How do penguins survive winter?", tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store]}},
    )  # fmt: skip
    got = _stream(bridged, thread_id, {"assistant_id": assistant_id})
    problems = [p for name, data in got for p in event_problems(name, data)]
    assert [p for p in problems if not p.endswith(".attributes")] == []  # as the fake model's
    assert got[-1][0] == "thread.run.completed"
    assert stub.requests[0]["tools"][0]["function"]["name"] == "file_search"
    found = json.loads(stub.requests[1]["messages"][-1]["content"])
    assert found[0]["file_name"] == "penguins.txt"
    message = client.beta.threads.messages.list(thread_id).data[0].content[0]
    assert message.type == "text"
    annotation = message.text.annotations[0]
    assert annotation.type == "file_citation"
    assert annotation.file_citation.file_id == file_id
    assert message.text.value[annotation.start_index : annotation.end_index] == annotation.text


def test_a_cancel_while_the_upstream_streams_ends_the_run_cancelled(
    bridged: MockServer, client: OpenAI, stub: UpstreamStub
) -> None:
    stub.replies.append(Reply(text="slow words arriving one by one", delay_s=0.5))
    assistant_id, thread_id = _thread(client, "Hello?")
    got: list[list[tuple[str, Any]]] = []
    streaming = threading.Thread(
        target=lambda: got.append(_stream(bridged, thread_id, {"assistant_id": assistant_id}))
    )
    streaming.start()
    deadline = time.monotonic() + 5
    while (
        not (runs := client.beta.threads.runs.list(thread_id).data) and time.monotonic() < deadline
    ):
        time.sleep(0.02)
    time.sleep(1.3)  # the first word is out (at 1 s: after the role chunk); the rest are not
    client.beta.threads.runs.cancel(run_id=runs[0].id, thread_id=thread_id)
    streaming.join(timeout=5)
    assert not streaming.is_alive()
    names = [name for name, _ in got[0]]
    assert names[-1] == "thread.run.cancelled"
    assert "thread.message.incomplete" in names  # the reply it was writing
    assert client.beta.threads.runs.retrieve(run_id=runs[0].id, thread_id=thread_id).status == (
        "cancelled"
    )


def test_a_polled_run_advances_as_the_upstream_answers(client: OpenAI, stub: UpstreamStub) -> None:
    stub.replies.append(Reply(text="a b c", delay_s=0.2))
    assistant_id, thread_id = _thread(client, "Hello?")
    run = client.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant_id)
    seen = {client.beta.threads.runs.retrieve(run_id=run.id, thread_id=thread_id).status}
    while "completed" not in seen:
        time.sleep(0.05)
        seen.add(client.beta.threads.runs.retrieve(run_id=run.id, thread_id=thread_id).status)
    assert "in_progress" in seen  # reads answered while the upstream was still talking


@pytest.mark.parametrize(
    ("given", "setting"),
    [
        ({"model_upstream": "localhost:11434"}, "model_upstream"),
        ({"model_map": "gpt-4o"}, "model_map"),
    ],
)
def test_upstream_settings_are_checked(given: dict[str, Any], setting: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings(**given)
    assert raised.value.setting == setting


def test_an_upstream_that_does_not_stream_still_plays_the_turn(
    client: OpenAI, stub: UpstreamStub
) -> None:
    stub.replies += [
        Reply(tool_calls=[("call_whole", "get_current_weather", '{"location": "Quito"}')],
              streamed=False),
        Reply(text="Mild in Quito.", streamed=False),
    ]  # fmt: skip
    assistant_id, thread_id = _thread(client, "Weather in Quito?", tools=[WEATHER])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    assert run.required_action is not None
    assert run.required_action.submit_tool_outputs.tool_calls[0].id == "call_whole"
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread_id,
        tool_outputs=[ToolOutput(tool_call_id="call_whole", output="15C")],
    )
    assert run.status == "completed"
    reply = client.beta.threads.messages.list(thread_id).data[0].content[0]
    assert reply.type == "text"
    assert reply.text.value == "Mild in Quito."


def test_a_scenario_file_names_the_upstream(stub: UpstreamStub, tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"settings:\n  model_upstream: {stub.base_url}\nrules: []\n")
    stub.replies.append(Reply(text="From the scenario's upstream."))
    with MockServer(scenario=scenario) as server:
        client = server.client()
        assistant_id, thread_id = _thread(client, "Hello?")
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread_id, assistant_id=assistant_id
        )
        assert run.status == "completed"
        reply = client.beta.threads.messages.list(thread_id).data[0].content[0]
        assert reply.type == "text"
        assert reply.text.value == "From the scenario's upstream."


def test_a_search_and_a_function_in_one_answer(client: OpenAI, stub: UpstreamStub) -> None:
    notes = b"Oslo winters are cold and dark."
    file_id = client.files.create(file=("oslo.txt", notes), purpose="assistants").id
    store = vector_stores(client).create(file_ids=[file_id]).id
    stub.replies += [
        Reply(tool_calls=[("call_fs", "file_search", '{"query": "Oslo winters"}'),
                          ("call_fn", "get_current_weather", '{"location": "Oslo"}')]),
        Reply(text="Cold, as ever."),
    ]  # fmt: skip
    assistant_id, thread_id = _thread(
        client, "Oslo weather and winters?", tools=[WEATHER, {"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store]}},
    )  # fmt: skip
    run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id)
    assert run.required_action is not None
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert [c.id for c in calls] == ["call_fn"]  # the search is ours, never the client's
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread_id,
        tool_outputs=[ToolOutput(tool_call_id="call_fn", output="-2C")],
    )
    assert run.status == "completed"
    assistant_turn, searched, called = stub.requests[1]["messages"][-3:]
    assert [c["id"] for c in assistant_turn["tool_calls"]] == ["call_fs", "call_fn"]
    assert searched["tool_call_id"] == "call_fs"
    assert json.loads(searched["content"])[0]["text"] == notes.decode()
    assert called == {"role": "tool", "tool_call_id": "call_fn", "content": "-2C"}
    steps = client.beta.threads.runs.steps.list(run_id=run.id, thread_id=thread_id, order="asc")
    kinds = [
        [c.type for c in s.step_details.tool_calls] if s.step_details.type == "tool_calls" else []
        for s in steps.data
    ]
    assert kinds == [["file_search"], ["function"], []]
