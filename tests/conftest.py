"""Shared helpers for the suite; the fixtures themselves come from `mock_server.pytest_plugin`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# pytester's in-process runs (test_plugin.py) unload every module first imported inside them.
# httpx2 imports its core lazily; if that happens first inside such a run, the copy imported
# again later escapes the recording proxy's `except httpx2.HTTPError`.
import httpcore2  # noqa: F401
import pytest
from openai import OpenAI
from openai.types.beta import Assistant, Thread

from mock_server import MockServer
from mock_server.server import AppServer

from .sdk import vector_stores

PENGUIN = "Tell me what a penguin is in 100 words or less."


@dataclass
class Conversation:
    """An assistant and a thread holding one user message."""

    assistant: Assistant
    thread: Thread


@pytest.fixture
def conversation(assistants_client: OpenAI) -> Conversation:
    assistant = assistants_client.beta.assistants.create(
        model="gpt-4o", instructions="You are a helpful assistant.", name="Penguin expert"
    )
    thread = assistants_client.beta.threads.create()
    assistants_client.beta.threads.messages.create(thread.id, role="user", content=PENGUIN)
    return Conversation(assistant, thread)


def upload(client: OpenAI, name: str = "notes.txt", data: bytes = b"Penguins swim.") -> str:
    """A real file's id: the server checks every file a request names."""
    return client.files.create(file=(name, data, "text/plain"), purpose="assistants").id


def vector_store(client: OpenAI, *file_ids: str) -> str:
    """A real vector store's id."""
    return vector_stores(client).create(file_ids=list(file_ids)).id


REFERENCES = (
    "file-a",
    "file-abc",
    "file-b",
    "file-img",
    "file-x",
    "vs_a",
    "vs_abc",
    "vs_b",
    "vs_x",
)
"""Stand-in ids some request tables use; `real_references` maps them to real ones."""


def real_references(client: OpenAI) -> dict[str, str]:
    """Real files and vector stores for the stand-in ids in `REFERENCES`."""
    return {
        ref: vector_store(client) if ref.startswith("vs_") else upload(client, f"{ref}.txt")
        for ref in REFERENCES
    }


def with_references(value: object, real: dict[str, str]) -> object:
    """`value` (a JSON body) with the stand-in ids replaced by real ones."""
    if isinstance(value, str):
        return real.get(value, value)
    if isinstance(value, list):
        return [with_references(v, real) for v in value]
    if isinstance(value, dict):
        return {k: with_references(v, real) for k, v in value.items()}
    return value


def quiet(*args: object, **kwargs: object) -> None:
    """A printer for the workflow that prints nothing."""


@contextmanager
def no_connections() -> Iterator[None]:
    """Any attempt to open a socket connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a connection was attempted during replay")

    original = socket.socket.connect
    socket.socket.connect = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]


NODE_DIR = Path(__file__).parent / "node"


def run_node(
    script: str, seed: int = 0, timeout: float = 120, server: AppServer | None = None
) -> dict[str, Any]:
    """Run `tests/node/<script>` (the official Node SDK) against `server` (default: a fresh
    MockServer) and parse the JSON it prints. Skips where node is not installed."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    assert (NODE_DIR / "node_modules" / "openai").exists(), "run `python3 tasks.py test` to set up"
    with server or MockServer(seed=seed) as running:
        env = {**os.environ, "OPENAI_BASE_URL": running.base_url, "OPENAI_API_KEY": "sk-node"}
        done = subprocess.run(
            [node, script],
            cwd=NODE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result
