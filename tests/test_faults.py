"""Fault rules, seen through the official SDK: its retries against injected 429s and 5xx,
`x-should-retry: false`, dropped connections, delays, and a stream cut short (the run
plays on, as when a client leaves). Rules come over HTTP, from Python, from a scenario
file and from the pytest marker."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from openai import OpenAI

from mock_server import MockServer
from mock_server.errors import BadRequestError
from mock_server.faults import ERROR_WORDING

from .sdk import httpx, transport_error

pytest_plugins = ["pytester"]

FAST: dict[str, Any] = {"retry_after_ms": 1}
"""Keeps the SDK's retry wait short."""


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


def faults_url(server: MockServer) -> str:
    return f"http://127.0.0.1:{server.port}/assistants-mock/faults"


def test_one_429_is_survived_with_retries(server: MockServer) -> None:
    rule = {"method": "POST", "path": "/v1/threads", "status": 429, "times": 1, **FAST}
    assert httpx.post(faults_url(server), json=rule).status_code == 200
    thread = server.client(max_retries=2).beta.threads.create()
    assert thread.object == "thread"
    assert [c.status for c in server.calls] == [429, 200]
    first = server.calls[0]
    assert first.fault == "POST /v1/threads: status 429"
    assert first.response["error"]["code"] == "rate_limit_exceeded"
    assert httpx.get(faults_url(server)).json()["faults"][0]["times_left"] == 0


def test_429_surfaces_without_retries(server: MockServer) -> None:
    server.faults.add(path="/v1/threads", status=429, **FAST)
    with pytest.raises(openai.RateLimitError) as caught:
        server.client(max_retries=0).beta.threads.create()
    message, kind, code = ERROR_WORDING[429]
    assert caught.value.status_code == 429
    assert caught.value.body == {"message": message, "type": kind, "param": None, "code": code}
    assert caught.value.response.headers["retry-after-ms"] == "1"
    assert caught.value.request_id is not None


def test_should_retry_false_stops_the_sdk(server: MockServer) -> None:
    server.faults.add(path="/v1/threads", status=503, should_retry=False, times=3)
    with pytest.raises(openai.InternalServerError) as caught:
        server.client(max_retries=2).beta.threads.create()
    assert caught.value.message == f"Error code: 503 - {ERROR_WORDING[503][0]}" or (
        ERROR_WORDING[503][0] in caught.value.message
    )
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert server.calls.call_count == 1


def test_500s_exhaust_the_retries(server: MockServer) -> None:
    server.faults.add({"path": "/v1/assistants", "status": 500, "times": 3, **FAST})
    with pytest.raises(openai.InternalServerError):
        server.client(max_retries=2).beta.assistants.list()
    assert [c.status for c in server.calls] == [500, 500, 500]
    assert server.client(max_retries=0).beta.assistants.list().data == []


def test_after_and_body_choose_the_requests(server: MockServer) -> None:
    client = server.client()
    server.faults.add(method="POST", path="/v1/threads/*/messages", body="boom", after=1,
                      status=500)  # fmt: skip
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(thread.id, role="user", content="boom once")  # after=1
    client.beta.threads.messages.create(thread.id, role="user", content="calm")  # no body match
    with pytest.raises(openai.InternalServerError):
        client.beta.threads.messages.create(thread.id, role="user", content="boom twice")
    client.beta.threads.messages.create(thread.id, role="user", content="boom again")  # spent
    assert [c.status for c in server.calls][1:] == [200, 200, 500, 200]


