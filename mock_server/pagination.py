"""One cursor paginator for every list endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from .errors import BadRequestError
from .request_models import ListQuery
from .store.base import Identified, MissingCursor, Table
from .store.memory import window

__all__ = ["paginate", "paginate_table"]

T = TypeVar("T", bound=Identified)


def _unknown(missing: MissingCursor) -> BadRequestError:
    return BadRequestError(
        f"Invalid '{missing.param}': no object with id '{missing.cursor}' is in this list.",
        param=missing.param,
        code="invalid_value",
    )


def paginate(items: Sequence[T], query: ListQuery) -> tuple[list[T], bool]:
    """One page of `items` (given in creation order) and whether more lie beyond it.

    `after` starts the page past its object; `before` ends it short of its object and,
    alone, returns the `limit` objects closest to it, as a "previous page" should.
    """
    positions = {item.id: i for i, item in enumerate(items)}

    def position(cursor: str, param: str) -> int:
        if cursor not in positions:
            raise MissingCursor(param, cursor)
        return positions[cursor]

    try:
        taken, more = window(
            len(items),
            position,
            order=query.order,
            after=query.after or None,  # an empty cursor (`after=`) is no cursor: the spec
            before=query.before or None,  # allows it, and it names no object
            limit=query.limit,
        )
    except MissingCursor as missing:
        raise _unknown(missing) from None
    return [items[i] for i in taken], more


def paginate_table(table: Table[T], parent: str | None, query: ListQuery) -> tuple[list[T], bool]:
    """`paginate` over a table's children of `parent`, without reading all of them."""
    try:
        return table.page(
            parent,
            order=query.order,
            after=query.after or None,
            before=query.before or None,
            limit=query.limit,
        )
    except MissingCursor as missing:
        raise _unknown(missing) from None
