"""A thread-safe in-memory store."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

from ..wire import Assistant, FileObject, Message, Run, RunStep, Thread, VectorStore
from .base import Attached, Batch, Blob, Identified

__all__ = ["MemoryStore", "MemoryTable"]

T = TypeVar("T", bound=Identified)


class MemoryTable(Generic[T]):
    """A `Table` in dictionaries, guarded by one lock per table."""

    def __init__(self) -> None:
        self._objects: dict[str, T] = {}
        self._parents: dict[str, str | None] = {}
        self._children: dict[str | None, dict[str, None]] = {}
        self._lock = threading.Lock()

    def insert(self, obj: T, parent: str | None = None) -> None:
        with self._lock:
            if obj.id in self._objects:
                raise KeyError(f"duplicate id {obj.id}")
            self._objects[obj.id] = obj
            self._parents[obj.id] = parent
            self._children.setdefault(parent, {})[obj.id] = None

    def get(self, object_id: str) -> T | None:
        return self._objects.get(object_id)

    def parent_of(self, object_id: str) -> str | None:
        return self._parents.get(object_id)

    def update(self, obj: T) -> None:
        with self._lock:
            if obj.id not in self._objects:
                raise KeyError(obj.id)
            self._objects[obj.id] = obj

    def delete(self, object_id: str) -> None:
        with self._lock:
            if self._objects.pop(object_id, None) is None:
                return
            parent = self._parents.pop(object_id)
            self._children[parent].pop(object_id, None)

    def children(self, parent: str | None = None) -> list[T]:
        with self._lock:
            return [self._objects[i] for i in self._children.get(parent, {})]


class MemoryStore:
    """Every table of one server, in memory."""

    def __init__(self) -> None:
        self.assistants: MemoryTable[Assistant] = MemoryTable()
        self.threads: MemoryTable[Thread] = MemoryTable()
        self.messages: MemoryTable[Message] = MemoryTable()
        self.runs: MemoryTable[Run] = MemoryTable()
        self.steps: MemoryTable[RunStep] = MemoryTable()
        self.files: MemoryTable[FileObject] = MemoryTable()
        self.file_contents: MemoryTable[Blob] = MemoryTable()
        self.vector_stores: MemoryTable[VectorStore] = MemoryTable()
        self.vector_store_files: MemoryTable[Attached] = MemoryTable()
        self.file_batches: MemoryTable[Batch] = MemoryTable()
