"""The notebook our users start from, as a small library over an `openai.OpenAI`.

It creates an assistant, a thread and a message, streams a run through an
`AssistantEventHandler`, lists and retrieves the run's steps, retrieves the step's
message and lists the thread's runs, printing each the way the notebook does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openai import AssistantEventHandler, OpenAI
from openai.types.beta import Assistant, Thread
from openai.types.beta.threads import Message, Run, Text, TextDelta
from openai.types.beta.threads.runs import RunStep, ToolCall, ToolCallDelta
from typing_extensions import override

__all__ = ["PROMPT", "PrintingHandler", "WorkflowResult", "run_workflow", "start_conversation"]

Printer = Callable[..., None]

PROMPT = "Tell me what a penguin is in 100 words or less."


class PrintingHandler(AssistantEventHandler):
    """The notebook's event handler: prints text and code-interpreter deltas as they come."""

    def __init__(self, out: Printer = print) -> None:
        super().__init__()
        self.out = out
        self.results: list[Any] = []

    @override
    def on_text_created(self, text: Text) -> None:
        self.out("\nassistant text > ", end="", flush=True)
        self.results.append(text)

    @override
    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        self.out(delta.value, end="", flush=True)
        self.results.append(delta.value)

    @override
    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        self.out(f"\nassistant tool > {tool_call.type}\n", flush=True)

    @override
    def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall) -> None:
        if delta.type != "code_interpreter" or delta.code_interpreter is None:
            return
        if delta.code_interpreter.input:
            self.out(delta.code_interpreter.input, end="", flush=True)
            self.results.append(delta.code_interpreter.input)
        if delta.code_interpreter.outputs:
            self.out("\n\noutput >", flush=True)
            for output in delta.code_interpreter.outputs:
                if output.type == "logs":
                    self.out(f"\n{output.logs}", flush=True)
                    self.results.append(output.logs)


@dataclass
class WorkflowResult:
    """What the workflow made, for callers that check it."""

    run: Run
    steps: list[RunStep]
    reply: Message
    runs: list[Run] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)


def start_conversation(
    client: OpenAI, out: Printer = print, prompt: str = PROMPT
) -> tuple[Assistant, Thread, Message]:
    """The notebook's assistant, its thread and the user's message, each printed as made."""
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        instructions="You are a helpful assistant.",
        name="Run Step Friendly Assistant",
        metadata={
            "holds_threads": "True",
            "likes_threads": "True",
            "holds_messages": "True",
            "likes_messages": "True",
        },
        temperature=1,
        top_p=1,
    )
    out(assistant)
    thread = client.beta.threads.create(metadata={"user": "abc123"})
    out(thread)
    message = client.beta.threads.messages.create(
        thread_id=thread.id, role="user", content=prompt, metadata={"key": "value"}
    )
    out(message)
    return assistant, thread, message


def run_workflow(client: OpenAI, out: Printer = print, prompt: str = PROMPT) -> WorkflowResult:
    """Run the seed workflow end to end through `client`."""
    assistant, thread, _ = start_conversation(client, out, prompt)

    handler = PrintingHandler(out)
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=handler
    ) as stream:
        stream.until_done()
    run = stream.get_final_run()
    out("\n\nCollected results:", handler.results)

    # One page (`.data`), not the auto-paging iterator: everything fits in it, and older
    # SDKs (openai 1.59) page on to an empty page, which would make the requests differ.
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id).data
    for step in steps:
        out(step.id, step.status, step.usage, step.step_details, sep="\n")
    step = client.beta.threads.runs.steps.retrieve(
        thread_id=thread.id, run_id=run.id, step_id=steps[0].id
    )
    details = step.step_details
    assert details.type == "message_creation"
    reply = client.beta.threads.messages.retrieve(
        thread_id=thread.id, message_id=details.message_creation.message_id
    )
    first = reply.content[0]
    out(first.text.value if first.type == "text" else first)
    runs = client.beta.threads.runs.list(thread_id=thread.id, order="desc").data
    for listed in runs:
        out(f"\n{listed.id} {listed.status} {listed.usage}")
    return WorkflowResult(run=run, steps=steps, reply=reply, runs=runs, results=handler.results)
