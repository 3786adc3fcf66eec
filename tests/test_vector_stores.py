"""Vector stores through the SDK: stores, their files and file batches, the polling
helpers (which all end on their first poll), errors, and the deterministic search that
the `file_search` tool runs on (`Library.search`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from openai import BadRequestError, NotFoundError, OpenAI

from mock_server import MockServer
from mock_server.library import Library, SearchHit, chunk_text, query_terms, score_chunk

from .conftest import run_node
from .sdk import httpx, require_method, require_parameter, vector_stores

EPOCH = 1_767_225_600
DAY = 86_400
STORE_KEYS = [
    "id", "object", "created_at", "name", "description", "usage_bytes", "file_counts", "status",
    "expires_after", "expires_at", "last_active_at", "metadata",
]  # fmt: skip
STORE_FILE_KEYS = [
    "id", "object", "usage_bytes", "created_at", "vector_store_id", "status", "last_error",
    "chunking_strategy", "attributes",
]  # fmt: skip
COUNT_KEYS = ["in_progress", "completed", "failed", "cancelled", "total"]
AUTO_CHUNKING = {
    "type": "static",
    "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
}
STORE_ID = re.compile(r"vs_[0-9a-f]{32}")
BATCH_ID = re.compile(r"vsfb_[0-9a-f]{32}")


def raw_json(response: Any) -> Any:
    return json.loads(response.http_response.text)


def counts(completed: int = 0) -> dict[str, int]:
    return {"in_progress": 0, "completed": completed, "failed": 0, "cancelled": 0,
            "total": completed}  # fmt: skip


def error(message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {"message": message, "type": "invalid_request_error", "param": param, "code": code}


def upload(client: OpenAI, name: str, text: str) -> str:
    return client.files.create(file=(name, text.encode()), purpose="assistants").id


@dataclass
class Recorder:
    """Every request an SDK client sends, as `METHOD /path`."""

    seen: list[str] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> None:
        self.seen.append(f"{request.method} {request.url.path}")


@pytest.fixture
def recorded(assistants_mock: MockServer) -> Iterator[tuple[OpenAI, Recorder]]:
    recorder = Recorder()
    with httpx.Client(event_hooks={"request": [recorder]}) as http:
        client: OpenAI = assistants_mock.client(http_client=http)
        yield client, recorder


@pytest.fixture
def http(assistants_mock: MockServer) -> Iterator[httpx.Client]:
    """Raw HTTP with an API key and no `OpenAI-Beta` header."""
    headers = {"Authorization": "Bearer sk-test"}
    with httpx.Client(base_url=assistants_mock.base_url, headers=headers) as client:
        yield client


# --- stores ------------------------------------------------------------------------------


def test_create_returns_every_field_in_the_real_order(assistants_client: OpenAI) -> None:
    response = vector_stores(assistants_client).with_raw_response.create()
    body = raw_json(response)
    assert list(body) == STORE_KEYS
    assert list(body["file_counts"]) == COUNT_KEYS
    assert body == {
        "id": body["id"],
        "object": "vector_store",
        "created_at": EPOCH,
        "name": None,
        "description": None,
        "usage_bytes": 0,
        "file_counts": counts(),
        "status": "completed",
        "expires_after": None,
        "expires_at": None,
        "last_active_at": EPOCH,
        "metadata": {},
    }
    assert STORE_ID.fullmatch(body["id"])
    assert response.parse().id == body["id"]


def test_create_with_everything(assistants_client: OpenAI) -> None:
    a = upload(assistants_client, "a.txt", "alpha")
    b = upload(assistants_client, "b.txt", "beta beta")
    require_parameter(vector_stores(assistants_client).create, "description")
    store = vector_stores(assistants_client).create(
        name="Support FAQ",
        description="Answers.",
        file_ids=[a, b],
        expires_after={"anchor": "last_active_at", "days": 3},
        metadata={"team": "support"},
        chunking_strategy={
            "type": "static",
            "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 100},
        },
    )
    body = store.to_dict()
    assert body["name"] == "Support FAQ"
    assert body["description"] == "Answers."
    assert body["file_counts"] == counts(completed=2)
    assert body["usage_bytes"] == 5 + 9
    assert body["expires_after"] == {"anchor": "last_active_at", "days": 3}
    assert body["expires_at"] == EPOCH + 3 * DAY
    assert body["metadata"] == {"team": "support"}
    files = vector_stores(assistants_client).files.list(store.id, order="asc")
    assert [f.id for f in files] == [a, b]
    assert all(f.chunking_strategy is not None for f in files)
    assert files.data[0].to_dict()["chunking_strategy"] == {
        "static": {"chunk_overlap_tokens": 100, "max_chunk_size_tokens": 200},
        "type": "static",
    }


def test_retrieve_modify_and_delete(assistants_client: OpenAI) -> None:
    store = vector_stores(assistants_client).create(
        name="old", expires_after={"anchor": "last_active_at", "days": 1}
    )
    assert vector_stores(assistants_client).retrieve(store.id) == store
    renamed = vector_stores(assistants_client).update(
        store.id, name="new", metadata={"k": "v"}, expires_after=None
    )
    assert (renamed.name, renamed.metadata) == ("new", {"k": "v"})
    assert (renamed.expires_after, renamed.expires_at) == (None, None)
    untouched = vector_stores(assistants_client).update(store.id)
    assert untouched.name == "new"
    cleared = raw_json(
        vector_stores(assistants_client).with_raw_response.update(store.id, name=None)
    )
    assert cleared["name"] is None
    deleted = raw_json(vector_stores(assistants_client).with_raw_response.delete(store.id))
    assert deleted == {"id": store.id, "object": "vector_store.deleted", "deleted": True}
    with pytest.raises(NotFoundError) as info:
        vector_stores(assistants_client).retrieve(store.id)
    assert info.value.body == error(f"No vector store found with id '{store.id}'.")


def test_list_pages_newest_first(assistants_client: OpenAI) -> None:
    ids = [vector_stores(assistants_client).create(name=f"s{i}").id for i in range(5)]
    first = vector_stores(assistants_client).list(limit=2)
    assert [s.id for s in first.data] == ids[:-3:-1]
    assert first.has_more is True
    assert [s.id for s in vector_stores(assistants_client).list(limit=2)] == ids[::-1]
    body = raw_json(vector_stores(assistants_client).with_raw_response.list(order="asc"))
    assert list(body) == ["object", "data", "first_id", "last_id", "has_more"]
    assert (body["first_id"], body["last_id"]) == (ids[0], ids[-1])
    assert all(list(s) == STORE_KEYS for s in body["data"])


# --- files of a store --------------------------------------------------------------------


def test_attach_a_file(assistants_client: OpenAI) -> None:
    require_parameter(vector_stores(assistants_client).files.create, "attributes")
    store = vector_stores(assistants_client).create()
    file_id = upload(assistants_client, "a.txt", "hello world")
    response = vector_stores(assistants_client).files.with_raw_response.create(
        vector_store_id=store.id, file_id=file_id, attributes={"lang": "en", "n": 2, "ok": True}
    )
    body = raw_json(response)
    assert list(body) == STORE_FILE_KEYS
    assert body == {
        "id": file_id,
        "object": "vector_store.file",
        "usage_bytes": 11,
        "created_at": EPOCH,
        "vector_store_id": store.id,
        "status": "completed",
        "last_error": None,
        "chunking_strategy": AUTO_CHUNKING,
        "attributes": {"lang": "en", "n": 2, "ok": True},
    }
    again = raw_json(
        vector_stores(assistants_client).files.with_raw_response.retrieve(
            file_id, vector_store_id=store.id
        )
    )
    assert again == body
    updated = vector_stores(assistants_client).files.update(
        file_id, vector_store_id=store.id, attributes={"lang": "fr"}
    )
    assert updated.attributes == {"lang": "fr"}
    refreshed = vector_stores(assistants_client).retrieve(store.id)
    assert refreshed.file_counts.to_dict() == counts(completed=1)
    assert refreshed.usage_bytes == 11


def test_attaching_twice_keeps_one_file(assistants_client: OpenAI) -> None:
    store = vector_stores(assistants_client).create()
    file_id = upload(assistants_client, "a.txt", "x")
    first = vector_stores(assistants_client).files.create(vector_store_id=store.id, file_id=file_id)
    second = vector_stores(assistants_client).files.create(
        vector_store_id=store.id, file_id=file_id
    )
    assert first == second
    assert vector_stores(assistants_client).retrieve(store.id).file_counts.total == 1


def test_detach_keeps_the_file(assistants_client: OpenAI) -> None:
    file_id = upload(assistants_client, "a.txt", "abc")
    store = vector_stores(assistants_client).create(file_ids=[file_id])
    response = vector_stores(assistants_client).files.with_raw_response.delete(
        file_id, vector_store_id=store.id
    )
    assert raw_json(response) == {
        "id": file_id,
        "object": "vector_store.file.deleted",
        "deleted": True,
    }
    after = vector_stores(assistants_client).retrieve(store.id)
    assert (after.file_counts.to_dict(), after.usage_bytes) == (counts(), 0)
    assert assistants_client.files.retrieve(file_id).id == file_id
    with pytest.raises(NotFoundError) as info:
        vector_stores(assistants_client).files.retrieve(file_id, vector_store_id=store.id)
    assert info.value.body == error(
        f"No file found with id '{file_id}' in vector store '{store.id}'."
    )


def test_deleting_a_file_takes_it_out_of_every_store(assistants_client: OpenAI) -> None:
    gone = upload(assistants_client, "gone.txt", "12345")
    kept = upload(assistants_client, "kept.txt", "12")
    stores = [vector_stores(assistants_client).create(file_ids=[gone, kept]) for _ in range(2)]
    assistants_client.files.delete(gone)
    for store in stores:
        after = vector_stores(assistants_client).retrieve(store.id)
        assert (after.file_counts.to_dict(), after.usage_bytes) == (counts(completed=1), 2)
        assert [f.id for f in vector_stores(assistants_client).files.list(store.id)] == [kept]


def test_deleting_a_store_keeps_its_files(assistants_client: OpenAI) -> None:
    file_id = upload(assistants_client, "a.txt", "x")
    store = vector_stores(assistants_client).create(file_ids=[file_id])
    vector_stores(assistants_client).delete(store.id)
    assert assistants_client.files.retrieve(file_id).id == file_id
    with pytest.raises(NotFoundError):
        vector_stores(assistants_client).files.list(store.id)


def test_list_files_pages_and_filters(assistants_client: OpenAI) -> None:
    ids = [upload(assistants_client, f"f{i}.txt", "x") for i in range(4)]
    store = vector_stores(assistants_client).create(file_ids=ids)
    page = vector_stores(assistants_client).files.list(store.id, limit=3)
    assert [f.id for f in page.data] == ids[:0:-1]
    assert page.has_more is True
    assert [f.id for f in page] == ids[::-1]
    done = vector_stores(assistants_client).files.list(store.id, filter="completed", order="asc")
    assert [f.id for f in done] == ids
    assert vector_stores(assistants_client).files.list(store.id, filter="failed").data == []


def test_file_content_is_its_text(assistants_client: OpenAI) -> None:
    require_method(vector_stores(assistants_client).files, "content")
    file_id = upload(assistants_client, "a.txt", "Penguins swim.\n\nThey eat fish.")
    store = vector_stores(assistants_client).create(file_ids=[file_id])
    parts = list(vector_stores(assistants_client).files.content(file_id, vector_store_id=store.id))
    assert [(p.type, p.text) for p in parts] == [("text", "Penguins swim.\n\nThey eat fish.")]


# --- polling helpers ---------------------------------------------------------------------


def test_upload_and_poll_ends_on_the_first_poll(recorded: tuple[OpenAI, Recorder]) -> None:
    client, recorder = recorded
    store = vector_stores(client).create()
    recorder.seen.clear()
    attached = vector_stores(client).files.upload_and_poll(
        vector_store_id=store.id, file=("a.txt", b"hello"), poll_interval_ms=60_000
    )
    assert attached.status == "completed"
    assert recorder.seen == [
        "POST /v1/files",
        f"POST /v1/vector_stores/{store.id}/files",
        f"GET /v1/vector_stores/{store.id}/files/{attached.id}",
    ]


def test_create_and_poll_ends_on_the_first_poll(recorded: tuple[OpenAI, Recorder]) -> None:
    client, recorder = recorded
    store = vector_stores(client).create()
    file_id = upload(client, "a.txt", "hello")
    recorder.seen.clear()
    attached = vector_stores(client).files.create_and_poll(
        file_id, vector_store_id=store.id, poll_interval_ms=60_000
    )
    assert (attached.id, attached.status) == (file_id, "completed")
    assert len(recorder.seen) == 2


def test_batch_create_and_poll_ends_on_the_first_poll(recorded: tuple[OpenAI, Recorder]) -> None:
    client, recorder = recorded
    store = vector_stores(client).create()
    ids = [upload(client, f"f{i}.txt", "abc") for i in range(3)]
    recorder.seen.clear()
    batch = vector_stores(client).file_batches.create_and_poll(
        store.id, file_ids=ids, poll_interval_ms=60_000
    )
    assert recorder.seen == [
        f"POST /v1/vector_stores/{store.id}/file_batches",
        f"GET /v1/vector_stores/{store.id}/file_batches/{batch.id}",
    ]
    assert batch.status == "completed"
    assert batch.file_counts.to_dict() == {
        "cancelled": 0, "completed": 3, "failed": 0, "in_progress": 0, "total": 3,
    }  # fmt: skip
    after = vector_stores(client).retrieve(store.id)
    assert (after.file_counts.completed, after.usage_bytes) == (3, 9)


def test_batch_upload_and_poll(recorded: tuple[OpenAI, Recorder]) -> None:
    client, recorder = recorded
    store = vector_stores(client).create()
    earlier = upload(client, "earlier.txt", "e")
    recorder.seen.clear()
    batch = vector_stores(client).file_batches.upload_and_poll(
        store.id,
        files=[("a.txt", b"a"), ("b.txt", b"bb")],
        file_ids=[earlier],
        poll_interval_ms=60_000,
    )
    assert batch.file_counts.completed == batch.file_counts.total == 3
    assert sorted(recorder.seen) == sorted(
        [
            "POST /v1/files",
            "POST /v1/files",
            f"POST /v1/vector_stores/{store.id}/file_batches",
            f"GET /v1/vector_stores/{store.id}/file_batches/{batch.id}",
        ]
    )
    names = {
        client.files.retrieve(f.id).filename for f in vector_stores(client).files.list(store.id)
    }
    assert names == {"earlier.txt", "a.txt", "b.txt"}


# --- file batches ------------------------------------------------------------------------


def test_batch_object_and_its_files(assistants_client: OpenAI) -> None:
    require_parameter(vector_stores(assistants_client).file_batches.create, "attributes")
    store = vector_stores(assistants_client).create()
    ids = [upload(assistants_client, f"f{i}.txt", "x") for i in range(3)]
    outside = upload(assistants_client, "outside.txt", "y")
    vector_stores(assistants_client).files.create(vector_store_id=store.id, file_id=outside)
    response = vector_stores(assistants_client).file_batches.with_raw_response.create(
        store.id, file_ids=ids, attributes={"set": "one"}
    )
    body = raw_json(response)
    assert list(body) == ["id", "object", "created_at", "status", "vector_store_id", "file_counts"]
    assert body == {
        "id": body["id"],
        "object": "vector_store.file_batch",
        "created_at": EPOCH,
        "status": "in_progress",
        "vector_store_id": store.id,
        "file_counts": counts(completed=0) | {"in_progress": 3, "total": 3},
    }
    assert list(body["file_counts"]) == COUNT_KEYS
    assert BATCH_ID.fullmatch(body["id"])
    retrieved = vector_stores(assistants_client).file_batches.retrieve(
        body["id"], vector_store_id=store.id
    )
    assert (retrieved.id, retrieved.status) == (body["id"], "completed")
    assert retrieved.file_counts.to_dict() == counts(completed=3)
    listed = vector_stores(assistants_client).file_batches.list_files(
        body["id"], vector_store_id=store.id, order="asc"
    )
    assert [f.id for f in listed] == ids
    assert all(
        vector_stores(assistants_client).files.retrieve(i, vector_store_id=store.id).attributes
        == {"set": "one"}
        for i in ids
    )
    paged = vector_stores(assistants_client).file_batches.list_files(
        body["id"], vector_store_id=store.id, limit=1
    )
    assert [f.id for f in paged] == ids[::-1]


def test_batch_with_per_file_settings(assistants_client: OpenAI) -> None:
    store = vector_stores(assistants_client).create()
    a = upload(assistants_client, "a.txt", "x")
    b = upload(assistants_client, "b.txt", "y")
    require_parameter(vector_stores(assistants_client).file_batches.create, "files")
    batch = vector_stores(assistants_client).file_batches.create(
        store.id,
        files=[
            {"file_id": a, "attributes": {"n": 1}},
            {
                "file_id": b,
                "chunking_strategy": {
                    "type": "static",
                    "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 0},
                },
            },
        ],
    )
    assert batch.file_counts.total == 2
    first = vector_stores(assistants_client).files.retrieve(a, vector_store_id=store.id)
    second = vector_stores(assistants_client).files.retrieve(b, vector_store_id=store.id)
    assert (first.attributes, second.attributes) == ({"n": 1}, {})
    assert second.to_dict()["chunking_strategy"] == {
        "static": {"chunk_overlap_tokens": 0, "max_chunk_size_tokens": 100},
        "type": "static",
    }


def test_cancelling_a_finished_batch_answers_it_as_it_is(assistants_client: OpenAI) -> None:
    """As recorded (2024): 200 with the batch, still `completed`."""
    store = vector_stores(assistants_client).create()
    file_id = upload(assistants_client, "a.txt", "x")
    batch = vector_stores(assistants_client).file_batches.create_and_poll(
        store.id, file_ids=[file_id]
    )
    cancelled = vector_stores(assistants_client).file_batches.cancel(
        batch.id, vector_store_id=store.id
    )
    assert (cancelled.id, cancelled.status) == (batch.id, "completed")
    assert cancelled.file_counts.to_dict() == counts(completed=1)


BATCH_FILE_KEYS = ["id", "object", "created_at", "vector_store_id", "status", "last_error"]
"""A batch's file list shows six keys per file (recorded 2025, `CanPaginate…InBatch`)."""
V2 = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}


