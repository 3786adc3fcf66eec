"""The command line in a subprocess, as users start it: `finish` runs a command to its end
(a refusal, a one-line error), `launch` keeps one serving while a test talks to it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "SCRIPT", "finish", "free_port", "launch", "mock_server"]

ROOT = Path(__file__).parent.parent
SCRIPT = Path(sys.executable).parent / "assistants-mock"
"""The console script the package installs."""


def mock_server(*args: str) -> list[str]:
    """The argv of `python -m mock_server ARGS`."""
    return [sys.executable, "-m", "mock_server", *args]


def finish(argv: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    """Run `argv` from the project's root to its end (at most 60 s, unless `timeout=` says
    otherwise): its exit code and what it printed, as text."""
    options = {"cwd": ROOT, "timeout": 60, **options}
    return subprocess.run(argv, capture_output=True, text=True, check=False, **options)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def launch(argv: list[str], stdout: Path | None = None) -> Generator[str]:
    """Run `argv --port P` until the generator closes; yields the base URL once it listens.
    What it prints goes to `stdout` when given."""
    port = free_port()
    out = stdout.open("w") if stdout is not None else None
    process = subprocess.Popen([*argv, "--port", str(port)], cwd=ROOT, stdout=out)
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
        if out is not None:
            out.close()
