"""The project's cassettes (`cassettes/`): current, and replayable with nothing running.

For each scenario of `client.scenarios`, a run against a fresh `MockServer(seed=0)` is the
reference; recording the scenario again must write the committed file byte for byte, and
the committed file, replayed with every connection refused, must give the SDK exactly what
the live run gave it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openai import APIConnectionError, DefaultHttpxClient, OpenAI
from openai.types import FileObject
from vcr.errors import CannotOverwriteExistingCassetteException

from client.cassettes import CASSETTES, SEED, record
from client.scenarios import NOTES, SCENARIOS, Transcript
from mock_server import MockServer
from mock_server.cassettes import BOUNDARY, recorder
from mock_server.replay import ReplayServer

from .conftest import no_connections
from .sdk import httpx, transport_error

Recorded = tuple[Path, Transcript]
BOUNDARY_PARAMETER = re.compile(r"boundary=([^\s\"';]+)")


@pytest.fixture(scope="module", params=list(SCENARIOS))
def scenario(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def live(scenario: str) -> Transcript:
    """What the SDK sees running the scenario against a fresh server, with no vcrpy."""
    with MockServer(seed=SEED) as server, server.client() as client:
        return SCENARIOS[scenario](client)


@pytest.fixture(scope="module")
def recorded(scenario: str, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """The scenario recorded afresh, as `python3 tasks.py cassettes` records it."""
    return record(scenario, tmp_path_factory.mktemp(scenario))


def offline_client(http_client: httpx.Client | None = None) -> OpenAI:
    """A client pointed at a port nothing listens on, with another key than the recording's."""
    return OpenAI(
        base_url="http://127.0.0.1:9/v1", api_key="sk-other", max_retries=0, http_client=http_client
    )


def test_the_committed_cassette_is_what_recording_writes(scenario: str, recorded: Recorded) -> None:
    fresh, _ = recorded
    committed = CASSETTES / fresh.name
    hint = f"if the change is intended, run `python3 tasks.py cassettes {scenario}` and commit"
    assert committed.exists(), f"cassettes/{fresh.name} is missing: {hint}"
    assert committed.read_bytes() == fresh.read_bytes(), (
        f"cassettes/{fresh.name} is not what the server records now: {hint} the diff"
    )


def test_recording_gives_the_sdk_what_a_live_run_gives(
    live: Transcript, recorded: Recorded
) -> None:
    """vcrpy in record mode is transparent, and the scenario is the same on two servers."""
    assert recorded[1] == live


def test_the_committed_cassette_replays_with_no_server(scenario: str, live: Transcript) -> None:
    with (
        no_connections(),
        recorder(record_mode="none").use_cassette(str(CASSETTES / f"{scenario}.yaml")) as tape,
    ):
        replayed = SCENARIOS[scenario](offline_client())
    assert replayed == live
    assert tape.all_played


def test_the_committed_cassette_replays_over_http(scenario: str, live: Transcript) -> None:
    with ReplayServer([CASSETTES / f"{scenario}.yaml"]) as server, server.client() as client:
        assert SCENARIOS[scenario](client) == live
        assert server.tape.unplayed == []


def test_the_committed_cassettes_hold_only_the_fixed_boundary() -> None:
    texts = {path.name: path.read_text() for path in sorted(CASSETTES.glob("*.yaml"))}
    assert set(texts) == {f"{name}.yaml" for name in SCENARIOS}
    boundaries = {b for text in texts.values() for b in BOUNDARY_PARAMETER.findall(text)}
    assert boundaries == {BOUNDARY}
    assert texts["file_search.yaml"].count(f"--{BOUNDARY}") == 3  # two parts, the closing line


class Boundaries:
    """An httpx event hook that keeps the multipart boundary of each request it sees."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> None:
        found = BOUNDARY_PARAMETER.search(request.headers.get("content-type", ""))
        if found is not None:
            self.seen.append(found.group(1))


def upload(client: OpenAI, data: bytes = NOTES) -> FileObject:
    return client.files.create(file=("notes.txt", data, "text/plain"), purpose="assistants")


def record_upload(path: Path) -> tuple[FileObject, str]:
    """An upload recorded into `path`: the file object and the random boundary it was sent with."""
    boundaries = Boundaries()
    http = DefaultHttpxClient(event_hooks={"request": [boundaries]})
    with (
        MockServer(seed=SEED) as server,
        server.client(http_client=http) as client,
        recorder(record_mode="all").use_cassette(str(path)),
    ):
        uploaded = upload(client)
    (sent,) = boundaries.seen
    return uploaded, sent


def test_an_upload_is_recorded_without_its_random_boundary_and_replays(tmp_path: Path) -> None:
    path = tmp_path / "upload.yaml"
    live, recorded_with = record_upload(path)
    text = path.read_text()
    assert recorded_with != BOUNDARY
    assert recorded_with not in text
    assert BOUNDARY_PARAMETER.findall(text) == [BOUNDARY]

    boundaries = Boundaries()
    offline = offline_client(http_client=DefaultHttpxClient(event_hooks={"request": [boundaries]}))
    with no_connections(), recorder(record_mode="none").use_cassette(str(path)) as tape:
        replayed = upload(offline)
    assert replayed == live
    assert tape.all_played
    (replayed_with,) = boundaries.seen
    assert replayed_with not in (recorded_with, BOUNDARY)  # a fresh random boundary matched


def test_an_upload_of_other_bytes_does_not_replay(tmp_path: Path) -> None:
    """Multipart bodies are compared, boundaries aside: another file's upload is not played."""
    path = tmp_path / "upload.yaml"
    record_upload(path)
    with (
        no_connections(),
        recorder(record_mode="none").use_cassette(str(path)),
        pytest.raises((CannotOverwriteExistingCassetteException, APIConnectionError)) as raised,
    ):
        upload(offline_client(), NOTES + b" Puffins too.")
    refused = transport_error(raised.value)
    assert isinstance(refused, CannotOverwriteExistingCassetteException)
    assert "body_json" in str(refused)
