"""The workflows the project's cassettes hold, each over an injected `openai.OpenAI`.

Each returns what the SDK gave it as plain JSON data (every object and every streamed
event, in order), so a live run and a replay compare with `==` and differ visibly. Each
also checks that the server did what the workflow is about (a tool call, a citation), so a
change of behaviour cannot quietly re-record a cassette that no longer shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openai import AssistantEventHandler, BaseModel, OpenAI
from openai.types.beta import AssistantStreamEvent, FunctionToolParam
from openai.types.beta.threads import Run
from openai.types.beta.threads.runs import RunStepInclude
from typing_extensions import override

from .sdk import vector_stores
from .workflow import run_workflow, start_conversation

__all__ = [
    "NOTES",
    "SCENARIOS",
    "WEATHER",
    "EventLog",
    "Printed",
    "Transcript",
    "code_interpreter",
    "file_search",
    "function_call",
    "seed_polled",
    "seed_streamed",
]

Transcript = dict[str, Any]
"""What a scenario saw, as JSON data."""

WEATHER: FunctionToolParam = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location", "unit"],
        },
    },
}
NOTES = (
    b"Penguins live mostly in the Southern Hemisphere.\n\n"
    b"Emperor penguins are the tallest penguins, about 1.1 metres.\n\n"
    b"Koalas eat eucalyptus leaves."
)
SEARCH_CONTENT: RunStepInclude = "step_details.tool_calls[*].file_search.results[*].content"


class EventLog(AssistantEventHandler):
    """Every event of a stream, as `[name, data]`."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[list[Any]] = []

    @override
    def on_event(self, event: AssistantStreamEvent) -> None:
        self.events.append([event.event, dump(event.data)])


class Printed:
    """A printer for the seed workflow that keeps what it is given, as JSON data."""

    def __init__(self) -> None:
        self.lines: list[Any] = []

    def __call__(self, *args: object, **kwargs: object) -> None:
        self.lines.append(dump(list(args)))


def dump(value: Any) -> Any:
    """SDK objects (and lists of them) as JSON data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [dump(item) for item in value]
    return value


def expect(condition: bool, what: str) -> None:
    """Stop the scenario when the server did not do what it is about."""
    if not condition:
        raise RuntimeError(f"the scenario expected {what}")


def streamed(client: OpenAI, thread_id: str, assistant_id: str) -> tuple[list[list[Any]], Run]:
    """Stream a run through an `EventLog`: its events and the final run."""
    log = EventLog()
    with client.beta.threads.runs.stream(
        thread_id=thread_id, assistant_id=assistant_id, event_handler=log
    ) as stream:
        stream.until_done()
    return log.events, stream.get_final_run()


def steps_of(client: OpenAI, run: Run, include: list[RunStepInclude] | None = None) -> Any:
    """The run's steps, listed, as JSON data (no `include` sent unless given)."""
    steps = client.beta.threads.runs.steps
    if include is None:  # older releases (1.59, 1.65) have no `omit` to pass
        return dump(steps.list(run.id, thread_id=run.thread_id).data)
    return dump(steps.list(run.id, thread_id=run.thread_id, include=include).data)


def messages_of(client: OpenAI, thread_id: str) -> Any:
    """The thread's messages, listed, as JSON data."""
    return dump(client.beta.threads.messages.list(thread_id).data)


def seed_streamed(client: OpenAI) -> Transcript:
    """The seed notebook's workflow: a streamed run, its steps, its reply, the thread's runs."""
    printed = Printed()
    result = run_workflow(client, out=printed)
    expect(result.run.status == "completed", "a completed run")
    return {
        "printed": printed.lines,
        "run": dump(result.run),
        "steps": dump(result.steps),
        "reply": dump(result.reply),
        "runs": dump(result.runs),
        "streamed": dump(result.results),
    }


def seed_polled(client: OpenAI) -> Transcript:
    """The seed notebook's assistant, thread and message, run with `create_and_poll`."""
    printed = Printed()
    assistant, thread, _ = start_conversation(client, out=printed)
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    expect(run.status == "completed", "a completed run")
    return {
        "printed": printed.lines,
        "run": dump(run),
        "steps": steps_of(client, run),
        "messages": messages_of(client, thread.id),
    }


def function_call(client: OpenAI) -> Transcript:
    """A streamed run that stops at `requires_action`, then the outputs, streamed."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "What's the weather in Paris in celsius?"}]
    )
    asked, waiting = streamed(client, thread.id, assistant.id)
    if waiting.required_action is None:
        raise RuntimeError(f"the scenario expected requires_action, not {waiting.status}")
    calls = waiting.required_action.submit_tool_outputs.tool_calls
    answered = EventLog()
    with client.beta.threads.runs.submit_tool_outputs_stream(
        run_id=waiting.id,
        thread_id=thread.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "18C and sunny"} for call in calls],
        event_handler=answered,
    ) as stream:
        stream.until_done()
    run = stream.get_final_run()
    expect(run.status == "completed", f"a completed run, not {run.status}")
    return {
        "assistant": dump(assistant),
        "thread": dump(thread),
        "arguments": [call.function.arguments for call in calls],
        "asked": asked,
        "answered": answered.events,
        "steps": steps_of(client, run),
        "messages": messages_of(client, thread.id),
    }


def code_interpreter(client: OpenAI) -> Transcript:
    """A streamed run whose code-interpreter step computes the answer."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "What is 123 * 456?"}]
    )
    events, run = streamed(client, thread.id, assistant.id)
    steps = steps_of(client, run)
    expect(
        any(step["step_details"]["type"] == "tool_calls" for step in steps),
        "a code_interpreter step",
    )
    return {
        "assistant": dump(assistant),
        "thread": dump(thread),
        "events": events,
        "steps": steps,
        "messages": messages_of(client, thread.id),
    }


def file_search(client: OpenAI) -> Transcript:
    """An uploaded file in a vector store, searched by a streamed run that cites it."""
    upload = client.files.create(file=("notes.txt", NOTES, "text/plain"), purpose="assistants")
    store = vector_stores(client).create(name="notes")
    indexed = vector_stores(client).files.create_and_poll(
        file_id=upload.id, vector_store_id=store.id
    )
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "How tall are emperor penguins?"}]
    )
    events, run = streamed(client, thread.id, assistant.id)
    messages = messages_of(client, thread.id)
    expect(bool(messages[0]["content"][0]["text"]["annotations"]), "file_citation annotations")
    return {
        "upload": dump(upload),
        "store": dump(store),
        "indexed": dump(indexed),
        "assistant": dump(assistant),
        "thread": dump(thread),
        "events": events,
        "steps": steps_of(client, run, include=[SEARCH_CONTENT]),
        "messages": messages,
    }


SCENARIOS: dict[str, Callable[[OpenAI], Transcript]] = {
    "seed_streamed": seed_streamed,
    "seed_polled": seed_polled,
    "function_call": function_call,
    "code_interpreter": code_interpreter,
    "file_search": file_search,
}
"""Each cassette's name (`cassettes/<name>.yaml`) and the workflow it holds."""
