"""Persistence: the `Store` protocol and its in-memory implementation.

A store only keeps objects; every rule lives in the backend. A SQLite store can
follow by implementing `Table` and `Store` without touching the backend.
"""

from .base import Store, Table
from .memory import MemoryStore, MemoryTable

__all__ = ["MemoryStore", "MemoryTable", "Store", "Table"]
