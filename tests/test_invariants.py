"""Nothing a client sends can break a run: Hypothesis drives raw HTTP at the server.

A state machine makes assistants, threads and messages, starts runs (streamed, read
partly, then read on or left; or not streamed), polls, cancels, submits tool outputs,
deletes messages, threads and assistants, and resets, in any order, with streams open
meanwhile (`stream_delay_ms` makes the server pause between deltas, so the other
requests land mid-run). After every request: never a 5xx, every error in the envelope.
After every sequence: every stream ended with `[DONE]`, every run still there is terminal
or waits for tool outputs, and every thread takes a new run that completes.

Derandomized and bounded, so CI sees the same sequences every time, in a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mock_server import MockServer

from .sdk import httpx

HEADERS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
ENDED = {"completed", "failed", "cancelled", "expired", "incomplete"}
ERROR_KEYS = {"message", "type", "param", "code"}

MID_STREAM = (
    "delete_reply",
    "cancel",
    "delete_thread",
    "delete_assistant",
    "reset",
    "post_message",
    "start_run",
)
"""What a client does while its stream is open (see `RunAbuse.start_run`; the other rules
also land mid-run when streams are left open)."""

pick = st.integers(min_value=0, max_value=7)
"""Which of the known objects a rule acts on (modulo how many there are)."""


class _Stream:
    """A streamed run's response, read event by event."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines: Iterator[str] = response.iter_lines()
        self.names: list[str] = []
        self.done = False

    def read(self, events: int | None) -> None:
        """Read `events` more events (all, when None), checking how the stream ends."""
        name = ""
        for line in self._lines:
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                assert name != "error", f"the stream failed: {line}"
                assert name != "thread.run.failed", f"the run broke: {line}"
                self.names.append(name)
                if line == "data: [DONE]":
                    self.done = True
                    break
                if events is not None:
                    events -= 1
                    if events <= 0:
                        return
        if events is None or self.done:
            assert self.done, f"the stream ended without [DONE] after {self.names[-3:]}"
            self.response.close()


