"""The cassette policy: record through vcrpy, replay with no server and no connection."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from openai import OpenAI
from vcr.request import Request

from client.workflow import WorkflowResult, run_workflow
from mock_server import MockServer
from mock_server.cassettes import BOUNDARY, body_json, recorder, scrub_request

from .conftest import no_connections, quiet
from .sdk import httpx


def record(path: Path, seed: int = 0) -> WorkflowResult:
    with (
        MockServer(seed=seed) as server,
        server.client(
            api_key="sk-secret-key", organization="org-secret", project="proj-secret"
        ) as client,
        recorder(record_mode="all").use_cassette(str(path)),
    ):
        return run_workflow(client, out=quiet)


def test_replay_needs_no_server_and_no_connection(tmp_path: Path) -> None:
    path = tmp_path / "workflow.yaml"
    live = record(path)
    offline = OpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-other", max_retries=0)
    with no_connections(), recorder(record_mode="none").use_cassette(str(path)):
        replayed = run_workflow(offline, out=quiet)
    assert replayed.run == live.run
    assert replayed.reply == live.reply
    assert replayed.steps == live.steps
    assert replayed.results[1:] == live.results[1:]  # every streamed delta, in order


def test_no_connection_guard_can_fail() -> None:
    with (
        socket.socket() as sock,
        no_connections(),
        pytest.raises(AssertionError, match="connection was attempted"),
    ):
        sock.connect(("127.0.0.1", 9))


def test_a_recorded_cassette_holds_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "workflow.yaml"
    record(path)
    text = path.read_text().lower()
    for secret in ("sk-secret-key", "org-secret", "proj-secret"):
        assert secret not in text, secret
    for header in ("authorization", "x-stainless", "user-agent", "openai-organization", "cookie"):
        assert f"{header}" not in text, header
    assert "openai-beta" in text  # the policy keeps what matters to the API


def test_recording_again_with_the_same_seed_gives_the_same_file(tmp_path: Path) -> None:
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    record(first)
    record(second)
    assert first.read_bytes() == second.read_bytes()


def multipart(boundary: str, data: bytes) -> Request:
    """An upload as vcrpy sees it, with `boundary` and a file holding `data`."""
    sent = httpx.Request(
        "POST",
        "http://127.0.0.1:8000/v1/files",
        data={"purpose": "assistants"},
        files={"file": ("notes.txt", data, "text/plain")},
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    return Request(sent.method, str(sent.url), sent.read(), dict(sent.headers))


def test_an_upload_is_scrubbed_to_the_fixed_boundary() -> None:
    data = b"a line that mentions --0123abcd inside the file"
    scrubbed = scrub_request(multipart("0123abcd", data))
    body = scrubbed.body
    assert isinstance(body, bytes)
    assert scrubbed.headers["content-type"] == f"multipart/form-data; boundary={BOUNDARY}"
    assert body.startswith(f"--{BOUNDARY}\r\n".encode())
    assert body.endswith(f"\r\n--{BOUNDARY}--\r\n".encode())
    assert body.count(b"--0123abcd") == 1  # only the file's own text keeps it
    assert data in body
    assert scrubbed.headers["content-length"] == str(len(body))


def test_multipart_bodies_match_whatever_their_boundary() -> None:
    body_json(multipart("0123abcd", b"Penguins swim."), multipart("fedcba98", b"Penguins swim."))
    body_json(
        multipart("0123abcd", b"Penguins swim."), scrub_request(multipart("fe", b"Penguins swim."))
    )
    with pytest.raises(AssertionError, match="bodies differ"):
        body_json(multipart("0123abcd", b"Penguins swim."), multipart("fedcba98", b"Puffins fly."))


def test_what_sdk_releases_send_differently_is_recorded_alike() -> None:
    """openai 3.x orders a run's JSON keys otherwise than 1.x and 2.x; 1.59 and 1.65 send a
    `content-type` on a GET. Neither reaches the file; a body's content, and the order of
    what its keys hold (the server echoes it), do."""
    url = "http://127.0.0.1:8000/v1/threads/thread_1/runs"
    json_type = {"content-type": "application/json"}
    first, second, other = (
        scrub_request(Request("POST", url, body, dict(json_type)))
        for body in (b'{"stream":false,"assistant_id":"a","metadata":{"z":"1","a":"2"}}',
                     b'{"assistant_id":"a","metadata":{"z":"1","a":"2"},"stream":false}',
                     b'{"assistant_id":"a","metadata":{"a":"2","z":"1"},"stream":false}')
    )  # fmt: skip
    assert first.body == second.body
    assert first.body == b'{"assistant_id":"a","metadata":{"z":"1","a":"2"},"stream":false}'
    assert other.body != first.body
    assert dict(scrub_request(Request("GET", url, b"", dict(json_type))).headers) == {}
