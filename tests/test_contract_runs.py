"""Runs, run steps and streamed events against the official spec's component schemas, the
SDK's own types and the key shapes of recorded real traffic.

Every JSON reply about runs validates against the spec's `RunObject`, `ListRunsResponse`,
`RunStepObject` or `ListRunStepsResponse`; every streamed event's data against the schema
the spec's `AssistantStreamEvent` gives that event name, and parses into the SDK type
with no undeclared keys. The keys the server sends are the keys the real API sent
(`tests/contract/recorded_shapes.json`). Whatever differs is in `ALLOWED_DIFFERENCES`.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, NamedTuple

import openai
import pydantic
import pytest
from openai import OpenAI
from openai.types.beta import AssistantStreamEvent, Thread
from openai.types.beta.threads import Message, MessageDeltaEvent, Run
from openai.types.beta.threads.run_submit_tool_outputs_params import ToolOutput
from openai.types.beta.threads.runs import RunStep, RunStepDeltaEvent

from mock_server import MockServer

from .conftest import with_references
from .contract import extract_recorded as recorded
from .contract.extract_schemas import PREFIX
from .sdk import httpx
from .test_contract import HEADERS, Key, failure_keys, undeclared, vendored, violations

# --- what may differ, and why ----------------------------------------------------------------


class Allowed(NamedTuple):
    """One documented difference. `check` says what it is excused from:

    - "spec": `subject` is a spec schema, `path` the dotted path of the value ("*" for
      any index, "" for the object itself), `what` the failing JSON Schema keyword;
    - "sdk": `subject` is an SDK type, `path` a field the SDK declares as a string,
      `what` is "null": the real API sends null there;
    - "recorded": `subject` is the data's `object`, `path` a key path of
      `extract_recorded.shape`; `what` is "extra" (we send the key, the recordings lack
      it) or "unrecorded" (a shape with this path occurs in no recording).
    """

    check: Literal["spec", "sdk", "recorded"]
    subject: str
    path: str
    what: str


ALLOWED_DIFFERENCES: dict[Allowed, str] = {
    # Real-vs-spec (api_fidelity.md section 11); nothing else may fail the schemas.
    Allowed("spec", "RunObject", "instructions", "type"):
        "null when neither the assistant nor the request has instructions (real, "
        "recorded by openai-dotnet); the spec says string",
    Allowed("spec", "ListRunsResponse", "data.*.instructions", "type"):
        "as in RunObject: null instructions (real)",
    Allowed("spec", "ListRunsResponse", "first_id", "type"): "an empty page sends null (real)",
    Allowed("spec", "ListRunsResponse", "last_id", "type"): "an empty page sends null (real)",
    Allowed("spec", "ListRunStepsResponse", "first_id", "type"):
        "an empty page sends null (real)",
    Allowed("spec", "ListRunStepsResponse", "last_id", "type"): "an empty page sends null (real)",
    # Real-vs-SDK: the SDK types are stricter than what the real API sends; the SDK itself
    # parses leniently (its `construct`) and hands the null through.
    Allowed("sdk", "Run", "instructions", "null"):
        "null without instructions (real); `Run.instructions` is declared `str`",
    # Ours-vs-recorded: keys or shapes the recordings lack.
    Allowed("recorded", "thread.run.step", "expired_at", "extra"):
        "the spec's and the SDK's name for the real `expires_at`, sent beside it so both "
        "read it (api_fidelity.md section 11.1)",
    Allowed("recorded", "thread.run.step", "metadata", "extra"):
        "required by the spec's RunStepObject and declared by the SDK, never sent by the "
        "real API (section 5); sent as null",
    Allowed(
        "recorded",
        "thread.run.step",
        "step_details.tool_calls[].code_interpreter.outputs[]",
        "unrecorded",
    ): "code_interpreter logs: the recorded code printed nothing (`outputs: []`, which the "
       "code-interpreter-silent scenario sends too); the form is api_fidelity.md section 5",
    Allowed(
        "recorded",
        "thread.run.step.delta",
        "delta.step_details.tool_calls[].code_interpreter.outputs[]",
        "unrecorded",
    ): "the code_interpreter logs delta, likewise unrecorded here; the form is "
       "api_fidelity.md section 8.3 D",
}  # fmt: skip
# Differences that need no entry: keys the spec does not list (`tool_resources` and
# `reasoning_effort` on runs, `expires_at` on steps, the usage detail keys) pass the
# schemas, as none says `additionalProperties: false`, and the SDK check lets
# `test_contract.REAL_ONLY_FIELDS` through; what lies under `metadata`, `tools` and
# `tool_resources` is set up differently in every recording and is not compared
# (`extract_recorded.OPAQUE`; a thread's `tool_resources` flips between `{}` and filled
# in the real API, section 11.7).


def _spec_key(allowed: Allowed) -> Key:
    return allowed.subject, tuple(allowed.path.split(".")) if allowed.path else (), allowed.what


SPEC_ALLOWED: dict[Key, str] = {
    _spec_key(a): why for a, why in ALLOWED_DIFFERENCES.items() if a.check == "spec"
}


def _allowed(check: str, subject: str, what: str) -> dict[str, Allowed]:
    return {
        a.path: a
        for a in ALLOWED_DIFFERENCES
        if (a.check, a.subject, a.what) == (check, subject, what)
    }


# --- the SDK ---------------------------------------------------------------------------------

SDK_TYPES: dict[str, type[pydantic.BaseModel]] = {
    "ThreadObject": Thread,
    "RunObject": Run,
    "RunStepObject": RunStep,
    "RunStepDeltaObject": RunStepDeltaEvent,
    "MessageObject": Message,
    "MessageDeltaObject": MessageDeltaEvent,
}
"""The SDK type of each spec schema that streamed data has."""


def sdk_parse(sdk_type: type[pydantic.BaseModel], data: Any) -> tuple[Any, set[Allowed]]:
    """`data` validated into `sdk_type` (strictly, as pydantic validates), and the
    "sdk" differences that had to be excused for it."""
    excused = _allowed("sdk", sdk_type.__name__, "null")
    used = {excused[k] for k, v in data.items() if k in excused and v is None}
    patched = data | {a.path: "" for a in used}
    return sdk_type.model_validate(patched), used


def sdk_problems(sdk_type: type[pydantic.BaseModel], data: Any) -> list[str]:
    """Why the SDK type cannot hold `data`: validation errors and undeclared keys."""
    try:
        model, _ = sdk_parse(sdk_type, data)
    except pydantic.ValidationError as error:
        return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
    return undeclared(model)


@cache
def sdk_events() -> dict[str, type[pydantic.BaseModel]]:
    """The SDK's class for each event name of its `AssistantStreamEvent` union."""
    union = typing.get_args(AssistantStreamEvent)[0]
    out: dict[str, type[pydantic.BaseModel]] = {}
    for cls in typing.get_args(union):
        (name,) = typing.get_args(cls.model_fields["event"].annotation)
        out[name] = cls
    return out


