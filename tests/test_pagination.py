"""Cursor pagination of assistants and messages: the SDK's auto-pagination, `after`,
`before`, `has_more`, the empty page, and a stable order among same-second objects."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from openai import OpenAI

from mock_server import MockServer

from .sdk import STOPS_AT_HAS_MORE, httpx

KINDS = ["assistants", "messages"]
COUNT = 6
"""Objects made for each test: indexes 0..5 in creation order."""


@dataclass
class Listing:
    """Objects of one kind, in creation order, and the SDK call that lists them."""

    ids: list[str]
    list: Callable[..., Any]
    raw: Callable[..., Any]
    delete: Callable[[str], object]

    def page(self, **params: Any) -> dict[str, Any]:
        """One page as the wire sends it."""
        data: dict[str, Any] = json.loads(self.raw(**params).http_response.text)
        return data


def populate(client: OpenAI, kind: str, count: int = COUNT) -> Listing:
    if kind == "assistants":
        ids = [client.beta.assistants.create(model="gpt-4o", name=str(i)).id for i in range(count)]
        return Listing(
            ids,
            client.beta.assistants.list,
            client.beta.assistants.with_raw_response.list,
            client.beta.assistants.delete,
        )
    thread_id = client.beta.threads.create().id
    messages = client.beta.threads.messages
    ids = [messages.create(thread_id, role="user", content=str(i)).id for i in range(count)]
    return Listing(
        ids,
        lambda **params: messages.list(thread_id, **params),
        lambda **params: messages.with_raw_response.list(thread_id, **params),
        lambda message_id: messages.delete(message_id, thread_id=thread_id),
    )


@pytest.fixture
def recorded(assistants_mock: MockServer) -> Iterator[tuple[OpenAI, list[httpx.URL]]]:
    """A client that notes the URL of every GET it sends."""
    urls: list[httpx.URL] = []

    def note(request: httpx.Request) -> None:
        if request.method == "GET":
            urls.append(request.url)

    with assistants_mock.client(http_client=httpx.Client(event_hooks={"request": [note]})) as c:
        yield c, urls


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("order", "expected"),
    [(None, [5, 4, 3, 2, 1, 0]), ("desc", [5, 4, 3, 2, 1, 0]), ("asc", [0, 1, 2, 3, 4, 5])],
    ids=["default-desc", "desc", "asc"],
)
def test_sdk_auto_pagination_walks_every_page(
    recorded: tuple[OpenAI, list[httpx.URL]], kind: str, order: str | None, expected: list[int]
) -> None:
    client, urls = recorded
    listing = populate(client, kind)
    urls.clear()
    params: dict[str, Any] = {"limit": 4} if order is None else {"limit": 4, "order": order}
    seen = [item.id for item in listing.list(**params)]
    assert seen == [listing.ids[i] for i in expected]
    # Two pages: the second asks for what follows the last item of the first.
    pages = [params | {"limit": "4"}, params | {"limit": "4", "after": listing.ids[expected[3]]}]
    if not STOPS_AT_HAS_MORE:  # an older SDK asks for the empty page after the last item too
        pages.append(params | {"limit": "4", "after": listing.ids[expected[-1]]})
    assert [dict(url.params) for url in urls] == pages


@pytest.mark.parametrize("kind", KINDS)
def test_pages_stop_exactly_at_the_end(recorded: tuple[OpenAI, list[httpx.URL]], kind: str) -> None:
    client, urls = recorded
    listing = populate(client, kind)
    urls.clear()
    assert len(list(listing.list(limit=2))) == COUNT
    # has_more is false on the third page: no fourth request (but from an older SDK)
    assert len(urls) == (3 if STOPS_AT_HAS_MORE else 4)


@pytest.mark.parametrize("kind", KINDS)
def test_page_shape(assistants_client: OpenAI, kind: str) -> None:
    listing = populate(assistants_client, kind)
    first = listing.page(limit=2)
    assert list(first) == ["object", "data", "first_id", "last_id", "has_more"]
    assert first["object"] == "list"
    assert [d["id"] for d in first["data"]] == [listing.ids[5], listing.ids[4]]
    assert (first["first_id"], first["last_id"], first["has_more"]) == (
        listing.ids[5],
        listing.ids[4],
        True,
    )
    whole = listing.page(limit=100)
    assert (len(whole["data"]), whole["has_more"]) == (COUNT, False)
    exact = listing.page(limit=COUNT)
    assert (len(exact["data"]), exact["has_more"]) == (COUNT, False)
    default = listing.page()
    assert (len(default["data"]), default["has_more"]) == (COUNT, False)


@pytest.mark.parametrize("kind", KINDS)
def test_empty_page(assistants_client: OpenAI, kind: str) -> None:
    listing = populate(assistants_client, kind, count=0)
    assert listing.page() == {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }
    page = listing.list()
    assert (page.data, page.has_more, page.has_next_page()) == ([], False, False)


CURSOR_CASES: list[tuple[str, dict[str, Any], list[int], bool]] = [
    # (id, params with cursors as indexes, expected indexes, has_more)
    ("desc-first-page", {"limit": 2}, [5, 4], True),
    ("asc-first-page", {"limit": 2, "order": "asc"}, [0, 1], True),
    ("asc-after", {"limit": 2, "order": "asc", "after": 1}, [2, 3], True),
    ("asc-after-last-page", {"limit": 2, "order": "asc", "after": 3}, [4, 5], False),
    ("desc-after", {"limit": 10, "after": 4}, [3, 2, 1, 0], False),
    ("desc-after-partial", {"limit": 3, "after": 4}, [3, 2, 1], True),
    ("after-the-last", {"order": "asc", "after": 5}, [], False),
    ("asc-before-is-closest", {"limit": 2, "order": "asc", "before": 4}, [2, 3], True),
    ("desc-before-is-closest", {"limit": 2, "before": 1}, [3, 2], True),
    ("asc-before-all-fit", {"limit": 5, "order": "asc", "before": 2}, [0, 1], False),
    ("before-the-first", {"limit": 5, "before": 5}, [], False),
    ("asc-between", {"limit": 2, "order": "asc", "after": 0, "before": 4}, [1, 2], True),
    ("asc-between-all-fit", {"limit": 2, "order": "asc", "after": 0, "before": 3}, [1, 2], False),
    ("desc-between", {"limit": 5, "after": 5, "before": 1}, [4, 3, 2], False),
    ("crossed-cursors", {"order": "asc", "after": 3, "before": 1}, [], False),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("params", "expected", "has_more"),
    [case[1:] for case in CURSOR_CASES],
    ids=[case[0] for case in CURSOR_CASES],
)
def test_cursors(
    assistants_client: OpenAI,
    kind: str,
    params: dict[str, Any],
    expected: list[int],
    has_more: bool,
) -> None:
    listing = populate(assistants_client, kind)
    sent = {k: listing.ids[v] if k in ("after", "before") else v for k, v in params.items()}
    page = listing.page(**sent)
    ids = [listing.ids[i] for i in expected]
    assert page == {
        "object": "list",
        "data": page["data"],
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
        "has_more": has_more,
    }
    assert [d["id"] for d in page["data"]] == ids


@pytest.mark.parametrize("kind", KINDS)
def test_same_second_objects_keep_creation_order(assistants_client: OpenAI, kind: str) -> None:
    listing = populate(assistants_client, kind)
    asc = list(listing.list(order="asc", limit=100))
    assert {item.created_at for item in asc} == {asc[0].created_at}  # the frozen clock
    assert [item.id for item in asc] == listing.ids
    assert listing.ids != sorted(listing.ids)  # so the tie-break is not the id
    desc = list(listing.list(order="desc", limit=100))
    assert [item.id for item in desc] == listing.ids[::-1]
    # Walking one object per page never skips nor repeats one.
    assert [item.id for item in listing.list(order="asc", limit=1)] == listing.ids


@pytest.mark.parametrize("kind", KINDS)
def test_deleting_an_object_keeps_the_order_of_the_rest(
    assistants_client: OpenAI, kind: str
) -> None:
    listing = populate(assistants_client, kind)
    listing.delete(listing.ids[2])
    rest = [i for n, i in enumerate(listing.ids) if n != 2]
    assert [item.id for item in listing.list(order="asc", limit=2)] == rest
    page = listing.page(order="asc", after=listing.ids[1], limit=1)
    assert [d["id"] for d in page["data"]] == [listing.ids[3]]
