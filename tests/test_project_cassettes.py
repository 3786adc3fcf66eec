"""The project's cassettes (`cassettes/`): current, and replayable with nothing running.

Each scenario is recorded once per session from a fresh `MockServer(seed=0)` into a temporary
file; that recording is both the reference result (what the SDK saw live) and the proof
that the committed file is what re-recording writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openai import OpenAI

from client.cassettes import CASSETTES, record
from client.scenarios import SCENARIOS, Transcript
from mock_server.cassettes import BOUNDARY, recorder
from mock_server.replay import ReplayServer

from .conftest import no_connections

Recorded = tuple[Path, Transcript]


@pytest.fixture(scope="module", params=list(SCENARIOS))
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return record(request.param, tmp_path_factory.mktemp(request.param))


def committed(recorded: Recorded) -> Path:
    return CASSETTES / recorded[0].name


def test_the_committed_cassette_is_what_recording_writes(recorded: Recorded) -> None:
    fresh, _ = recorded
    name = fresh.stem
    assert committed(recorded).exists(), f"run `python3 tasks.py cassettes {name}`"
    assert committed(recorded).read_text() == fresh.read_text(), (
        f"cassettes/{name}.yaml is not what the server records now: if the change is "
        f"intended, run `python3 tasks.py cassettes {name}` and commit the diff"
    )


def test_the_committed_cassette_replays_with_no_server(recorded: Recorded) -> None:
    fresh, live = recorded
    offline = OpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-other", max_retries=0)
    with (
        no_connections(),
        recorder(record_mode="none").use_cassette(str(committed(recorded))) as cassette,
    ):
        replayed = SCENARIOS[fresh.stem](offline)
    assert replayed == live
    assert cassette.all_played


def test_the_committed_cassette_replays_over_http(recorded: Recorded) -> None:
    fresh, live = recorded
    with ReplayServer([committed(recorded)]) as server, server.client() as client:
        assert SCENARIOS[fresh.stem](client) == live
        assert server.tape.unplayed == []


def test_an_upload_is_recorded_with_a_fixed_boundary() -> None:
    """The SDK's multipart boundary is random; the cassette holds `BOUNDARY` instead (the
    replay tests above prove a live upload, with a fresh boundary, still matches it)."""
    text = (CASSETTES / "file_search.yaml").read_text()
    assert f"boundary={BOUNDARY}" in text
    assert text.count(f"--{BOUNDARY}") == 3  # two parts and the closing line