# --- the spec's stream events ----------------------------------------------------------------


@cache
def event_schemas() -> dict[str, str | None]:
    """The schema of each event's data, by event name, as the spec's
    `AssistantStreamEvent` says (None for `done`, whose data is `[DONE]`)."""
    schemas = vendored()["components"]["schemas"]
    out: dict[str, str | None] = {}
    for group in schemas["AssistantStreamEvent"]["oneOf"]:
        family = schemas[group["$ref"].removeprefix(PREFIX)]
        for member in family.get("oneOf", [family]):
            (name,) = member["properties"]["event"]["enum"]
            data = member["properties"]["data"]
            out[name] = data["$ref"].removeprefix(PREFIX) if "$ref" in data else None
    return out


BLOCK = re.compile(r"event: ([a-z_.]+)\ndata: ([^\n]*)")


def frames(body: str) -> list[tuple[str, str]]:
    """A stream's (event, data) pairs; asserts every block is exactly `event: <name>`,
    `data: <one line>`, a blank line, and that the last one alone is `done`."""
    assert body.endswith("\n\n"), body[-200:]
    out = []
    for block in body[:-2].split("\n\n"):
        match = BLOCK.fullmatch(block)
        assert match is not None, f"not one event and one data line: {block[:200]!r}"
        out.append((match[1], match[2]))
    assert out[-1] == ("done", "[DONE]")
    assert [name for name, _ in out].count("done") == 1
    return out


def events(body: str) -> list[tuple[str, Any]]:
    """The (name, data as JSON) of a stream's events before `done`; asserts each data
    line is compact JSON, as the real API sends it."""
    out = []
    for name, data in frames(body)[:-1]:
        value = json.loads(data)
        assert data == json.dumps(value, separators=(",", ":"), ensure_ascii=False), data
        out.append((name, value))
    return out


def event_problems(name: str, data: Any) -> list[str]:
    """What is wrong with one event: against its spec schema, then the SDK's types."""
    schema = event_schemas().get(name)
    if schema is None:
        return [f"{name}: not an event of the spec's AssistantStreamEvent"]
    problems = [f"{name}: {v}" for v in violations(schema, data, SPEC_ALLOWED)]
    if name not in sdk_events():
        return [*problems, f"{name}: not an event of the SDK's AssistantStreamEvent"]
    return problems + [f"{name}: {p}" for p in sdk_problems(SDK_TYPES[schema], data)]


# --- the world the JSON calls start from -----------------------------------------------------

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
            "required": ["location"],
        },
    },
}
PARIS = "What's the weather in Paris?"
ROME = "Write 400 words about Rome."
ARITHMETIC = "What is 123 * 456?"


