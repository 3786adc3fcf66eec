"""What a client does to a run mid-way never breaks it: regressions, through raw HTTP.

Each test is a defect once seen: deleting the reply being streamed ended the stream
without `[DONE]` and left the run `in_progress` for good (cancel answered 500, the thread
refused new runs); deleting the thread mid-stream cut the stream with a traceback; after
one 500, the next request on the same kept-alive connection failed.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from mock_server import MockServer
from mock_server.backend import Backend

from .sdk import httpx

HEADERS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}


@pytest.fixture
def http(assistants_mock: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=assistants_mock.base_url, headers=HEADERS, timeout=30) as client:
        yield client


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _conversation(http: httpx.Client) -> tuple[str, str]:
    assistant = _ok(http.post("/assistants", json={"model": "gpt-4o", "instructions": "Be kind."}))
    thread = _ok(http.post("/threads", json={}))
    _ok(http.post(f"/threads/{thread['id']}/messages", json={"role": "user", "content": "Hi"}))
    return assistant["id"], thread["id"]


def _events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event name, data) pairs of an SSE stream."""
    name = ""
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            yield name, line[6:]


def _stream_until(
    http: httpx.Client, path: str, body: dict[str, Any], stop_at: str, act: Any
) -> list[tuple[str, str]]:
    """Stream a run; at the first `stop_at` event call `act(data)`, then read to the end."""
    seen: list[tuple[str, str]] = []
    with http.stream("POST", path, json={**body, "stream": True}) as response:
        assert response.status_code == 200
        acted = False
        for name, data in _events(response.iter_lines()):
            seen.append((name, data))
            if name == stop_at and not acted:
                acted = True
                act(json.loads(data))
    assert acted, f"no {stop_at} event in {[n for n, _ in seen]}"
    return seen


@pytest.mark.assistants_mock(stream_delay_ms=2)
def test_deleting_the_reply_mid_stream_lets_the_run_complete(
    http: httpx.Client, assistants_mock: MockServer
) -> None:
    assistant_id, thread_id = _conversation(http)
    with httpx.Client(base_url=assistants_mock.base_url, headers=HEADERS) as other:

        def delete_reply(message: dict[str, Any]) -> None:
            _ok(other.delete(f"/threads/{thread_id}/messages/{message['id']}"))

        seen = _stream_until(
            http,
            f"/threads/{thread_id}/runs",
            {"assistant_id": assistant_id},
            "thread.message.created",
            delete_reply,
        )
    names = [name for name, _ in seen]
    assert names[-2:] == ["thread.run.completed", "done"]
    assert seen[-1][1] == "[DONE]"
    assert "thread.message.delta" in names  # the deletion came before the text
    runs = _ok(http.get(f"/threads/{thread_id}/runs"))["data"]
    assert [r["status"] for r in runs] == ["completed"]
    messages = _ok(http.get(f"/threads/{thread_id}/messages"))["data"]
    assert [m["role"] for m in messages] == ["user"]  # the reply is simply gone
    # The thread takes new messages and runs.
    _ok(http.post(f"/threads/{thread_id}/messages", json={"role": "user", "content": "Again"}))
    run = _ok(http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}))
    assert _ok(http.get(f"/threads/{thread_id}/runs/{run['id']}"))["status"] == "completed"


@pytest.mark.assistants_mock(stream_delay_ms=2)
def test_cancel_after_deleting_the_reply_mid_stream(
    http: httpx.Client, assistants_mock: MockServer
) -> None:
    assistant_id, thread_id = _conversation(http)
    answers: list[dict[str, Any]] = []
    with httpx.Client(base_url=assistants_mock.base_url, headers=HEADERS) as other:

        def delete_then_cancel(message: dict[str, Any]) -> None:
            _ok(other.delete(f"/threads/{thread_id}/messages/{message['id']}"))
            answers.append(_ok(other.post(f"/threads/{thread_id}/runs/{message['run_id']}/cancel")))

        seen = _stream_until(
            http,
            f"/threads/{thread_id}/runs",
            {"assistant_id": assistant_id},
            "thread.message.created",
            delete_then_cancel,
        )
    assert answers[0]["status"] == "cancelling"
    names = [name for name, _ in seen]
    assert names[-4:] == [
        "thread.message.incomplete",
        "thread.run.step.cancelled",
        "thread.run.cancelled",
        "done",
    ]
    run = _ok(http.get(f"/threads/{thread_id}/runs/{answers[0]['id']}"))
    assert run["status"] == "cancelled"
    again = _ok(http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}))
    assert _ok(http.get(f"/threads/{thread_id}/runs/{again['id']}"))["status"] == "completed"