def test_a_dropped_connection_is_a_connection_error(server: MockServer) -> None:
    server.faults.add(path="/v1/assistants", drop=True)
    with pytest.raises(openai.APIConnectionError) as caught:
        server.client(max_retries=0).beta.assistants.list()
    # Not a status line and then no body ("incomplete chunked read"): no answer at all.
    assert "without sending a response" in str(transport_error(caught.value))
    assert server.calls.last.status is None
    server.faults.add(path="/v1/assistants", drop=True)
    assert server.client(max_retries=1).beta.assistants.list().data == []


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_fault_reads_no_further_than_the_body_limit(chunked: bool) -> None:
    """A rule matching bodies reads a body before the app does, but only up to the body
    limit: a body over it gets the limit's 413 (the rule is not taken), and the server
    stops reading it then, as without the rule."""
    with MockServer(max_body_bytes=1000) as server:
        server.faults.add(method="POST", path="/v1/threads", body="needle", status=503)
        client = server.client()
        if chunked:  # no Content-Length: the limit is found while reading
            sent = 0

            def chunks() -> Iterator[bytes]:
                nonlocal sent
                yield b'{"metadata": {"note": "needle'
                for _ in range(1024):  # 64 MB, if the server read it all
                    sent += 1
                    yield b"x" * 65536
                yield b'"}}'

            url = f"{server.base_url}/threads"
            headers = {"Authorization": f"Bearer {server.api_key}", "OpenAI-Beta": "assistants=v2"}
            answer = httpx.post(url, content=chunks(), headers=headers, timeout=30)
            status, error = answer.status_code, answer.json()["error"]
            assert sent < 256, sent  # the client stopped sending once the server closed
        else:
            with pytest.raises(openai.APIStatusError) as caught:
                client.beta.threads.create(metadata={"note": "needle " + "x" * 2000})
            status, error = caught.value.status_code, caught.value.body
        assert status == 413
        assert error["message"].startswith("Maximum content size limit (1000) exceeded (")
        assert error["type"] == "server_error"
        assert [c.status for c in server.calls] == [413]
        with pytest.raises(openai.InternalServerError):  # the rule is still armed
            client.beta.threads.create(metadata={"note": "needle"})
        assert client.beta.threads.create(metadata={"note": "needle"}).object == "thread"


def test_a_body_fault_does_not_hold_an_upload_past_the_json_body_limit() -> None:
    """An upload may be far larger than a JSON body: a body rule looks no further than
    `max_body_bytes` (the rest is the form parser's, spooled to disk), so a longer upload
    matches no body rule, while a short one still can."""
    with MockServer(max_body_bytes=1000) as server:
        server.faults.add(method="POST", path="/v1/files", body="needle", status=503)
        client = server.client()
        big = client.files.create(file=("big.txt", b"needle " * 1000), purpose="assistants")
        assert big.bytes == 7000
        with pytest.raises(openai.InternalServerError):  # the rule was still armed
            client.files.create(file=("small.txt", b"needle"), purpose="assistants")