def _id(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    value: str = response.json()["id"]
    return value


@dataclass
class World:
    """Objects made through the API before each call."""

    server: MockServer
    http: httpx.Client
    assistant: str
    """No tools, no instructions."""
    weather: str
    """The `get_current_weather` function tool."""
    thread: str
    run: str
    """A completed run of `assistant` on `thread`."""
    waiting_thread: str
    waiting: str
    """A run of `weather` on `waiting_thread`, in requires_action for call `call`."""
    call: str
    references: dict[str, str] = field(default_factory=dict)
    """Real files for the stand-in ids the tables use (`file-a`)."""

    def send(self, method: str, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        path = path.format(
            a=self.assistant, t=self.thread, r=self.run, wt=self.waiting_thread, wr=self.waiting
        )
        body = with_references(json, self.references)
        return self.http.request(method, path, json=body, **kwargs)

    def thread_with(self, content: str) -> str:
        return _id(
            self.send("POST", "/threads", {"messages": [{"role": "user", "content": content}]})
        )

    def run_on(self, thread: str, assistant: str, **body: Any) -> str:
        return _id(
            self.send("POST", f"/threads/{thread}/runs", {"assistant_id": assistant, **body})
        )

    def submit(self) -> httpx.Response:
        outputs = [{"tool_call_id": self.call, "output": "18C and sunny"}]
        return self.send(
            "POST", "/threads/{wt}/runs/{wr}/submit_tool_outputs", {"tool_outputs": outputs}
        )

    def expire_waiting(self) -> None:
        self.server.backend.clock.advance(600)


def build_world(server: MockServer, http: httpx.Client) -> World:
    assistant = _id(http.post("/assistants", json={"model": "gpt-4o"}))
    weather = _id(http.post("/assistants", json={"model": "gpt-4o", "tools": [WEATHER]}))
    world = World(server, http, assistant, weather, "", "", "", "", "")
    upload = http.post(
        "/files", files={"file": ("a.txt", b"Notes.", "text/plain")}, data={"purpose": "assistants"}
    )
    world.references["file-a"] = _id(upload)
    world.thread = world.thread_with("Hello")
    world.run = world.run_on(world.thread, assistant)
    assert world.send("GET", "/threads/{t}/runs/{r}").json()["status"] == "completed"
    world.waiting_thread = world.thread_with(PARIS)
    world.waiting = world.run_on(world.waiting_thread, weather)
    waiting = world.send("GET", "/threads/{wt}/runs/{wr}").json()
    assert waiting["status"] == "requires_action", waiting
    world.call = waiting["required_action"]["submit_tool_outputs"]["tool_calls"][0]["id"]
    return world


@pytest.fixture
def http(assistants_mock: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=assistants_mock.base_url, headers=HEADERS) as client:
        yield client


@pytest.fixture
def world(assistants_mock: MockServer, http: httpx.Client) -> World:
    return build_world(assistants_mock, http)


# --- the JSON calls --------------------------------------------------------------------------

FULL_RUN = {
    "model": "gpt-4o-mini",
    "instructions": "Answer briefly.",
    "additional_instructions": "Use metric units.",
    "additional_messages": [{"role": "user", "content": "And tomorrow?", "metadata": {"a": "b"}}],
    "tools": [WEATHER, {"type": "code_interpreter"}, {"type": "file_search"}],
    "metadata": {"k": "v"},
    "temperature": 0.5,
    "top_p": 0.9,
    "reasoning_effort": "low",
    "max_prompt_tokens": 2000,
    "max_completion_tokens": 1000,
    "truncation_strategy": {"type": "last_messages", "last_messages": 3},
    "tool_choice": {"type": "function", "function": {"name": "get_current_weather"}},
    "parallel_tool_calls": False,
    "response_format": {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
    },
}

NULLS = dict.fromkeys(
    ("model", "instructions", "additional_instructions", "additional_messages", "tools",
     "metadata", "temperature", "top_p", "stream", "max_prompt_tokens", "max_completion_tokens",
     "truncation_strategy", "tool_choice", "parallel_tool_calls", "response_format",
     "reasoning_effort")
)  # fmt: skip
"""Every optional key of a run's creation, sent as null."""


def _then(*calls: Callable[[World], Any]) -> Callable[[World], httpx.Response]:
    """Do each call in turn; the last one's reply is the answer."""

    def send(world: World) -> httpx.Response:
        *before, last = calls
        for call in before:
            call(world)
        response: httpx.Response = last(world)
        return response

    return send


def _new_run(world: World) -> None:
    world.run_on(world.thread, world.assistant)


def _cancel_waiting(world: World) -> httpx.Response:
    return world.send("POST", "/threads/{wt}/runs/{wr}/cancel")


def _get_waiting(world: World) -> httpx.Response:
    return world.send("GET", "/threads/{wt}/runs/{wr}")


def _waiting_steps(world: World) -> httpx.Response:
    return world.send("GET", "/threads/{wt}/runs/{wr}/steps")


def _first_step(world: World, thread: str, run: str) -> httpx.Response:
    steps = world.send("GET", f"/threads/{thread}/runs/{run}/steps").json()["data"]
    return world.send("GET", f"/threads/{thread}/runs/{run}/steps/{steps[0]['id']}")


def _finished_run(world: World, content: str, assistant: str = "", **body: Any) -> tuple[str, str]:
    thread = world.thread_with(content)
    run = world.run_on(thread, assistant or world.assistant, **body)
    world.send("GET", f"/threads/{thread}/runs/{run}")
    return thread, run


def _run_reply(content: str, **body: Any) -> Callable[[World], httpx.Response]:
    def send(world: World) -> httpx.Response:
        thread, run = _finished_run(world, content, **body)
        return world.send("GET", f"/threads/{thread}/runs/{run}")

    return send


def _code_steps(world: World) -> httpx.Response:
    coder = _id(
        world.send(
            "POST", "/assistants", {"model": "gpt-4o", "tools": [{"type": "code_interpreter"}]}
        )
    )
    thread, run = _finished_run(world, ARITHMETIC, coder)
    return world.send("GET", f"/threads/{thread}/runs/{run}/steps")


def _failed_run(world: World) -> httpx.Response:
    world.server.script(message="^Break$", turns=[{"fail": {"code": "rate_limit_exceeded"}}])
    thread, run = _finished_run(world, "Break")
    return world.send("GET", f"/threads/{thread}/runs/{run}")


@dataclass(frozen=True)
class Call:
    id: str
    schema: str
    sdk_type: type[pydantic.BaseModel] | None
    """What the SDK parses the reply (or each item of a list) into."""
    send: Callable[[World], httpx.Response]
    expect: Any = None
    """The reply's `status` (a list of them, `type:status` for steps, for a list page)."""
    status: int = 200
    xfail: str | None = None
    """Why this reply does not yet validate (a known server bug)."""

    def param(self) -> Any:
        marks = [pytest.mark.xfail(reason=self.xfail, strict=True)] if self.xfail else []
        return pytest.param(self, id=self.id, marks=marks)


CALLS = [
    Call("create-run", "RunObject", Run,
         lambda w: w.send("POST", "/threads/{t}/runs", {"assistant_id": w.assistant}), "queued"),
    Call("create-run-full", "RunObject", Run,
         lambda w: w.send("POST", "/threads/{t}/runs", {"assistant_id": w.assistant, **FULL_RUN}),
         "queued"),
    Call("create-run-nulls", "RunObject", Run,
         lambda w: w.send("POST", "/threads/{t}/runs", {"assistant_id": w.assistant, **NULLS}),
         "queued"),
    Call("retrieve-run-completed", "RunObject", Run,
         lambda w: w.send("GET", "/threads/{t}/runs/{r}"), "completed"),
    Call("retrieve-run-requires-action", "RunObject", Run, _get_waiting, "requires_action"),
    Call("retrieve-run-with-instructions", "RunObject", Run,
         _run_reply("Hi", instructions="Be brief."), "completed"),
    Call("retrieve-run-incomplete", "RunObject", Run,
         _run_reply(ROME, max_completion_tokens=256), "incomplete"),
    Call("retrieve-run-incomplete-prompt", "RunObject", Run,
         _run_reply("word " * 300, max_prompt_tokens=256), "incomplete"),
    Call("retrieve-run-failed", "RunObject", Run, _failed_run, "failed"),
    Call("retrieve-run-expired", "RunObject", Run,
         _then(World.expire_waiting, _get_waiting), "expired"),
    Call("list-runs", "ListRunsResponse", Run,
         lambda w: w.send("GET", "/threads/{t}/runs"), ["completed"]),
    Call("list-runs-page", "ListRunsResponse", Run,
         _then(_new_run, lambda w: w.send("GET", "/threads/{t}/runs", params={"limit": 1})),
         ["completed"]),
    Call("list-runs-empty", "ListRunsResponse", Run,
         lambda w: w.send("GET", "/threads/{t}/runs", params={"after": w.run}), []),
    Call("modify-run", "RunObject", Run,
         lambda w: w.send("POST", "/threads/{t}/runs/{r}", {"metadata": {"x": "y"}}), "completed"),
    Call("cancel-run-queued", "RunObject", Run,
         lambda w: w.send("POST", f"/threads/{{t}}/runs/{w.run_on(w.thread, w.assistant)}/cancel"),
         "cancelling"),
    Call("cancel-run-requires-action", "RunObject", Run, _cancel_waiting, "cancelling"),
    Call("retrieve-run-cancelled", "RunObject", Run,
         _then(_cancel_waiting, _get_waiting), "cancelled"),
    Call("submit-tool-outputs", "RunObject", Run, World.submit, "queued"),
    Call("retrieve-run-submitted", "RunObject", Run,
         _then(World.submit, _get_waiting), "completed"),
    Call("create-thread-and-run", "RunObject", Run,
         lambda w: w.send("POST", "/threads/runs", {
             "assistant_id": w.assistant,
             "thread": {"messages": [{"role": "user", "content": "Hi"}]}}), "queued"),
    Call("create-thread-and-run-full", "RunObject", Run,
         lambda w: w.send("POST", "/threads/runs", {
             "assistant_id": w.assistant,
             "thread": {"messages": [{"role": "user", "content": PARIS}], "metadata": {"t": "1"}},
             "tool_resources": {"code_interpreter": {"file_ids": ["file-a"]}},
             **{k: v for k, v in FULL_RUN.items()
                if k not in ("additional_instructions", "additional_messages", "reasoning_effort")},
         }), "queued"),
    Call("list-steps-message-creation", "ListRunStepsResponse", RunStep,
         lambda w: w.send("GET", "/threads/{t}/runs/{r}/steps"), ["message_creation:completed"]),
    Call("list-steps-include", "ListRunStepsResponse", RunStep,
         lambda w: w.send("GET", "/threads/{t}/runs/{r}/steps", params={
             "include[]": "step_details.tool_calls[*].file_search.results[*].content"}),
         ["message_creation:completed"]),
    Call("list-steps-empty", "ListRunStepsResponse", RunStep,
         lambda w: w.send("GET", "/threads/{t}/runs/{r}/steps", params={
             "after": w.send("GET", "/threads/{t}/runs/{r}/steps").json()["last_id"]}), []),
    Call("retrieve-step-message-creation", "RunStepObject", RunStep,
         lambda w: _first_step(w, w.thread, w.run), "message_creation:completed"),
    Call("list-steps-requires-action", "ListRunStepsResponse", RunStep,
         _waiting_steps, ["tool_calls:in_progress"]),
    Call("retrieve-step-tool-calls", "RunStepObject", RunStep,
         lambda w: _first_step(w, w.waiting_thread, w.waiting), "tool_calls:in_progress"),
    Call("list-steps-submitted", "ListRunStepsResponse", RunStep,
         _then(World.submit, _get_waiting, _waiting_steps),
         ["message_creation:completed", "tool_calls:completed"]),
    Call("list-steps-submitted-page", "ListRunStepsResponse", RunStep,
         _then(World.submit, _get_waiting, lambda w: w.send(
             "GET", "/threads/{wt}/runs/{wr}/steps", params={"limit": 1, "order": "asc"})),
         ["tool_calls:completed"]),
    Call("list-steps-cancelled", "ListRunStepsResponse", RunStep,
         _then(_cancel_waiting, _get_waiting, _waiting_steps), ["tool_calls:cancelled"]),
    Call("list-steps-expired", "ListRunStepsResponse", RunStep,
         _then(World.expire_waiting, _get_waiting, _waiting_steps), ["tool_calls:expired"]),
    Call("list-steps-code-interpreter", "ListRunStepsResponse", RunStep,
         _code_steps, ["message_creation:completed", "tool_calls:completed"]),
    Call("error-run-not-found", "ErrorResponse", None,
         lambda w: w.send("GET", "/threads/{t}/runs/run_x"), status=404),
    Call("error-step-not-found", "ErrorResponse", None,
         lambda w: w.send("GET", "/threads/{t}/runs/{r}/steps/step_x"), status=404),
    Call("error-submit-when-completed", "ErrorResponse", None,
         lambda w: w.send("POST", "/threads/{t}/runs/{r}/submit_tool_outputs", {
             "tool_outputs": [{"tool_call_id": "call_x", "output": "1"}]}), status=400),
    Call("error-cancel-completed", "ErrorResponse", None,
         lambda w: w.send("POST", "/threads/{t}/runs/{r}/cancel"), status=400),
    Call("error-run-while-active", "ErrorResponse", None,
         lambda w: w.send("POST", "/threads/{wt}/runs", {"assistant_id": w.weather}), status=400),
]  # fmt: skip


def _summary(item: dict[str, Any]) -> Any:
    if item.get("object") == "thread.run.step":
        return f"{item['type']}:{item['status']}"
    return item.get("status")


@pytest.mark.parametrize("call", [call.param() for call in CALLS])
def test_reply_validates_against_the_spec_and_parses_into_the_sdk_type(
    world: World, call: Call
) -> None:
    response = call.send(world)
    assert response.status_code == call.status, response.text
    body = response.json()
    items = body["data"] if body.get("object") == "list" else [body]
    if body.get("object") == "list":
        assert list(body) == ["object", "data", "first_id", "last_id", "has_more"]
    if call.expect is not None:
        got = [_summary(i) for i in items] if body.get("object") == "list" else _summary(body)
        assert got == call.expect
    sdk = [p for i in items for p in sdk_problems(call.sdk_type, i)] if call.sdk_type else []
    assert {"spec": violations(call.schema, body, SPEC_ALLOWED), "sdk": sdk} == {
        "spec": [],
        "sdk": [],
    }


# --- the streams -----------------------------------------------------------------------------


def _stream(http: httpx.Client, path: str, body: dict[str, Any]) -> str:
    response = http.post(path, json={**body, "stream": True})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    return response.text


def _assistant(http: httpx.Client, **body: Any) -> str:
    return _id(http.post("/assistants", json={"model": "gpt-4o", **body}))


def _thread(http: httpx.Client, content: str) -> str:
    return _id(http.post("/threads", json={"messages": [{"role": "user", "content": content}]}))


def _run_stream(http: httpx.Client, content: str, assistant: str = "", **body: Any) -> str:
    thread = _thread(http, content)
    return _stream(
        http, f"/threads/{thread}/runs", {"assistant_id": assistant or _assistant(http), **body}
    )


def _text(server: MockServer, http: httpx.Client) -> str:
    return _run_stream(http, "Hello", instructions="Be brief.")


def _create_and_run(server: MockServer, http: httpx.Client) -> str:
    thread = {"messages": [{"role": "user", "content": "What do koalas eat?"}]}
    return _stream(http, "/threads/runs", {"assistant_id": _assistant(http), "thread": thread})


def _incomplete(server: MockServer, http: httpx.Client) -> str:
    return _run_stream(http, ROME, max_completion_tokens=256)


def _function_call(server: MockServer, http: httpx.Client) -> str:
    thread = {"messages": [{"role": "user", "content": PARIS}]}
    weather = _assistant(http, tools=[WEATHER])
    return _stream(http, "/threads/runs", {"assistant_id": weather, "thread": thread})


def _submit(server: MockServer, http: httpx.Client) -> str:
    (run,) = [
        d for n, d in events(_function_call(server, http)) if n == "thread.run.requires_action"
    ]
    calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    outputs = [{"tool_call_id": c["id"], "output": "warm and sunny"} for c in calls]
    path = f"/threads/{run['thread_id']}/runs/{run['id']}/submit_tool_outputs"
    return _stream(http, path, {"tool_outputs": outputs})


def _code_interpreter(server: MockServer, http: httpx.Client) -> str:
    return _run_stream(http, ARITHMETIC, _assistant(http, tools=[{"type": "code_interpreter"}]))


def _code_interpreter_silent(server: MockServer, http: httpx.Client) -> str:
    """Code that prints nothing, as in the openllmetry recording."""
    code = {"input": "x = 14 - 11\nx"}
    server.script(message="^Solve", turns=[{"code": code, "text": "x is 3."}])
    coder = _assistant(http, tools=[{"type": "code_interpreter"}])
    return _run_stream(http, "Solve 3 + x = 6", coder)


def _failed(server: MockServer, http: httpx.Client) -> str:
    server.script(message="^Break$", turns=[{"fail": {"code": "server_error"}}])
    return _run_stream(http, "Break")


def _expired(server: MockServer, http: httpx.Client) -> str:
    server.script(message="^Wait$", turns=[{"expire": True}])
    return _run_stream(http, "Wait")


def _cancel(server: MockServer, http: httpx.Client) -> str:
    """A text reply cancelled at its first delta (the server pauses before each delta)."""
    thread = _thread(http, "Hello there")
    body = {"assistant_id": _assistant(http), "stream": True}
    received = b""
    cancelled = False
    with http.stream("POST", f"/threads/{thread}/runs", json=body) as response:
        for chunk in response.iter_bytes():
            received += chunk
            if not cancelled and b"event: thread.message.delta\n" in received:
                run = re.search(rb'"id":"(run_[A-Za-z0-9]+)"', received)
                assert run is not None
                reply = http.post(f"/threads/{thread}/runs/{run[1].decode()}/cancel")
                assert reply.json()["status"] == "cancelling", reply.text
                cancelled = True
    assert cancelled
    return received.decode()


@dataclass(frozen=True)
class Scenario:
    id: str
    play: Callable[[MockServer, httpx.Client], str]
    expect: tuple[str, ...]
    """Event names the stream must have (so it shows what it is here for)."""
    settings: dict[str, Any] | None = None
    """Settings for a server of its own (`@pytest.mark.assistants_mock(**settings)`)."""

    def param(self) -> Any:
        marks = [pytest.mark.assistants_mock(**self.settings)] if self.settings else []
        return pytest.param(self, id=self.id, marks=marks)


SCENARIOS = [
    Scenario("text", _text, ("thread.message.delta", "thread.run.completed")),
    Scenario("create-and-run", _create_and_run, ("thread.created", "thread.run.completed")),
    Scenario("incomplete", _incomplete, ("thread.message.incomplete", "thread.run.incomplete")),
    Scenario("function-call", _function_call,
             ("thread.created", "thread.run.step.delta", "thread.run.requires_action")),
    Scenario("submit-tool-outputs", _submit,
             ("thread.run.step.completed", "thread.message.delta", "thread.run.completed")),
    Scenario("code-interpreter", _code_interpreter,
             ("thread.run.step.delta", "thread.run.step.completed", "thread.run.completed")),
    Scenario("code-interpreter-silent", _code_interpreter_silent,
             ("thread.run.step.delta", "thread.run.step.completed", "thread.run.completed")),
    Scenario("failed", _failed, ("thread.run.failed",)),
    Scenario("expired", _expired, ("thread.run.expired",)),
    Scenario("cancel", _cancel,
             ("thread.message.incomplete", "thread.run.step.cancelled", "thread.run.cancelled"),
             {"stream_delay_ms": 20}),
]  # fmt: skip


@pytest.mark.parametrize("scenario", [s.param() for s in SCENARIOS])
def test_every_streamed_event_validates_and_parses(
    assistants_mock: MockServer, http: httpx.Client, scenario: Scenario
) -> None:
    streamed = events(scenario.play(assistants_mock, http))
    names = [name for name, _ in streamed]
    assert set(scenario.expect) <= set(names), names
    assert [p for name, data in streamed for p in event_problems(name, data)] == []


# --- the keys the real API sent --------------------------------------------------------------


@cache
def recorded_shapes() -> dict[str, dict[str, list[list[str]]]]:
    document: dict[str, dict[str, list[list[str]]]] = json.loads(
        recorded.OUTPUT.read_text(encoding="utf-8")
    )
    return document


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def our_shape(data: Any, used: set[Allowed]) -> tuple[str, ...]:
    """`data`'s shape without the keys `ALLOWED_DIFFERENCES` lets us send beyond the
    recordings (adding each entry that did so to `used`)."""
    extra = _allowed("recorded", str(data.get("object", "")), "extra")
    kept = []
    for path in recorded.shape(data):
        excused = [a for prefix, a in extra.items() if _under(path, prefix)]
        used.update(excused)
        if not excused:
            kept.append(path)
    return tuple(kept)


def shape_differences(ours: list[Any], theirs: list[list[str]], used: set[Allowed]) -> list[str]:
    """How the key sets of `ours` (data objects) and of the recorded shapes `theirs`
    differ: each of our shapes must be recorded, and each recorded shape sent by us."""
    mine = {frozenset(our_shape(data, used)): data for data in ours}
    recorded_sets = [frozenset(s) for s in theirs]
    out = []
    for keys, data in mine.items():
        if keys in recorded_sets:
            continue
        unrecorded = _allowed("recorded", str(data.get("object", "")), "unrecorded")
        excused = [a for prefix, a in unrecorded.items() if any(_under(p, prefix) for p in keys)]
        if excused:
            used.update(excused)
            continue
        closest = min(recorded_sets, key=lambda r: len(r ^ keys))
        out.append(f"sent {_diff(keys, closest)} (vs the closest recorded shape)")
    for keys in recorded_sets:
        if keys not in mine:
            closest = min(mine, key=lambda m: len(m ^ keys), default=frozenset())
            out.append(f"never sent a recorded shape; the closest sent has {_diff(closest, keys)}")
    return out


def _diff(ours: frozenset[str], theirs: frozenset[str]) -> str:
    return " ".join(
        [*(f"+{p}" for p in sorted(ours - theirs)), *(f"-{p}" for p in sorted(theirs - ours))]
    )


def order_differences(ours: list[Any], theirs: list[list[str]], used: set[Allowed]) -> list[str]:
    """Objects whose keys we send in another order than the recorded shape with the same
    keys: `<path of the object>: sent [...], recorded [...]`."""
    out: set[str] = set()
    for expected in theirs:
        matching = [s for s in (our_shape(d, used) for d in ours) if set(s) == set(expected)]
        if not matching:
            out.add(f"nothing sent has the keys of the recorded {expected}")
        for got in matching:
            recorded_order = _children(expected)
            for parent, keys in _children(got).items():
                if keys != recorded_order[parent]:
                    out.add(f"{parent or '<root>'}: sent {keys}, recorded {recorded_order[parent]}")
    return sorted(out)


def _children(shape: Iterable[str]) -> dict[str, list[str]]:
    """The keys of each object of a shape, in order, by the object's path."""
    out: dict[str, list[str]] = {}
    for path in shape:
        parent, _, key = path.rpartition(".")
        out.setdefault(parent, []).append(key)
    return out


def _play_all(server: MockServer) -> dict[str, list[Any]]:
    """Every scenario without settings of its own, played on `server`: the data of each
    event, by event name."""
    by_name: dict[str, list[Any]] = {}
    with httpx.Client(base_url=server.base_url, headers=HEADERS) as http:
        for scenario in SCENARIOS:
            if scenario.settings is None:
                for name, data in events(scenario.play(server, http)):
                    by_name.setdefault(name, []).append(data)
    return by_name


def _poll_all(server: MockServer) -> dict[str, list[Any]]:
    """Run replies by `thread.run:<status>`, polled one status at a time as the
    openai-dotnet recording polled them: a function call, its outputs, a text reply."""
    by_status: dict[str, list[Any]] = {}
    with httpx.Client(base_url=server.base_url, headers=HEADERS) as http:

        def keep(response: httpx.Response) -> dict[str, Any]:
            run: dict[str, Any] = response.json()
            by_status.setdefault(f"thread.run:{run['status']}", []).append(run)
            return run

        def poll(run: dict[str, Any]) -> dict[str, Any]:
            path = f"/threads/{run['thread_id']}/runs/{run['id']}"
            while run["status"] in ("queued", "in_progress"):
                run = keep(http.get(path))
            return run

        thread = {"messages": [{"role": "user", "content": PARIS}]}
        weather = _assistant(http, tools=[WEATHER])
        run = poll(
            keep(http.post("/threads/runs", json={"assistant_id": weather, "thread": thread}))
        )
        calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
        outputs = [{"tool_call_id": c["id"], "output": "Sunny"} for c in calls]
        path = f"/threads/{run['thread_id']}/runs/{run['id']}/submit_tool_outputs"
        poll(keep(http.post(path, json={"tool_outputs": outputs})))
    return by_status


@pytest.fixture(scope="module")
def our_events() -> dict[str, list[Any]]:
    with MockServer() as server:
        return _play_all(server)


@pytest.fixture(scope="module")
def our_replies() -> dict[str, list[Any]]:
    with MockServer(run_progression="per_poll") as server:
        return _poll_all(server)


KNOWN_KEY_DIFFERENCES: dict[str, str] = {}
"""Event names (or `thread.run:<status>`) whose key sets differ from the recordings
because of a server bug, and what to change. None at the moment."""

KNOWN_ORDER_DIFFERENCES: dict[str, str] = {}
"""The same for the key order inside objects (`objects.render` means to send the real
order; the SDKs do not care). None at the moment."""


def _known(table: dict[str, str], names: list[str]) -> list[Any]:
    return [
        pytest.param(
            n, marks=[pytest.mark.xfail(reason=table[n], strict=True)] if n in table else []
        )
        for n in names
    ]


RECORDED_EVENTS = sorted(recorded_shapes()["events"])
RECORDED_REPLIES = sorted(recorded_shapes()["replies"])


@pytest.mark.parametrize("name", _known(KNOWN_KEY_DIFFERENCES, RECORDED_EVENTS))
def test_streamed_keys_are_the_recorded_keys(our_events: dict[str, list[Any]], name: str) -> None:
    assert name in our_events, "no scenario here streams this recorded event"
    theirs = recorded_shapes()["events"][name]
    assert shape_differences(our_events[name], theirs, set()) == []


@pytest.mark.parametrize("key", _known(KNOWN_KEY_DIFFERENCES, RECORDED_REPLIES))
def test_run_reply_keys_are_the_recorded_keys(our_replies: dict[str, list[Any]], key: str) -> None:
    theirs = recorded_shapes()["replies"][key]
    assert shape_differences(our_replies[key], theirs, set()) == []


@pytest.mark.parametrize("name", _known(KNOWN_ORDER_DIFFERENCES, RECORDED_EVENTS))
def test_streamed_keys_come_in_the_recorded_order(
    our_events: dict[str, list[Any]], name: str
) -> None:
    theirs = recorded_shapes()["events"][name]
    assert order_differences(our_events[name], theirs, set()) == []


@pytest.mark.parametrize("key", _known(KNOWN_ORDER_DIFFERENCES, RECORDED_REPLIES))
def test_run_reply_keys_come_in_the_recorded_order(
    our_replies: dict[str, list[Any]], key: str
) -> None:
    theirs = recorded_shapes()["replies"][key]
    assert order_differences(our_replies[key], theirs, set()) == []


# --- through the SDK itself ------------------------------------------------------------------


def test_the_sdk_parses_a_streamed_round_trip_with_no_undeclared_keys(
    assistants_client: OpenAI,
) -> None:
    """The SDK's own (lenient) parsing of `stream=True` events, as users get them."""
    client = assistants_client
    weather = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])  # type: ignore[list-item]
    seen: list[AssistantStreamEvent] = []
    with client.beta.threads.create_and_run(
        assistant_id=weather.id,
        thread={"messages": [{"role": "user", "content": PARIS}]},
        stream=True,
    ) as stream:
        seen += stream
    run = seen[-1].data
    assert isinstance(run, Run)
    assert run.required_action is not None
    outputs: list[ToolOutput] = [
        {"tool_call_id": c.id, "output": "sunny"}
        for c in run.required_action.submit_tool_outputs.tool_calls
    ]
    with client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=run.thread_id, tool_outputs=outputs, stream=True
    ) as stream:
        seen += stream
    assert [e.event for e in seen][-1] == "thread.run.completed"
    assert {type(e.data) for e in seen} == set(SDK_TYPES.values())
    assert [p for e in seen for p in undeclared(e.data, f"{e.event}:$")] == []


