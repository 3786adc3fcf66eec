"""The inspector page over plain HTTP: what it shows, that it escapes what it shows, its
live-update fragment and its vendored script (the browser test drives it in Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openai import OpenAI

from mock_server import MockServer

from .sdk import httpx


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def client(server: MockServer) -> Iterator[OpenAI]:
    with server.client() as client:
        yield client


def page(server: MockServer, path: str = "/assistants-mock/") -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{server.port}{path}")


def test_root_redirects_to_the_page(server: MockServer) -> None:
    answer = page(server, "/")
    assert answer.status_code == 307
    assert answer.headers["location"] == "/assistants-mock/"


def test_the_page_shows_what_the_server_holds(server: MockServer, client: OpenAI) -> None:
    weather: Any = {
        "type": "function",
        "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
    }
    calls = [{"name": "get_weather", "arguments": {}}]
    server.script(message="weather", turns=[{"tool_calls": calls}, {"text": "Sunny."}])
    server.script(message="never", turns=[{"text": "unused"}])
    server.faults.add(path="/v1/files", status=503, times=2)
    assistant = client.beta.assistants.create(model="gpt-4o", name="<b>Forecaster</b>",
                                              tools=[weather])  # fmt: skip
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "weather?"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    assert run.required_action is not None
    call_id = run.required_action.submit_tool_outputs.tool_calls[0].id
    client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call_id, "output": "22C"}]
    )
    html = page(server).text
    assert "Sunny." not in html  # looking advances no run
    client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    html = page(server).text
    assert "&lt;b&gt;Forecaster&lt;/b&gt;" in html
    assert "<b>Forecaster</b>" not in html
    assert f'data-thread="{thread.id}"' in html
    assert f'data-run="{run.id}"' in html
    assert "get_weather" in html
    assert "22C" in html
    assert "Sunny." in html
    assert "thread.run.requires_action" in html  # the timeline
    assert "message=<code>never</code>" in html  # a rule with turns left
    assert "times left" in html
    assert "/v1/files" in html
    assert "/assistants-mock/static/inspector.js" in html


def test_panels_and_static_files(server: MockServer) -> None:
    panels = page(server, "/assistants-mock/panels")
    assert panels.headers["content-type"].startswith("text/html")
    assert "<html" not in panels.text
    assert 'id="journal"' in panels.text
    script = page(server, "/assistants-mock/static/inspector.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "/assistants-mock/panels" in script.text
    assert page(server, "/assistants-mock/static/inspector.css").status_code == 200
    assert page(server, "/assistants-mock/static/other.js").status_code == 404
    assert "http" not in page(server).text.replace("http-equiv", "")  # nothing from a CDN


def test_watching_leaves_request_ids_alone() -> None:
    ids = []
    for watch in (False, True):
        with MockServer() as server, server.client() as client:
            if watch:
                page(server)
                page(server, "/assistants-mock/requests")
            ids.append(client.beta.assistants.with_raw_response.list().headers["x-request-id"])
    assert ids[0] == ids[1]
