"""Every real recording, replayed against our server: each reply and streamed event must
have the recorded shape, apart from the deliberate differences docs/fidelity.md lists.

Dropping a recording into `shared/reference/recorded/` is all it takes to check it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from mock_server import MockServer

from .recordings import (
    RECORDED,
    Deviation,
    Difference,
    IdMap,
    compare,
    compare_events,
    load,
    load_deviations,
    polls,
    recordings,
    replay,
)

FIDELITY = Path(__file__).resolve().parents[1] / "docs" / "fidelity.md"
CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"

needs_recordings = pytest.mark.skipif(
    not RECORDED.is_dir(),
    reason=f"no recordings at {RECORDED} (a clone without shared/): nothing to replay",
)


@needs_recordings
def test_every_recording_replays_as_recorded(capsys: pytest.CaptureFixture[str]) -> None:
    deviations = load_deviations(FIDELITY)
    found = recordings()
    assert found, f"no recordings in {RECORDED}"
    lines: list[str] = []
    undeclared: list[str] = []
    used: set[Deviation] = set()
    totals = {"sent": 0, "replies": 0, "keys": 0, "stopped": 0, "deliberate": 0}
    for recording in found:
        mode = "per_poll" if polls(recording) else "immediate"
        with MockServer(run_progression=mode) as server:
            result = replay(server.base_url, recording)
        totals["sent"] += result.sent
        totals["replies"] += result.replies
        totals["keys"] += result.keys
        for difference in result.differences:
            cover = next((d for d in deviations if d.covers(recording.name, difference)), None)
            if cover is None:
                undeclared.append(f"{recording.name}: {difference}")
            else:
                used.add(cover)
                totals["deliberate"] += 1
        line = (
            f"  {recording.name}: {result.replies} of {len(recording.interactions)} recorded "
            f"requests replayed ({result.sent} sent), {result.keys} keys compared"
        )
        if result.stopped:
            totals["stopped"] += 1
            line += f"; NOT REPLAYED past {result.stopped}"
        lines.append(line)
    with capsys.disabled():
        print(
            f"\nrecordings: {len(found)} replayed against the server, {totals['replies']} "
            f"recorded requests ({totals['sent']} sent) and {totals['keys']} keys compared, "
            f"{totals['deliberate']} deliberate differences, {totals['stopped']} not "
            "replayable to the end (the recorded model chose a tool ours does not)"
        )
        print("\n".join(lines))
        for stale in (d for d in deviations if d not in used):
            print(f"  deviation no recording shows now: {stale.paths} ({stale.why[:60]}…)")
    assert not undeclared, "differences docs/fidelity.md does not list:\n" + "\n".join(undeclared)


def test_our_own_cassettes_replay_with_no_difference() -> None:
    """The walker against recordings of this server (vcrpy YAML made with the Python SDK):
    any difference would be the walker's own mistake."""
    for path in sorted(CASSETTES.glob("*.yaml")):
        recording = load(path)
        with MockServer() as server:
            result = replay(server.base_url, recording)
        assert result.stopped is None, path.name
        assert result.replies == len(recording.interactions), path.name
        assert [str(d) for d in result.differences] == [], path.name


# --- the differ, without a server ----------------------------------------------------------

RUN: dict[str, Any] = {
    "id": "run_aiOgmOSxtqwaLG3JZAhGsAgR",
    "object": "thread.run",
    "status": "queued",
    "started_at": None,
    "tools": [{"type": "file_search", "file_search": {"max_num_results": 2}}],
    "tool_resources": {},
    "temperature": 1.0,
}


def _differences(ours: Any) -> list[tuple[str, str]]:
    found, _ = compare(RUN, ours)
    return [(d.path, d.kind) for d in found]


def _changed(**changes: Any) -> dict[str, Any]:
    return copy.deepcopy(RUN) | changes


def test_content_is_not_compared() -> None:
    ours = _changed(id="run_0123456789abcdefABCDEFGH", temperature=0.5)
    ours["tools"][0]["file_search"]["max_num_results"] = 7
    assert _differences(ours) == []
    _, keys = compare(RUN, ours)
    assert keys == 10  # 7 at the top, 2 in the tool, 1 in its options


@pytest.mark.parametrize(
    ("ours", "expected"),
    [
        ({k: v for k, v in RUN.items() if k != "tool_resources"},
         [("$.tool_resources", "missing")]),
        (_changed(usage=None), [("$.usage", "extra")]),
        ({"object": "thread.run", "id": RUN["id"]} | RUN, [("$", "order")]),
        (_changed(started_at=1), [("$.started_at", "null")]),
        (_changed(temperature=1), [("$.temperature", "type")]),
        (_changed(status="completed"), [("$.status", "enum")]),
        (_changed(id="run_short"), [("$.id", "id")]),
        (_changed(id="run_" + "a" * 24), [("$.id", "id")]),
        (_changed(tools=[]), [("$.tools", "items")]),
        (_changed(tools=[{"type": "file_search", "file_search": {}}]),
         [("$.tools[].file_search.max_num_results", "missing")]),
    ],
    ids=["missing", "extra", "order", "null", "type", "enum", "not-an-id", "hex-not-base62",
         "items", "nested"],
)  # fmt: skip
def test_each_kind_of_difference_is_found(ours: Any, expected: list[tuple[str, str]]) -> None:
    assert _differences(ours) == expected


def test_ids_are_learnt_and_swapped() -> None:
    ids = IdMap()
    compare(RUN, _changed(id="run_0123456789abcdefABCDEFGH"), ids=ids)
    path = "/v1/threads/thread_x/runs/run_aiOgmOSxtqwaLG3JZAhGsAgR?include[]=step_details"
    assert ids.swap(path) == "/v1/threads/thread_x/runs/run_0123456789abcdefABCDEFGH" + (
        "?include[]=step_details"
    )
    assert ids.unknown({"assistant_id": "asst_tTOTTKEJcjUILn1BDZTAwuwY"}) == [
        "asst_tTOTTKEJcjUILn1BDZTAwuwY"
    ]


def test_a_stream_is_compared_event_by_event() -> None:
    recorded = [("thread.run.created", RUN), ("thread.message.delta", {"a": 1}),
                ("thread.message.delta", {"a": 2}), ("done", "[DONE]")]  # fmt: skip
    ours = [("thread.run.created", _changed(tool_resources=None)),
            ("thread.message.delta", {"a": 3}), ("done", "[DONE]")]  # fmt: skip
    found, _ = compare_events(recorded, ours, route="POST /v1/threads/{id}/runs", ids=IdMap())
    assert [(d.path, d.kind) for d in found] == [("thread.run.created$.tool_resources", "null")]
    found, _ = compare_events(recorded, ours[1:], route="", ids=IdMap())
    assert [d.kind for d in found] == ["event"]


def test_deviations_cover_what_they_name() -> None:
    deviations = load_deviations(FIDELITY)
    assert deviations
    assert all(d.why for d in deviations)
    step_extra = Difference("GET /v1/threads/{id}/runs/{id}/steps", "$.data[].expired_at",
                            "extra", "")  # fmt: skip
    assert any(d.covers("any", step_extra) for d in deviations)
    other = Difference("GET /v1/threads/{id}/runs/{id}", "$.tool_resources", "missing", "")
    assert not any(d.covers("any", other) for d in deviations)