# --- the tables are all needed, and match the spec and the SDK -------------------------------


def _used_by(schema: str, sdk_type: type[pydantic.BaseModel] | None, body: Any) -> set[Allowed]:
    """The "spec" and "sdk" differences `body` needs."""
    failed = failure_keys(schema, body)
    used = {a for a in ALLOWED_DIFFERENCES if a.check == "spec" and _spec_key(a) in failed}
    items = body.get("data", [body]) if isinstance(body, dict) else []
    for item in items if sdk_type is not None else []:
        assert sdk_type is not None
        used |= sdk_parse(sdk_type, item)[1]
    return used


def test_the_allowed_differences_are_all_needed(
    assistants_mock: MockServer, http: httpx.Client
) -> None:
    """Every entry of the table excuses something the server really sends."""
    used: set[Allowed] = set()
    for call in CALLS:
        assistants_mock.reset()
        body = call.send(build_world(assistants_mock, http)).json()
        used |= _used_by(call.schema, call.sdk_type, body)
    assistants_mock.reset()
    streamed = _play_all(assistants_mock)
    with MockServer(run_progression="per_poll") as polled:
        replies = _poll_all(polled)
    shapes = recorded_shapes()
    for name, items in streamed.items():
        schema = event_schemas()[name]
        assert schema is not None
        for data in items:
            used |= _used_by(schema, SDK_TYPES[schema], data)
        if name in shapes["events"]:
            shape_differences(items, shapes["events"][name], used)
    for key, items in replies.items():
        for data in items:
            used |= _used_by("RunObject", Run, data)
        if key in shapes["replies"]:
            shape_differences(items, shapes["replies"][key], used)
    assert sorted(set(ALLOWED_DIFFERENCES) - used) == []


