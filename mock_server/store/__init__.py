"""Persistence: the `Store` protocol, a store in memory and one in an SQLite file.

A store only keeps objects; every rule lives in the backend. `open_store` reads the
`store` setting: `memory` or `sqlite:PATH`.
"""

from .base import MissingCursor, Store, StoreError, Table
from .memory import MemoryStore, MemoryTable
from .sqlite import SqliteStore

__all__ = [
    "MemoryStore",
    "MemoryTable",
    "MissingCursor",
    "SqliteStore",
    "Store",
    "StoreError",
    "Table",
    "open_store",
]


def open_store(spec: str, *, sync: str = "full") -> Store:
    """The store `spec` names: `memory`, or `sqlite:PATH` (created if absent, synced as
    `sync` says: `full` or `normal`)."""
    if spec == "memory":
        return MemoryStore()
    if spec.startswith("sqlite:") and spec != "sqlite:":
        return SqliteStore(spec.removeprefix("sqlite:"), sync=sync)
    raise StoreError(f"store={spec!r}: a store is `memory` or `sqlite:PATH`")
