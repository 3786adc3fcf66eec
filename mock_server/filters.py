"""Attribute filters of a vector store search, as the spec defines them.

A filter is a `ComparisonFilter` (`{"type": "eq", "key": "author", "value": "Ann"}`)
or a `CompoundFilter` (`{"type": "and"|"or", "filters": [...]}`, nested to any depth
the JSON parser allows), told apart by `type`. Anything else is a 400 in the real API's
wording, never a filter that silently matches nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Tag
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from .deferred import DEFER_BUILD

__all__ = ["COMPARISONS", "COMPOUNDS", "ComparisonFilter", "CompoundFilter", "Filter"]

COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin")
COMPOUNDS = ("and", "or")


class _Closed(BaseModel):
    """As `requests.RequestModel` (which imports this module): strict, closed."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=DEFER_BUILD)


def _check_value(value: Any) -> Any:
    """A string, number or boolean, or an array of strings and numbers (the spec's oneOf)."""
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list) and all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in value
    ):
        return value
    raise PydanticCustomError(
        "one_of",  # rendered by `validation.translate` as an invalid type
        "no member of the union fits",
        {"expected": "a string, a number, a boolean or an array of strings and numbers"},
    )


Value = Annotated[Any, AfterValidator(_check_value)]


class ComparisonFilter(_Closed):
    """Compares the attribute `key` of a file with `value`."""

    type: Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
    key: str
    value: Value


class CompoundFilter(_Closed):
    """All (`and`) or any (`or`) of `filters`."""

    type: Literal["and", "or"]
    filters: list[Filter]


def _kind(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if kind in COMPARISONS:
        return "#comparison"
    return "#compound" if kind in COMPOUNDS else None


Filter = TypeAliasType(
    "Filter",
    Annotated[
        Union[  # noqa: UP007  (tagged members read best one per line)
            Annotated[ComparisonFilter, Tag("#comparison")],
            Annotated[CompoundFilter, Tag("#compound")],
        ],
        Discriminator(
            _kind,
            # Rendered by `validation.translate` as the real API words a bad union member.
            custom_error_type="one_of",
            custom_error_message="no member of the union fits",
            custom_error_context={
                "key": "type",
                "supported": ",".join((*COMPARISONS, *COMPOUNDS)),
                "strings": "",
            },
        ),
    ],
)
"""A comparison or a compound filter."""

CompoundFilter.model_rebuild()