def test_event_schemas_are_the_spec_s_and_the_sdk_s() -> None:
    run = ("created", "queued", "in_progress", "requires_action", "completed", "incomplete",
           "failed", "cancelling", "cancelled", "expired")  # fmt: skip
    step = ("created", "in_progress", "completed", "failed", "cancelled", "expired")
    message = ("created", "in_progress", "completed", "incomplete")
    assert event_schemas() == {
        "thread.created": "ThreadObject",
        **{f"thread.run.{s}": "RunObject" for s in run},
        **{f"thread.run.step.{s}": "RunStepObject" for s in step},
        "thread.run.step.delta": "RunStepDeltaObject",
        **{f"thread.message.{s}": "MessageObject" for s in message},
        "thread.message.delta": "MessageDeltaObject",
        "error": "Error",
        "done": None,
    }
    assert set(sdk_events()) == set(event_schemas()) - {"done"}
    for name, event_type in sdk_events().items():
        if name != "error":
            schema = event_schemas()[name]
            assert schema is not None
            assert event_type.model_fields["data"].annotation is SDK_TYPES[schema], name


# --- the checks can fail ---------------------------------------------------------------------

GOOD_STREAM = 'event: thread.run.created\ndata: {"id":"run_x"}\n\nevent: done\ndata: [DONE]\n\n'