def in_progress(n: int) -> dict[str, int]:
    return {"in_progress": n, "completed": 0, "failed": 0, "cancelled": 0, "total": n}


@pytest.fixture
def per_poll() -> Iterator[httpx.Client]:
    """Raw HTTP to a server whose runs and batches move one status per retrieve."""
    with (
        MockServer(run_progression="per_poll") as server,
        httpx.Client(base_url=server.base_url, headers=V2) as client,
    ):
        yield client


def _batch_of_two(http: httpx.Client) -> tuple[str, list[str], httpx.Response]:
    store = http.post("/vector_stores", json={}).json()["id"]
    ids = [
        http.post(
            "/files", files={"file": (f"f{i}.txt", b"abcd")}, data={"purpose": "assistants"}
        ).json()["id"]
        for i in range(2)
    ]
    return store, ids, http.post(f"/vector_stores/{store}/file_batches", json={"file_ids": ids})


def test_a_batch_is_in_progress_until_it_is_polled(per_poll: httpx.Client) -> None:
    """As recorded: the create reply is `in_progress` with every file counted so; the
    store shows the same while it lasts; a retrieve of the batch (`per_poll`) ends it."""
    store, ids, created = _batch_of_two(per_poll)
    batch = created.json()
    assert (batch["status"], batch["file_counts"]) == ("in_progress", in_progress(2))
    assert created.headers["openai-poll-after-ms"] == "10"
    during = per_poll.get(f"/vector_stores/{store}").json()
    assert (during["status"], during["file_counts"], during["usage_bytes"]) == (
        "in_progress", in_progress(2), 0,
    )  # fmt: skip
    listed = per_poll.get(f"/vector_stores/{store}/file_batches/{batch['id']}/files").json()
    assert [list(f) for f in listed["data"]] == [BATCH_FILE_KEYS] * 2
    assert {f["status"] for f in listed["data"]} == {"in_progress"}
    polled = per_poll.get(f"/vector_stores/{store}/file_batches/{batch['id']}")
    assert polled.headers["openai-poll-after-ms"] == "10"
    assert (polled.json()["status"], polled.json()["file_counts"]) == ("completed", counts(2))
    after = per_poll.get(f"/vector_stores/{store}").json()
    assert (after["status"], after["file_counts"], after["usage_bytes"]) == (
        "completed", counts(2), 8,
    )  # fmt: skip
    files = per_poll.get(f"/vector_stores/{store}/files", params={"order": "asc"}).json()
    assert [(f["id"], f["status"], f["usage_bytes"]) for f in files["data"]] == [
        (i, "completed", 4) for i in ids
    ]


