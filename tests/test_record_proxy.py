"""`assistants-mock record`: a proxy that writes what passes through it to a vcrpy cassette.

The upstream is a second instance of our own server; the real API is gone.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from openai import APIStatusError, OpenAI
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request as HTTPRequest

from client.workflow import WorkflowResult, run_workflow
from mock_server import MockServer, Settings, create_app
from mock_server.cassettes import recorder
from mock_server.cli import RECORD_MODES
from mock_server.proxy import CassetteRefused, RecordingProxy, RecordMode, upstream_url
from mock_server.replay import ReplayServer
from mock_server.server import AppServer

from .conftest import quiet
from .subprocesses import finish, free_port, launch, mock_server
from .test_replay import OPENLLMETRY, Collector, math_tutor

SECRETS = {"api_key": "sk-proxy-secret", "organization": "org-secret", "project": "proj-secret"}


def through_proxy(path: Path, upstream: AppServer) -> WorkflowResult:
    with RecordingProxy(upstream.base_url, path) as proxy, proxy.client(**SECRETS) as client:
        return run_workflow(client, out=quiet)


def test_record_through_the_proxy_then_replay_gives_the_sdk_the_same(tmp_path: Path) -> None:
    path = tmp_path / "proxied.yaml"
    with MockServer(seed=0) as upstream:
        live = through_proxy(path, upstream)
    with ReplayServer([path]) as replay, replay.client() as client:
        replayed = run_workflow(client, out=quiet)
        assert replay.tape.unplayed == []
    assert replayed.run == live.run
    assert replayed.steps == live.steps
    assert replayed.reply == live.reply
    assert replayed.runs == live.runs
    assert replayed.results == live.results  # every streamed delta, in order
    assert live.results  # the workflow streamed


def test_the_proxy_writes_the_file_vcrpy_writes_in_the_client(tmp_path: Path) -> None:
    proxied, direct = tmp_path / "proxied.yaml", tmp_path / "direct.yaml"
    with MockServer(seed=0) as upstream:
        through_proxy(proxied, upstream)
    with (
        MockServer(seed=0) as server,
        server.client(**SECRETS) as client,
        recorder(record_mode="all").use_cassette(str(direct)),
    ):
        run_workflow(client, out=quiet)
    assert proxied.read_text() == direct.read_text()


def test_a_proxy_cassette_holds_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "proxied.yaml"
    with MockServer(seed=0) as upstream:
        through_proxy(path, upstream)
    text = path.read_text().lower()
    for secret in ("sk-proxy-secret", "org-secret", "proj-secret", "authorization", "x-stainless"):
        assert secret not in text, secret
    assert "openai-beta" in text


def test_compressed_answers_are_relayed_compressed_and_recorded_plain(tmp_path: Path) -> None:
    path = tmp_path / "gzip.yaml"
    gzipping = AppServer(GZipMiddleware(create_app(Settings(seed=0)), minimum_size=1))
    with (
        gzipping as upstream,
        RecordingProxy(upstream.base_url, path) as proxy,
        proxy.client() as client,
    ):
        raw = client.beta.assistants.with_raw_response.create(model="gpt-4o", name="Zipped")
        assert raw.headers["content-encoding"] == "gzip"
        assistant = raw.parse()
    (interaction,) = yaml.safe_load(path.read_text())["interactions"]
    response = interaction["response"]
    assert "content-encoding" not in response["headers"]
    assert f'"id": "{assistant.id}"' in response["body"]["string"]
    with ReplayServer([path]) as replay, replay.client() as client:
        assert client.beta.assistants.create(model="gpt-4o", name="Zipped") == assistant


def test_an_unreachable_upstream_is_a_502_in_the_error_envelope(tmp_path: Path) -> None:
    path = tmp_path / "nothing.yaml"
    upstream = f"http://127.0.0.1:{free_port()}/v1"
    with (
        RecordingProxy(upstream, path) as proxy,
        proxy.client() as client,
        pytest.raises(APIStatusError) as raised,
    ):
        client.beta.assistants.create(model="gpt-4o")
    assert raised.value.status_code == 502
    body: Any = raised.value.body
    assert body["code"] == "upstream_unreachable"
    assert body["type"] == "server_error"
    assert body["message"].startswith(
        f"assistants-mock record could not reach the upstream {upstream}"
    )
    assert not path.exists()


@pytest.mark.parametrize(
    ("upstream", "path", "query", "expected"),
    [
        ("https://api.openai.com/v1", "/v1/assistants", "", "https://api.openai.com/v1/assistants"),
        ("https://api.openai.com/v1/", "/v1/threads/t/runs", "limit=2", "https://api.openai.com/v1/threads/t/runs?limit=2"),
        ("http://127.0.0.1:8001/v1", "/assistants-mock/reset", "", "http://127.0.0.1:8001/assistants-mock/reset"),
        ("https://gateway.example/openai/v1", "/v1/files", "", "https://gateway.example/openai/v1/files"),
    ],
)  # fmt: skip
def test_the_proxy_maps_its_base_url_onto_the_upstreams(
    upstream: str, path: str, query: str, expected: str
) -> None:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
             "headers": [(b"host", b"127.0.0.1:8000")], "scheme": "http",
             "server": ("127.0.0.1", 8000)}  # fmt: skip
    assert upstream_url(upstream, HTTPRequest(scope)) == expected


def test_the_record_and_replay_commands(tmp_path: Path) -> None:
    """`assistants-mock record` then `assistants-mock replay`, as separate processes."""
    path = tmp_path / "cli.yaml"
    command = mock_server()
    record = [*command, "record", "--cassette", str(path), "--upstream"]
    with (
        MockServer(seed=0) as upstream,
        contextlib.closing(launch([*record, upstream.base_url])) as proxy,
        OpenAI(base_url=next(proxy), api_key="sk-cli", max_retries=0) as client,
    ):
        recorded = client.beta.assistants.create(model="gpt-4o", name="Via the CLI")
    with (
        contextlib.closing(launch([*command, "replay", str(path)])) as replay,
        OpenAI(base_url=next(replay), api_key="sk-cli", max_retries=0) as client,
    ):
        assert client.beta.assistants.create(model="gpt-4o", name="Via the CLI") == recorded


def test_a_stream_the_client_leaves_is_recorded_as_far_as_it_went(tmp_path: Path) -> None:
    path = tmp_path / "left.yaml"
    with (
        MockServer(seed=0, stream_delay_ms=20) as upstream,
        RecordingProxy(upstream.base_url, path) as proxy,
        proxy.client() as client,
    ):
        assistant = client.beta.assistants.create(model="gpt-4o")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "A story"}])
        with client.beta.threads.runs.create(
            thread_id=thread.id, assistant_id=assistant.id, stream=True
        ) as stream:
            seen = [event.event for _, event in zip(range(4), stream, strict=False)]
        deadline = time.monotonic() + 10
        while len(proxy.writer.interactions) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    body = yaml.safe_load(path.read_text())["interactions"][2]["response"]["body"]["string"]
    recorded = [line.removeprefix("event: ") for line in body.splitlines() if "event:" in line]
    assert recorded[:4] == seen
    assert "thread.run.completed" not in body


def test_real_headers_in_none_out(tmp_path: Path) -> None:
    """The real API's answers carried the account's organization and project and set
    cookies; replayed from openllmetry's recording through the proxy, none is written."""
    path = tmp_path / "real.yaml"
    with (
        ReplayServer([OPENLLMETRY]) as upstream,
        RecordingProxy(upstream.base_url, path) as proxy,
        proxy.client(**SECRETS) as client,
    ):
        math_tutor(client, Collector())
    original = OPENLLMETRY.read_text().lower()
    assert "openai-organization" in original
    assert "set-cookie" in original
    text = path.read_text().lower()
    for header in ("openai-organization", "openai-project", "set-cookie", "cookie", "traceloop"):
        assert header not in text, header
    assert text.count("- request:") == 5


