"""Limits on what a client may send, and on how long it may take (issue 11, part 4):
oversize bodies and URLs, malformed requests, slow headers, and stopping with open streams."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openai import APIStatusError, OpenAI

from mock_server import MockServer
from mock_server.connections import GuardedH11Protocol
from mock_server.limits import (
    MAX_JSON_BYTES,
    MAX_UPLOAD_BYTES,
    MULTIPART_OVERHEAD,
)

from .sdk import httpx
from .subprocesses import mock_server

KEY = {"authorization": "Bearer sk-test", "openai-beta": "assistants=v2"}


def envelope(answer: httpx.Response) -> dict[str, Any]:
    """The error of an answer, checked to be the API's envelope and to carry a request id."""
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-request-id"].startswith("req_")
    body = answer.json()
    assert list(body) == ["error"]
    assert list(body["error"]) == ["message", "type", "param", "code"]
    error: dict[str, Any] = body["error"]
    return error


def raw(port: int, data: bytes, *, wait: float = 5.0) -> bytes:
    """What the server answers `data` written on a fresh connection, until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


# --- bodies -------------------------------------------------------------------------------


def test_the_limits_are_settings() -> None:
    with MockServer(max_body_bytes=100, max_url_bytes=100) as server:
        url = f"{server.base_url}/threads"
        too_long = httpx.post(url, content=b"{" + b" " * 100 + b"}", headers=KEY)
        assert too_long.status_code == 413
        assert httpx.post(url, content=b"{" + b" " * 90 + b"}", headers=KEY).status_code == 200
        listed = httpx.get(f"{server.base_url}/assistants?after=" + "a" * 100, headers=KEY)
        assert listed.status_code == 414
        assert envelope(listed)["message"] == "Request URL too long: 120 bytes, at most 100."
        server.configure(max_body_bytes=1000)  # reconfigured in place: followed at once
        assert httpx.post(url, content=b"{" + b" " * 100 + b"}", headers=KEY).status_code == 200


def test_a_json_body_over_the_limit_is_refused_unread(assistants_mock: MockServer) -> None:
    body = b"{" + b" " * MAX_JSON_BYTES + b"}"
    answer = httpx.post(f"{assistants_mock.base_url}/threads", content=body, headers=KEY)
    assert answer.status_code == 413
    assert envelope(answer) == {
        "message": f"Maximum content size limit ({MAX_JSON_BYTES}) exceeded "
        f"({len(body)} bytes read)",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    # The same body within the limit is a thread.
    answer = httpx.post(f"{assistants_mock.base_url}/threads", content=b"{  }", headers=KEY)
    assert answer.status_code == 200


def test_a_chunked_body_is_cut_at_the_limit(assistants_mock: MockServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"{"
        for _ in range(MAX_JSON_BYTES // 65536 + 1):
            yield b" " * 65536
        yield b"}"

    answer = httpx.post(f"{assistants_mock.base_url}/threads", content=chunks(), headers=KEY)
    assert answer.status_code == 413
    message = envelope(answer)["message"]
    assert message.startswith(f"Maximum content size limit ({MAX_JSON_BYTES}) exceeded (")
    assert httpx.post(f"{assistants_mock.base_url}/threads", headers=KEY).status_code == 200


def test_an_upload_over_512_mb_is_refused_from_its_content_length(
    assistants_mock: MockServer,
) -> None:
    declared = MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD + 1
    head = (
        "POST /v1/files HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\n"
        "content-type: multipart/form-data; boundary=b\r\n"
        f"content-length: {declared}\r\n\r\n"
    )
    answer = raw(assistants_mock.port, head.encode())
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert (
        f"Maximum content size limit ({MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD}) exceeded "
        f"({declared} bytes read)".encode()
        in answer
    )


def test_the_sdk_sees_an_oversize_upload_as_a_413() -> None:
    """With a 1 kB upload limit (the SDK streams its upload; the server stops reading)."""
    with MockServer(max_upload_bytes=1000) as server:
        client = server.client()
        with pytest.raises(APIStatusError) as raised:
            client.files.create(file=("big.txt", b"x" * 2_000_000), purpose="assistants")
        assert raised.value.status_code == 413
        assert raised.value.body == {
            "message": f"Maximum content size limit ({1000 + MULTIPART_OVERHEAD}) exceeded "
            f"({raised.value.response.request.headers['content-length']} bytes read)",
            "type": "server_error",
            "param": None,
            "code": None,
        }
        small = client.files.create(file=("small.txt", b"x" * 900), purpose="assistants")
        assert small.bytes == 900


# --- URLs and malformed requests --------------------------------------------------------------


def test_an_overlong_url_is_a_414_in_the_envelope(assistants_client: OpenAI) -> None:
    with pytest.raises(APIStatusError) as raised:
        assistants_client.beta.assistants.list(after="a" * 9000)
    assert raised.value.status_code == 414
    assert raised.value.body == {
        "message": "Request URL too long: 9020 bytes, at most 8192.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


@pytest.mark.parametrize(
    "request_head",
    [
        b"GET /v1/assistants HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n",
        b"GET /v1/" + b"a" * 20_000 + b" HTTP/1.1\r\n",  # h11 buffers 16 KiB
    ],
    ids=["malformed-header", "head-past-h11-buffer"],
)
def test_requests_h11_refuses_get_the_envelope(
    assistants_mock: MockServer, request_head: bytes
) -> None:
    for _ in range(3):  # the server closes at once: bytes it left unread may reset the answer
        try:
            answer = raw(assistants_mock.port, request_head)
            break
        except ConnectionResetError:
            continue
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert httpx.Response(400, content=body).json() == {
        "error": {
            "message": "Invalid HTTP request: a malformed or oversized request line or header.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }


# --- slow clients, stopping ---------------------------------------------------------------------


def test_a_request_whose_headers_trickle_in_is_timed_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(GuardedH11Protocol, "header_timeout", 0.5)
    with MockServer() as server, socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(10)
        sock.sendall(b"GET /v1/assistants HTTP/1.1\r\n")
        answer = b""
        for _ in range(4):  # a byte every 0.1 s: each one on time, the headers never done
            time.sleep(0.1)
            try:
                sock.sendall(b"x")
            except OSError:  # a slow machine: the deadline came first
                break
        while chunk := sock.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        assert b'"message": "Timed out waiting for the request."' in answer
        # A complete request on another connection is answered as usual.
        listed = httpx.get(f"{server.base_url}/assistants", headers=KEY)
        assert listed.status_code == 200


def test_an_idle_connection_is_closed_and_a_kept_alive_one_still_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(GuardedH11Protocol, "header_timeout", 0.5)
    with MockServer() as server:
        assert raw(server.port, b"", wait=10) == b""  # closed, nothing written
        with httpx.Client(headers=KEY) as client:
            for _ in range(3):  # one connection, each request in time
                assert client.get(f"{server.base_url}/assistants").status_code == 200
                time.sleep(0.3)


def test_sigterm_ends_serve_with_a_stream_open(tmp_path: Path) -> None:
    scenario = tmp_path / "slow.yaml"
    scenario.write_text("rules:\n  - turns: [{text: 'one two three', delay_ms: 60000}]\n")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        mock_server("serve", "--port", str(port), "--scenario", str(scenario)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="k", max_retries=0)
        for _ in range(200):
            try:
                assistant = client.beta.assistants.create(model="gpt-4o")
                break
            except Exception:
                time.sleep(0.05)
        seen: list[str] = []

        def stream() -> None:
            try:
                with client.beta.threads.create_and_run(
                    assistant_id=assistant.id,
                    thread={"messages": [{"role": "user", "content": "Hello"}]},
                    stream=True,
                ) as events:
                    seen.extend(event.event for event in events)
            except Exception as exc:
                seen.append(type(exc).__name__)

        reader = threading.Thread(target=stream, daemon=True)
        reader.start()
        for _ in range(400):
            if "thread.message.created" in seen or not reader.is_alive():
                break
            time.sleep(0.05)
        assert "thread.message.created" in seen, seen
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)  # the grace is 3 s; without it, the 60 s pause
        reader.join(timeout=10)
        assert "thread.message.delta" not in seen  # the stream was cut, not waited for
    finally:
        process.kill()
        process.wait()
        assert process.stderr is not None
        process.stderr.close()


def test_a_large_body_is_parsed_beside_the_event_loop(assistants_mock: MockServer) -> None:
    """Past 256 KiB a body is validated in a worker thread, with the same answers."""
    pairs = 60_000
    body = b'{"metadata":{' + b",".join(b'"k%d":""' % i for i in range(pairs)) + b"}}"
    assert len(body) > 256 * 1024
    answer = httpx.post(f"{assistants_mock.base_url}/threads", content=body, headers=KEY)
    assert answer.status_code == 400
    assert envelope(answer)["message"] == (
        "Invalid 'metadata': too many properties. Expected an object with at most 16 "
        f"properties, but got an object with {pairs} properties instead."
    )
    text = "a" * 200_000
    answer = httpx.post(
        f"{assistants_mock.base_url}/threads",
        json={"messages": [{"role": "user", "content": text}]},
        headers=KEY,
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("path", "content_type", "part"),
    [
        ("/v1/threads", "application/json", b'{"metadata": {"a": "'),
        (
            "/v1/files",
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc',
        ),
    ],
    ids=["json", "upload"],
)
def test_a_client_gone_mid_body_is_no_server_error(
    assistants_mock: MockServer,
    caplog: pytest.LogCaptureFixture,
    path: str,
    content_type: str,
    part: bytes,
) -> None:
    """A client that closes its connection halfway through the body it announced left:
    nothing failed here, so nothing is logged as a failure or journaled as a 500."""
    with caplog.at_level(logging.WARNING):
        with socket.create_connection(("127.0.0.1", assistants_mock.port), timeout=10) as sock:
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                f"{assistants_mock.api_key}\r\nOpenAI-Beta: assistants=v2\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: 1000\r\n\r\n".encode()
                + part
            )
        deadline = time.monotonic() + 10
        while not len(assistants_mock.calls) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)  # the request's end, if it was to log anything
    assert [call.status for call in assistants_mock.calls] == [None]
    assert [r.getMessage() for r in caplog.records] == []
    assert assistants_mock.client().beta.threads.create().object == "thread"