def test_cancelling_a_batch_in_progress(per_poll: httpx.Client) -> None:
    store, _, created = _batch_of_two(per_poll)
    batch_id = created.json()["id"]
    cancelled = per_poll.post(f"/vector_stores/{store}/file_batches/{batch_id}/cancel")
    assert cancelled.status_code == 200
    cancelled_counts = in_progress(0) | {"cancelled": 2, "total": 2}
    assert (cancelled.json()["status"], cancelled.json()["file_counts"]) == (
        "cancelled", cancelled_counts,
    )  # fmt: skip
    again = per_poll.get(f"/vector_stores/{store}/file_batches/{batch_id}").json()
    assert again["status"] == "cancelled"
    after = per_poll.get(f"/vector_stores/{store}").json()
    assert (after["status"], after["file_counts"]) == ("completed", cancelled_counts)


def test_a_batch_completes_on_the_clock() -> None:
    """`run_progression="clock"`: a batch ends `seconds_per_transition` after it was made."""
    with (
        MockServer(run_progression="clock", seconds_per_transition=5) as server,
        httpx.Client(base_url=server.base_url, headers=V2) as http,
    ):
        store, _, created = _batch_of_two(http)
        batch = f"/vector_stores/{store}/file_batches/{created.json()['id']}"
        assert http.get(batch).json()["status"] == "in_progress"
        server.backend.clock.advance(4)
        assert http.get(batch).json()["status"] == "in_progress"
        server.backend.clock.advance(1)
        assert http.get(batch).json()["status"] == "completed"


