"""file_search: the run searches the uploaded text deterministically, records a
`file_search` step (results' `content` only when `include[]` asks), and replies with
`file_citation` annotations whose indices point at their markers."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from openai import AssistantEventHandler, OpenAI
from openai.types.beta import AssistantStreamEvent
from openai.types.beta.threads import Message
from openai.types.beta.threads.runs import RunStep, RunStepInclude, ToolCall
from typing_extensions import override

from mock_server import MockServer

from .recordings import RECORDED, load
from .sdk import vector_stores

INCLUDE: RunStepInclude = "step_details.tool_calls[*].file_search.results[*].content"
NOTES = (
    b"Penguins live mostly in the Southern Hemisphere.\n\n"
    b"Emperor penguins are the tallest penguins, about 1.1 metres.\n\n"
    b"Koalas eat eucalyptus leaves."
)


def _searching_assistant(client: OpenAI, **tool: Any) -> tuple[str, str]:
    upload = client.files.create(file=("notes.txt", NOTES, "text/plain"), purpose="assistants")
    store = vector_stores(client).create(name="notes", file_ids=[upload.id])
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search", **tool}],  # type: ignore[list-item]
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    return assistant.id, upload.id


def _check_citations(message: Message, file_id: str) -> str:
    block = message.content[0]
    assert block.type == "text"
    text = block.text
    assert text.annotations
    for annotation in text.annotations:
        assert annotation.type == "file_citation"
        assert annotation.file_citation.file_id == file_id
        assert text.value[annotation.start_index : annotation.end_index] == annotation.text
        assert annotation.text.startswith("【")
        assert annotation.text.endswith("†notes.txt】")
    return text.value


def test_polled_search_step_and_citations(assistants_client: OpenAI) -> None:
    assistant_id, file_id = _searching_assistant(assistants_client)
    thread = assistants_client.beta.threads.create(
        messages=[{"role": "user", "content": "How tall are emperor penguins?"}]
    )
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant_id
    )
    assert run.status == "completed"
    steps = assistants_client.beta.threads.runs.steps.list(
        run.id, thread_id=thread.id, order="asc"
    ).data
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    details = steps[0].step_details
    assert details.type == "tool_calls"
    call = details.tool_calls[0]
    assert call.type == "file_search"
    results = call.file_search.results or []
    assert results[0].file_id == file_id
    assert results[0].file_name == "notes.txt"
    assert 0 < results[0].score <= 1
    assert all(r.content is None for r in results)  # not asked for
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    ranking = call.file_search.ranking_options
    assert ranking is not None
    assert ranking.model_dump() == {"ranker": "default_2024_08_21", "score_threshold": 0.0}

    included = assistants_client.beta.threads.runs.steps.retrieve(
        steps[0].id, run_id=run.id, thread_id=thread.id, include=[INCLUDE]
    )
    assert included.step_details.type == "tool_calls"
    hit = included.step_details.tool_calls[0]
    assert hit.type == "file_search"
    content = (hit.file_search.results or [])[0].content or []
    assert content[0].text == "Emperor penguins are the tallest penguins, about 1.1 metres."

    reply = assistants_client.beta.threads.messages.list(thread.id, run_id=run.id).data[0]
    value = _check_citations(reply, file_id)
    assert "Emperor penguins are the tallest penguins" in value


class SearchRecorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.created: list[str] = []
        self.completed: list[RunStep] = []
        self.annotated_deltas = 0

    @override
    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        self.created.append(tool_call.type)

    @override
    def on_run_step_done(self, run_step: RunStep) -> None:
        self.completed.append(run_step)

    @override
    def on_event(self, event: AssistantStreamEvent) -> None:
        if event.event == "thread.message.delta":
            for part in event.data.delta.content or []:
                if part.type == "text" and part.text and part.text.annotations:
                    self.annotated_deltas += 1


@pytest.mark.parametrize("include", [False, True], ids=["plain", "include-content"])
def test_streamed_search(assistants_client: OpenAI, include: bool) -> None:
    assistant_id, file_id = _searching_assistant(assistants_client)
    thread = assistants_client.beta.threads.create(
        messages=[{"role": "user", "content": "Where do penguins live?"}]
    )
    recorder = SearchRecorder()
    with assistants_client.beta.threads.runs.stream(
        thread_id=thread.id,
        assistant_id=assistant_id,
        event_handler=recorder,
        include=[INCLUDE] if include else [],
    ) as stream:
        stream.until_done()
        message = stream.get_final_messages()[0]
    assert recorder.created == ["file_search"]
    tool_step = recorder.completed[0].step_details
    assert tool_step.type == "tool_calls"
    search = tool_step.tool_calls[0]
    assert search.type == "file_search"
    first = (search.file_search.results or [])[0]
    assert first.file_id == file_id
    assert (first.content is not None) is include
    value = _check_citations(message, file_id)
    assert recorder.annotated_deltas == len(message.content[0].text.annotations)  # type: ignore[union-attr]
    assert "Penguins live mostly in the Southern Hemisphere." in value


def test_no_match_means_no_search(assistants_client: OpenAI) -> None:
    assistant_id, _ = _searching_assistant(assistants_client)
    thread = assistants_client.beta.threads.create(
        messages=[{"role": "user", "content": "Quantum chromodynamics?"}]
    )
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant_id
    )
    steps = assistants_client.beta.threads.runs.steps.list(run.id, thread_id=thread.id).data
    assert [s.type for s in steps] == ["message_creation"]


def test_named_file_search_and_max_num_results(assistants_client: OpenAI) -> None:
    assistant_id, _ = _searching_assistant(assistants_client, file_search={"max_num_results": 1})
    thread = assistants_client.beta.threads.create(
        messages=[{"role": "user", "content": "penguins"}]
    )
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant_id, tool_choice={"type": "file_search"}
    )
    step = assistants_client.beta.threads.runs.steps.list(
        run.id, thread_id=thread.id, order="asc"
    ).data[0]
    assert step.step_details.type == "tool_calls"
    call = step.step_details.tool_calls[0]
    assert call.type == "file_search"
    assert len(call.file_search.results or []) == 1


def test_scripted_citations(assistants_mock: MockServer, assistants_client: OpenAI) -> None:
    upload = assistants_client.files.create(
        file=("notes.txt", NOTES, "text/plain"), purpose="assistants"
    )
    assistants_mock.script(
        turns=[{"text": "Koalas eat eucalyptus.", "citations": [{"file_id": upload.id}]}]
    )
    assistant = assistants_client.beta.assistants.create(model="gpt-4o")
    thread = assistants_client.beta.threads.create(
        messages=[{"role": "user", "content": "What do koalas eat?"}]
    )
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id
    )
    reply = assistants_client.beta.threads.messages.list(thread.id, run_id=run.id).data[0]
    value = _check_citations(reply, upload.id)
    assert value == "Koalas eat eucalyptus.【4:0†notes.txt】"


# --- the recorded session (openai-dotnet FileSearchWorks, 2025), through the SDK ---------

FAVORITE_FOODS = (
    b"This file describes the favorite foods of several people.\n\n"
    b"Summanus Ferdinand: tacos\nTekakwitha Effie: pizza\nFilip Carola: cake"
)
"""The recorded upload, as its recorded search results show it."""
QUESTION = "Using the files you have available, what's Filip's favorite food?"


@cache
def _recorded_file_search() -> dict[str, Any]:
    """What the real API answered in FileSearchWorks, by route (the last answer of each)."""
    path = RECORDED / "openai-dotnet__FileSearchWorks.json"
    if not path.is_file():
        pytest.skip(f"no recording at {path} (a clone without shared/)")
    return {i.route: i.reply for i in load(path).interactions}


def _raw(response: Any) -> Any:
    return json.loads(response.http_response.text)


def test_the_recorded_file_search_session(assistants_client: OpenAI) -> None:
    """Through the SDK, as the recording did it: the vector_stores helper on the assistant
    and the thread, `score_threshold: 0.5`, a question about the file under
    `tool_choice: auto`, steps read with `include[]`. The recording is the ground truth
    for every key order checked."""
    recorded = _recorded_file_search()
    client = assistants_client
    upload = client.files.create(
        file=("favorite_foods.txt", FAVORITE_FOODS, "text/plain"), purpose="assistants"
    )
    helper = {"file_search": {"vector_stores": [{"file_ids": [upload.id]}]}}
    ranking: Any = {"ranker": "default_2024_08_21", "score_threshold": 0.5}
    assistant = _raw(
        client.beta.assistants.with_raw_response.create(
            model="gpt-4o",
            tools=[{"type": "file_search", "file_search": {"max_num_results": 2,
                                                           "ranking_options": ranking}}],
            tool_resources=helper,  # type: ignore[arg-type]
        )
    )  # fmt: skip
    real_tool = recorded["POST /v1/assistants"]["tools"][0]
    assert assistant["tools"] == [real_tool]  # hybrid_search: null, last
    bare = _raw(
        client.beta.assistants.with_raw_response.create(
            model="gpt-4o", tools=[{"type": "file_search"}]
        )
    )
    assert list(bare["tools"][0]["file_search"]["ranking_options"]) == list(
        real_tool["file_search"]["ranking_options"]
    )
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": QUESTION}],
        tool_resources=helper,  # type: ignore[arg-type]
    )
    created = _raw(
        client.beta.threads.runs.with_raw_response.create(
            thread.id, assistant_id=assistant["id"], include=[INCLUDE]
        )
    )
    real_run = recorded["POST /v1/threads/{id}/runs"]
    assert (created["tools"], created["tool_resources"]) == (
        real_run["tools"], real_run["tool_resources"],
    )  # fmt: skip
    run = client.beta.threads.runs.retrieve(created["id"], thread_id=thread.id)
    assert run.status == "completed"

    steps = _raw(
        client.beta.threads.runs.steps.with_raw_response.list(
            run.id, thread_id=thread.id, include=[INCLUDE]
        )
    )
    real_steps = recorded["GET /v1/threads/{id}/runs/{id}/steps"]
    assert [s["type"] for s in steps["data"]] == [s["type"] for s in real_steps["data"]]
    call = steps["data"][1]["step_details"]["tool_calls"][0]
    real_call = real_steps["data"][1]["step_details"]["tool_calls"][0]
    assert call["file_search"]["ranking_options"] == real_call["file_search"]["ranking_options"]
    result, real_result = call["file_search"]["results"][0], real_call["file_search"]["results"][0]
    assert list(result) == list(real_result)  # file_id, file_name, score, attributes, content
    assert result["content"] == [{"type": "text", "text": FAVORITE_FOODS.decode().split("\n\n")[0]}]
    assert result["score"] == 0.75  # the recorded 0.7507, above the threshold of 0.5

    messages = _raw(client.beta.threads.messages.with_raw_response.list(thread.id, order="desc"))
    real_messages = recorded["GET /v1/threads/{id}/messages"]
    annotation = messages["data"][0]["content"][0]["text"]["annotations"][0]
    real_annotation = real_messages["data"][0]["content"][0]["text"]["annotations"][0]
    assert list(annotation) == list(real_annotation)  # type, text, start_index, end_index, …
    assert annotation["file_citation"] == {"file_id": upload.id}


def test_a_question_about_the_files_searches_even_without_a_match(
    assistants_client: OpenAI,
) -> None:
    """Under `auto`, a prompt that points at the files makes a file_search step even when
    nothing passes the threshold; one that does not point at them makes none."""
    assistant_id, _ = _searching_assistant(
        assistants_client, file_search={"ranking_options": {"score_threshold": 0.9}}
    )
    for question, steps in (
        ("Which file mentions volcanoes?", ["tool_calls", "message_creation"]),
        ("Tell me about volcanoes.", ["message_creation"]),
    ):
        thread = assistants_client.beta.threads.create(
            messages=[{"role": "user", "content": question}]
        )
        run = assistants_client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant_id
        )
        listed = assistants_client.beta.threads.runs.steps.list(
            run.id, thread_id=thread.id, order="asc"
        )
        assert [s.type for s in listed.data] == steps, question
