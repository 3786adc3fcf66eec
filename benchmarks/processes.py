"""Servers in processes of their own, for the benchmarks that must not share a core's
interpreter with the client: a free port, and a `python -m` module served on it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["free_port", "served"]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(argv: list[str]) -> Iterator[str]:
    """`python -m *argv --port P` on a free port until the block ends; its base URL
    (`http://127.0.0.1:P/v1`) once it accepts connections."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", *argv, "--port", str(port)])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{argv[0]} did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)
