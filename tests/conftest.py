"""Shared helpers for the suite; the fixtures themselves come from `mock_server.pytest_plugin`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from openai import OpenAI
from openai.types.beta import Assistant, Thread

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
