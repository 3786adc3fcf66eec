"""The same seed and the same requests give the same bytes; headers and ids look real."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from mock_server import MockServer
from mock_server.ids import IdFactory, Prefix

from .sdk import httpx

HEADERS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}
REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")
OBJECT_ID = re.compile(r"(asst|thread|msg)_[A-Za-z0-9]{24}")


@dataclass(frozen=True)
class Exchange:
    """One request as sent and what came back, minus the `date` header."""

    request: str
    status: int
    body: bytes
    headers: dict[str, str]


def script(server: MockServer) -> list[Exchange]:
    """A fixed sequence of raw requests, successes and errors, each using earlier ids."""
    out: list[Exchange] = []
    with httpx.Client(base_url=server.base_url, headers=HEADERS) as http:

        def send(method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
            response = http.request(method, path, json=json, **kwargs)
            headers = {k: v for k, v in response.headers.items() if k != "date"}
            exchange = Exchange(f"{method} {path}", response.status_code, response.content, headers)
            out.append(exchange)
            return response.json()

        assistant = send("POST", "/assistants", {"model": "gpt-4o", "name": "A"})["id"]
        send("POST", "/assistants", {"model": "gpt-4o", "tools": [{"type": "code_interpreter"}]})
        thread = send("POST", "/threads", {"messages": [{"role": "user", "content": "Hi"}]})["id"]
        message = send("POST", f"/threads/{thread}/messages", {"role": "user", "content": "x"})
        send("POST", f"/threads/{thread}/messages/{message['id']}", {"metadata": {"k": "v"}})
        send("GET", f"/threads/{thread}/messages", params={"order": "asc"})
        send("POST", f"/assistants/{assistant}", {"metadata": {"a": "b"}})
        send("GET", "/assistants", params={"limit": 1})
        send("GET", "/assistants/asst_nope")
        send("POST", "/assistants", {"model": "gpt-4o", "foo": 1})
        send("GET", "/nope")
        send("GET", "/assistants", headers={"OpenAI-Beta": ""})
        send("DELETE", f"/threads/{thread}")
        send("DELETE", f"/assistants/{assistant}")
        send("GET", "/assistants")
    return out


def run(seed: int) -> list[Exchange]:
    with MockServer(seed=seed) as server:
        return script(server)


@pytest.fixture(scope="module")
def seed_7() -> list[Exchange]:
    return run(7)


def test_same_seed_same_bytes(seed_7: list[Exchange]) -> None:
    again = run(7)
    assert [e.request for e in again] == [e.request for e in seed_7]
    for first, second in zip(seed_7, again, strict=True):
        assert (second.status, second.body) == (first.status, first.body), first.request
        assert second.headers == first.headers, first.request
        assert second.headers["x-request-id"] == first.headers["x-request-id"]


def test_the_script_covers_errors(seed_7: list[Exchange]) -> None:
    assert sorted({e.status for e in seed_7}) == [200, 400, 404]


def test_a_different_seed_gives_different_ids(seed_7: list[Exchange]) -> None:
    other = run(8)
    assert [e.status for e in other] == [e.status for e in seed_7]
    for mine, theirs in zip(seed_7, other, strict=True):
        assert mine.headers["x-request-id"] != theirs.headers["x-request-id"]
    mine_ids = [ids_in(e.body) for e in seed_7]
    their_ids = [ids_in(e.body) for e in other]
    assert [len(i) for i in mine_ids] == [len(i) for i in their_ids]
    assert set().union(*mine_ids).isdisjoint(set().union(*their_ids))


def ids_in(body: bytes) -> set[str]:
    return {m.group(0) for m in OBJECT_ID.finditer(body.decode())}


def test_every_response_carries_the_real_headers(seed_7: list[Exchange]) -> None:
    for exchange in seed_7:
        assert REQUEST_ID.fullmatch(exchange.headers["x-request-id"]), exchange.request
        assert exchange.headers["openai-version"] == "2020-10-01", exchange.request
        assert exchange.headers["content-type"] == "application/json", exchange.request
    request_ids = [e.headers["x-request-id"] for e in seed_7]
    assert len(set(request_ids)) == len(request_ids)


def test_ids_look_like_the_real_ones(seed_7: list[Exchange]) -> None:
    created = [e for e in seed_7 if e.request.startswith("POST") and e.status == 200]
    assert created
    seen = set()
    for exchange in created:
        body = exchange.body.decode()
        object_id = re.search(r'"id": "([^"]+)"', body)
        assert object_id is not None, exchange.request
        assert OBJECT_ID.fullmatch(object_id.group(1)), object_id.group(1)
        seen.add(object_id.group(1).split("_")[0])
    assert seen == {"asst", "thread", "msg"}


def test_bodies_are_pretty_printed_with_two_spaces(seed_7: list[Exchange]) -> None:
    assert seed_7[0].body.startswith(b'{\n  "id": "asst_')


def test_ids_restored_at_a_far_position_continue_as_if_drawn_all_the_way() -> None:
    drawn = IdFactory(seed=7)
    for n in range(20_000):  # every shape: base62 24 and 22, hex 32, request ids
        drawn.new(Prefix.MESSAGE)
        if n % 3 == 0:
            drawn.new(Prefix.FILE, length=22)
        if n % 5 == 0:
            drawn.new(Prefix.VECTOR_STORE, length=32, hex=True)
        drawn.request_id()
    restored = IdFactory(seed=7, positions=drawn.positions())
    assert restored.positions() == drawn.positions()
    assert drawn.positions()["msg_"] == 480_000
    for _ in range(50):
        assert restored.new(Prefix.MESSAGE) == drawn.new(Prefix.MESSAGE)
        assert restored.new(Prefix.FILE, length=22) == drawn.new(Prefix.FILE, length=22)
        assert restored.new(Prefix.VECTOR_STORE, hex=True) == drawn.new(
            Prefix.VECTOR_STORE, hex=True
        )
        assert restored.request_id() == drawn.request_id()
        assert restored.new(Prefix.THREAD) == drawn.new(Prefix.THREAD)
