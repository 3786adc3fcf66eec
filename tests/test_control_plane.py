"""The control plane through real HTTP: health, the request journal (and `server.calls`),
the stored state with runs' event timelines, the clock, and who may change anything."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openai import OpenAI

from mock_server import MockServer
from mock_server.journal import JOURNAL_LIMIT
from mock_server.state import STATE_LIMIT

from .sdk import httpx


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


def control(server: MockServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}/assistants-mock/{path}"


def seed_workflow(client: OpenAI) -> tuple[str, str]:
    """An assistant, a thread with a question and a streamed run: the thread's, the run's ids."""
    assistant = client.beta.assistants.create(model="gpt-4o", instructions="Be brief.")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi there"}])
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as s:
        s.until_done()
        run = s.get_final_run()
    return thread.id, run.id


def test_health(server: MockServer) -> None:
    answer = httpx.get(control(server, "health"))
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": "0.1.0"}


def test_journal_lists_every_v1_request_in_order(server: MockServer) -> None:
    client = server.client(api_key="sk-secret-key-1234")
    thread_id, _ = seed_workflow(client)
    client.beta.threads.messages.list(thread_id, limit=5)
    answer = httpx.get(control(server, "requests")).json()
    calls = answer["data"]
    assert [(c["method"], c["path"]) for c in calls] == [
        ("POST", "/v1/assistants"),
        ("POST", "/v1/threads"),
        ("POST", f"/v1/threads/{thread_id}/runs"),
        ("GET", f"/v1/threads/{thread_id}/messages"),
    ]
    assert [c["index"] for c in calls] == [0, 1, 2, 3]
    assert calls[0]["body"] == {"model": "gpt-4o", "instructions": "Be brief."}
    assert calls[0]["response"]["object"] == "assistant"
    assert calls[3]["query"] == {"limit": "5"}
    stream = calls[2]
    assert stream["body"]["stream"] is True
    assert "response" not in stream
    assert stream["events"][:3] == ["thread.run.created", "thread.run.queued",
                                    "thread.run.in_progress"]  # fmt: skip
    assert stream["events"][-2:] == ["thread.run.completed", "done"]
    assert stream["event_count"] == len(stream["events"])
    assert all(c["status"] == 200 and c["duration_ms"] > 0 for c in calls)
    assert calls[0]["headers"]["openai-beta"] == "assistants=v2"
    assert calls[0]["headers"]["content-type"] == "application/json"
    text = httpx.get(control(server, "requests")).text
    assert "sk-secret" not in text
    assert "x-stainless" not in text
    assert "authorization" not in text


def test_journal_filters_and_clears(server: MockServer) -> None:
    client = server.client()
    thread_id, _ = seed_workflow(client)
    runs = httpx.get(control(server, "requests"), params={"path": f"/v1/threads/{thread_id}"})
    assert [c["path"] for c in runs.json()["data"]] == [f"/v1/threads/{thread_id}/runs"]
    last = httpx.get(control(server, "requests"), params={"limit": 1}).json()["data"]
    assert [c["index"] for c in last] == [2]
    bad = httpx.get(control(server, "requests"), params={"limit": "x"})
    assert bad.status_code == 400
    assert httpx.delete(control(server, "requests")).status_code == 200
    assert httpx.get(control(server, "requests")).json()["data"] == []
    client.beta.assistants.list()
    assert httpx.post(control(server, "reset")).status_code == 200
    assert httpx.get(control(server, "requests")).json()["data"] == []


def test_journal_records_refused_requests(server: MockServer) -> None:
    answer = httpx.get(f"{server.base_url}/assistants")  # no key, no beta header
    assert answer.status_code == 401
    assert server.calls.last.status == 401
    assert server.calls.last.path == "/v1/assistants"


def test_calls_in_python_are_respx_style(server: MockServer) -> None:
    client = server.client()
    assert not server.calls.called
    seed_workflow(client)
    calls = server.calls
    assert calls.call_count == 3
    assert calls.last.method == "POST"
    assert calls.last.run_status == "completed"
    assert calls.last.json == {"assistant_id": calls[0].response["id"], "stream": True}
    assert calls.filter(method="post", path="/v1/threads/*/runs").call_count == 1
    assert calls.filter(method="GET").call_count == 0
    with pytest.raises(IndexError, match="no calls"):
        _ = server.calls.filter(method="DELETE").last


def test_journal_off_keeps_nothing() -> None:
    with MockServer(journal=False) as server:
        seed_workflow(server.client())
        assert server.calls.call_count == 0
        answer = httpx.get(control(server, "requests")).json()
        assert answer["enabled"] is False
        thread = httpx.get(control(server, "state")).json()["threads"][0]
        assert thread["runs"][0]["timeline"] == {"count": 0, "events": []}


def test_journal_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mock_server.journal.JOURNAL_LIMIT", 20)
    assert JOURNAL_LIMIT > 20
    with MockServer() as server, server.client() as client:
        for _ in range(25):
            client.files.list()
        assert server.calls.call_count == 20
        assert server.calls[0].index == 5
        assert server.backend.journal.count == 25


def test_state_renders_everything_with_timelines(server: MockServer) -> None:
    client = server.client()
    file_id = client.files.create(file=("a.txt", b"Penguins swim.", "text/plain"),
                                  purpose="assistants").id  # fmt: skip
    httpx.post(  # raw: the SDK's vector_stores moved out of `beta` in openai 1.66
        f"{server.base_url}/vector_stores",
        json={"file_ids": [file_id]},
        headers={"authorization": f"Bearer {server.api_key}"},
    ).raise_for_status()
    thread_id, run_id = seed_workflow(client)
    # An unstreamed run: its events are recorded as reads advance it.
    other = client.beta.threads.create(messages=[{"role": "user", "content": "Again"}])
    assistant_id = client.beta.assistants.list().data[0].id
    unstreamed = client.beta.threads.runs.create(thread_id=other.id, assistant_id=assistant_id)
    client.beta.threads.runs.retrieve(unstreamed.id, thread_id=other.id)
    state = httpx.get(control(server, "state")).json()
    assert [a["object"] for a in state["assistants"]] == ["assistant"]
    assert [f["id"] for f in state["files"]] == [file_id]
    assert state["vector_stores"][0]["file_ids"] == [file_id]
    thread = next(t for t in state["threads"] if t["id"] == thread_id)
    assert [m["role"] for m in thread["messages"]] == ["user", "assistant"]
    run = thread["runs"][0]
    assert run["id"] == run_id
    assert run["status"] == "completed"
    assert [s["type"] for s in run["steps"]] == ["message_creation"]
    timeline = run["timeline"]
    names = [e["event"] for e in timeline["events"]]
    assert names[0] == "thread.run.created"
    assert names[-1] == "thread.run.completed"
    deltas = next(e for e in timeline["events"] if e["event"] == "thread.message.delta")
    assert deltas["count"] > 1
    assert deltas["streamed"] is True
    assert timeline["count"] == sum(e["count"] for e in timeline["events"])
    later = next(t for t in state["threads"] if t["id"] == other.id)["runs"][0]
    assert later["status"] == "completed"
    assert later["timeline"]["events"][-1]["event"] == "thread.run.completed"
    assert not any(e["streamed"] for e in later["timeline"]["events"])


def test_a_deleted_thread_takes_its_runs_timelines_with_it(server: MockServer) -> None:
    client = server.client()
    kept_thread, kept_run = seed_workflow(client)
    gone_thread, gone_run = seed_workflow(client)
    assert server.backend.timeline.of(gone_run)["count"] > 0
    assert client.beta.threads.delete(gone_thread).deleted
    assert server.backend.timeline.of(gone_run) == {"count": 0, "events": []}
    assert len(server.backend.timeline) == 1  # nothing else is held for the deleted runs
    state = httpx.get(control(server, "state")).json()
    assert [t["id"] for t in state["threads"]] == [kept_thread]
    kept = state["threads"][0]["runs"][0]
    assert kept["id"] == kept_run
    assert kept["timeline"]["events"][-1]["event"] == "thread.run.completed"


def test_state_of_one_thread(server: MockServer) -> None:
    thread_id, _ = seed_workflow(server.client())
    state = httpx.get(control(server, "state"), params={"thread_id": thread_id}).json()
    assert list(state) == ["threads"]
    assert [t["id"] for t in state["threads"]] == [thread_id]
    missing = httpx.get(control(server, "state"), params={"thread_id": "thread_nope"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "No thread found with id 'thread_nope'."


def test_state_is_capped(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mock_server.state.STATE_LIMIT", 500)
    seed_workflow(server.client())
    answer = httpx.get(control(server, "state"))
    assert answer.status_code == 400
    assert "more than the 500" in answer.json()["error"]["message"]
    assert "?thread_id=" in answer.json()["error"]["message"]
    assert STATE_LIMIT > 500


def test_clock_moves_over_http(server: MockServer) -> None:
    client = server.client()
    before = client.beta.threads.create().created_at
    answer = httpx.post(control(server, "clock"), json={"advance": 90})
    assert answer.json() == {"now": before + 90}
    assert client.beta.threads.create().created_at == before + 90
    answer = httpx.post(control(server, "clock"), json={"set": before + 1000})
    assert answer.json() == {"now": before + 1000}
    for body, wording in [
        ({"set": before}, "does not run backwards"),
        ({"advance": -1}, "0 or more"),
        ({"advance": 1, "set": 2}, '{"advance": seconds}'),
        ({"advance": "5"}, "not a whole number"),
    ]:
        refused = httpx.post(control(server, "clock"), json=body)
        assert refused.status_code == 400, body
        assert wording in refused.json()["error"]["message"]


def test_system_clock_cannot_move() -> None:
    with MockServer(clock="system") as server:
        answer = httpx.post(control(server, "clock"), json={"advance": 1})
        assert answer.status_code == 400
        assert "frozen" in answer.json()["error"]["message"]


CHANGES: list[tuple[str, str, Any]] = [
    ("POST", "reset", None),
    ("POST", "script", {"turns": [{"text": "Hi"}]}),
    ("DELETE", "script", None),
    ("POST", "clock", {"advance": 1}),
    ("POST", "faults", {"path": "/v1/threads", "status": 500}),
    ("DELETE", "faults", None),
    ("DELETE", "requests", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CHANGES, ids=str)
def test_changes_from_another_origin_are_refused(
    server: MockServer, method: str, path: str, body: Any
) -> None:
    url = control(server, path)
    refused = httpx.request(method, url, json=body, headers={"origin": "https://evil.example"})
    assert refused.status_code == 403
    assert "own origin" in refused.json()["error"]["message"]
    own = f"http://127.0.0.1:{server.port}"
    assert httpx.request(method, url, json=body, headers={"origin": own}).status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_simple_posts_are_refused(server: MockServer, content_type: str) -> None:
    """What a form or a no-cors fetch on another page can send without a preflight."""
    for path in ("script", "faults", "reset", "clock"):
        refused = httpx.post(control(server, path), content=b'{"rules": []}',
                              headers={"content-type": content_type})  # fmt: skip
        assert refused.status_code == 415, path
    assert server.backend.script.unused() == []


def test_api_key_guards_changes_not_reads() -> None:
    with MockServer(api_key="sk-only-this") as server:
        assert httpx.post(control(server, "reset")).status_code == 401
        wrong = {"authorization": "Bearer sk-other"}
        assert httpx.post(control(server, "faults"), json={"status": 500},
                           headers=wrong).status_code == 401  # fmt: skip
        right = {"authorization": "Bearer sk-only-this"}
        assert httpx.post(control(server, "reset"), headers=right).status_code == 200
        assert httpx.get(control(server, "requests")).status_code == 200


def test_the_journal_keeps_the_cassette_policy() -> None:
    from mock_server import cassettes, journal

    assert frozenset(cassettes.SECRET_REQUEST_HEADERS) == journal.SECRET_HEADERS
    assert frozenset(cassettes.DROPPED_REQUEST_HEADERS) == journal.DROPPED_HEADERS