@pytest.mark.parametrize(
    "body",
    [
        'event: thread.run.created\ndata: {"id":"run_x"}\n\n',
        'event: thread.run.created\ndata: {"id":"run_x"}\n\nevent: done\ndata: [DONE]\n',
        'event: thread.run.created\ndata: {"id":\ndata: "run_x"}\n\nevent: done\ndata: [DONE]\n\n',
        'id: 1\nevent: thread.run.created\ndata: {}\n\nevent: done\ndata: [DONE]\n\n',
        "event: thread.run.created\r\ndata: {}\r\n\r\nevent: done\r\ndata: [DONE]\r\n\r\n",
        "event: done\ndata: [DONE]\n\n" + GOOD_STREAM,
        'data: {"id":"run_x"}\n\nevent: done\ndata: [DONE]\n\n',
        'event: thread.run.created\ndata: {"id": "run_x"}\n\nevent: done\ndata: [DONE]\n\n',
    ],
    ids=["no-done", "no-blank-line", "two-data-lines", "id-line", "crlf", "done-twice",
         "no-event-line", "not-compact"],
)  # fmt: skip
def test_bad_framing_is_found(body: str) -> None:
    assert events(GOOD_STREAM) == [("thread.run.created", {"id": "run_x"})]
    with pytest.raises(AssertionError):
        events(body)


