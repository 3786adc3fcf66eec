"""The store contract: `memory` and `sqlite` keep, list, page and clear objects alike; the
SQLite file is locked to one server, versioned, and keeps id and clock positions."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_server.errors import BadRequestError
from mock_server.pagination import paginate, paginate_table
from mock_server.request_models import ListQuery
from mock_server.store import MemoryStore, SqliteStore, Store, StoreError, open_store
from mock_server.store.base import Attached, Batch, Blob
from mock_server.store.sqlite import SCHEMA_VERSION
from mock_server.wire import Thread, VectorStoreFile, VectorStoreFileBatch


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "s.db")
    yield made
    made.close()


def thread(n: int, **metadata: str) -> Thread:
    return Thread(id=f"thread_{n}", created_at=n, metadata=metadata, tool_resources={})


def test_insert_get_update_delete_and_children_in_creation_order(store: Store) -> None:
    assert store.empty
    for n in (3, 1, 2):
        store.threads.insert(thread(n), parent="p" if n != 2 else None)
    assert store.threads.get("thread_1") == thread(1)
    assert store.threads.get("thread_9") is None
    assert store.threads.parent_of("thread_3") == "p"
    assert store.threads.parent_of("thread_2") is None
    assert [t.id for t in store.threads.children("p")] == ["thread_3", "thread_1"]
    store.threads.update(thread(1, k="v"))
    assert store.threads.get("thread_1") == thread(1, k="v")
    with pytest.raises(KeyError):
        store.threads.update(thread(7))
    with pytest.raises(KeyError, match="duplicate id thread_1"):
        store.threads.insert(thread(1))
    store.threads.delete("thread_3")
    store.threads.delete("thread_3")  # absent: no error
    assert [t.id for t in store.threads.children("p")] == ["thread_1"]
    assert not store.empty
    store.clear()
    assert store.empty
    assert store.threads.children("p") == []


def test_blobs_vector_store_files_and_batches_round_trip(store: Store) -> None:
    store.file_contents.insert(Blob("file-1", b"\x00bytes\xff"))
    assert store.file_contents.get("file-1") == Blob("file-1", b"\x00bytes\xff")
    attached = VectorStoreFile(
        id="file-1",
        created_at=1,
        vector_store_id="vs_1",
        status="completed",
        last_error=None,
        usage_bytes=7,
        chunking_strategy={"type": "static"},
        attributes={},
    )
    store.vector_store_files.insert(Attached(attached), parent="vs_1")
    assert store.vector_store_files.get("vs_1/file-1") == Attached(attached)
    batch = VectorStoreFileBatch(
        id="vsfb_1",
        created_at=1,
        vector_store_id="vs_1",
        status="completed",
        file_counts={"in_progress": 0, "completed": 1, "failed": 0, "cancelled": 0, "total": 1},
    )
    store.file_batches.insert(Batch(batch, ("file-1",)), parent="vs_1")
    assert store.file_batches.children("vs_1") == [Batch(batch, ("file-1",))]


def test_pages_are_the_paginators_pages_for_every_cursor(store: Store) -> None:
    """`page` (what lists use) cuts exactly as `paginate` over the whole list does, with
    deletions in between, for both orders and every cursor combination."""
    rng = random.Random(12)
    for n in range(40):
        store.threads.insert(thread(n), parent="p")
        store.threads.insert(thread(100 + n), parent="q")  # another parent's, interleaved
    for n in rng.sample(range(40), 12):
        store.threads.delete(f"thread_{n}")
    items = store.threads.children("p")
    ids = [t.id for t in items]
    for _ in range(300):
        query = ListQuery(
            limit=rng.randint(1, 12),
            order=rng.choice(["asc", "desc"]),
            after=rng.choice([None, *ids]),
            before=rng.choice([None, *ids]),
        )
        assert paginate_table(store.threads, "p", query) == paginate(items, query), query


def test_a_cursor_outside_the_list_is_the_paginators_error(store: Store) -> None:
    store.threads.insert(thread(1), parent="p")
    store.threads.insert(thread(2), parent="q")
    for cursor in ("thread_2", "thread_9"):
        with pytest.raises(BadRequestError) as raised:
            paginate_table(store.threads, "p", ListQuery(after=cursor))
        assert raised.value.param == "after"
        assert cursor in str(raised.value)


def test_a_transaction_commits_its_writes_with_the_meta_record(store: Store) -> None:
    store.meta_source = lambda: {"ids": {"thread_": 48}, "clock": 5}
    with store.transaction(), store.transaction():  # nests
        store.threads.insert(thread(1))
    expected = {"ids": {"thread_": 48}, "clock": 5} if isinstance(store, SqliteStore) else {}
    assert store.load_meta() == expected


def test_an_sqlite_transaction_writes_only_what_moved(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    wal = tmp_path / "s.db-wal"
    meta: dict[str, Any] = {"ids": {"thread_": 24}, "requests": 1, "clock": 5, "script": []}
    store.meta_source = lambda: meta
    with store.transaction():
        store.threads.insert(thread(1))
    written = wal.stat().st_size
    meta = {**meta, "requests": 2}  # a read: only its request id moved
    with store.transaction():
        assert store.threads.get("thread_1") == thread(1)
    assert wal.stat().st_size == written
    meta = {**meta, "clock": 6}  # the control plane moved the frozen clock
    changes = store._db.total_changes  # rows written
    with store.transaction():
        pass
    assert wal.stat().st_size > written
    assert store._db.total_changes - changes == 2  # the clock, the read's request count
    assert store.load_meta() == {"ids": {"thread_": 24}, "requests": 2, "clock": 6, "script": []}
    store.close()


def test_an_sqlite_store_keeps_everything_across_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    first = SqliteStore(path)
    first.meta_source = lambda: {"clock": 9}
    first.threads.insert(thread(1), parent="p")
    first.file_contents.insert(Blob("file-1", b"abc"))
    first.close()
    again = SqliteStore(path)
    assert again.threads.children("p") == [thread(1)]
    assert again.file_contents.get("file-1") == Blob("file-1", b"abc")
    assert again.load_meta() == {"clock": 9}
    again.threads.insert(thread(2), parent="p")  # the sequence goes on after the old rows
    assert [t.id for t in again.threads.children("p")] == ["thread_1", "thread_2"]
    again.close()


def test_a_second_store_on_the_same_file_is_refused_until_the_first_closes(
    tmp_path: Path,
) -> None:
    first = SqliteStore(tmp_path / "s.db")
    with pytest.raises(StoreError, match=r"in use by another server \(pid \d+"):
        SqliteStore(tmp_path / "s.db")
    first.close()
    SqliteStore(tmp_path / "s.db").close()


def test_a_newer_or_foreign_database_is_refused_with_the_reason(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    SqliteStore(newer).close()
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="written by a newer assistants-mock"):
        SqliteStore(newer)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (x)")
    with pytest.raises(StoreError, match="not an assistants-mock store"):
        SqliteStore(foreign)
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot be used as a store"):
        SqliteStore(tmp_path / "junk.db")


def test_an_older_schema_version_is_refused_when_no_migration_exists(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as db:
        db.execute("CREATE TABLE objects (x)")
        db.execute("PRAGMA user_version = 0")
    with pytest.raises(StoreError):
        SqliteStore(old)
    with sqlite3.connect(tmp_path / "v-1.db") as db:
        db.execute("CREATE TABLE objects (x)")
        db.execute("PRAGMA user_version = -1")
    with pytest.raises(StoreError, match="cannot migrate"):
        SqliteStore(tmp_path / "v-1.db")


def test_open_store_reads_the_setting(tmp_path: Path) -> None:
    assert isinstance(open_store("memory"), MemoryStore)
    opened = open_store(f"sqlite:{tmp_path}/x.db")
    assert isinstance(opened, SqliteStore)
    opened.close()
    with pytest.raises(StoreError, match="memory` or `sqlite:PATH"):
        open_store("postgres://x")


def test_an_older_schema_is_migrated_step_by_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mock_server.store import sqlite as module

    path = tmp_path / "old.db"
    old = SqliteStore(path)
    old.threads.insert(thread(1))
    old.close()
    monkeypatch.setattr(module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(
        module._MIGRATIONS, SCHEMA_VERSION, "ALTER TABLE objects ADD COLUMN note TEXT;"
    )
    migrated = SqliteStore(path)
    assert migrated.threads.get("thread_1") == thread(1)
    migrated.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        columns = [row[1] for row in db.execute("PRAGMA table_info(objects)")]
    assert "note" in columns
