"""The fake model's function arguments, through the official SDK: a message that names
the function does not leak the name into the arguments, and an array argument honours
the count the message asks for within the schema's bounds."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai import OpenAI

WEATHER: Any = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
QUIZ: Any = {
    "type": "function",
    "function": {
        "name": "create_quiz",
        "description": "Make a quiz",
        "parameters": {
            "type": "object",
            "properties": {
                "topic": {"type": "string"},
                "questions": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 5,
                    "items": {"type": "object", "properties": {"question": {"type": "string"}}},
                },
            },
            "required": ["topic", "questions"],
        },
    },
}


def _arguments(client: OpenAI, tool: Any, content: str) -> dict[str, Any]:
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[tool])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": content}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    parsed: dict[str, Any] = json.loads(call.function.arguments)
    return parsed


def test_a_function_named_in_the_message_is_not_an_argument(assistants_client: OpenAI) -> None:
    content = "Use WeatherPlugin-get_weather: weather in Nairobi?"
    assert _arguments(assistants_client, WEATHER, content) == {"city": "Nairobi"}


@pytest.mark.parametrize(
    ("content", "count"),
    [
        ("Make a quiz about birds with 2 questions", 2),
        ("Make a quiz about birds with three questions", 3),
        ("Make a quiz about birds with 40 questions", 5),  # maxItems
        ("Make a quiz about birds with 0 questions", 1),  # minItems
    ],
)
def test_an_array_argument_honours_the_count_asked(
    assistants_client: OpenAI, content: str, count: int
) -> None:
    assert len(_arguments(assistants_client, QUIZ, content)["questions"]) == count
