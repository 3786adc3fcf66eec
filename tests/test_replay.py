"""`assistants-mock replay`: recorded cassettes served over HTTP to the official SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openai import AssistantEventHandler, NotFoundError, OpenAI
from openai.types.beta.threads import Message, Run, Text, TextDelta
from typing_extensions import override

from client.workflow import run_workflow
from mock_server import MockServer
from mock_server.cassettes import recorder
from mock_server.cli import main
from mock_server.rendering import WRITE_SIZE
from mock_server.replay import ReplayServer, sse_events, sse_writes

from .conftest import quiet, run_node
from .contract import extract_recorded
from .sdk import httpx
from .test_code_interpreter import CodeRecorder

OPENLLMETRY = Path(__file__).parent / "data" / "openllmetry__test_streaming_new_assistant.yaml"
"""Real traffic from api.openai.com, recorded by traceloop/openllmetry (Apache-2.0, see
tests/data/README.md): JSON bodies gzip-compressed, a streamed code-interpreter run."""


class Collector(CodeRecorder):
    """What a user's handler sees: code-interpreter input and logs, and text, delta by delta."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    @override
    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        self.text.append(delta.value or "")


def recorded_events() -> list[tuple[str, Any]]:
    """The recording's streamed events, read straight from the YAML (not through replay)."""
    interactions = yaml.safe_load(OPENLLMETRY.read_text())["interactions"]
    (stream,) = [i for i in interactions if i["request"]["uri"].endswith("/runs")]
    body = stream["response"]["body"]["string"]
    return [
        (name, json.loads(data))
        for name, data in extract_recorded.sse_events(body)
        if name != "done"
    ]


def math_tutor(client: OpenAI, handler: AssistantEventHandler) -> tuple[str, str]:
    """openllmetry's test, as its cassette shows it: the ids come from the replayed answers."""
    assistant = client.beta.assistants.create(
        name="Math Tutor",
        instructions="You are a personal math tutor. Write and run code to answer math questions.",
        tools=[{"type": "code_interpreter"}],
        model="gpt-4o-mini",
    )
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(
        thread_id=thread.id,
        role="user",
        content="I need to solve the equation `3x + 11 = 14`. Can you help me?",
    )
    client.beta.assistants.retrieve(assistant.id)
    with client.beta.threads.runs.stream(
        thread_id=thread.id,
        assistant_id=assistant.id,
        instructions="Please address the user as Jane Doe. The user has a premium account.",
        event_handler=handler,
    ) as stream:
        stream.until_done()
    return assistant.id, thread.id


def test_the_real_recording_replays_to_the_streaming_helper() -> None:
    events = recorded_events()
    (message,) = [data for name, data in events if name == "thread.message.completed"]
    (code_step,) = [
        data
        for name, data in events
        if name == "thread.run.step.completed" and data["type"] == "tool_calls"
    ]
    (call,) = code_step["step_details"]["tool_calls"]
    recorded_run = next(data for name, data in events if name == "thread.run.completed")

    handler = Collector()
    with ReplayServer([OPENLLMETRY]) as server, server.client() as client:
        assistant_id, thread_id = math_tutor(client, handler)
        assert server.tape.unplayed == []

    # The gzip-compressed JSON answers arrived decompressed: the ids are the recorded ones.
    assert assistant_id == recorded_run["assistant_id"]
    assert thread_id == recorded_run["thread_id"]
    assert "".join(handler.inputs) == call["code_interpreter"]["input"]
    assert call["code_interpreter"]["outputs"] == []  # as recorded: no logs came back
    assert handler.logs == []
    assert "".join(handler.text) == message["content"][0]["text"]["value"]
    recorded_inputs = [
        data["delta"]["step_details"]["tool_calls"][0]["code_interpreter"]["input"]
        for name, data in events
        if name == "thread.run.step.delta"
    ]
    assert len(recorded_inputs) == 57
    # One on_tool_call_delta per recorded delta; the first one announces the call
    # (on_tool_call_created) instead.
    assert handler.inputs == recorded_inputs[1:]
    final = handler.get_final_run()
    assert final.model_dump(mode="json") == Run.model_validate(recorded_run).model_dump(mode="json")
    (reply,) = handler.get_final_messages()
    assert reply == Message.model_validate(message)


