"""Vendors the key shapes of real Assistants API traffic for `tests/test_contract_runs.py`.

    python tests/contract/extract_recorded.py [path/to/recorded]

Reads the recordings of real api.openai.com traffic (by default
`../shared/reference/recorded/` beside the repository): the SSE bodies in `extracted/*.sse`
and the JSON run replies in the openai-dotnet session records (`*.json`). Writes
`recorded_shapes.json` next to this script: for every event name, and for every run reply
status, the distinct *shapes* its data had — the key paths, in the order sent, never the
values. See `shape`. The recordings come from github.com/openai/openai-dotnet (MIT,
Copyright OpenAI) and github.com/traceloop/openllmetry (Apache-2.0).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["OPAQUE", "OUTPUT", "RECORDED", "extract", "render", "shape", "sse_events"]

RECORDED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "recorded"
OUTPUT = Path(__file__).with_name("recorded_shapes.json")
OPAQUE = frozenset({"metadata", "tools", "tool_resources"})
"""Keys whose values echo what each caller configured (an assistant's tools, a thread's
resources, metadata): recordings differ there by setup, so only the key itself counts."""


def shape(value: Any) -> list[str]:
    """Every key path of `value`, in the order first sent: `step_details.tool_calls[].id`.

    List items share the path `[]`, so an item adds the keys it has that earlier items did
    not. Values are never part of a shape, and what lies under an `OPAQUE` key is skipped.
    """
    paths: dict[str, None] = {}
    _walk(value, "", paths)
    return list(paths)


def _walk(value: Any, prefix: str, paths: dict[str, None]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths[path] = None
            if key not in OPAQUE:
                _walk(item, path, paths)
    elif isinstance(value, list):
        for item in value:
            _walk(item, f"{prefix}[]", paths)


def sse_events(text: str) -> Iterator[tuple[str, str]]:
    """(event name, data line) of each event in an SSE body; `#` comment lines are skipped."""
    name = ""
    for line in text.splitlines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield name, line.removeprefix("data: ")


def _distinct(shapes: list[list[str]]) -> list[list[str]]:
    return [list(s) for s in sorted({tuple(s) for s in shapes})]


def extract(recorded: Path = RECORDED) -> dict[str, Any]:
    """The distinct shapes of each event's data and of each run reply, by event name and
    by `thread.run:<status>`."""
    sources: list[str] = []
    events: dict[str, list[list[str]]] = {}
    for path in sorted((recorded / "extracted").glob("*.sse")):
        sources.append(f"extracted/{path.name}")
        for name, data in sse_events(path.read_text(encoding="utf-8")):
            if name != "done":
                events.setdefault(name, []).append(shape(json.loads(data)))
    replies: dict[str, list[list[str]]] = {}
    for path in sorted(recorded.glob("openai-dotnet__*.json")):
        sources.append(path.name)
        for entry in json.loads(path.read_text(encoding="utf-8"))["Entries"]:
            body = entry.get("ResponseBody")
            if isinstance(body, dict) and body.get("object") == "thread.run":
                replies.setdefault(f"thread.run:{body['status']}", []).append(shape(body))
    return {
        "$comment": (
            "Extracted by tests/contract/extract_recorded.py from recordings of the real "
            "OpenAI API made by github.com/openai/openai-dotnet (MIT licence, Copyright "
            "OpenAI) and github.com/traceloop/openllmetry (Apache-2.0): key paths only, "
            "never values. Do not edit by hand."
        ),
        "sources": sources,
        "events": {name: _distinct(shapes) for name, shapes in sorted(events.items())},
        "replies": {key: _distinct(shapes) for key, shapes in sorted(replies.items())},
    }


def render(document: Mapping[str, Any]) -> str:
    """The vendored file's exact text."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    recorded = Path(argv[0]) if argv else RECORDED
    OUTPUT.write_text(render(extract(recorded)), encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
