"""Vendors the spec's Assistants component schemas for `tests/test_contract*.py`.

    python tests/contract/extract_schemas.py [path/to/openapi.yaml]

Reads the official OpenAPI spec (by default `../shared/reference/openapi.yaml` beside the
repository) and writes `assistants_schemas.json` next to this script: the schemas in
`ROOTS` and every component schema they reference, transitively, copied verbatim. The
output is OpenAI's work, under the MIT licence of github.com/openai/openai-openapi.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = ["OUTPUT", "PREFIX", "ROOTS", "SPEC", "extract", "load_spec", "render"]

SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "openapi.yaml"
OUTPUT = Path(__file__).with_name("assistants_schemas.json")
PREFIX = "#/components/schemas/"
ROOTS = (
    "AssistantObject",
    "AssistantStreamEvent",
    "DeleteAssistantResponse",
    "DeleteMessageResponse",
    "DeleteThreadResponse",
    "ErrorResponse",
    "ListAssistantsResponse",
    "ListMessagesResponse",
    "ListRunStepsResponse",
    "ListRunsResponse",
    "MessageDeltaObject",
    "MessageObject",
    "RunObject",
    "RunStepDeltaObject",
    "RunStepObject",
    "ThreadObject",
)
"""The schemas the contract tests validate against (`AssistantStreamEvent` says which
schema each streamed event's data has)."""


def load_spec(path: Path = SPEC) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is 10x faster
    with path.open("rb") as spec:
        loaded: dict[str, Any] = yaml.load(spec, Loader=loader)
    return loaded


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def extract(spec: Mapping[str, Any]) -> dict[str, Any]:
    """`ROOTS` and what they reference, as a document whose `$ref`s resolve unchanged."""
    schemas: Mapping[str, Any] = spec["components"]["schemas"]
    wanted: set[str] = set()
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        for ref in _refs(schemas[name]):
            if not ref.startswith(PREFIX):
                raise ValueError(f"{name} refers outside the component schemas: {ref}")
            todo.append(ref.removeprefix(PREFIX))
    return {
        "$comment": (
            "Extracted by tests/contract/extract_schemas.py from the official OpenAI OpenAPI "
            "spec (github.com/openai/openai-openapi, MIT licence, Copyright OpenAI). "
            "Do not edit by hand."
        ),
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "components": {"schemas": {name: schemas[name] for name in sorted(wanted)}},
    }


def render(document: Mapping[str, Any]) -> str:
    """The vendored file's exact text."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    spec = Path(argv[0]) if argv else SPEC
    OUTPUT.write_text(render(extract(load_spec(spec))), encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
