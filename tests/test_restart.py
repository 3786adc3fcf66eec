"""What survives a restart on the SQLite store, through HTTP: every object, the file bytes,
id positions, the clock, and runs in flight (which go on or end, never block a thread)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import httpx2
import pytest

from mock_server import MockServer
from mock_server import request_models as rq
from mock_server.backend import Backend
from mock_server.runs import InvalidTransition, RunStatus, requeued, transition
from mock_server.settings import Settings
from mock_server.store import StoreError

from .subprocesses import finish, mock_server
from .test_determinism import HEADERS, script

WEATHER = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def http(server: MockServer) -> httpx2.Client:
    return httpx2.Client(base_url=server.base_url, headers=HEADERS)


def control(server: MockServer, path: str) -> str:
    """The URL of a control endpoint (outside `/v1`)."""
    return server.base_url.removesuffix("/v1") + "/assistants-mock/" + path


def build(client: httpx2.Client) -> dict[str, Any]:
    """Some of everything, through HTTP: the ids made."""
    made: dict[str, Any] = {}
    made["assistant"] = client.post(
        "/assistants", json={"model": "gpt-4o", "instructions": "Be brief.", "tools": WEATHER}
    ).json()["id"]
    made["thread"] = client.post(
        "/threads", json={"messages": [{"role": "user", "content": "Tell me about penguins."}]}
    ).json()["id"]
    made["file"] = client.post(
        "/files",
        files={"file": ("notes.txt", b"Penguins swim fast.")},
        data={"purpose": "assistants"},
    ).json()["id"]
    made["vector_store"] = client.post(
        "/vector_stores", json={"name": "kb", "file_ids": [made["file"]]}
    ).json()["id"]
    run = client.post(
        f"/threads/{made['thread']}/runs", json={"assistant_id": made["assistant"]}
    ).json()
    client.get(f"/threads/{made['thread']}/runs/{run['id']}")  # immediate: completed
    made["run"] = run["id"]
    return made


def reads(client: httpx2.Client, made: dict[str, Any]) -> list[bytes]:
    thread, run = made["thread"], made["run"]
    paths = [
        f"/assistants/{made['assistant']}",
        "/assistants",
        f"/threads/{thread}",
        f"/threads/{thread}/messages",
        f"/threads/{thread}/runs/{run}",
        f"/threads/{thread}/runs/{run}/steps",
        f"/files/{made['file']}",
        f"/files/{made['file']}/content",
        f"/vector_stores/{made['vector_store']}",
        f"/vector_stores/{made['vector_store']}/files",
    ]
    return [client.get(path).content for path in paths]


def test_every_object_survives_a_restart_byte_for_byte_and_no_id_repeats(
    tmp_path: Path,
) -> None:
    store = f"sqlite:{tmp_path}/s.db"
    with MockServer(store=store) as server, http(server) as client:
        made = build(client)
        before = reads(client, made)
        assert client.post(control(server, "clock"), json={"advance": 100}).is_success
        clock = server.backend.clock.now()
    with MockServer(store=store) as server, http(server) as client:
        assert reads(client, made) == before
        thread = client.post("/threads", json={}).json()
        assert thread["id"] != made["thread"]
        assert thread["created_at"] == clock  # the frozen clock resumed where it was
        assert client.get("/threads/" + made["thread"]).status_code == 200
    with MockServer(store="memory") as server, http(server) as client:
        fresh = build(client)
        assert fresh["thread"] == made["thread"]  # a memory store starts over from the seed


def test_same_seed_same_requests_same_bytes_on_both_stores(tmp_path: Path) -> None:
    with MockServer(seed=7) as server:
        memory = script(server)
    with MockServer(seed=7, store=f"sqlite:{tmp_path}/s.db") as server:
        sqlite = script(server)
    assert [(e.request, e.status, e.body, e.headers) for e in sqlite] == [
        (e.request, e.status, e.body, e.headers) for e in memory
    ]


def test_reset_empties_the_sqlite_store_and_ids_start_over(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path}/s.db"
    with MockServer(store=store) as server, http(server) as client:
        first = client.post("/threads", json={}).json()["id"]
        assert client.post(control(server, "reset")).is_success
        assert client.get(f"/threads/{first}").status_code == 404
        assert client.post("/threads", json={}).json()["id"] == first
        server.reset()
        assert client.get(f"/threads/{first}").status_code == 404
        assert client.post("/threads", json={}).json()["id"] == first
    with MockServer(store=store) as server, http(server) as client:
        # What the reset left is what lasts: one thread, made again from the seed.
        assert client.get(f"/threads/{first}").status_code == 200
        assert client.post("/threads", json={}).json()["id"] != first


def poll_until_done(client: httpx2.Client, thread: str, run: str) -> dict[str, Any]:
    for _ in range(20):
        found: dict[str, Any] = client.get(f"/threads/{thread}/runs/{run}").json()
        if found["status"] not in ("queued", "in_progress", "cancelling"):
            return found
    raise AssertionError(f"run {run} never ended: {found}")


def test_a_queued_run_plays_again_after_a_restart(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path}/s.db"
    settings: dict[str, Any] = {"store": store, "run_progression": "per_poll"}
    with MockServer(**settings) as server, http(server) as client:
        made = build(client)
        made["thread"] = client.post(
            "/threads", json={"messages": [{"role": "user", "content": "Penguins?"}]}
        ).json()["id"]
        run = client.post(
            f"/threads/{made['thread']}/runs", json={"assistant_id": made["assistant"]}
        ).json()
        assert run["status"] == "queued"
    with MockServer(**settings) as server, http(server) as client:
        ended = poll_until_done(client, made["thread"], run["id"])
        assert ended["status"] == "completed"
        listed = client.get(f"/threads/{made['thread']}/messages").json()["data"]
        assert listed[0]["run_id"] == run["id"]
        assert listed[0]["role"] == "assistant"


def waiting_run(client: httpx2.Client, made: dict[str, Any]) -> dict[str, Any]:
    thread = client.post(
        "/threads", json={"messages": [{"role": "user", "content": "Weather in Paris?"}]}
    ).json()["id"]
    run = client.post(f"/threads/{thread}/runs", json={"assistant_id": made["assistant"]})
    waiting: dict[str, Any] = client.get(f"/threads/{thread}/runs/{run.json()['id']}").json()
    assert waiting["status"] == "requires_action"
    return waiting


def answer(client: httpx2.Client, waiting: dict[str, Any]) -> list[bytes]:
    calls = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
    base = f"/threads/{waiting['thread_id']}/runs/{waiting['id']}"
    client.post(
        f"{base}/submit_tool_outputs",
        json={"tool_outputs": [{"tool_call_id": c["id"], "output": "sunny"} for c in calls]},
    )
    return [
        client.get(base).content,
        client.get(f"{base}/steps").content,
        client.get(f"/threads/{waiting['thread_id']}/messages").content,
    ]


def test_a_run_waiting_for_outputs_takes_them_after_a_restart_as_it_would_have(
    tmp_path: Path,
) -> None:
    with MockServer() as server, http(server) as client:
        uninterrupted = answer(client, waiting_run(client, build(client)))
    store = f"sqlite:{tmp_path}/s.db"
    with MockServer(store=store) as server, http(server) as client:
        waiting = waiting_run(client, build(client))
    with MockServer(store=store) as server, http(server) as client:
        assert answer(client, waiting) == uninterrupted


def test_a_run_waiting_for_outputs_expires_after_a_restart(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path}/s.db"
    with MockServer(store=store) as server, http(server) as client:
        made = build(client)
        waiting = waiting_run(client, made)
    with MockServer(store=store) as server, http(server) as client:
        set_clock = client.post(control(server, "clock"), json={"set": waiting["expires_at"]})
        assert set_clock.is_success
        base = f"/threads/{waiting['thread_id']}/runs"
        assert client.get(f"{base}/{waiting['id']}").json()["status"] == "expired"
        again = client.post(base, json={"assistant_id": made["assistant"]})
        assert again.status_code == 200  # the thread is not blocked


def test_a_run_waiting_for_outputs_is_cancelled_after_a_restart(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path}/s.db"
    with MockServer(store=store) as server, http(server) as client:
        waiting = waiting_run(client, build(client))
    with MockServer(store=store) as server:
        sdk = server.client()
        thread_id, run_id = waiting["thread_id"], waiting["id"]
        assert sdk.beta.threads.runs.cancel(run_id, thread_id=thread_id).status == "cancelling"
        run = sdk.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        assert run.status == "cancelled"
        steps = sdk.beta.threads.runs.steps.list(run_id, thread_id=thread_id).data
        assert [(s.type, s.status) for s in steps] == [("tool_calls", "cancelled")]
        sdk.beta.threads.messages.create(thread_id, role="user", content="free again")


def test_a_run_stopped_before_its_first_step_plays_again_after_a_restart(
    tmp_path: Path,
) -> None:
    settings = Settings(store=f"sqlite:{tmp_path}/s.db")
    backend = Backend(settings)  # driven directly: a stream cut off once in progress
    assistant = backend.create_assistant(rq.CreateAssistant.model_validate({"model": "gpt-4o"}))
    thread = backend.create_thread(
        rq.CreateThread.model_validate({"messages": [{"role": "user", "content": "Hello"}]})
    )
    executor = backend.create_run(
        thread.id, rq.CreateRun.model_validate({"assistant_id": assistant.id, "stream": True})
    )
    while (event := backend.next_event(executor)) is not None:
        if event.name == "thread.run.in_progress":
            break
    assert backend.store.steps.children(executor.run_id) == []
    backend.store.close()  # the process dies here: the run made nothing yet
    with MockServer(store=settings.store) as server:
        sdk = server.client()
        run = sdk.beta.threads.runs.retrieve(executor.run_id, thread_id=thread.id)
        assert run.status in ("queued", "in_progress", "completed")
        run = sdk.beta.threads.runs.poll(executor.run_id, thread_id=thread.id)
        assert run.status == "completed"
        assert run.started_at is not None
        reply = sdk.beta.threads.messages.list(thread.id).data[0]
        assert (reply.role, reply.run_id) == ("assistant", executor.run_id)


def test_a_run_stopped_mid_stream_ends_failed_and_frees_its_thread(tmp_path: Path) -> None:
    settings = Settings(store=f"sqlite:{tmp_path}/s.db")
    backend = Backend(settings)  # driven directly: a stream cut off half way
    assistant = backend.create_assistant(rq.CreateAssistant.model_validate({"model": "gpt-4o"}))
    thread = backend.create_thread(
        rq.CreateThread.model_validate({"messages": [{"role": "user", "content": "Hello"}]})
    )
    executor = backend.create_run(
        thread.id, rq.CreateRun.model_validate({"assistant_id": assistant.id, "stream": True})
    )
    while not backend.store.steps.children(executor.run_id):
        assert backend.next_event(executor) is not None
    backend.store.close()  # the process dies here: the stream never ends
    backend = Backend(settings)
    run = backend.store.runs.get(executor.run_id)
    assert run is not None
    assert (run.status, run.last_error) == (
        "failed",
        {
            "code": "server_error",
            "message": "The server stopped while this run was in progress; it cannot be resumed.",
        },
    )
    assert {s.status for s in backend.store.steps.children(run.id)} == {"failed"}
    assert backend.active_run(thread.id) is None
    backend.close()


def test_serve_refuses_a_store_another_server_holds(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path}/s.db"
    with MockServer(store=store):
        second = finish(mock_server("serve", "--port", "0", "--store", store))
    assert second.returncode == 1
    assert second.stderr.strip().splitlines() == [
        f"assistants-mock: {tmp_path}/s.db is in use by another server (pid "
        f"{os.getpid()}, lock {tmp_path}/s.db.lock): stop it, or give this one "
        "another --store path"
    ]


@pytest.mark.parametrize("spec", ["sqlite:", "postgres:x", "Memory"])
def test_a_bad_store_setting_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="store must be 'memory' or 'sqlite:PATH'"):
        Settings(store=spec)


def test_scripted_rules_keep_their_turns_left_across_a_restart(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path}/s.db"
    with MockServer(store=store) as server, http(server) as client:
        made = build(client)  # its run took no turn: nothing was scripted yet
        server.script(message="ping", turns=[{"text": "pong 1"}, {"text": "pong 2"}])
        thread = client.post(
            "/threads", json={"messages": [{"role": "user", "content": "ping"}]}
        ).json()["id"]
        run = client.post(f"/threads/{thread}/runs", json={"assistant_id": made["assistant"]})
        client.get(f"/threads/{thread}/runs/{run.json()['id']}")
    with MockServer(store=store) as server, http(server) as client:
        assert server.backend.script.unused()[0]["turns_left"] == 1
        thread = client.post(
            "/threads", json={"messages": [{"role": "user", "content": "ping"}]}
        ).json()["id"]
        run = client.post(f"/threads/{thread}/runs", json={"assistant_id": made["assistant"]})
        client.get(f"/threads/{thread}/runs/{run.json()['id']}")
        reply = client.get(f"/threads/{thread}/messages").json()["data"][0]
        assert reply["content"][0]["text"]["value"] == "pong 2"
        assert server.backend.script.unused() == []


def test_a_mock_server_stopped_and_started_again_reopens_its_store(tmp_path: Path) -> None:
    server = MockServer(store=f"sqlite:{tmp_path}/s.db")
    with server, http(server) as client:
        thread = client.post("/threads", json={}).json()["id"]
    with server, http(server) as client:  # the lock was let go at stop, taken again at start
        assert client.get(f"/threads/{thread}").status_code == 200
        assert client.post("/threads", json={}).json()["id"] != thread


def test_only_a_restart_moves_a_run_back_to_queued() -> None:
    backend = Backend()
    assistant = backend.create_assistant(rq.CreateAssistant(model="gpt-4o"))
    thread = backend.create_thread(rq.CreateThread())
    backend.create_message(thread.id, rq.CreateMessage(role="user", content="Hello"))
    run_id = backend.create_run(thread.id, rq.CreateRun(assistant_id=assistant.id)).run_id
    queued = backend.store.runs.get(run_id)
    assert queued is not None
    started = transition(queued, RunStatus.IN_PROGRESS, 5)
    with pytest.raises(InvalidTransition):  # the API's lifecycle never moves a run back
        transition(started, RunStatus.QUEUED, 6)
    again = requeued(started)
    assert (again.status, again.started_at) == ("queued", None)
    with pytest.raises(InvalidTransition):
        requeued(queued)


def test_a_store_whose_id_positions_are_past_reach_is_refused(tmp_path: Path) -> None:
    """A hand-edited meta record would have the server skip ids for hours at start."""
    path = tmp_path / "a.db"
    with MockServer(store=f"sqlite:{path}") as server:
        server.client().beta.threads.create()
    with sqlite3.connect(path) as db:
        # 10**9 + 1: refused at once, not skipped to for 10 s
        db.execute("UPDATE meta SET value = ? WHERE key = 'ids'", ('{"thread_": 1000000001}',))
    with pytest.raises(StoreError, match=r"meta record cannot be used: ids\['thread_'\]"):
        Backend(Settings(store=f"sqlite:{path}"))
