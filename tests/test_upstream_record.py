"""The documented way to record a realistic Assistants cassette through a real model:
`serve --model-upstream URL` behind `record`, end to end against the upstream stub; then
the cassette replays to the SDK with no model and no server."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from openai import OpenAI
from openai.types.beta.threads.run_submit_tool_outputs_params import ToolOutput

from mock_server.proxy import RecordingProxy
from mock_server.replay import ReplayServer

from .subprocesses import launch, mock_server
from .test_contract_runs import WEATHER
from .upstream_stub import Reply, UpstreamStub

KEY = "sk-upstream-secret-for-recording"


def _workflow(client: OpenAI) -> tuple[str, str, list[str]]:
    """A run that calls a function, then answers: its final status, reply and deltas."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])  # type: ignore[list-item]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Lima?"}])
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        stream.until_done()
        paused = stream.get_final_run()
    assert paused.required_action is not None
    call = paused.required_action.submit_tool_outputs.tool_calls[0]
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id,
        run_id=paused.id,
        tool_outputs=[ToolOutput(tool_call_id=call.id, output="22C")],
    ) as stream:
        deltas = list(stream.text_deltas)
        run = stream.get_final_run()
    reply = client.beta.threads.messages.list(thread.id).data[0].content[0]
    assert reply.type == "text"
    return run.status, reply.text.value, deltas


def test_serve_with_an_upstream_behind_record_writes_a_replayable_cassette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANTS_MOCK_UPSTREAM_KEY", KEY)
    cassette = tmp_path / "real_model.yaml"
    with UpstreamStub() as stub:
        stub.replies += [
            Reply(tool_calls=[("call_lima", "get_current_weather", '{"location": "Lima"}')]),
            Reply(text="Lima is 22C today."),
        ]
        serve = mock_server("serve", "--log-level", "quiet", "--model-upstream", stub.base_url,
                            "--model-map", "gpt-4o=llama3.1:8b")  # fmt: skip
        with contextlib.closing(launch(serve)) as started:
            bridge = next(started)
            with RecordingProxy(bridge, cassette) as proxy, proxy.client(api_key="sk-x") as client:
                live = _workflow(client)
        assert [r["model"] for r in stub.requests] == ["llama3.1:8b", "llama3.1:8b"]
        assert stub.headers[0]["authorization"] == f"Bearer {KEY}"
    assert live == ("completed", "Lima is 22C today.", ["Lima", " is", " 22C", " today."])
    written = cassette.read_text()
    assert KEY not in written
    assert "call_lima" in written  # the upstream's call id, as the run showed it
    with ReplayServer([cassette]) as replay, replay.client() as client:
        assert _workflow(client) == live