def test_the_sdk_helpers_end_on_their_first_poll(recorded: tuple[OpenAI, Recorder]) -> None:
    """No `poll_interval_ms`: the SDK would sleep as long as `openai-poll-after-ms` says
    (1 s without it) if the first poll did not already see the batch completed."""
    client, recorder = recorded
    store = vector_stores(client).create()
    ids = [upload(client, f"f{i}.txt", "abc") for i in range(2)]
    recorder.seen.clear()
    batch = vector_stores(client).file_batches.create_and_poll(store.id, file_ids=ids)
    assert recorder.seen == [
        f"POST /v1/vector_stores/{store.id}/file_batches",
        f"GET /v1/vector_stores/{store.id}/file_batches/{batch.id}",
    ]
    assert (batch.status, batch.file_counts.completed) == ("completed", 2)


def test_batch_ids_are_checked(assistants_client: OpenAI) -> None:
    store = vector_stores(assistants_client).create()
    with pytest.raises(BadRequestError) as info:
        vector_stores(assistants_client).file_batches.retrieve(store.id, vector_store_id=store.id)
    assert info.value.body == error(
        f"Invalid 'batch_id': '{store.id}'. Expected an ID that begins with 'vsfb_'.",
        param="batch_id",
        code="invalid_value",
    )
    with pytest.raises(NotFoundError) as missing:
        vector_stores(assistants_client).file_batches.retrieve(
            "vsfb_nope", vector_store_id=store.id
        )
    assert missing.value.body == error("No vector store file batch found with id 'vsfb_nope'.")


