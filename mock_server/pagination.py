"""One cursor paginator for every list endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from .errors import BadRequestError
from .requests import ListQuery
from .store.base import Identified

__all__ = ["paginate"]

T = TypeVar("T", bound=Identified)


def _index(items: Sequence[T], cursor: str, param: str) -> int:
    for i, item in enumerate(items):
        if item.id == cursor:
            return i
    raise BadRequestError(
        f"Invalid '{param}': no object with id '{cursor}' is in this list.",
        param=param,
        code="invalid_value",
    )


def paginate(items: Sequence[T], query: ListQuery) -> tuple[list[T], bool]:
    """One page of `items` (given in creation order) and whether more lie beyond it.

    `after` starts the page past its object; `before` ends it short of its object and,
    alone, returns the `limit` objects closest to it, as a "previous page" should.
    """
    ordered = list(items) if query.order == "asc" else list(reversed(items))
    start, stop = 0, len(ordered)
    # An empty cursor (`after=`) is no cursor: the spec allows it, and it names no object.
    if query.after:
        start = _index(ordered, query.after, "after") + 1
    if query.before:
        stop = _index(ordered, query.before, "before")
    window = ordered[start:stop] if start <= stop else []
    if query.before and not query.after:
        return window[-query.limit :], len(window) > query.limit
    return window[: query.limit], len(window) > query.limit
