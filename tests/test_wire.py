"""The wire objects are the project's own: serving never imports the openai SDK."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from pydantic import ValidationError

from mock_server import objects, wire
from mock_server.deferred import defers_build

# A whole workflow over raw HTTP (stdlib only), in a fresh interpreter, then a look at what
# it imported. Run in a subprocess: this test's own process has imported openai already.
# Nor `pydantic.v1`: FastAPI imports it to check a route parameter it builds a field for,
# and routes read theirs from the Request (`dependencies.py`; 20-40 ms of start-up).
SCRIPT = textwrap.dedent(
    """
    import http.client, json, sys
    from mock_server import MockServer

    HEADERS = {"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v2",
               "Content-Type": "application/json"}

    def call(port, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request(method, "/v1" + path, json.dumps(body) if body is not None else None,
                     HEADERS)
        reply = conn.getresponse()
        data = reply.read().decode()
        assert reply.status == 200, (path, reply.status, data)
        return data

    with MockServer() as server:
        port = server.port
        tools = [{"type": "code_interpreter"}, {"type": "file_search"},
                 {"type": "function", "function": {"name": "get_weather"}}]
        assistant = json.loads(call(port, "POST", "/assistants",
                                    {"model": "gpt-4o", "tools": tools}))
        thread = json.loads(call(port, "POST", "/threads", {"messages": [
            {"role": "user", "content": "Tell me about penguins."}]}))
        stream = call(port, "POST", f"/threads/{thread['id']}/runs",
                      {"assistant_id": assistant["id"], "stream": True})
        assert "event: thread.run.completed" in stream, stream[-500:]
        call(port, "GET", f"/threads/{thread['id']}/messages")
        call(port, "POST", "/vector_stores", {"name": "notes"})
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "openai" or
                    m.startswith("pydantic.v1"))
    print(json.dumps(loaded))
    """
)


def test_serving_a_workflow_imports_neither_openai_nor_pydantic_v1() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_wire_objects_refuse_keys_they_do_not_declare() -> None:
    with pytest.raises(ValidationError, match="extra_forbidden"):
        wire.Deleted(id="asst_1", object="assistant.deleted", surprise=True)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("made", "keys"),
    [
        (objects.file_deleted("file-1"), ["object", "deleted", "id"]),
        (objects.assistant_deleted("asst_1"), ["id", "object", "deleted"]),
        (
            objects.file_batch(
                id="vsfb_1",
                created_at=1,
                vector_store_id="vs_1",
                status="completed",
                file_counts=objects.file_counts(["completed"]),
            ),
            ["id", "object", "created_at", "status", "vector_store_id", "file_counts"],
        ),
    ],
    ids=["file-deleted", "assistant-deleted", "file-batch"],
)
def test_render_sends_the_declared_order(made: wire.WireObject, keys: list[str]) -> None:
    assert list(objects.render(made)) == keys


@pytest.mark.parametrize(
    ("version", "defers"),
    [("2.7.0", False), ("2.13.4", False), ("2.14.0b1", True), ("2.14.4", True), ("3.0.0", True)],
)
def test_models_defer_their_build_only_where_pydantic_rebuilds_thread_safely(
    version: str, defers: bool
) -> None:
    assert defers_build(version) is defers
