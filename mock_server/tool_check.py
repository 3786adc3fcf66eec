"""Whether the real model could make a scripted turn's function calls on a run.

The real model calls only the functions the run has (the assistant's tools, or the run's
`tools` override), as the run's `tool_choice` and `parallel_tool_calls` allow, with JSON
arguments that fit the function's `parameters` schema. A script that breaks one of those
would let a test keep passing after the app renamed a tool, so `check_calls` says which
call breaks which, and the executor fails the run with it.

`jsonschema` is imported on the first check, not at start-up: it costs ~60 ms to import.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["check_calls", "strict_schema"]

MAX_REASON = 1_000
"""Characters of a reason kept: a schema error quotes the value, which may be long."""

_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMAS = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)


def check_calls(calls: Sequence[tuple[str, str]], run: Mapping[str, Any]) -> str | None:
    """Why the real model could not make these `(name, arguments JSON)` calls on `run`
    (a run as rendered: `tools`, `tool_choice`, `parallel_tool_calls`), or None."""
    functions = {
        tool["function"]["name"]: tool["function"]
        for tool in run.get("tools") or ()
        if tool.get("type") == "function"
    }
    choice = run.get("tool_choice")
    if choice == "none":
        return "the run's tool_choice is 'none': the model calls no tools"
    if isinstance(choice, dict) and choice.get("type") != "function":
        return f"the run's tool_choice forces the {choice.get('type')} tool, not a function"
    if len(calls) > 1 and run.get("parallel_tool_calls") is False:
        return f"{len(calls)} calls, but the run's parallel_tool_calls is false (one at most)"
    for name, arguments in calls:
        if name not in functions:
            known = ", ".join(f"'{n}'" for n in functions) or "none"
            return f"function '{name}' is not one of the run's functions ({known})"
        if isinstance(choice, dict):
            forced = (choice.get("function") or {}).get("name")
            if name != forced:
                return f"function '{name}', but the run's tool_choice forces '{forced}'"
        reason = _check_arguments(functions[name], arguments)
        if reason is not None:
            return f"function '{name}': {reason}"[:MAX_REASON]
    return None


def _check_arguments(function: Mapping[str, Any], arguments: str) -> str | None:
    try:
        value = json.loads(arguments)
    except ValueError as exc:
        return f"arguments are not JSON ({exc})"
    if not isinstance(value, dict):
        return "arguments are not a JSON object"
    schema = function.get("parameters")
    if not isinstance(schema, dict):
        schema = {"type": "object", "properties": {}}
    strict = bool(function.get("strict"))
    if strict:
        schema = strict_schema(schema)
    return _schema_error(schema, value, strict)


def _schema_error(schema: dict[str, Any], value: object, strict: bool) -> str | None:
    """The first way `value` breaks `schema` (worded by jsonschema, with its JSON path), or
    None. A schema jsonschema cannot use (invalid, an unresolvable `$ref`, too deep) checks
    nothing: the real API would have refused it when the tool was defined."""
    from jsonschema.exceptions import SchemaError, best_match
    from jsonschema.validators import Draft202012Validator, validator_for
    from referencing import Registry
    from referencing.exceptions import Unresolvable

    try:
        validator_class = validator_for(schema, default=Draft202012Validator)
        validator_class.check_schema(schema)
        # An empty registry: a `$ref` to a URL is unresolvable here, never fetched (by
        # default jsonschema would look it up on the network).
        validator = validator_class(schema, registry=Registry())
        error = best_match(validator.iter_errors(value))
    except (SchemaError, Unresolvable, RecursionError):
        return None
    if error is None:
        return None
    mode = " (strict: every property required, no others)" if strict else ""
    return f"arguments do not match its parameters{mode}: at {error.json_path}, {error.message}"


def strict_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` as the real API's strict mode applies it: every object schema takes all
    its properties, required, and no others (unless it says otherwise about others)."""
    out = dict(schema)
    for key in _SUBSCHEMA_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {k: _sub(v) for k, v in out[key].items()}
    for key in _SUBSCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [_sub(v) for v in out[key]]
    for key in _SUBSCHEMAS:
        if key in out:
            out[key] = _sub(out[key])
    kind = out.get("type")
    if kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in out:
        out.setdefault("additionalProperties", False)
        if isinstance(out.get("properties"), dict):
            out["required"] = list(out["properties"])
    return out


def _sub(schema: Any) -> Any:
    return strict_schema(schema) if isinstance(schema, dict) else schema