def _raw_answer(server: MockServer, request: bytes) -> bytes:
    """Everything the server sends back to one raw request, until it closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize("body", [None, b'{"name": "drop me"}'], ids=["no-body", "body-matched"])
def test_a_drop_sends_nothing_at_all(
    server: MockServer, body: bytes | None, caplog: pytest.LogCaptureFixture
) -> None:
    """Not even a status line: the client sees a connection closed with no answer."""
    method = "GET" if body is None else "POST"
    server.faults.add(method=method, path="/v1/assistants", drop=True,
                      body=None if body is None else "drop me")  # fmt: skip
    head = (
        f"{method} /v1/assistants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        f"{server.api_key}\r\nOpenAI-Beta: assistants=v2\r\n"
    )
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    with caplog.at_level(logging.INFO):
        assert _raw_answer(server, head.encode() + b"\r\n" + (body or b"")) == b""
    assert server.calls.last.status is None
    assert server.calls.last.fault is not None
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert server.client().beta.assistants.list().data == []


def test_delay(server: MockServer) -> None:
    server.faults.add(path="/v1/assistants", delay_ms=150)
    started = time.perf_counter()
    server.client().beta.assistants.list()
    assert time.perf_counter() - started >= 0.15
    assert server.calls.last.status == 200


def test_a_cut_stream_leaves_the_run_playing_on(server: MockServer) -> None:
    client = server.client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])
    server.faults.add(method="POST", path="/v1/threads/*/runs", cut_after_events=3)
    seen: list[str] = []
    error: Exception | None = None
    try:
        with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as s:
            seen.extend(event.event for event in s)
    except Exception as exc:  # the transport's own error: httpx's or httpx2's
        error = exc
    assert type(error).__name__ == "RemoteProtocolError", repr(error)
    assert seen == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert server.calls.last.events == seen
    assert server.calls.last.fault == "POST /v1/threads/*/runs: cut after 3 events"
    deadline = time.monotonic() + 5
    while (run := client.beta.threads.runs.list(thread.id).data[0]).status != "completed":
        assert time.monotonic() < deadline, run.status
        time.sleep(0.01)
    messages = client.beta.threads.messages.list(thread.id).data
    assert messages[0].role == "assistant"


def test_bad_rules_are_refused(server: MockServer) -> None:
    for rule, wording in [
        ({"path": "/v1/threads"}, "needs something to do"),
        ({"status": 429, "drop": True}, "one of status, drop"),
        ({"status": 200}, "status"),
        ({"status": 500, "colour": "red"}, "colour"),
    ]:
        answer = httpx.post(faults_url(server), json=rule)
        assert answer.status_code == 400, rule
        assert wording in answer.json()["error"]["message"], answer.json()
    with pytest.raises(BadRequestError):
        server.faults.add(status=99)
    assert httpx.get(faults_url(server)).json() == {"faults": []}


def test_faults_listed_and_cleared_over_http(server: MockServer) -> None:
    rules = {"faults": [{"path": "/v1/files", "status": 500}, {"drop": True, "times": 2}]}
    answer = httpx.post(faults_url(server), json=rules).json()
    assert answer["added"] == 2
    assert [(f["path"], f["times_left"]) for f in answer["faults"]] == [
        ("/v1/files", 1),
        ("/v1/*", 2),
    ]
    assert httpx.delete(faults_url(server)).json() == {"faults": []}
    assert server.client().files.list().data == []


def test_faults_from_a_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"faults": [{"path": "/v1/threads", "status": 503}]}))
    with MockServer(scenario=path) as server:
        with pytest.raises(openai.InternalServerError):
            server.client().beta.threads.create()
        server.reset()  # the scenario's faults come back with it
        assert server.faults.listed()[0]["times_left"] == 1


@pytest.mark.assistants_faults({"method": "POST", "path": "/v1/threads", "status": 429, **FAST})
def test_marker(assistants_client: OpenAI, assistants_mock: MockServer) -> None:
    with pytest.raises(openai.RateLimitError):
        assistants_client.beta.threads.create()
    assert assistants_client.beta.threads.create().object == "thread"


def test_marker_faults_end_with_the_test(assistants_client: OpenAI) -> None:
    assert assistants_client.beta.threads.create().object == "thread"


def test_the_marker_in_a_users_suite(pytester: pytest.Pytester) -> None:
    """Registered under --strict-markers; a bad rule fails its test with one line; the
    journal and the faults of one test are gone in the next; the server stays quiet."""
    pytester.makeini("[pytest]\naddopts = --strict-markers -p no:cacheprovider\n"
                     "filterwarnings =\n    error\n    ignore::DeprecationWarning\n")  # fmt: skip
    pytester.makepyfile(
        """
        import openai
        import pytest


        @pytest.mark.assistants_faults({"path": "/v1/threads", "status": 503,
                                        "should_retry": False})
        def test_faulted(assistants_client, assistants_mock):
            with pytest.raises(openai.InternalServerError):
                assistants_client.beta.threads.create()
            assert assistants_mock.calls.call_count == 1


        def test_next(assistants_client, assistants_mock):
            assert assistants_mock.calls.call_count == 0
            assistants_client.beta.threads.create()
            assert assistants_mock.faults.listed() == []


        @pytest.mark.assistants_faults({"path": "/v1/threads", "status": 200})
        def test_bad_rule(assistants_client):
            pass
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.assistants_faults: Invalid fault rule: status*"])
    assert "/v1/threads" not in "".join(line for line in result.outlines if " ms" in line)