def test_a_request_never_recorded_gets_the_error_envelope_naming_the_closest() -> None:
    with ReplayServer([OPENLLMETRY]) as server, server.client() as client:
        client.beta.assistants.create(
            name="Math Tutor",
            instructions="You are a personal math tutor. Write and run code to answer math "
            "questions.",
            tools=[{"type": "code_interpreter"}],
            model="gpt-4o-mini",
        )
        with pytest.raises(NotFoundError) as raised:
            client.beta.assistants.create(model="gpt-4o", name="Someone else")
    assert raised.value.status_code == 404
    body: Any = raised.value.body
    assert body == {
        "message": body["message"],
        "type": "invalid_request_error",
        "param": None,
        "code": "request_not_recorded",
    }
    message = body["message"]
    assert message.startswith(
        "No recorded interaction matches POST /v1/assistants. The closest recorded request is "
        "POST /v1/assistants (openllmetry__test_streaming_new_assistant.yaml, interaction 1): "
        "body_json differs ("
    ), message


def test_a_request_to_an_unrecorded_path_names_the_closest_by_method() -> None:
    with (
        ReplayServer([OPENLLMETRY]) as server,
        server.client() as client,
        pytest.raises(NotFoundError) as raised,
    ):
        client.beta.threads.retrieve("thread_unknown")
    message = raised.value.body["message"]  # type: ignore[index]
    assert message.startswith(
        "No recorded interaction matches GET /v1/threads/thread_unknown. The closest recorded "
        "request is GET /v1/assistants/asst_eXyrYQvlVGnRBIVYf7r9U1FN (openllmetry__"
    ), message
    assert "path differs" in message


def poll(client: OpenAI, times: int) -> tuple[Run, list[str]]:
    """Create a run, then retrieve it `times` times: the run and the statuses seen."""
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    retrieve = client.beta.threads.runs.retrieve
    return run, [retrieve(run_id=run.id, thread_id=thread.id).status for _ in range(times)]


def polled_cassette(path: Path) -> list[str]:
    """A cassette in which one request (`GET run`) was recorded with three answers; their
    statuses."""
    with (
        MockServer(seed=0, run_progression="per_poll", poll_after_ms=1) as server,
        server.client() as client,
        recorder(record_mode="all").use_cassette(str(path)),
    ):
        return poll(client, 3)[1]


def test_a_request_recorded_several_times_is_answered_in_recorded_order(tmp_path: Path) -> None:
    path = tmp_path / "polled.yaml"
    recorded = polled_cassette(path)
    assert recorded[0] != recorded[-1]
    with ReplayServer([path]) as server, server.client() as client:
        run, statuses = poll(client, 3)
        assert statuses == recorded
        with pytest.raises(NotFoundError, match="Every recorded answer to GET /v1/threads/"):
            client.beta.threads.runs.retrieve(run_id=run.id, thread_id=run.thread_id)

        # Rewinding starts the tape over.
        httpx.post(f"http://{server.host}:{server.port}/assistants-mock/reset")
        assert client.beta.assistants.create(model="gpt-4o").id == run.assistant_id


def test_allow_repeats_repeats_the_last_answer(tmp_path: Path) -> None:
    path = tmp_path / "polled.yaml"
    recorded = polled_cassette(path)
    with ReplayServer([path], allow_repeats=True) as server, server.client() as client:
        _, statuses = poll(client, 5)
    assert statuses == [*recorded, recorded[-1], recorded[-1]]