RUN: dict[str, Any] = {
    "id": "run_x", "object": "thread.run", "created_at": 1, "assistant_id": "asst_x",
    "thread_id": "thread_x", "status": "queued", "started_at": None, "expires_at": 601,
    "cancelled_at": None, "failed_at": None, "completed_at": None, "required_action": None,
    "last_error": None, "model": "gpt-4o", "instructions": None, "tools": [],
    "tool_resources": {}, "metadata": {}, "temperature": 1.0, "top_p": 1.0,
    "reasoning_effort": None, "max_completion_tokens": None, "max_prompt_tokens": None,
    "truncation_strategy": {"type": "auto", "last_messages": None}, "incomplete_details": None,
    "usage": None, "response_format": "auto", "tool_choice": "auto", "parallel_tool_calls": True,
}  # fmt: skip
STEP: dict[str, Any] = {
    "id": "step_x", "object": "thread.run.step", "created_at": 1, "run_id": "run_x",
    "assistant_id": "asst_x", "thread_id": "thread_x", "type": "message_creation",
    "status": "in_progress", "cancelled_at": None, "completed_at": None, "expires_at": 601,
    "expired_at": None, "failed_at": None, "last_error": None, "metadata": None,
    "step_details": {"type": "message_creation", "message_creation": {"message_id": "msg_x"}},
    "usage": None,
}  # fmt: skip


def test_event_problems_are_found() -> None:
    assert event_problems("thread.run.created", RUN) == []
    assert event_problems("thread.run.step.created", STEP) == []
    assert event_problems("thread.run.paused", RUN) == [
        "thread.run.paused: not an event of the spec's AssistantStreamEvent"
    ]
    # `nullable: true` lets null through, and nothing else.
    assert event_problems("thread.run.queued", RUN | {"expires_at": "soon"}) == [
        "thread.run.queued: expires_at: 'soon' is not of type 'integer'",
        "thread.run.queued: expires_at: Input should be a valid integer, unable to parse "
        "string as an integer",
    ]
    # Null instructions are allowed; a null model is not.
    assert event_problems("thread.run.queued", RUN | {"model": None}) == [
        "thread.run.queued: model: None is not of type 'string'",
        "thread.run.queued: model: Input should be a valid string",
    ]
    # The SDK check sees undeclared keys at any depth, apart from REAL_ONLY_FIELDS.
    details = {"type": "message_creation", "message_creation": {"message_id": "m", "x": 1}}
    assert event_problems("thread.run.step.completed", STEP | {"step_details": details}) == [
        "thread.run.step.completed: $.step_details.message_creation.x"
    ]
    # The spec's step keys are required: the real `expires_at` alone is not enough.
    real_step = {k: v for k, v in STEP.items() if k not in ("expired_at", "metadata")}
    assert event_problems("thread.run.step.completed", real_step) == [
        "thread.run.step.completed: <root>: 'expired_at' is a required property",
        "thread.run.step.completed: <root>: 'metadata' is a required property",
    ]
    # An allowed difference is allowed only where the table says.
    assert sdk_problems(Message, {"id": "m", "object": "thread.message", "content": None}) != []


