"""`kill -9` under load: a server on the SQLite store, written to by the official SDK from
several threads, is killed at a (seeded) random moment. After a restart every write it
acknowledged is there, nothing half-written is, no thread has two active runs, and new
ids are new."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
from openai import OpenAI

from .subprocesses import mock_server
from .test_determinism import HEADERS

WRITERS = 4
KILL_SEED = 1234
"""Seeds the moment of the kill, so that CI kills on the same schedule every time."""
FIRST_MESSAGES = 3


@contextmanager
def serving(db: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`assistants-mock serve --store sqlite:db` in a subprocess, and its base URL."""
    argv = ["serve", "--port", "0", "--store", f"sqlite:{db}", "--log-level", "quiet"]
    process = subprocess.Popen(
        mock_server(*argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/v1)", banner)
        assert found, (banner, process.stderr.read() if process.stderr else "")
        yield process, found.group(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


class Acknowledged:
    """What the server answered 200 to, by kind (filled from several threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.threads: dict[str, int] = {}  # thread id -> messages acknowledged in it
        self.runs: set[str] = set()
        self.files: dict[str, bytes] = {}

    def add(self, kind: str, key: str, value: Any = None) -> None:
        with self.lock:
            if kind == "thread":
                self.threads[key] = FIRST_MESSAGES
            elif kind == "message":
                self.threads[key] += 1
            elif kind == "run":
                self.runs.add(key)
            else:
                self.files[key] = value


def write(base_url: str, assistant: str, number: int, acked: Acknowledged) -> None:
    """Make objects until the server goes away."""
    client = OpenAI(base_url=base_url, api_key="sk-test", max_retries=0, timeout=5)
    try:
        for round_ in range(10_000):
            data = f"writer {number} round {round_}".encode()
            uploaded = client.files.create(file=("f.txt", data), purpose="assistants")
            acked.add("file", uploaded.id, data)
            thread = client.beta.threads.create(
                messages=[{"role": "user", "content": f"hi {i}"} for i in range(FIRST_MESSAGES)]
            )
            acked.add("thread", thread.id)
            run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant)
            acked.add("run", run.id)
            client.beta.threads.runs.retrieve(run_id=run.id, thread_id=thread.id)
            client.beta.threads.messages.create(thread_id=thread.id, role="user", content="more")
            acked.add("message", thread.id)
    except Exception:  # the server was killed: what was acknowledged is recorded
        return
    finally:
        client.close()


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    acked = Acknowledged()
    with serving(db) as (process, base_url):
        with OpenAI(base_url=base_url, api_key="sk-test", max_retries=0) as client:
            assistant = client.beta.assistants.create(model="gpt-4o", instructions="Be brief.")
        writers = [
            threading.Thread(target=write, args=(base_url, assistant.id, n, acked))
            for n in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        time.sleep(random.Random(KILL_SEED).uniform(0.8, 1.6))
        process.send_signal(signal.SIGKILL)
        for writer in writers:
            writer.join(timeout=10)
    assert acked.threads, "nothing was written before the kill: the test proves nothing"

    with serving(db) as (_, base_url), httpx2.Client(base_url=base_url, headers=HEADERS) as http:
        state = httpx2.get(base_url.removesuffix("/v1") + "/assistants-mock/state").json()
        threads = {t["id"]: t for t in state["threads"]}
        for thread_id, messages in acked.threads.items():
            assert thread_id in threads, f"acknowledged thread {thread_id} is gone"
            assert len(threads[thread_id]["messages"]) >= messages
        runs = {run["id"] for t in state["threads"] for run in t["runs"]}
        assert acked.runs <= runs
        files = {f["id"] for f in state["files"]}
        for file_id, data in acked.files.items():
            assert file_id in files
            assert http.get(f"/files/{file_id}/content").content == data
        for thread in state["threads"]:  # nothing half-written: a thread has all it came with
            assert len(thread["messages"]) >= FIRST_MESSAGES, thread["id"]
            listed = http.get(f"/threads/{thread['id']}/runs").json()["data"]  # moves them
            active = [r for r in listed if r["status"] in ("queued", "in_progress")]
            assert len(active) <= 1, thread["id"]
            assert active == [], "a run in flight at the kill must end on the next read"
        old_ids = (
            set(threads) | runs | files | {m["id"] for t in state["threads"] for m in t["messages"]}
        )
        fresh = http.post("/threads", json={"messages": [{"role": "user", "content": "new"}]})
        message = http.get(f"/threads/{fresh.json()['id']}/messages").json()["data"][0]
        assert fresh.json()["id"] not in old_ids
        assert message["id"] not in old_ids
