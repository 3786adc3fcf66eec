"""A thread-safe in-memory store."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, Literal, TypeVar

from ..wire import Assistant, FileObject, Message, Run, RunStep, Thread, VectorStore
from .base import Attached, Batch, Blob, Identified, MissingCursor, Page

__all__ = ["MemoryStore", "MemoryTable", "window"]

T = TypeVar("T", bound=Identified)


def window(
    count: int,
    position: Callable[[str, str], int],
    *,
    order: Literal["asc", "desc"],
    after: str | None,
    before: str | None,
    limit: int,
) -> tuple[range, bool]:
    """The positions (in creation order, 0 to `count`) of one page, in the order the page
    lists them, and whether more lie beyond it. `position(cursor, param)` finds a cursor.

    `after` starts the page past its object; `before` ends it short of its object and,
    alone, gives the `limit` objects closest to it, as a "previous page" should.
    """
    if order == "asc":
        low = position(after, "after") + 1 if after is not None else 0
        high = position(before, "before") if before is not None else count
    else:
        high = position(after, "after") if after is not None else count
        low = position(before, "before") + 1 if before is not None else 0
    if low >= high:
        return range(0), False
    more = high - low > limit
    from_end = (order == "asc") == (before is not None and after is None)
    if from_end:  # the page ends at `high`: asc near `before`, desc from the newest
        start = max(low, high - limit)
        taken = range(start, high)
    else:
        taken = range(low, min(high, low + limit))
    return (taken if order == "asc" else taken[::-1]), more


class MemoryTable(Generic[T]):
    """A `Table` in dictionaries, guarded by one lock per table. Each parent's children
    are kept as a list in creation order, so a page is found by bisection."""

    def __init__(self) -> None:
        self._objects: dict[str, T] = {}
        self._parents: dict[str, str | None] = {}
        self._seq: dict[str, int] = {}
        self._order: dict[str | None, tuple[list[int], list[str]]] = {}
        self._next = 0
        self._lock = threading.Lock()

    def insert(self, obj: T, parent: str | None = None) -> None:
        with self._lock:
            if obj.id in self._objects:
                raise KeyError(f"duplicate id {obj.id}")
            self._objects[obj.id] = obj
            self._parents[obj.id] = parent
            self._seq[obj.id] = self._next
            seqs, ids = self._order.setdefault(parent, ([], []))
            seqs.append(self._next)
            ids.append(obj.id)
            self._next += 1

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
            seqs, ids = self._order[parent]
            at = bisect_left(seqs, self._seq.pop(object_id))
            del seqs[at], ids[at]

    def children(self, parent: str | None = None) -> list[T]:
        with self._lock:
            return [self._objects[i] for i in self._order.get(parent, ((), ()))[1]]

    def page(
        self,
        parent: str | None,
        *,
        order: Literal["asc", "desc"],
        after: str | None,
        before: str | None,
        limit: int,
    ) -> Page[T]:
        with self._lock:
            seqs, ids = self._order.get(parent, ([], []))

            def position(cursor: str, param: str) -> int:
                seq = self._seq.get(cursor)
                if seq is None or self._parents.get(cursor) != parent:
                    raise MissingCursor(param, cursor)
                return bisect_left(seqs, seq)

            taken, more = window(
                len(ids), position, order=order, after=after, before=before, limit=limit
            )
            return [self._objects[ids[i]] for i in taken], more


class MemoryStore:
    """Every table of one server, in memory: gone with the process."""

    def __init__(self) -> None:
        self.meta_source: Callable[[], dict[str, Any]] | None = None
        self._make_tables()

    def _make_tables(self) -> None:
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

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Nothing to commit: every write is in place at once."""
        yield

    def load_meta(self) -> dict[str, Any]:
        """A memory store starts empty every time."""
        return {}

    def clear(self) -> None:
        self._make_tables()

    def close(self) -> None:
        """Nothing to let go of."""

    @property
    def empty(self) -> bool:
        return not any(
            table._objects
            for table in (self.assistants, self.threads, self.files, self.vector_stores)
        )