def test_a_json_cassette_is_written_and_replayed(tmp_path: Path) -> None:
    path = tmp_path / "proxied.json"
    with MockServer(seed=0) as upstream:
        live = through_proxy(path, upstream)
    assert path.read_text().startswith("{")
    with ReplayServer([path]) as replay, replay.client() as client:
        assert run_workflow(client, out=quiet) == live


def record_assistants(path: Path, names: list[str], **kwargs: Any) -> None:
    """Record creating one assistant per name, through the proxy, into `path`."""
    with (
        MockServer(seed=0) as upstream,
        RecordingProxy(upstream.base_url, path, **kwargs) as proxy,
        proxy.client() as client,
    ):
        for name in names:
            client.beta.assistants.create(model="gpt-4o", name=name)


def recorded_names(path: Path) -> list[str]:
    interactions = yaml.safe_load(path.read_text())["interactions"]
    return [json.loads(i["request"]["body"])["name"] for i in interactions]


def test_once_never_touches_an_existing_cassette(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    record_assistants(path, ["First", "Second"])
    before = path.read_bytes()
    with pytest.raises(CassetteRefused) as raised:
        record_assistants(path, ["Third"])
    assert str(raised.value).startswith(f"{path} already holds 2 recorded interactions")
    assert "--record-mode new_episodes" in str(raised.value)
    assert path.read_bytes() == before


def test_once_records_into_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("\n")
    record_assistants(path, ["First"])
    assert recorded_names(path) == ["First"]


def test_new_episodes_appends_and_keeps_what_was_recorded(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    record_assistants(path, ["First", "Second"])
    before = path.read_text()
    record_assistants(path, ["Third"], record_mode="new_episodes")
    after = path.read_text()
    assert recorded_names(path) == ["First", "Second", "Third"]
    assert after.startswith(before.removesuffix("version: 1\n"))  # byte for byte


def test_new_episodes_keeps_a_json_cassette_too(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    record_assistants(path, ["First"])
    record_assistants(path, ["Second"], record_mode=RecordMode.NEW_EPISODES)
    interactions = json.loads(path.read_text())["interactions"]
    assert [json.loads(i["request"]["body"])["name"] for i in interactions] == [
        "First",
        "Second",
    ]


def test_all_records_again(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    record_assistants(path, ["First", "Second"])
    record_assistants(path, ["Third"], record_mode="all")
    assert recorded_names(path) == ["Third"]


def test_a_file_that_is_not_a_cassette_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_text("a: 1\n")
    for mode in ("once", "new_episodes"):
        with pytest.raises(CassetteRefused, match=r"notes\.yaml is not a vcrpy cassette"):
            RecordingProxy("http://127.0.0.1:9/v1", path, record_mode=mode)
    with pytest.raises(ValueError, match=r"record_mode='none' is not one of 'once', 'new_e"):
        RecordingProxy("http://127.0.0.1:9/v1", tmp_path / "x.yaml", record_mode="none")
    assert path.read_text() == "a: 1\n"


def test_the_cli_offers_the_record_modes() -> None:
    assert tuple(RecordMode) == RECORD_MODES


def test_the_record_command_in_each_mode(tmp_path: Path) -> None:
    """Separate processes: `once` refuses an existing cassette with a way forward;
    `new_episodes` appends; `all` records again; each counts what it wrote."""
    path = tmp_path / "cli.yaml"
    command = mock_server("record", "--log-level", "quiet", "--cassette", str(path))
    out = tmp_path / "out.txt"

    def record(mode: list[str], names: list[str]) -> list[str]:
        with MockServer(seed=0) as upstream:
            proxy = launch([*command, *mode, "--upstream", upstream.base_url], stdout=out)
            with OpenAI(base_url=next(proxy), api_key="sk-cli", max_retries=0) as client:
                for name in names:
                    client.beta.assistants.create(model="gpt-4o", name=name)
            proxy.close()
        return out.read_text().splitlines()[1:]  # after the banner

    assert record([], ["First", "Second"]) == [
        f"recorded 1 interaction -> {path}",
        f"recorded 2 interactions -> {path}",
    ]
    before = path.read_bytes()
    refused = finish([*command, "--upstream", "http://127.0.0.1:9/v1"])
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"assistants-mock: {path} already holds 2 recorded")
    assert "--record-mode new_episodes" in refused.stderr
    assert "--record-mode all" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert path.read_bytes() == before
    assert record(["--record-mode", "new_episodes"], ["Third"]) == [
        f"recorded 1 interaction -> {path} (after the 2 it held)"
    ]
    assert recorded_names(path) == ["First", "Second", "Third"]
    assert record(["--record-mode", "all"], ["Fourth"]) == [f"recorded 1 interaction -> {path}"]
    assert recorded_names(path) == ["Fourth"]