@pytest.mark.assistants_mock(stream_delay_ms=2)
@pytest.mark.parametrize("interruption", ["thread-deleted", "reset"])
def test_the_thread_going_mid_stream_ends_the_stream_cleanly(
    http: httpx.Client, assistants_mock: MockServer, interruption: str
) -> None:
    """The thread deleted, or the whole server reset, while a run on it streams."""
    assistant_id, thread_id = _conversation(http)
    driver = assistants_mock.backend.driver  # a reset makes a new one: watch this one
    reset = assistants_mock.base_url.removesuffix("/v1") + "/assistants-mock/reset"
    with httpx.Client(base_url=assistants_mock.base_url, headers=HEADERS) as other:
        interrupt = {
            "thread-deleted": lambda _: _ok(other.delete(f"/threads/{thread_id}")),
            "reset": lambda _: _ok(other.post(reset)),
        }[interruption]
        seen = _stream_until(
            http,
            f"/threads/{thread_id}/runs",
            {"assistant_id": assistant_id},
            "thread.message.delta",
            interrupt,
        )
    assert seen[-1] == ("done", "[DONE]")
    names = {name for name, _ in seen}
    assert not names & {"thread.run.completed", "thread.run.cancelled", "thread.message.completed"}
    assert http.get(f"/threads/{thread_id}").status_code == 404
    assert len(driver) == 0  # nothing left in flight


@pytest.mark.assistants_mock(stream_delay_ms=2)
def test_deleting_the_assistant_mid_stream_lets_the_run_complete(
    http: httpx.Client, assistants_mock: MockServer
) -> None:
    assistant_id, thread_id = _conversation(http)
    with httpx.Client(base_url=assistants_mock.base_url, headers=HEADERS) as other:
        seen = _stream_until(
            http,
            f"/threads/{thread_id}/runs",
            {"assistant_id": assistant_id},
            "thread.message.delta",
            lambda _: _ok(other.delete(f"/assistants/{assistant_id}")),
        )
    assert [name for name, _ in seen][-2:] == ["thread.run.completed", "done"]
    messages = _ok(http.get(f"/threads/{thread_id}/messages"))["data"]
    assert [m["status"] for m in messages] == ["completed", "completed"]


def test_a_500_leaves_the_connection_usable(
    http: httpx.Client,
    assistants_mock: MockServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A fault injected into the backend: the answer is the envelope, the traceback is
    logged once, and the next request on the same connection is answered."""

    def broken(self: Backend, *args: object) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(Backend, "list_assistants", broken)
    with caplog.at_level(logging.ERROR):
        failed = http.get("/assistants")
    assert failed.status_code == 500
    assert failed.json() == {
        "error": {
            "message": "The server had an error while processing your request. Sorry about that!",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }
    assert failed.headers["x-request-id"]
    tracebacks = [r for r in caplog.records if r.exc_info is not None]
    assert len(tracebacks) == 1, [r.getMessage() for r in caplog.records]
    assert "injected fault" in str(tracebacks[0].exc_info[1])  # type: ignore[index]
    monkeypatch.undo()
    assert http.get("/assistants").status_code == 200


def _answer(sock: socket.socket, path: str) -> bytes:
    """One request on a raw kept-alive connection; the head and body of its answer."""
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-test\r\n"
        "OpenAI-Beta: assistants=v2\r\n\r\n".encode()
    )
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        body += chunk
    return head.split(b"\r\n")[0]


def test_the_connection_a_500_went_out_on_takes_the_next_request(
    assistants_mock: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same socket, byte for byte: the server neither closes nor resets it."""

    def broken(self: Backend, *args: object) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(Backend, "list_assistants", broken)
    with socket.create_connection((assistants_mock.host, assistants_mock.port), timeout=10) as sock:
        assert _answer(sock, "/v1/assistants") == b"HTTP/1.1 500 Internal Server Error"
        monkeypatch.undo()
        assert _answer(sock, "/v1/assistants") == b"HTTP/1.1 200 OK"


@pytest.mark.assistants_mock(stream_delay_ms=1)
def test_a_fault_mid_stream_ends_it_with_an_error_event(
    http: httpx.Client,
    assistants_mock: MockServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assistant_id, thread_id = _conversation(http)
    calls = 0
    real = Backend.next_event

    def failing(self: Backend, executor: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise RuntimeError("injected fault")
        return real(self, executor)

    monkeypatch.setattr(Backend, "next_event", failing)
    with caplog.at_level(logging.ERROR):
        response = http.post(
            f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id, "stream": True}
        )
    events = list(_events(iter(response.text.splitlines())))
    assert events[-1][0] == "error"
    assert json.loads(events[-1][1])["error"]["type"] == "server_error"
    assert len([r for r in caplog.records if r.exc_info is not None]) == 1
    monkeypatch.undo()
    assert http.get(f"/threads/{thread_id}").status_code == 200
