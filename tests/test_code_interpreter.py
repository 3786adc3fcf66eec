"""Code interpreter steps: generated (never executed) input and logs, streamed the way
the real API streams them and the seed notebook's handler prints them."""

from __future__ import annotations

import pytest
from openai import AssistantEventHandler, OpenAI
from openai.types.beta.threads.runs import ToolCall, ToolCallDelta
from typing_extensions import override

from client.workflow import PrintingHandler


class CodeRecorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.created: list[str] = []
        self.inputs: list[str] = []
        self.logs: list[str] = []

    @override
    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        self.created.append(tool_call.type)

    @override
    def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall) -> None:
        if delta.type == "code_interpreter" and delta.code_interpreter is not None:
            self.inputs.append(delta.code_interpreter.input or "")
            for output in delta.code_interpreter.outputs or []:
                if output.type == "logs":
                    self.logs.append(output.logs or "")


def _assistant(client: OpenAI) -> str:
    return client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}]).id


def test_streamed_code_interpreter_step(assistants_client: OpenAI) -> None:
    thread = assistants_client.beta.threads.create(
        messages=[{"role": "user", "content": "What is 123 * 456?"}]
    )
    recorder = CodeRecorder()
    with assistants_client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=_assistant(assistants_client), event_handler=recorder
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
        reply = stream.get_final_messages()[0].content[0]
    assert recorder.created == ["code_interpreter"]
    assert "".join(recorder.inputs) == "result = 123 * 456\nprint(result)"
    assert recorder.logs == ["56088"]
    assert run.status == "completed"
    assert reply.type == "text"
    assert "56088" in reply.text.value

    steps = assistants_client.beta.threads.runs.steps.list(
        run.id, thread_id=thread.id, order="asc"
    ).data
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    assert steps[0].status == "completed"
    details = steps[0].step_details
    assert details.type == "tool_calls"
    call = details.tool_calls[0]
    assert call.type == "code_interpreter"
    assert call.code_interpreter.input == "result = 123 * 456\nprint(result)"
    assert [o.model_dump() for o in call.code_interpreter.outputs] == [
        {"type": "logs", "logs": "56088"}
    ]


def test_the_seed_handler_prints_the_code_and_its_output(assistants_client: OpenAI) -> None:
    printed: list[str] = []
    handler = PrintingHandler(out=lambda *a, **k: printed.append(" ".join(map(str, a))))
    thread = assistants_client.beta.threads.create(
        messages=[{"role": "user", "content": "Please calculate 2^10 in python"}]
    )
    with assistants_client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=_assistant(assistants_client), event_handler=handler
    ) as stream:
        stream.until_done()
    out = "".join(printed)
    assert "\nassistant tool > code_interpreter\n" in out
    assert "result = 2**10\nprint(result)" in out
    assert "\n\noutput >\n1024" in out


@pytest.mark.parametrize(
    ("question", "tool_choice", "uses_code"),
    [
        ("What is 6 * 7?", "auto", True),
        ("What is 6 * 7?", "none", False),
        ("Tell me about penguins", "auto", False),
        ("Tell me about penguins", {"type": "code_interpreter"}, True),
    ],
    ids=["auto-arithmetic", "none", "auto-prose", "named"],
)
def test_when_the_model_uses_the_code_interpreter(
    assistants_client: OpenAI, question: str, tool_choice: object, uses_code: bool
) -> None:
    thread = assistants_client.beta.threads.create(messages=[{"role": "user", "content": question}])
    run = assistants_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=_assistant(assistants_client),
        tool_choice=tool_choice,  # type: ignore[arg-type]
    )
    assert run.status == "completed"
    steps = assistants_client.beta.threads.runs.steps.list(run.id, thread_id=thread.id).data
    kinds = sorted(s.type for s in steps)
    assert kinds == (["message_creation", "tool_calls"] if uses_code else ["message_creation"])
