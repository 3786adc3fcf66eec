"""The storage seam: one `Table` per object kind, children kept in creation order."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

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

__all__ = [
    "Attached",
    "Batch",
    "Blob",
    "Identified",
    "MissingCursor",
    "Page",
    "Store",
    "StoreError",
    "Table",
]


class Identified(Protocol):
    """Anything with an `id`: every object the API stores."""

    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=Identified)

Page = tuple[list[T], bool]
"""One page of a list, and whether more objects lie beyond it."""


class StoreError(RuntimeError):
    """A store that cannot be opened: locked by another server, a schema it cannot read,
    a path it cannot write. The message says which and what to do."""


class MissingCursor(LookupError):
    """A page was asked `after` or `before` an object that is not in the list."""

    def __init__(self, param: str, cursor: str) -> None:
        super().__init__(param, cursor)
        self.param = param
        self.cursor = cursor


@dataclass(frozen=True)
class Blob:
    """The bytes of an uploaded file, kept apart from its `FileObject` (same `id`)."""

    id: str
    data: bytes


@dataclass(frozen=True)
class Attached:
    """A file attached to a vector store. One file may sit in many stores under the same
    id, so the row's key is the pair; `file.id` is the file's id."""

    file: VectorStoreFile

    @property
    def id(self) -> str:
        return self.key(self.file.vector_store_id, self.file.id)

    @staticmethod
    def key(vector_store_id: str, file_id: str) -> str:
        """The row id of `file_id` in `vector_store_id`."""
        return f"{vector_store_id}/{file_id}"


@dataclass(frozen=True)
class Batch:
    """A vector store file batch and the ids of the files it attached, in request order."""

    batch: VectorStoreFileBatch
    file_ids: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.batch.id


class Table(Protocol[T]):
    """Objects of one kind, each optionally under a parent (a thread, a run)."""

    def insert(self, obj: T, parent: str | None = None) -> None:
        """Add a new object after every other child of `parent`."""
        ...

    def get(self, object_id: str) -> T | None:
        """The object, or None."""
        ...

    def parent_of(self, object_id: str) -> str | None:
        """The parent the object was inserted under."""
        ...

    def update(self, obj: T) -> None:
        """Replace a stored object with a new version of it (same id)."""
        ...

    def delete(self, object_id: str) -> None:
        """Forget the object (no error if absent)."""
        ...

    def children(self, parent: str | None = None) -> list[T]:
        """The children of `parent` in creation order."""
        ...

    def page(
        self,
        parent: str | None,
        *,
        order: Literal["asc", "desc"],
        after: str | None,
        before: str | None,
        limit: int,
    ) -> Page[T]:
        """One page of `parent`'s children, as `pagination.paginate` cuts it, in time that
        does not grow with the number of children; `MissingCursor` for a cursor that is
        not a child of `parent`."""
        ...


class Store(Protocol):
    """All the tables of one server, and the small `meta` record beside them (the id
    factory's positions, the clock) that a lasting store keeps with every write."""

    meta_source: Callable[[], dict[str, Any]] | None
    """Called at the end of every outermost transaction, reads included; what it returns
    is kept as the meta record, in the same transaction. It hands back the same object
    for a key that did not move and never changes a returned object in place: a store
    may tell what moved by identity (a read then costs no write)."""

    def transaction(self) -> AbstractContextManager[None]:
        """One API action: its writes are committed together (durably, for a lasting
        store) when the outermost `with` ends. Nests."""
        ...

    def load_meta(self) -> dict[str, Any]:
        """The meta record as last committed (empty for a new or cleared store)."""
        ...

    def clear(self) -> None:
        """Forget every object and the meta record (a reset)."""
        ...

    def close(self) -> None:
        """Let go of files and locks (the store is unusable after)."""
        ...

    @property
    def empty(self) -> bool:
        """Nothing is stored."""
        ...

    @property
    def assistants(self) -> Table[Assistant]: ...
    @property
    def threads(self) -> Table[Thread]: ...
    @property
    def messages(self) -> Table[Message]: ...
    @property
    def runs(self) -> Table[Run]: ...
    @property
    def steps(self) -> Table[RunStep]: ...
    @property
    def files(self) -> Table[FileObject]: ...
    @property
    def file_contents(self) -> Table[Blob]: ...
    @property
    def vector_stores(self) -> Table[VectorStore]: ...
    # A vector store's files and file batches are kept under its id.
    @property
    def vector_store_files(self) -> Table[Attached]: ...
    @property
    def file_batches(self) -> Table[Batch]: ...
