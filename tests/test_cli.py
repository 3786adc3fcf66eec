"""How users start it: `assistants-mock serve`, `python -m mock_server`, `python -m client`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from openai import BadRequestError, OpenAI

from .subprocesses import ROOT, SCRIPT, finish, free_port, launch, mock_server

EXTRA = ["--seed", "42", "--no-beta-header"]


@pytest.fixture(params=["console-script", "python-m"])
def served(request: pytest.FixtureRequest) -> Iterator[str]:
    argv = [str(SCRIPT)] if request.param == "console-script" else mock_server()
    yield from launch([*argv, "serve", *EXTRA])


def test_serve(served: str) -> None:
    with OpenAI(base_url=served, api_key="sk-cli", max_retries=0) as client:
        assistant = client.beta.assistants.create(model="gpt-4o")
        # --seed 42 gives the same first id as MockServer(seed=42).
        from mock_server.ids import IdFactory, Prefix

        assert assistant.id == IdFactory(42).new(Prefix.ASSISTANT)
        # --no-beta-header: a raw request without the header is served.
        response = client.get(
            "/assistants", cast_to=object, options={"headers": {"OpenAI-Beta": ""}}
        )
        assert isinstance(response, dict)
        with pytest.raises(BadRequestError):
            client.beta.assistants.create(model="gpt-4o", extra_body={"nope": 1})


def test_python_m_client_runs_the_seed_workflow() -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning:mock_server"}
    done = subprocess.run(
        [sys.executable, "-m", "client"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "\nassistant text > " in done.stdout
    assert "Collected results: [Text(annotations=[], value=" in done.stdout
    assert "\ncompleted\nUsage(" in done.stdout
    assert done.stderr == ""


def test_version() -> None:
    done = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout == f"assistants-mock {version('assistants-mock')}\n"


@pytest.mark.parametrize("command", [["serve"], ["replay", "cassettes/seed_polled.yaml"],
                                     ["record", "--upstream", "http://127.0.0.1:9/v1",
                                      "--cassette", "{tmp}/new.yaml"]],
                         ids=["serve", "replay", "record"])  # fmt: skip
def test_a_port_in_use_is_one_line_and_exit_1(command: list[str], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = [arg.format(tmp=tmp_path) for arg in command]
        done = finish(mock_server(*argv, "--port", str(port)))
    assert done.returncode == 1
    assert done.stderr == f"assistants-mock: port {port} on 127.0.0.1 is already in use\n"
    assert done.stdout == ""
    assert not (tmp_path / "new.yaml").exists()


def test_the_banner_comes_once_the_server_answers() -> None:
    """Whoever waits for the banner can call the server at once: no retry, no sleep."""
    port = free_port()
    process = subprocess.Popen(
        [str(SCRIPT), "serve", "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner == (
            f"assistants-mock on http://127.0.0.1:{port}/v1: serving the mock API (seed 0, "
            "frozen clock at 2026-01-01T00:00:00Z); inspector at "
            f"http://127.0.0.1:{port}/assistants-mock/\n"
        )
        with OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="k", max_retries=0) as client:
            assert client.beta.assistants.list().data == []
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        rest = process.stdout.read().splitlines()  # the banner, once; then a line a request
        process.stdout.close()
    assert len(rest) == 1
    assert re.fullmatch(r"\d\d:\d\d:\d\d GET /v1/assistants 200 \d+\.\d ms", rest[0]), rest