class RunAbuse(RuleBasedStateMachine):
    """Every request a client can make around runs, in any order."""

    def __init__(self, server: MockServer) -> None:
        super().__init__()
        self.root = server.base_url.removesuffix("/v1")
        self.http = httpx.Client(
            base_url=server.base_url,
            headers=HEADERS,
            timeout=30,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )
        self._call("POST", self.root + "/assistants-mock/reset")
        self.assistants: list[str] = []
        self.threads: list[str] = []
        self.runs: list[tuple[str, str]] = []
        self.streams: list[_Stream] = []

    # --- HTTP, checked -------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, path, json=body)
        return self._checked(response)

    def _checked(self, response: httpx.Response) -> Any:
        assert response.status_code < 500, (response.status_code, response.text)
        body = response.json()
        if response.status_code >= 400:
            assert set(body) == {"error"}, body
            assert set(body["error"]) == ERROR_KEYS, body
            return None
        return body

    def _stream(self, path: str, body: dict[str, Any], events: int) -> None:
        request = self.http.build_request("POST", path, json={**body, "stream": True})
        response = self.http.send(request, stream=True)
        if response.status_code != 200:
            response.read()
            self._checked(response)
            return
        stream = _Stream(response)
        stream.read(events)
        if not stream.done:
            self.streams.append(stream)

    # --- rules ---------------------------------------------------------------------------

    @initialize()
    def start_with_a_conversation(self) -> None:
        self.create_assistant(tools=True)
        self.create_thread()

    @rule(tools=st.booleans())
    def create_assistant(self, tools: bool) -> None:
        body = {"model": "gpt-4o", "instructions": "Be brief.", "tools": [WEATHER] if tools else []}
        self.assistants.append(self._call("POST", "/assistants", body)["id"])

    @rule()
    def create_thread(self) -> None:
        body = {"messages": [{"role": "user", "content": "Tell me about penguins."}]}
        self.threads.append(self._call("POST", "/threads", body)["id"])

    @precondition(lambda self: self.threads)
    @rule(thread=pick)
    def add_message(self, thread: int) -> None:
        thread_id = self.threads[thread % len(self.threads)]
        self._call("POST", f"/threads/{thread_id}/messages", {"role": "user", "content": "And?"})

    @precondition(lambda self: self.threads and self.assistants)
    @rule(
        thread=pick,
        assistant=pick,
        stream=st.booleans(),
        call=st.booleans(),
        events=st.integers(min_value=1, max_value=16),
        then=st.sampled_from(MID_STREAM),
    )
    def start_run(
        self, *, thread: int, assistant: int, stream: bool, call: bool, events: int, then: str
    ) -> None:
        """A run, streamed or not; a streamed one is read `events` events in, then the
        client does `then` at once, while the server is mid-run."""
        thread_id = self.threads[thread % len(self.threads)]
        assistant_id = self.assistants[assistant % len(self.assistants)]
        body: dict[str, Any] = {"assistant_id": assistant_id}
        if call:
            body |= {"tools": [WEATHER], "tool_choice": "required"}
        path = f"/threads/{thread_id}/runs"
        if stream:
            self._stream(path, body, events)
        elif (run := self._call("POST", path, body)) is not None:
            self.runs.append((thread_id, run["id"]))
        listed = self._call("GET", path)
        for run in listed["data"] if listed else []:
            if (thread_id, run["id"]) not in self.runs:
                self.runs.append((thread_id, run["id"]))
        if stream:
            self._mid_stream(then, thread_id, assistant_id)

    def _mid_stream(self, then: str, thread_id: str, assistant_id: str) -> None:
        if then == "delete_reply":
            listed = self._call("GET", f"/threads/{thread_id}/messages")
            if listed and listed["data"]:
                self._call("DELETE", f"/threads/{thread_id}/messages/{listed['data'][0]['id']}")
        elif then == "cancel":
            for thread, run_id in self.runs:
                if thread == thread_id:
                    self._call("POST", f"/threads/{thread_id}/runs/{run_id}/cancel")
        elif then == "delete_thread":
            self.delete_thread(self.threads.index(thread_id))
        elif then == "delete_assistant":
            self.delete_assistant(self.assistants.index(assistant_id))
        elif then == "reset":
            self.reset()
        elif then == "post_message":
            self._call("POST", f"/threads/{thread_id}/messages", {"role": "user", "content": "?"})
        elif then == "start_run":
            self._call("POST", f"/threads/{thread_id}/runs", {"assistant_id": assistant_id})

    @precondition(lambda self: self.streams)
    @rule(stream=pick, events=st.integers(min_value=1, max_value=20))
    def read_stream(self, stream: int, events: int) -> None:
        chosen = self.streams[stream % len(self.streams)]
        chosen.read(events)
        if chosen.done:
            self.streams.remove(chosen)

    @precondition(lambda self: self.streams)
    @rule(stream=pick)
    def leave_stream(self, stream: int) -> None:
        self.streams.pop(stream % len(self.streams)).response.close()

    @precondition(lambda self: self.runs)
    @rule(run=pick)
    def poll(self, run: int) -> None:
        thread_id, run_id = self.runs[run % len(self.runs)]
        self._call("GET", f"/threads/{thread_id}/runs/{run_id}")
        self._call("GET", f"/threads/{thread_id}/runs/{run_id}/steps")
        self._call("GET", f"/threads/{thread_id}/messages")

    @precondition(lambda self: self.runs)
    @rule(run=pick)
    def cancel(self, run: int) -> None:
        thread_id, run_id = self.runs[run % len(self.runs)]
        self._call("POST", f"/threads/{thread_id}/runs/{run_id}/cancel")

    @precondition(lambda self: self.runs)
    @rule(run=pick, stream=st.booleans(), events=st.integers(min_value=1, max_value=12))
    def submit_outputs(self, run: int, stream: bool, events: int) -> None:
        thread_id, run_id = self.runs[run % len(self.runs)]
        path = f"/threads/{thread_id}/runs/{run_id}"
        found = self._call("GET", path)
        calls = []
        if found is not None and found["required_action"] is not None:
            calls = found["required_action"]["submit_tool_outputs"]["tool_calls"]
        body = {"tool_outputs": [{"tool_call_id": c["id"], "output": "Sunny"} for c in calls]}
        if stream:
            self._stream(f"{path}/submit_tool_outputs", body, events)
        else:
            self._call("POST", f"{path}/submit_tool_outputs", body)

    @precondition(lambda self: self.threads)
    @rule(thread=pick, message=pick)
    def delete_message(self, thread: int, message: int) -> None:
        thread_id = self.threads[thread % len(self.threads)]
        listed = self._call("GET", f"/threads/{thread_id}/messages")
        if listed and listed["data"]:  # newest first: the reply being written, if any
            message_id = listed["data"][message % len(listed["data"])]["id"]
            self._call("DELETE", f"/threads/{thread_id}/messages/{message_id}")

    @precondition(lambda self: self.threads)
    @rule(thread=pick)
    def delete_thread(self, thread: int) -> None:
        thread_id = self.threads.pop(thread % len(self.threads))
        self._call("DELETE", f"/threads/{thread_id}")
        self.runs = [(t, r) for t, r in self.runs if t != thread_id]

    @precondition(lambda self: self.assistants)
    @rule(assistant=pick)
    def delete_assistant(self, assistant: int) -> None:
        assistant_id = self.assistants.pop(assistant % len(self.assistants))
        self._call("DELETE", f"/assistants/{assistant_id}")

    @rule()
    def reset(self) -> None:
        self._call("POST", self.root + "/assistants-mock/reset")
        self.assistants, self.threads, self.runs = [], [], []

    # --- after the sequence --------------------------------------------------------------

    def teardown(self) -> None:
        """Every stream ends with `[DONE]`; no run is stuck; every thread takes a new run."""
        try:
            for stream in self.streams:
                stream.read(None)
            self.streams = []
            for thread_id, run_id in self.runs:
                run = None
                for _ in range(10):  # `per_poll` moves a parked run one status per poll
                    run = self._call("GET", f"/threads/{thread_id}/runs/{run_id}")
                    if run["status"] in ENDED | {"requires_action"}:
                        break
                assert run is not None
                assert run["status"] in ENDED | {"requires_action"}, run
                assert run["last_error"] is None, run  # nothing here fails a run but a bug
                if run["status"] == "requires_action":
                    self._call("POST", f"/threads/{thread_id}/runs/{run_id}/cancel")
                    for _ in range(3):
                        run = self._call("GET", f"/threads/{thread_id}/runs/{run_id}")
                    assert run["status"] == "cancelled", run
            assistant = self._call("POST", "/assistants", {"model": "gpt-4o"})["id"]
            for thread_id in self.threads:
                self._call(
                    "POST", f"/threads/{thread_id}/messages", {"role": "user", "content": "Hi"}
                )
                run = self._call("POST", f"/threads/{thread_id}/runs", {"assistant_id": assistant})
                assert run is not None, f"{thread_id} refuses new runs"
                for _ in range(10):
                    run = self._call("GET", f"/threads/{thread_id}/runs/{run['id']}")
                    if run["status"] in ENDED:
                        break
                assert run["status"] == "completed", run
        finally:
            for stream in self.streams:
                stream.response.close()
            self.http.close()


BOUNDS = settings(
    max_examples=20,
    stateful_step_count=12,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("progression", ["immediate", "per_poll"])
def test_no_request_sequence_breaks_a_run(assistants_mock: MockServer, progression: str) -> None:
    assistants_mock.configure(stream_delay_ms=2, run_progression=progression)
    try:
        run_state_machine_as_test(
            lambda: RunAbuse(assistants_mock),  # type: ignore[arg-type]
            settings=BOUNDS,
        )
    finally:
        assistants_mock.configure()


@pytest.mark.assistants_mock(stream_delay_ms=2)
@BOUNDS
@given(
    events=st.integers(min_value=1, max_value=16),
    then=st.sampled_from(MID_STREAM),
    call=st.booleans(),
)
def test_any_act_mid_stream_leaves_no_run_stuck(
    assistants_mock: MockServer, events: int, then: str, call: bool
) -> None:
    """Each thing a client can do while its stream is open, at any point of the run: the
    sequences the state machine reaches only now and then, every time."""
    machine = RunAbuse(assistants_mock)
    try:
        machine.start_with_a_conversation()
        machine.start_run(thread=0, assistant=0, stream=True, call=call, events=events, then=then)
    finally:
        machine.teardown()