def test_a_batch_belongs_to_its_store(assistants_client: OpenAI) -> None:
    store, other = (vector_stores(assistants_client).create() for _ in range(2))
    file_id = upload(assistants_client, "a.txt", "x")
    batch = vector_stores(assistants_client).file_batches.create(store.id, file_ids=[file_id])
    with pytest.raises(NotFoundError):
        vector_stores(assistants_client).file_batches.retrieve(batch.id, vector_store_id=other.id)


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/vector_stores/vs_nope"),
        ("POST", "/vector_stores/vs_nope"),
        ("DELETE", "/vector_stores/vs_nope"),
        ("GET", "/vector_stores/vs_nope/files"),
        ("GET", "/vector_stores/vs_nope/files/file-x"),
        ("GET", "/vector_stores/vs_nope/file_batches/vsfb_x"),
    ],
)
def test_unknown_stores_are_404(http: httpx.Client, method: str, path: str) -> None:
    response = http.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == 404
    assert response.json() == {"error": error("No vector store found with id 'vs_nope'.")}


def test_unknown_files_cannot_be_attached(assistants_client: OpenAI) -> None:
    store = vector_stores(assistants_client).create()
    real = upload(assistants_client, "a.txt", "x")
    with pytest.raises(NotFoundError) as attach:
        vector_stores(assistants_client).files.create(vector_store_id=store.id, file_id="file-nope")
    with pytest.raises(NotFoundError) as create:
        vector_stores(assistants_client).create(file_ids=[real, "file-nope"])
    with pytest.raises(NotFoundError) as batch:
        vector_stores(assistants_client).file_batches.create(store.id, file_ids=[real, "file-nope"])
    for info in (attach, create, batch):
        assert info.value.body == error("No file found with id 'file-nope'.")
    # nothing was attached by the requests that failed, nor a store made
    assert vector_stores(assistants_client).retrieve(store.id).file_counts.total == 0
    assert [s.id for s in vector_stores(assistants_client).list()] == [store.id]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {},
            error(
                "Missing required parameter: 'file_ids'.", "file_ids", "missing_required_parameter"
            ),
        ),
        (
            {"file_ids": ["a"], "files": [{"file_id": "a"}]},
            error(
                "Invalid 'files': 'file_ids' and 'files' are mutually exclusive.",
                "files",
                "invalid_value",
            ),
        ),
        (
            {"file_ids": []},
            error(
                "Invalid 'file_ids': empty array. Expected an array with minimum length 1, but "
                "got an empty array instead.",
                "file_ids",
                "empty_array",
            ),
        ),
    ],
    ids=["neither", "both", "empty"],
)
def test_batch_bodies_are_checked(
    http: httpx.Client, assistants_client: OpenAI, body: dict[str, Any], expected: Any
) -> None:
    store = vector_stores(assistants_client).create()
    response = http.post(f"/vector_stores/{store.id}/file_batches", json=body)
    assert response.status_code == 400
    assert response.json() == {"error": expected}


