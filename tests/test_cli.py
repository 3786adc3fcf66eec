"""How users start it: `assistants-mock serve`, `python -m mock_server`, `python -m client`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from openai import BadRequestError, OpenAI

ROOT = Path(__file__).parent.parent
SCRIPT = Path(sys.executable).parent / "assistants-mock"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def launch(argv: list[str]) -> Generator[str]:
    """Run `argv --port P` until the generator closes; yields the base URL once it listens."""
    port = free_port()
    process = subprocess.Popen([*argv, "--port", str(port)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


EXTRA = ["--seed", "42", "--no-beta-header"]


@pytest.fixture(params=["console-script", "python-m"])
def served(request: pytest.FixtureRequest) -> Iterator[str]:
    argv = (
        [str(SCRIPT)]
        if request.param == "console-script"
        else [sys.executable, "-m", "mock_server"]
    )
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
