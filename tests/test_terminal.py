"""What `serve`, `replay` and `record` print per request, at each log level."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from openai import OpenAI

from mock_server import MockServer
from mock_server.journal import Call
from mock_server.settings import LogLevel
from mock_server.terminal import Printer

from .sdk import httpx
from .subprocesses import ROOT, free_port, mock_server

LINE = r"\d\d:\d\d:\d\d {method} {path} {status} \d+\.\d ms"


def workflow(client: OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as s:
        s.until_done()
    client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)


@pytest.mark.parametrize("level", list(LogLevel), ids=str)
def test_a_line_per_request(level: LogLevel, capsys: pytest.CaptureFixture[str]) -> None:
    with MockServer(log_level=level) as server, server.client() as client:
        workflow(client)
    lines = capsys.readouterr().out.splitlines()
    if level == LogLevel.QUIET:
        assert lines == []
        return
    heads = [line for line in lines if not line.startswith("    ")]
    patterns = [
        LINE.format(method="POST", path="/v1/assistants", status=200),
        LINE.format(method="POST", path="/v1/threads", status=200),
        LINE.format(method="POST", path="/v1/threads/thread_\\w+/runs", status=200)
        + r" · stream \d+ events, run completed",
        LINE.format(method="POST", path="/v1/threads/thread_\\w+/runs", status=200)
        + " · run queued",
    ]
    assert len(heads) == len(patterns), lines
    for head, pattern in zip(heads, patterns, strict=True):
        assert re.fullmatch(pattern, head), head
    details = [line for line in lines if line.startswith("    ")]
    if level == LogLevel.DEBUG:
        assert details[0] == '    → {"model":"gpt-4o"}'
        assert details[1].startswith('    ← {"id":"asst_')
        assert any(d.startswith("    ← thread.run.created, thread.run.queued") for d in details)
    else:
        assert details == []


def test_colour_on_a_terminal() -> None:
    call = Call(0, "GET", "/v1/files", "limit=2", [], 0, status=404, duration_ms=1.25)
    out = io.StringIO()
    Printer(out, colour=True).print(call, LogLevel.INFO)
    assert "\x1b[33m404\x1b[0m" in out.getvalue()
    assert "/v1/files?limit=2" in out.getvalue()
    plain = io.StringIO()
    Printer(plain).print(call, LogLevel.INFO)  # a StringIO is no terminal
    assert "\x1b" not in plain.getvalue()


def test_replay_prints_its_requests() -> None:
    port = free_port()
    argv = mock_server("replay", "cassettes/seed_polled.yaml", "--port", str(port))
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert "replaying" in banner
        httpx.get(f"http://127.0.0.1:{port}/v1/models")  # recorded nowhere: a 404
        line = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert re.fullmatch(LINE.format(method="GET", path="/v1/models", status=404), line.strip())