@pytest.mark.parametrize(
    ("body", "message", "param"),
    [
        ({"colour": "blue"}, "Unrecognized request argument supplied: colour", None),
        (
            {"name": 5},
            "Invalid type for 'name': expected a string, but got an integer instead.",
            "name",
        ),
        (
            {"expires_after": {"anchor": "last_active_at", "days": 366}},
            "Invalid 'expires_after.days': integer above maximum value. Expected a value <= 365, "
            "but got 366 instead.",
            "expires_after.days",
        ),
        (
            {
                "chunking_strategy": {
                    "type": "static",
                    "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 60},
                }
            },
            "Invalid 'chunking_strategy.static': 'chunk_overlap_tokens' must not exceed half of "
            "'max_chunk_size_tokens'.",
            "chunking_strategy.static",
        ),
        (
            {"chunking_strategy": {"type": "dynamic"}},
            "Invalid value: 'dynamic'. Supported values are: 'auto' and 'static'.",
            "chunking_strategy.type",
        ),
        (
            {"metadata": {str(i): "v" for i in range(17)}},
            "Invalid 'metadata': too many properties. Expected an object with at most 16 "
            "properties, but got an object with 17 properties instead.",
            "metadata",
        ),
    ],
    ids=["unknown", "type", "days", "overlap", "chunking", "metadata"],
)
def test_create_bodies_are_checked(
    http: httpx.Client, body: dict[str, Any], message: str, param: str | None
) -> None:
    response = http.post("/vector_stores", json=body)
    assert response.status_code == 400
    got = response.json()["error"]
    assert (got["message"], got["param"]) == (message, param)