def test_shape_differences_are_found() -> None:
    theirs = [
        recorded.shape({k: v for k, v in STEP.items() if k not in ("expired_at", "metadata")})
    ]
    used: set[Allowed] = set()
    assert shape_differences([STEP], theirs, used) == []
    assert {a.path for a in used} == {"expired_at", "metadata"}
    extra = STEP | {"step_details": {"type": "tool_calls", "tool_calls": [{"id": "c", "x": 1}]}}
    assert shape_differences([STEP, extra], theirs, set()) == [
        "sent +step_details.tool_calls +step_details.tool_calls[].id "
        "+step_details.tool_calls[].x -step_details.message_creation "
        "-step_details.message_creation.message_id (vs the closest recorded shape)"
    ]
    missing = " ".join(f"-{p}" for p in sorted(theirs[0]))
    assert shape_differences([], theirs, set()) == [
        f"never sent a recorded shape; the closest sent has {missing}"
    ]
    swapped = {"object": STEP["object"], "id": STEP["id"]} | STEP
    top = [p for p in theirs[0] if "." not in p]
    assert order_differences([swapped], theirs, set()) == [
        f"<root>: sent {['object', 'id', *top[2:]]}, recorded {top}"
    ]
    assert order_differences([STEP], theirs, set()) == []
    assert order_differences([], theirs, set()) == [
        f"nothing sent has the keys of the recorded {theirs[0]}"
    ]


# --- the vendored recordings -----------------------------------------------------------------


def test_vendored_shapes_hold_every_recording() -> None:
    document = recorded_shapes()
    assert len(document["sources"]) == 10
    assert "thread.created" in document["events"]
    assert "thread.run:requires_action" in document["replies"]


@pytest.mark.skipif(
    not recorded.RECORDED.exists(), reason=f"the recordings are not at {recorded.RECORDED}"
)
def test_vendored_shapes_are_up_to_date() -> None:
    expected = recorded.render(recorded.extract(recorded.RECORDED))
    assert recorded.OUTPUT.read_text(encoding="utf-8") == expected, (
        "tests/contract/recorded_shapes.json is stale: "
        "run python tests/contract/extract_recorded.py"
    )


# --- settled by the recordings: a run's tool_resources, max_completion_tokens ----------------

STREAMED_RESOURCES: dict[str, Any] = {"code_interpreter": {"file_ids": []}}
"""Every `thread.run.*` event of every streamed run recorded in 2025 (StreamingRunWorks:
no tools; StreamingToolCall: a function tool, createThreadAndRun) and 2026 (openllmetry:
code_interpreter) carries this; the runs not streamed (FileSearchWorks, FunctionToolsWork,
BasicRunStepFunctionalityWorks) carry `{}`."""


def _recorded_resources() -> set[str]:
    """The `tool_resources` of the recorded streamed runs, as JSON (empty without shared/)."""
    path = recorded.RECORDED / "openai-dotnet__StreamingRunWorks.json"
    if not path.is_file():
        return set()
    lines = json.loads(path.read_text(encoding="utf-8"))["Entries"][-1]["ResponseBody"]
    return {
        json.dumps(json.loads(line[6:])["tool_resources"])
        for line in lines
        if line.startswith("data: {") and '"object":"thread.run"' in line
    }


@pytest.mark.parametrize(
    "tools", [[], [WEATHER], [{"type": "code_interpreter"}]], ids=["none", "function", "code"]
)
def test_a_run_carries_code_interpreter_resources_only_when_streamed(
    assistants_client: OpenAI, tools: list[Any]
) -> None:
    assert _recorded_resources() in (set(), {json.dumps(STREAMED_RESOURCES)})
    client = assistants_client
    assistant = client.beta.assistants.create(model="gpt-4o", tools=tools)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello there!"}])
    with client.beta.threads.runs.create(
        thread.id, assistant_id=assistant.id, stream=True
    ) as stream:
        runs = [e.data for e in stream if isinstance(e.data, Run)]
    assert runs
    assert {json.dumps(r.to_dict()["tool_resources"]) for r in runs} == {
        json.dumps(STREAMED_RESOURCES)
    }
    message: Any = {"messages": [{"role": "user", "content": "Hello again!"}]}
    with client.beta.threads.create_and_run(
        assistant_id=assistant.id,
        thread=message,
        stream=True,
    ) as stream:
        made = [
            e.data.to_dict()["tool_resources"] for e in stream if e.event == "thread.run.created"
        ]
    assert made == [STREAMED_RESOURCES]
    polled = client.beta.threads.runs.with_raw_response.create(thread.id, assistant_id=assistant.id)
    assert json.loads(polled.http_response.text)["tool_resources"] == {}


def test_max_completion_tokens_below_the_spec_minimum_is_accepted(
    assistants_client: OpenAI,
) -> None:
    """2024 recording: `max_completion_tokens: 16` was accepted, and the same request on a
    thread without a user message (assistant without instructions) got `invalid_thread`."""
    client = assistants_client
    assistant = client.beta.assistants.create(model="gpt-4o")
    empty = client.beta.threads.create()
    with pytest.raises(openai.BadRequestError) as info:
        client.beta.threads.runs.create(
            empty.id, assistant_id=assistant.id, max_completion_tokens=16
        )
    assert info.value.code == "invalid_thread"
    thread = client.beta.threads.create(messages=[{"role": "user", "content": ROME}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, max_completion_tokens=16
    )
    assert (run.status, run.max_completion_tokens) == ("incomplete", 16)
    assert run.usage is not None
    assert run.usage.completion_tokens == 16
    with pytest.raises(openai.BadRequestError) as zero:
        client.beta.threads.runs.create(
            thread.id, assistant_id=assistant.id, max_completion_tokens=0
        )
    assert zero.value.param == "max_completion_tokens"
