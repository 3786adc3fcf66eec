"""Where the real API is more lenient than the strict request models, and how.

The real API checks bodies with JSON Schema, where `161.0` is an integer (it answered
`139.75 is not of type 'integer' - 'max_tokens'` for a fraction, never for a whole
number). The request models are strict (`"1"` is not an integer, as the real API has
it), so a body they refuse only for whole-number decimals is read again with those
numbers made integers. The first reading is the fast one; only a refused body pays.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic_core import ErrorDetails

__all__ = ["whole_numbers"]


def _is_whole(value: object) -> bool:
    return isinstance(value, float) and value.is_integer() and abs(value) < 2**63


def whole_numbers(body: bytes, errors: Sequence[ErrorDetails]) -> bytes | None:
    """`body` with the whole-number decimals that `errors` refuse as integers made
    integers, or None when no error is about one (or the body is not JSON)."""
    places = [e["loc"] for e in errors if e["type"] == "int_type" and _is_whole(e.get("input"))]
    if not places:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    changed = False
    for loc in places:
        parent: Any = None
        key: Any = None
        node: Any = data
        for part in loc:
            in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
            in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if in_dict or in_list:  # other parts name union members: not in the data
                parent, key, node = node, part, node[part]
        if parent is not None and _is_whole(node):
            parent[key] = int(node)
            changed = True
    return json.dumps(data).encode() if changed else None
