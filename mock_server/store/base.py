"""The storage seam: one `Table` per object kind, children kept in creation order."""

from __future__ import annotations

from typing import Protocol, TypeVar

from openai.types.beta import Assistant, Thread
from openai.types.beta.threads import Message, Run
from openai.types.beta.threads.runs import RunStep

__all__ = ["Identified", "Store", "Table"]


class Identified(Protocol):
    """Anything with an `id`: every object the API stores."""

    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=Identified)


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


class Store(Protocol):
    """All the tables of one server."""

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
