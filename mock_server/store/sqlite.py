"""A store in one SQLite file that outlasts the process: restarts and `kill -9`.

Every object is one row of `objects` (its kind, id, parent, an insertion sequence and its
JSON text, or a file's bytes), indexed on (kind, parent, seq) so that a page of a long
list costs what a page of a short one does. Next to it, `meta` keeps the id factory's
positions, the request count, the clock and the scripted rules left, written in the same
transaction as the objects (only the keys that moved).

The database runs in WAL mode with `synchronous=FULL` (`sync="full"`): a transaction is
on disk when its commit returns, and the backend commits each API action before its
reply is sent (`transaction`). `sync="normal"` leaves the fsync to SQLite's checkpoints:
a commit is then in the OS's hands, safe from `kill -9` of the server but not from a
power cut. A file lock (`PATH.lock`, held while the store is open) keeps a second
server off the same database.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from ..wire import (
    Assistant,
    FileObject,
    Message,
    Run,
    RunStep,
    Thread,
    VectorStore,
    VectorStoreFile,
    VectorStoreFileBatch,
)
from .base import Attached, Batch, Blob, Identified, MissingCursor, Page, StoreError

__all__ = ["SCHEMA_VERSION", "SqliteStore", "SqliteTable"]

SCHEMA_VERSION = 1
"""The layout this code writes (`PRAGMA user_version`). `_MIGRATIONS` brings an older
database up to it; a newer one is refused."""

_SCHEMA = """
CREATE TABLE objects (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    parent TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX objects_children ON objects (kind, parent, seq);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

VOLATILE_META = frozenset({"requests"})
"""Meta keys that are written with other writes but never cause one (request ids move
on every read)."""

_UNSAVED = object()
"""A meta key not in the database yet (None is a value: a system clock's)."""

_MIGRATIONS: dict[int, str] = {}
"""SQL that moves a database from version N to N + 1 (none yet: version 1 is the first)."""

T = TypeVar("T", bound=Identified)
M = TypeVar("M", bound=BaseModel)


class _Codec(Generic[T]):
    """How one kind of object becomes a row's body and back."""

    def __init__(self, encode: Callable[[T], bytes], decode: Callable[[str, bytes], T]) -> None:
        self.encode = encode
        self.decode = decode


def _model(model: type[M]) -> _Codec[Any]:
    return _Codec(
        lambda obj: obj.model_dump_json().encode(), lambda _, body: model.model_validate_json(body)
    )


_BLOB: _Codec[Blob] = _Codec(lambda blob: blob.data, lambda key, body: Blob(key, bytes(body)))
_ATTACHED: _Codec[Attached] = _Codec(
    lambda row: row.file.model_dump_json().encode(),
    lambda _, body: Attached(VectorStoreFile.model_validate_json(body)),
)


def _encode_batch(row: Batch) -> bytes:
    return json.dumps(
        {"batch": row.batch.model_dump(mode="json"), "file_ids": list(row.file_ids)}
    ).encode()


def _decode_batch(_: str, body: bytes) -> Batch:
    data = json.loads(body)
    return Batch(VectorStoreFileBatch.model_validate(data["batch"]), tuple(data["file_ids"]))


_BATCH: _Codec[Batch] = _Codec(_encode_batch, _decode_batch)


class SqliteTable(Generic[T]):
    """A `Table` as the rows of one kind."""

    def __init__(self, store: SqliteStore, kind: str, codec: _Codec[T]) -> None:
        self._store = store
        self._kind = kind
        self._codec = codec

    def insert(self, obj: T, parent: str | None = None) -> None:
        store = self._store
        with store.lock:
            try:
                store.write(
                    "INSERT INTO objects (kind, id, parent, seq, body) VALUES (?, ?, ?, ?, ?)",
                    (self._kind, obj.id, parent or "", store.next_seq(), self._codec.encode(obj)),
                )
            except sqlite3.IntegrityError:
                raise KeyError(f"duplicate id {obj.id}") from None

    def get(self, object_id: str) -> T | None:
        row = self._store.read_one(
            "SELECT body FROM objects WHERE kind = ? AND id = ?", (self._kind, object_id)
        )
        return None if row is None else self._codec.decode(object_id, row[0])

    def parent_of(self, object_id: str) -> str | None:
        row = self._store.read_one(
            "SELECT parent FROM objects WHERE kind = ? AND id = ?", (self._kind, object_id)
        )
        return row[0] or None if row is not None else None

    def update(self, obj: T) -> None:
        changed = self._store.write(
            "UPDATE objects SET body = ? WHERE kind = ? AND id = ?",
            (self._codec.encode(obj), self._kind, obj.id),
        )
        if not changed:
            raise KeyError(obj.id)

    def delete(self, object_id: str) -> None:
        self._store.write("DELETE FROM objects WHERE kind = ? AND id = ?", (self._kind, object_id))

    def children(self, parent: str | None = None) -> list[T]:
        rows = self._store.read_all(
            "SELECT id, body FROM objects WHERE kind = ? AND parent = ? ORDER BY seq",
            (self._kind, parent or ""),
        )
        return [self._codec.decode(key, body) for key, body in rows]

    def page(
        self,
        parent: str | None,
        *,
        order: Literal["asc", "desc"],
        after: str | None,
        before: str | None,
        limit: int,
    ) -> Page[T]:
        where = ["kind = ?", "parent = ?"]
        args: list[Any] = [self._kind, parent or ""]
        ascending = order == "asc"
        for param, cursor in (("after", after), ("before", before)):
            if cursor is None:
                continue
            row = self._store.read_one(
                "SELECT seq FROM objects WHERE kind = ? AND id = ? AND parent = ?",
                (self._kind, cursor, parent or ""),
            )
            if row is None:
                raise MissingCursor(param, cursor)
            where.append("seq > ?" if (param == "after") == ascending else "seq < ?")
            args.append(row[0])
        from_end = ascending == (before is not None and after is None)
        direction = "DESC" if from_end else "ASC"
        rows = self._store.read_all(
            f"SELECT id, body FROM objects WHERE {' AND '.join(where)} "
            f"ORDER BY seq {direction} LIMIT ?",
            (*args, limit + 1),
        )
        more = len(rows) > limit
        rows = rows[:limit]
        if from_end == ascending:  # fetched against the page's own order
            rows.reverse()
        return [self._codec.decode(key, body) for key, body in rows], more


class SqliteStore:
    """Every table of one server in one SQLite database at `path` (created if absent).

    Raises `StoreError` when another server holds the database, when its schema is newer
    than this code, or when it cannot be opened."""

    def __init__(self, path: str | os.PathLike[str], *, sync: str = "full") -> None:
        if sync not in ("full", "normal"):
            raise StoreError(f"sync={sync!r}: a store syncs `full` or `normal`")
        self.path = Path(path)
        self.meta_source: Callable[[], dict[str, Any]] | None = None
        self.lock = threading.RLock()
        self._depth = 0
        self._begun = False
        self._lock_file = self._take_lock()
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={sync.upper()}")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._release_lock()
            raise StoreError(f"{self.path}: cannot be used as a store: {exc}") from None
        except StoreError:
            self._release_lock()
            raise
        self._saved = self.load_meta()
        row = self._db.execute("SELECT max(seq) FROM objects").fetchone()
        self._seq = (row[0] or 0) + 1
        self.assistants = SqliteTable[Assistant](self, "assistant", _model(Assistant))
        self.threads = SqliteTable[Thread](self, "thread", _model(Thread))
        self.messages = SqliteTable[Message](self, "message", _model(Message))
        self.runs = SqliteTable[Run](self, "run", _model(Run))
        self.steps = SqliteTable[RunStep](self, "step", _model(RunStep))
        self.files = SqliteTable[FileObject](self, "file", _model(FileObject))
        self.file_contents = SqliteTable[Blob](self, "file_content", _BLOB)
        self.vector_stores = SqliteTable[VectorStore](self, "vector_store", _model(VectorStore))
        self.vector_store_files = SqliteTable[Attached](self, "vector_store_file", _ATTACHED)
        self.file_batches = SqliteTable[Batch](self, "file_batch", _BATCH)

    # --- opening -----------------------------------------------------------------------

    def _take_lock(self) -> Any:
        lock_path = Path(f"{self.path}.lock")
        try:
            handle = open(lock_path, "a+")  # noqa: SIM115 (held for the store's life)
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot create the lock file {lock_path}: {exc}"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise StoreError(
                f"{self.path} is in use by another server (pid {holder}, lock {lock_path}): "
                "stop it, or give this one another --store path"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        return handle

    def _release_lock(self) -> None:
        with suppress(OSError):
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        self._lock_file.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise StoreError(
                    f"{self.path} is an SQLite database but not an assistants-mock store "
                    "(it has tables and no schema version)"
                )
            script = f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            self._db.executescript(script)
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer assistants-mock (schema version "
                f"{version}; this one reads up to {SCHEMA_VERSION}): upgrade assistants-mock"
            )
        while version < SCHEMA_VERSION:
            step = _MIGRATIONS.get(version)
            if step is None:
                raise StoreError(
                    f"{self.path} has schema version {version}, which this assistants-mock "
                    f"cannot migrate to {SCHEMA_VERSION}: start from a new file"
                )
            version += 1
            self._db.executescript(f"BEGIN; {step} PRAGMA user_version = {version}; COMMIT;")

    # --- reading and writing -------------------------------------------------------------

    def next_seq(self) -> int:
        """The next insertion sequence number (call under `lock`)."""
        seq = self._seq
        self._seq += 1
        return seq

    def read_one(self, sql: str, args: tuple[Any, ...]) -> Any:
        with self.lock:
            return self._db.execute(sql, args).fetchone()

    def read_all(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        with self.lock:
            return self._db.execute(sql, args).fetchall()

    def write(self, sql: str, args: tuple[Any, ...]) -> int:
        """Run one write inside the current transaction (its own one outside any); the
        number of rows it changed."""
        with self.lock:
            if self._depth == 0:
                with self.transaction():
                    return self.write(sql, args)
            if not self._begun:
                self._db.execute("BEGIN IMMEDIATE")
                self._begun = True
            return self._db.execute(sql, args).rowcount

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One API action. Its writes, and the meta record, are committed when the
        outermost `with` ends (also when it raised: a rule refused the action after some
        writes, which the memory store keeps too). Other threads wait meanwhile."""
        with self.lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._commit()

    def _commit(self) -> None:
        """Commit the writes with the meta record's keys that moved; without writes, commit
        those alone when one moved (the clock was set), not for request ids alone. A read
        costs a comparison: the source hands back the objects it gave last time when
        nothing moved."""
        meta = self.meta_source() if self.meta_source is not None else {}
        moved: list[tuple[str, Any]] = []
        for key, value in meta.items():
            saved = self._saved.get(key, _UNSAVED)
            if saved is value:
                continue
            if saved == value:  # equal, not the same (as read at start): keep the source's
                self._saved[key] = value
                continue
            moved.append((key, value))
        if not self._begun:
            if all(key in VOLATILE_META for key, _ in moved):
                return
            self._db.execute("BEGIN IMMEDIATE")
        self._begun = False
        try:
            if moved:
                self._db.executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    [(key, json.dumps(value)) for key, value in moved],
                )
            self._db.execute("COMMIT")
            self._saved.update(moved)
        except BaseException:
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise

    def load_meta(self) -> dict[str, Any]:
        rows = self.read_all("SELECT key, value FROM meta", ())
        return {key: json.loads(value) for key, value in rows}

    def clear(self) -> None:
        with self.lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM objects")
            self._db.execute("DELETE FROM meta")
            self._db.execute("COMMIT")
            self._seq = 1
            self._saved = {}

    def close(self) -> None:
        with self.lock:
            self._db.close()
            self._release_lock()

    @property
    def empty(self) -> bool:
        return self.read_one("SELECT 1 FROM objects LIMIT 1", ()) is None
