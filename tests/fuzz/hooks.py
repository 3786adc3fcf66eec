"""Schemathesis hooks of the fuzz run, loaded by name (`SCHEMATHESIS_HOOKS=tests.fuzz.hooks`).

`error_envelope` fails any error answered outside the API's envelope. `map_path_parameters`
puts the ids of the objects `tests.fuzz.run` made (a vector store with files, an assistant, a
thread with a finished run) into about half of the generated paths, so that search, file and
run operations are fuzzed past their 404s; which half depends on the generated value only.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

KNOWN: dict[str, str] = json.loads(os.environ.get("ASSISTANTS_MOCK_FUZZ_IDS", "{}"))
"""Path parameter name → the id of an object that exists on the server under test."""
ENVELOPE_KEYS = ["message", "type", "param", "code"]


@schemathesis.hook
def map_path_parameters(
    context: Any, path_parameters: dict[str, Any] | None
) -> dict[str, Any] | None:
    if not isinstance(path_parameters, dict):
        return path_parameters  # a negative case: not even an object
    return {
        name: KNOWN[name] if name in KNOWN and len(str(value)) % 2 == 0 else value
        for name, value in path_parameters.items()
    }


@schemathesis.check
def error_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx and 5xx is `{"error": {"message", "type", "param", "code"}}`, as JSON."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if case.method.upper() == "HEAD":
        return None
    assert content_type.startswith("application/json"), f"error as {content_type!r}"
    body = json.loads(response.content)
    assert isinstance(body, dict), "the error body is not an object"
    assert list(body) == ["error"], f"error body keys {list(body)}"
    assert list(body["error"]) == ENVELOPE_KEYS, f"error keys {list(body['error'])}"
    assert isinstance(body["error"]["message"], str), "the message is not a string"
    return True