def test_attributes_are_checked(assistants_client: OpenAI) -> None:
    require_parameter(vector_stores(assistants_client).files.create, "attributes")
    store = vector_stores(assistants_client).create()
    file_id = upload(assistants_client, "a.txt", "x")
    with pytest.raises(BadRequestError) as info:
        vector_stores(assistants_client).files.create(
            vector_store_id=store.id, file_id=file_id, attributes={"k": "v" * 513}
        )
    assert info.value.body["message"] == (  # type: ignore[index]
        "Invalid 'attributes.k': string too long. Expected a string with maximum length 512, "
        "but got a string with length 513 instead."
    )


def test_no_beta_header_is_needed(http: httpx.Client) -> None:
    created = http.post("/vector_stores", json={"name": "kb"})
    assert created.status_code == 200
    store_id = created.json()["id"]
    assert http.get(f"/vector_stores/{store_id}").status_code == 200
    assert http.get("/vector_stores").status_code == 200
    assert http.get(f"/vector_stores/{store_id}/files").status_code == 200
    assert http.delete(f"/vector_stores/{store_id}").status_code == 200


# --- determinism -------------------------------------------------------------------------


def _ids(seed: int) -> list[str]:
    with MockServer(seed=seed) as server:
        client = server.client()
        file_id = upload(client, "a.txt", "x")
        store = vector_stores(client).create(file_ids=[file_id])
        batch = vector_stores(client).file_batches.create(store.id, file_ids=[file_id])
        return [file_id, store.id, batch.id]


def test_the_same_seed_gives_the_same_ids() -> None:
    first, again, other = _ids(5), _ids(5), _ids(6)
    assert first == again
    assert first != other
    assert STORE_ID.fullmatch(first[1])
    assert BATCH_ID.fullmatch(first[2])


# --- search ------------------------------------------------------------------------------

PENGUINS = """Penguins are flightless birds of the southern hemisphere.

Emperor penguins breed in the Antarctic winter.

Krill and fish are what most penguins eat."""
WHALES = """Blue whales eat krill.

Whales are mammals, not fish."""


@pytest.fixture
def library(assistants_mock: MockServer) -> Library:
    return assistants_mock.backend.library


def make_store(client: OpenAI, *files: tuple[str, str], **options: Any) -> tuple[str, list[str]]:
    ids = [upload(client, name, text) for name, text in files]
    return vector_stores(client).create(file_ids=ids, **options).id, ids


def test_search_ranks_by_word_overlap(library: Library, assistants_client: OpenAI) -> None:
    store, (penguins, whales) = make_store(
        assistants_client, ("penguins.txt", PENGUINS), ("whales.txt", WHALES)
    )
    hits = library.search([store], "What do emperor penguins eat?")
    breed = "Emperor penguins breed in the Antarctic winter."
    eat = "Krill and fish are what most penguins eat."
    assert hits[:2] == [
        SearchHit(penguins, "penguins.txt", 0.6667, breed),
        SearchHit(penguins, "penguins.txt", 0.6667, eat),
    ]
    assert [(h.file_id, h.score) for h in hits[2:]] == [
        (penguins, 0.3333),
        (whales, 0.3333),
    ]
    assert hits == library.search([store], "What do emperor penguins eat?")


def test_ties_keep_file_order_then_chunk_order(library: Library, assistants_client: OpenAI) -> None:
    first, (a,) = make_store(assistants_client, ("a.txt", "krill one\n\nkrill two"))
    second, (b,) = make_store(assistants_client, ("b.txt", "krill three"))
    hits = library.search([second, first], "krill")
    assert [(h.file_id, h.text) for h in hits] == [
        (b, "krill three"),
        (a, "krill one"),
        (a, "krill two"),
    ]
    assert {h.score for h in hits} == {1.0}
    assert [h.text for h in library.search([first, second], "krill")] == [
        "krill one",
        "krill two",
        "krill three",
    ]


