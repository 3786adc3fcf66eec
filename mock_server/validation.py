"""Turns request bodies and query strings into request models, or into OpenAI's 400s.

Pydantic does the checking; this module only translates its first complaint into the
real API's wording (`Invalid 'limit': integer above maximum value. …`). Union members
are tagged `#name` (see `requests.one_of`) and those tags never appear in a `param`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .errors import BadRequestError
from .lenient import whole_numbers

__all__ = ["MALFORMED_JSON", "param_path", "parse_body", "parse_query", "translate"]

M = TypeVar("M", bound=BaseModel)

MALFORMED_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON. If you have trouble figuring out how to fix this, please contact "
    "us through our help center at help.openai.com.)"
)

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "an array",
}


def _json_kind(value: object) -> str:
    """How the real API names the type of a JSON value in its error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def param_path(loc: tuple[int | str, ...]) -> str:
    """`('tools', 0, '#function', 'function', 'name')` → `tools[0].function.name`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith("#"):
            out += f".{part}" if out else part
    return out


def _quoted_list(values: list[str], conjunction: str = "and") -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 2:
        return f" {conjunction} ".join(quoted)
    return ", ".join(quoted[:-1]) + f", {conjunction} {quoted[-1]}"


def translate(error: ErrorDetails) -> BadRequestError:
    """One pydantic error → the real API's 400 for it."""
    kind = error["type"]
    param = param_path(error["loc"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    if kind == "json_invalid":
        return BadRequestError(MALFORMED_JSON)
    if kind == "missing":
        return BadRequestError(
            f"Missing required parameter: '{param}'.",
            param=param,
            code="missing_required_parameter",
        )
    if kind == "extra_forbidden":
        return BadRequestError(f"Unrecognized request argument supplied: {param}")
    if kind in _EXPECTED:
        if not param:
            return BadRequestError(
                f"Invalid type for request body: expected {_EXPECTED[kind]}, "
                f"but got {_json_kind(value)} instead.",
                code="invalid_type",
            )
        return BadRequestError(
            f"Invalid type for '{param}': expected {_EXPECTED[kind]}, "
            f"but got {_json_kind(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if kind in ("string_too_long", "too_long", "string_too_short", "too_short"):
        return _length_error(kind, param, ctx, value)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _bound_error(kind, param, ctx, value)
    if kind == "literal_error":
        # pydantic words it `'a', 'b' or 'c'`; take the quoted values, not the separators.
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        if not isinstance(value, str):
            return BadRequestError(
                f"Invalid type for '{param}': expected one of {_quoted_list(expected, 'or')}, "
                f"but got {_json_kind(value)} instead.",
                param=param,
                code="invalid_type",
            )
        return BadRequestError(
            f"Invalid value: '{value}'. Supported values are: {_quoted_list(expected)}.",
            param=param,
            code="invalid_value",
        )
    if kind == "string_pattern_mismatch":
        return BadRequestError(
            f"Invalid '{param}': string does not match pattern. Expected a string that matches "
            f"the pattern '{ctx.get('pattern')}'.",
            param=param,
            code="invalid_value",
        )
    if kind == "one_of":
        return _union_error(param, ctx, value)
    if kind in ("object_above_max_properties", "invalid_property_name", "invalid_value"):
        return _metadata_error(error["msg"], param, str(ctx.get("code", kind)), value)
    return BadRequestError(f"Invalid '{param}': {error['msg']}.", param=param, code="invalid_value")


def _metadata_error(message: str, param: str, code: str, value: object) -> BadRequestError:
    """The metadata checks (`requests._check_metadata`) word their messages for a top-level
    `metadata`: anchor them where the map really is (`messages[0].metadata`), and point
    `param` at the value when one value is too long (`metadata.k`), as the message does."""
    if isinstance(value, dict):
        for key in value:
            if message.startswith(f"Invalid 'metadata.{key}':"):
                param = f"{param}.{key}"
                return BadRequestError(
                    f"Invalid '{param}':" + message.removeprefix(f"Invalid 'metadata.{key}':"),
                    param=param,
                    code=code,
                )
    return BadRequestError(message.replace("'metadata'", f"'{param}'", 1), param=param, code=code)


def _length_error(kind: str, param: str, ctx: Mapping[str, Any], value: object) -> BadRequestError:
    noun = "string" if kind.startswith("string") else "array"
    length = len(value) if isinstance(value, str | list | dict) else 0
    if kind.endswith("too_long"):
        limit = ctx.get("max_length")
        return BadRequestError(
            f"Invalid '{param}': {noun} too long. Expected {'a' if noun == 'string' else 'an'} "
            f"{noun} with maximum length {limit}, but got {'a' if noun == 'string' else 'an'} "
            f"{noun} with length {length} instead.",
            param=param,
            code=f"{noun}_above_max_length",
        )
    limit = ctx.get("min_length")
    if noun == "array" and length == 0:
        return BadRequestError(
            f"Invalid '{param}': empty array. Expected an array with minimum length {limit}, "
            "but got an empty array instead.",
            param=param,
            code="empty_array",
        )
    return BadRequestError(
        f"Invalid '{param}': {noun} too short. Expected a {noun} with minimum length {limit}, "
        f"but got a {noun} with length {length} instead.",
        param=param,
        code=f"{noun}_below_min_length",
    )


def _bound_error(kind: str, param: str, ctx: Mapping[str, Any], value: object) -> BadRequestError:
    bound = next(iter(ctx.values()))
    number = "decimal" if isinstance(bound, float) else "integer"
    shown = f"{bound:g}" if isinstance(bound, float) else bound
    if kind.startswith("greater"):
        op = ">=" if kind == "greater_than_equal" else ">"
        return BadRequestError(
            f"Invalid '{param}': {number} below minimum value. Expected a value {op} {shown}, "
            f"but got {value} instead.",
            param=param,
            code=f"{number}_below_min_value",
        )
    op = "<=" if kind == "less_than_equal" else "<"
    return BadRequestError(
        f"Invalid '{param}': {number} above maximum value. Expected a value {op} {shown}, "
        f"but got {value} instead.",
        param=param,
        code=f"{number}_above_max_value",
    )


def _union_error(param: str, ctx: Mapping[str, Any], value: object) -> BadRequestError:
    """A value that fits no member of a tagged union (see `requests.one_of`)."""
    supported = [v for v in str(ctx.get("supported", "")).split(",") if v]
    strings = [v for v in str(ctx.get("strings", "")).split(",") if v]
    if isinstance(value, str) and strings:
        return BadRequestError(
            f"Invalid value: '{value}'. Supported values are: {_quoted_list(strings)}.",
            param=param,
            code="invalid_value",
        )
    if isinstance(value, dict) and ctx.get("key"):
        key = str(ctx["key"])
        tag_param = f"{param}.{key}" if param else key
        if key not in value:
            return BadRequestError(
                f"Missing required parameter: '{tag_param}'.",
                param=tag_param,
                code="missing_required_parameter",
            )
        return BadRequestError(
            f"Invalid value: '{value[key]}'. Supported values are: {_quoted_list(supported)}.",
            param=tag_param,
            code="invalid_value",
        )
    return BadRequestError(
        f"Invalid type for '{param}': expected {ctx.get('expected', 'an object')}, "
        f"but got {_json_kind(value)} instead.",
        param=param,
        code="invalid_type",
    )


def parse_body(model: type[M], body: bytes) -> M:
    """Validate a JSON request body; an empty body counts as `{}`."""
    try:
        return model.model_validate_json(body or b"{}")
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    again = whole_numbers(body, errors)  # `161.0` is an integer, as the real API has it
    if again is not None:
        try:
            return model.model_validate_json(again)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
    raise translate(errors[0]) from None


def parse_query(model: type[M], query: Mapping[str, object]) -> M:
    """Validate query parameters (strings, coerced as the real API does)."""
    try:
        return model.model_validate(query, strict=False)
    except ValidationError as exc:
        raise translate(exc.errors(include_url=False)[0]) from None
