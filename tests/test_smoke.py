"""The first thing a user does: create an assistant through the SDK."""

from __future__ import annotations

from openai import OpenAI


def test_create_assistant(assistants_client: OpenAI) -> None:
    created = assistants_client.beta.assistants.create(model="gpt-4o", name="Math Tutor")
    assert created.id.startswith("asst_")
    assert assistants_client.beta.assistants.retrieve(created.id) == created