def test_the_status_route_lists_what_was_not_played(tmp_path: Path) -> None:
    with ReplayServer([OPENLLMETRY]) as server:
        before = httpx.get(f"http://{server.host}:{server.port}/assistants-mock/replay").json()
        with server.client() as client:
            client.beta.threads.create()
        after = httpx.get(f"http://{server.host}:{server.port}/assistants-mock/replay").json()
    assert before["interactions"] == 5
    assert before["played"] == 0
    assert after["played"] == 1
    assert after["unplayed"][0] == (
        "POST /v1/assistants (openllmetry__test_streaming_new_assistant.yaml, interaction 1)"
    )
    assert len(after["unplayed"]) == 4


def test_our_own_workflow_replays_from_several_cassettes(tmp_path: Path) -> None:
    """Two cassettes are one tape, in the order given: the same request (both workflows create
    the same assistant) gets the first cassette's answer first, then the second's."""
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    with MockServer(seed=0) as server, server.client() as client:
        with recorder(record_mode="all").use_cassette(str(first)):
            live_first = run_workflow(client, out=quiet)
        with recorder(record_mode="all").use_cassette(str(second)):
            live_second = run_workflow(client, out=quiet, prompt="And a puffin?")
    with ReplayServer([first, second]) as replay, replay.client() as client:
        assert run_workflow(client, out=quiet) == live_first
        assert run_workflow(client, out=quiet, prompt="And a puffin?") == live_second
        assert replay.tape.unplayed == []


def test_the_node_sdk_replays_the_real_recording() -> None:
    """Clients in any language: the Node SDK's stream helper gets the recorded run."""
    events = recorded_events()
    recorded_run = next(data for name, data in events if name == "thread.run.completed")
    (message,) = [data for name, data in events if name == "thread.message.completed"]
    seen = run_node("replay.mjs", server=ReplayServer([OPENLLMETRY]))
    assert seen["events"] == [name for name, _ in events]
    assert seen["run"] == recorded_run
    assert seen["text"] == message["content"][0]["text"]["value"]
    (code_step,) = [
        data
        for name, data in events
        if name == "thread.run.step.completed" and data["type"] == "tool_calls"
    ]
    assert (
        "".join(seen["code"])
        == code_step["step_details"]["tool_calls"][0]["code_interpreter"]["input"]
    )


def test_server_sent_events_are_cut_between_events() -> None:
    body = b"event: a\ndata: 1\n\nevent: b\ndata: {}\n\nevent: done\ndata: [DONE]\n\n"
    assert list(sse_events(body)) == [
        b"event: a\ndata: 1\n\n",
        b"event: b\ndata: {}\n\n",
        b"event: done\ndata: [DONE]\n\n",
    ]
    assert list(sse_events(b"data: 1\r\n\r\ndata: 2")) == [b"data: 1\r\n\r\n", b"data: 2"]
    assert list(sse_events(b"")) == []


def test_server_sent_events_are_written_as_the_mock_server_writes_them() -> None:
    """The first event alone, then writes of up to WRITE_SIZE bytes, whole events each."""
    event = b"event: thread.message.delta\ndata: " + b"x" * 1000 + b"\n\n"
    body = b"event: thread.run.created\ndata: {}\n\n" + event * 40
    writes = list(sse_writes(body))
    assert b"".join(writes) == body
    assert writes[0] == b"event: thread.run.created\ndata: {}\n\n"
    assert [len(w) // len(event) for w in writes[1:]] == [15, 15, 10]  # 15 * 1036 <= 16384
    assert all(len(w) <= WRITE_SIZE for w in writes)
    assert list(sse_writes(b"")) == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        ("interactions: [\n", "not a vcrpy cassette (while parsing a flow node"),
        ("a: 1\n", "not a vcrpy cassette ('interactions')"),
    ],
)
def test_replay_refuses_what_is_not_a_cassette(
    tmp_path: Path, content: str | None, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cassette.yaml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as exited:
        main(["replay", str(path)])
    assert exited.value.code == 2
    assert capsys.readouterr().err.startswith(f"assistants-mock: cannot replay {path}: {reason}")
