"""Requests the spec allows that the strict request models once refused (issue 11, part 6):
empty cursors, whole-number decimals for integers, `HEAD` on `GET` routes."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from openai import BadRequestError, OpenAI

from mock_server import MockServer

KEY = {"authorization": "Bearer sk-test", "openai-beta": "assistants=v2"}


@pytest.mark.parametrize("cursor", ["after", "before"])
def test_an_empty_cursor_is_no_cursor(assistants_mock: MockServer, cursor: str) -> None:
    client = assistants_mock.client()
    made = [client.beta.assistants.create(model="gpt-4o").id for _ in range(3)]
    answer = httpx2.get(
        f"{assistants_mock.base_url}/assistants", params={cursor: "", "limit": 2}, headers=KEY
    )
    assert answer.status_code == 200
    assert [a["id"] for a in answer.json()["data"]] == made[::-1][:2]
    assert answer.json()["has_more"] is True


def test_a_whole_number_decimal_is_an_integer(assistants_client: OpenAI) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o")
    thread = assistants_client.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])
    tokens: Any = 300.0  # as `json.dumps` writes a float that holds a whole number
    truncation: Any = {"type": "last_messages", "last_messages": 2.0}
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant.id,
        max_prompt_tokens=tokens,
        temperature=1,
        truncation_strategy=truncation,
    )
    assert run.status == "completed"
    assert run.max_prompt_tokens == 300
    assert run.truncation_strategy is not None
    assert run.truncation_strategy.last_messages == 2
    assert run.temperature == 1.0
    raw = assistants_client.beta.threads.runs.with_raw_response.retrieve(
        run.id, thread_id=thread.id
    )
    assert '"max_prompt_tokens": 300,' in raw.http_response.text


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (300.5, "Invalid type for 'max_prompt_tokens': expected an integer, but got a decimal "
         "instead."),
        (255.0, "Invalid 'max_prompt_tokens': integer below minimum value. Expected a value >= "
         "256, but got 255 instead."),
    ],
    ids=["fraction", "whole-but-too-small"],
)  # fmt: skip
def test_other_decimals_are_still_refused(
    assistants_client: OpenAI, tokens: Any, message: str
) -> None:
    assistant = assistants_client.beta.assistants.create(model="gpt-4o")
    thread = assistants_client.beta.threads.create()
    with pytest.raises(BadRequestError) as raised:
        assistants_client.beta.threads.runs.create(
            thread_id=thread.id,
            assistant_id=assistant.id,
            max_prompt_tokens=tokens,
        )
    assert raised.value.body["message"] == message  # type: ignore[index]


def test_head_answers_as_get_without_a_body(assistants_mock: MockServer) -> None:
    client = assistants_mock.client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    url = f"{assistants_mock.base_url}/assistants/{assistant.id}"
    got, head = httpx2.get(url, headers=KEY), httpx2.head(url, headers=KEY)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    assert head.headers["content-type"] == "application/json"
    missing = httpx2.head(f"{assistants_mock.base_url}/assistants/asst_x", headers=KEY)
    assert missing.status_code == 404
    assert missing.content == b""
