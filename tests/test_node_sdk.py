"""The same streams consumed by the official Node SDK, which is stricter than Python's:
it rejects out-of-order steps, messages and deltas (api_fidelity.md §10)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import run_node

TEXT_CALLBACKS = [
    "runStepCreated",
    "messageCreated",
    "textCreated",
    "textDelta*",
    "textDone",
    "messageDone:completed",
    "runStepDone:completed",
    "end",
]


@pytest.fixture(scope="module")
def node_run() -> dict[str, Any]:
    return run_node("workflow.mjs", seed=5)


def test_stream_helper(node_run: dict[str, Any]) -> None:
    stream = node_run["stream"]
    assert stream["callbacks"] == TEXT_CALLBACKS
    assert stream["events"][0] == "thread.run.created"
    assert stream["events"][-1] == "thread.run.completed"
    assert stream["run"]["status"] == "completed"
    assert stream["run"]["usage"]["total_tokens"] > 0
    assert [m["text"] for m in stream["messages"]] == [stream["text"]]
    assert "penguin" in stream["text"].lower()


def test_create_and_run_stream_cut_by_the_token_limit(node_run: dict[str, Any]) -> None:
    stream = node_run["createAndRunStream"]
    assert stream["events"][0] == "thread.created"
    assert stream["events"][-1] == "thread.run.incomplete"
    assert stream["callbacks"][-3:] == [
        "messageDone:incomplete",
        "runStepDone:completed",
        "end",
    ]
    assert stream["run"]["status"] == "incomplete"
    assert stream["run"]["usage"]["completion_tokens"] == 256
    assert stream["messages"][0]["status"] == "incomplete"


def test_polling_errors_and_lists(node_run: dict[str, Any]) -> None:
    assert node_run["createAndPoll"] == {"status": "completed"}
    assert node_run["notFound"] == {
        "name": "NotFoundError",
        "status": 404,
        "error": {
            "message": "No assistant found with id 'asst_nope'.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        },
    }
    assert node_run["steps"] == [{"type": "message_creation", "status": "completed"}]


def test_function_call_round_trip(node_run: dict[str, Any]) -> None:
    tools = node_run["tools"]
    assert tools["status"] == "requires_action"
    assert tools["callbacks"] == [
        "toolCallCreated:function",
        f"toolCallDone:{tools['arguments']}",
    ]
    assert tools["args"] == tools["arguments"] == '{"location":"Lima"}'
    assert tools["final"] == "completed"
    assert "warm and sunny" in tools["text"]


def test_code_interpreter_stream(node_run: dict[str, Any]) -> None:
    code = node_run["code"]
    assert code["callbacks"][:2] == [
        "toolCallCreated:code_interpreter",
        "toolCallDone:code_interpreter",
    ]
    assert code["input"] == "result = 123 * 456\nprint(result)"
    assert code["logs"] == ["56088"]
    assert code["status"] == "completed"
    assert "56088" in code["text"]


def test_file_search_stream_with_citations(node_run: dict[str, Any]) -> None:
    search = node_run["search"]
    assert search["callbacks"] == ["toolCallCreated:file_search"]
    assert search["status"] == "completed"
    [annotation] = search["annotations"]
    assert annotation["type"] == "file_citation"
    assert annotation["file_citation"]["file_id"] == search["fileId"]
    start, end = annotation["start_index"], annotation["end_index"]
    assert search["text"][start:end] == annotation["text"] == "【4:0†notes.txt】"