def test_threshold_and_max_results(library: Library, assistants_client: OpenAI) -> None:
    store, _ = make_store(assistants_client, ("penguins.txt", PENGUINS), ("whales.txt", WHALES))
    query = "emperor penguins eat krill"
    scores = [h.score for h in library.search([store], query)]
    assert scores == sorted(scores, reverse=True)
    assert scores == [0.75, 0.5, 0.5, 0.25]
    assert [h.score for h in library.search([store], query, score_threshold=0.5)] == [
        0.75,
        0.5,
        0.5,
    ]
    assert [h.score for h in library.search([store], query, max_num_results=2)] == [0.75, 0.5]
    assert library.search([store], query, score_threshold=0.9) == []
    assert library.search([store], query, max_num_results=0) == []


def test_search_leaves_out_what_does_not_match(library: Library, assistants_client: OpenAI) -> None:
    store, (penguins, whales) = make_store(
        assistants_client, ("penguins.txt", PENGUINS), ("whales.txt", WHALES)
    )
    assert library.search([store], "volcanoes") == []
    assert library.search(["vs_unknown"], "penguins") == []
    assert {h.file_id for h in library.search([store, store], "whales")} == {whales}
    assert len(library.search([store, store], "whales")) == 2  # one file counted once
    vector_stores(assistants_client).files.delete(whales, vector_store_id=store)
    assert library.search([store], "whales") == []
    assistants_client.files.delete(penguins)
    assert library.search([store], "penguins") == []


def test_search_uses_the_files_chunk_size(library: Library, assistants_client: OpenAI) -> None:
    words = " ".join(f"w{i}" for i in range(250))
    store, _ = make_store(
        assistants_client,
        ("long.txt", words),
        chunking_strategy={
            "type": "static",
            "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 50},
        },
    )
    hits = library.search([store], "w120")
    assert [h.text.split()[0] for h in hits] == ["w50", "w100"]
    assert all(len(h.text.split()) == 100 for h in hits)


def test_chunk_text() -> None:
    assert chunk_text("one\n\n\n  two three \n\n") == ["one", "two three"]
    assert chunk_text("a b c d e f g", max_tokens=3, overlap=1) == ["a b c", "c d e", "e f g"]
    assert chunk_text("a b c d", max_tokens=2, overlap=0) == ["a b", "c d"]
    assert chunk_text("") == []


def test_query_terms_and_scores() -> None:
    assert query_terms("What do the Penguins eat?") == {"penguin", "eat"}
    assert query_terms("What is it?") == {"what", "is", "it"}  # nothing but stop words
    assert score_chunk(query_terms("penguins eat fish"), "A penguin eats FISH.") == 1.0
    assert score_chunk(query_terms("penguins eat krill"), "Penguins are birds.") == 0.3333
    assert score_chunk(frozenset(), "anything") == 0.0


def test_the_search_endpoint(assistants_client: OpenAI) -> None:
    require_method(vector_stores(assistants_client), "search")
    store, (penguins, _) = make_store(
        assistants_client, ("penguins.txt", PENGUINS), ("whales.txt", WHALES)
    )
    vector_stores(assistants_client).files.update(
        penguins, vector_store_id=store, attributes={"kind": "bird"}
    )
    page = vector_stores(assistants_client).search(
        store, query="emperor penguins", max_num_results=2
    )
    assert [(r.file_id, r.filename, r.score) for r in page.data] == [
        (penguins, "penguins.txt", 1.0),
        (penguins, "penguins.txt", 0.5),
    ]
    assert page.data[0].attributes == {"kind": "bird"}
    assert [c.text for c in page.data[0].content] == [
        "Emperor penguins breed in the Antarctic winter."
    ]
    filtered = vector_stores(assistants_client).search(
        store, query="krill", filters={"type": "eq", "key": "kind", "value": "bird"}
    )
    assert [r.file_id for r in filtered.data] == [penguins]
    unfiltered = vector_stores(assistants_client).search(store, query="krill")
    assert len(unfiltered.data) == 2


# --- the Node SDK ------------------------------------------------------------------------


def test_the_node_sdk_uploads_attaches_and_polls_once() -> None:
    """`tests/node/files.mjs` polls with a 60 s interval: a second poll would time out."""
    result = run_node("files.mjs", timeout=30)
    uploaded = result["uploaded"]
    assert (uploaded["bytes"], uploaded["status"]) == (36, "processed")
    assert result["content"] == "Penguins are birds.\n\nThey eat krill."
    assert result["attached"]["status"] == "completed"
    assert result["batch"] == {"status": "completed", "counts": counts(completed=2)}
    assert result["files"][:2] == [uploaded["id"], result["attached"]["id"]]
    assert len(set(result["files"])) == 4
    assert result["search"] == [["penguins.txt", 1], ["whales.txt", 1]]
    assert result["notFound"] == {"status": 404, "message": "No such File object: file-nope",
                                  "param": "id"}  # fmt: skip
    assert result["counts"] == counts(completed=4)
