"""Snapshots: the state document is a server to start from. A server loaded from one
answers every request with the original's bytes and continues its ids; bad snapshots are
refused with where and what."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from openai import OpenAI

from mock_server import MockServer
from mock_server.state import SNAPSHOT_VERSION, SnapshotError

from .test_determinism import HEADERS, Exchange
from .test_restart import build, control, waiting_run

SNAPSHOT = Path(__file__).parent / "data" / "snapshot.json"
"""A small snapshot (one assistant, one thread with a message), for the marker."""


def prepare(server: MockServer) -> dict[str, Any]:
    """Some of everything, a run waiting for outputs among it; the snapshot after."""
    with httpx2.Client(base_url=server.base_url, headers=HEADERS) as client:
        made = build(client)
        made["waiting"] = waiting_run(client, made)
        made["batch"] = client.post(
            f"/vector_stores/{made['vector_store']}/file_batches", json={"file_ids": [made["file"]]}
        ).json()["id"]
    server.script(message="penguins", turns=[{"text": "Scripted penguins."}])
    made["snapshot"] = server.snapshot()
    return made


def carry_on(server: MockServer, made: dict[str, Any]) -> list[Exchange]:
    """Reads of everything, then new objects and the waiting run's outputs."""
    out: list[Exchange] = []
    waiting = made["waiting"]
    thread, store = made["thread"], made["vector_store"]
    with httpx2.Client(base_url=server.base_url, headers=HEADERS) as client:

        def send(method: str, path: str, body: Any = None) -> None:
            response = client.request(method, path, json=body)
            headers = {k: v for k, v in response.headers.items() if k != "date"}
            out.append(
                Exchange(f"{method} {path}", response.status_code, response.content, headers)
            )

        for path in (
            "/assistants",
            f"/threads/{thread}/messages?order=asc&limit=1",
            f"/threads/{thread}/runs",
            f"/threads/{thread}/runs/{made['run']}/steps",
            f"/threads/{waiting['thread_id']}/runs/{waiting['id']}",
            "/files",
            f"/files/{made['file']}/content",
            f"/vector_stores/{store}/files",
            f"/vector_stores/{store}/file_batches/{made['batch']}",
            f"/vector_stores/{store}/file_batches/{made['batch']}/files",
        ):
            send("GET", path)
        calls = waiting["required_action"]["submit_tool_outputs"]["tool_calls"]
        outputs = [{"tool_call_id": c["id"], "output": "rain"} for c in calls]
        base = f"/threads/{waiting['thread_id']}/runs/{waiting['id']}"
        send("POST", f"{base}/submit_tool_outputs", {"tool_outputs": outputs})
        send("GET", base)
        send("GET", f"/threads/{waiting['thread_id']}/messages")
        send("POST", "/threads", {"messages": [{"role": "user", "content": "More?"}]})
        send("POST", f"/threads/{thread}/runs", {"assistant_id": made["assistant"]})
        send("GET", f"/threads/{thread}/messages?limit=1")  # the scripted reply
        send("POST", "/assistants", {"model": "gpt-4o"})
        send("POST", "/vector_stores", {"name": "more"})
    return out


@pytest.fixture(scope="module")
def original() -> tuple[dict[str, Any], list[Exchange]]:
    with MockServer(seed=3) as server:
        made = prepare(server)
        return made, carry_on(server, made)


@pytest.mark.parametrize("store", ["memory", "sqlite"])
def test_a_loaded_snapshot_answers_as_the_original_would_have(
    original: tuple[dict[str, Any], list[Exchange]], store: str, tmp_path: Path
) -> None:
    made, expected = original
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(made["snapshot"]))
    spec = "memory" if store == "memory" else f"sqlite:{tmp_path}/s.db"
    with MockServer(seed=3, state=path, store=spec) as server:
        replies = carry_on(server, made)
    assert [e.request for e in replies] == [e.request for e in expected]
    for got, want in zip(replies, expected, strict=True):
        assert (got.status, got.body, got.headers) == (want.status, want.body, want.headers), (
            want.request
        )


def test_the_snapshot_is_the_state_document(tmp_path: Path) -> None:
    with MockServer() as server:
        made = prepare(server)
        served = httpx2.get(control(server, "state")).json()
    assert served == made["snapshot"]
    assert served["version"] == SNAPSHOT_VERSION
    assert set(served) >= {"ids", "clock", "file_contents", "threads", "vector_stores"}


def test_a_reset_loads_the_snapshot_again(tmp_path: Path) -> None:
    with MockServer(state=SNAPSHOT) as server:
        client = server.client()
        (assistant,) = client.beta.assistants.list().data
        client.beta.assistants.create(model="gpt-4o")
        server.reset()
        assert [a.id for a in client.beta.assistants.list().data] == [assistant.id]


@pytest.mark.assistants_mock(state=str(SNAPSHOT))
def test_the_marker_starts_a_test_from_a_snapshot(assistants_client: OpenAI) -> None:
    document = json.loads(SNAPSHOT.read_text())
    thread = document["threads"][0]
    listed = assistants_client.beta.threads.messages.list(thread["id"])
    assert [m.id for m in listed.data] == [m["id"] for m in thread["messages"]]
    made = assistants_client.beta.threads.create()
    assert made.id not in {thread["id"]}


def good() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SNAPSHOT.read_text())
    return document


def broken(path: list[str | int], value: Any) -> dict[str, Any]:
    document = good()
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (broken(["version"], 99), r"\$\.version: 99 is not a snapshot version"),
        ({"threads": []}, r"\$\.version: None is not a snapshot version"),
        (
            broken(["threads", 0, "messages", 0, "thread_id"], "thread_other"),
            r"\$\.threads\[0\]\.messages\[0\]\.thread_id: is not 'thread_",
        ),
        (
            broken(["threads", 0, "messages", 0, "created_at"], "soon"),
            r"\$\.threads\[0\]\.messages\[0\]\.created_at: Input should be a valid integer",
        ),
        (
            broken(["file_contents"], {"file-x": "AA=="}),
            r"\$\.file_contents\[\"file-x\"\]: no file 'file-x' in \$\.files",
        ),
        (broken(["threads"], {}), r"\$\.threads: expected an array, got dict"),
        (broken(["ids"], {"thread_": -1}), r"\$\.ids\[\"thread_\"\]: -1 is not a count"),
        (
            broken(["ids"], {"msg_": 10**9 + 1}),
            r"\$\.ids\[\"msg_\"\]: 1000000001 is past the furthest a stream goes",
        ),
        (
            broken(["assistants"], [good()["assistants"][0]] * 2),
            r"\$\.assistants\[1\]\.id: 'asst_\w+' appears twice",
        ),
    ],
)
def test_a_bad_snapshot_is_refused_naming_where(
    document: dict[str, Any], message: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SnapshotError, match=f"^{path}: {message}"):
        MockServer(state=path)


def test_malformed_json_is_refused_with_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"version": 1,\n "threads": [}')
    with pytest.raises(SnapshotError, match=f"^{path}: line 2 column 14: Expecting value"):
        MockServer(state=path)


def test_a_vector_store_file_of_no_file_is_refused(tmp_path: Path) -> None:
    with MockServer() as server:
        made = prepare(server)
    document = made["snapshot"]
    document["files"] = []
    document["file_contents"] = {}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SnapshotError, match=r"\$\.vector_stores\[0\]\.files\[0\]\.id: no file"):
        MockServer(state=path)
