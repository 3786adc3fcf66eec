"""Everything the server sends validates against the official spec's component schemas
(vendored in `tests/contract/`), apart from the documented real-vs-spec differences, and
parses into the SDK's own types with no undeclared keys."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema
import pydantic
import pytest
from openai import OpenAI
from openai.types.beta import Assistant, AssistantDeleted, Thread, ThreadDeleted
from openai.types.beta.threads import Message, MessageDeleted
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mock_server import MockServer

from .conftest import real_references, with_references
from .contract.extract_schemas import OUTPUT, ROOTS, SPEC, extract, load_spec, render
from .sdk import httpx

REAL_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "assistant": frozenset({"reasoning_effort"}),
    "ranking_options": frozenset({"hybrid_search"}),  # recorded 2025, after the SDK types
    "thread.run": frozenset({"reasoning_effort", "tool_resources"}),
    "thread.run.step": frozenset({"expires_at"}),
    "usage": frozenset({"prompt_token_details", "completion_tokens_details"}),
    "vector_store": frozenset({"description"}),
}
"""Keys the real API sends that the SDK types do not declare, by `object` type: the
server's wire objects (`mock_server.wire`) have them; the SDK ignores them."""


BASE = "urn:openai-openapi:assistants"
HEADERS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}

Key = tuple[str, tuple[str, ...], str]
"""(schema, path of the value with "*" for any index, failing JSON Schema keyword)"""


ALLOWED_DIFFERENCES: dict[Key, str] = {
    # (schema, path of the value with "*" for any index, failing JSON Schema keyword): why
    # the real API differs. api_fidelity.md section 11 lists them; nothing else may fail.
    ("ListAssistantsResponse", ("first_id",), "type"): "an empty page sends null (real)",
    ("ListAssistantsResponse", ("last_id",), "type"): "an empty page sends null (real)",
    ("ListMessagesResponse", ("first_id",), "type"): "an empty page sends null (real)",
    ("ListMessagesResponse", ("last_id",), "type"): "an empty page sends null (real)",
}
# Differences that need no entry because the schemas allow them: keys the spec does not
# list (`reasoning_effort` on assistants) pass, as no schema here says
# `additionalProperties: false`; REST messages carry the spec's `status`,
# `incomplete_details`, `completed_at` and `incomplete_at` although the real API leaves
# them out, and every message reply carries `attachments` (the real modify reply sends
# `file_ids: []` instead).


@cache
def vendored() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(OUTPUT.read_text(encoding="utf-8"))
    return document


def _type_or_nullable(validator: Any, types: Any, instance: Any, schema: Any) -> Any:
    """JSON Schema's `type`, letting null through where OpenAPI 3.0's `nullable: true`
    stands beside it: the 3.1 spec's `RunObject` still marks its nullable fields that way
    (`expires_at`, `started_at`, `required_action`, ...), which plain JSON Schema ignores."""
    if instance is None and schema.get("nullable") is True:
        return
    yield from Draft202012.VALIDATORS["type"](validator, types, instance, schema)


Draft202012 = jsonschema.Draft202012Validator
OpenApiValidator = jsonschema.validators.extend(Draft202012, {"type": _type_or_nullable})


@cache
def validator(schema: str) -> Any:
    registry: Registry[Any] = Registry().with_resource(
        BASE, Resource.from_contents(vendored(), default_specification=DRAFT202012)
    )
    return OpenApiValidator({"$ref": f"{BASE}#/components/schemas/{schema}"}, registry=registry)


def violations(
    schema: str, instance: Any, allowed: Mapping[Key, str] = ALLOWED_DIFFERENCES
) -> list[str]:
    """Where `instance` breaks `schema`, apart from the `allowed` differences."""
    out = []
    for error in validator(schema).iter_errors(instance):
        for leaf in _leaves(error):
            if _key(schema, leaf) not in allowed:
                where = "/".join(map(str, leaf.absolute_path)) or "<root>"
                out.append(f"{where}: {leaf.message}")
    return out


def failure_keys(schema: str, instance: Any) -> set[Key]:
    """The key of every failure of `instance` against `schema`, allowed or not."""
    return {
        _key(schema, leaf)
        for error in validator(schema).iter_errors(instance)
        for leaf in _leaves(error)
    }


def _key(schema: str, error: Any) -> Key:
    path = tuple("*" if isinstance(p, int) else p for p in error.absolute_path)
    return schema, path, str(error.validator)


def _leaves(error: Any) -> Iterator[Any]:
    """The innermost failures under an `anyOf`/`oneOf`, each with its own path and keyword.

    Members of a tagged union whose `type` tag does not match the value are left out (a
    function tool is not expected to be a code_interpreter tool); when every member's tag
    is wrong, the union's own error is the failure.
    """
    if not error.context:
        yield error
        return
    members: dict[Any, list[Any]] = {}
    for sub in error.context:
        members.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [subs for subs in members.values() if not _wrong_tag(error, subs)]
    if not fitting:
        yield error
        return
    for subs in fitting:
        for sub in subs:
            yield from _leaves(sub)


def _wrong_tag(union: Any, failures: Sequence[Any]) -> bool:
    tag = (*union.absolute_path, "type")
    return any(tuple(f.absolute_path) == tag and f.validator in ("enum", "const") for f in failures)


def undeclared(value: Any, path: str = "$", name: str = "") -> list[str]:
    """Keys of SDK models, at any depth, that the SDK type does not declare, apart from
    `REAL_ONLY_FIELDS` (keyed by the object's `object`, or by the field's name)."""
    if isinstance(value, pydantic.BaseModel):
        kind = getattr(value, "object", None) or name
        allowed = REAL_ONLY_FIELDS.get(kind, frozenset())
        out = [f"{path}.{key}" for key in value.model_extra or {} if key not in allowed]
        for field in type(value).model_fields:
            out += undeclared(getattr(value, field), f"{path}.{field}", field)
        return out
    if isinstance(value, list):
        return [e for i, item in enumerate(value) for e in undeclared(item, f"{path}[{i}]", name)]
    if isinstance(value, dict):
        return [e for key, item in value.items() for e in undeclared(item, f"{path}.{key}", key)]
    return []


# --- the calls -------------------------------------------------------------------------------


@dataclass
class World:
    """Objects made before each call, through the API."""

    http: httpx.Client
    assistant: str
    thread: str
    message: str
    image_message: str
    references: dict[str, str]
    """Real files and vector stores for the stand-in ids the tables use."""

    def send(self, method: str, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        path = path.format(a=self.assistant, t=self.thread, m=self.message, i=self.image_message)
        body = with_references(json, self.references)
        return self.http.request(method, path, json=body, **kwargs)


FULL_ASSISTANT = {
    "model": "gpt-4o",
    "name": "Everything",
    "description": "Every field set.",
    "instructions": "Be thorough.",
    "reasoning_effort": "high",
    "tools": [
        {"type": "code_interpreter"},
        {"type": "file_search"},
        {
            "type": "file_search",
            "file_search": {
                "max_num_results": 3,
                "ranking_options": {"ranker": "auto", "score_threshold": 0.25},
            },
        },
        {"type": "function", "function": {"name": "bare", "description": "no parameters"}},
        {
            "type": "function",
            "function": {
                "name": "full",
                "description": "d",
                "parameters": {"type": "object", "properties": {"x": {"type": "integer"}}},
                "strict": True,
            },
        },
    ],
    "tool_resources": {
        "code_interpreter": {"file_ids": ["file-a"]},
        "file_search": {"vector_store_ids": ["vs_a"]},
    },
    "metadata": {"k": "v"},
    "temperature": 0.1,
    "top_p": 0.2,
    "response_format": {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
    },
}
PARTS = [
    {"type": "text", "text": "What are these?"},
    {"type": "image_file", "image_file": {"file_id": "file-img", "detail": "low"}},
    {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "auto"}},
]


def build_world(http: httpx.Client, references: dict[str, str]) -> World:
    def post(path: str, body: Any) -> str:
        answer = http.post(path, json=with_references(body, references))
        assert answer.status_code == 200, answer.text
        found: str = answer.json()["id"]
        return found

    assistant = post("/assistants", {"model": "gpt-4o"})
    thread = post(
        "/threads",
        {
            "messages": [{"role": "user", "content": "Hello"}],
            "metadata": {"k": "v"},
            "tool_resources": {"code_interpreter": {"file_ids": ["file-a"]}},
        },
    )
    message = post(
        f"/threads/{thread}/messages",
        {
            "role": "user",
            "content": "Read this",
            "attachments": [{"file_id": "file-a", "tools": [{"type": "file_search"}]}],
        },
    )
    image = post(f"/threads/{thread}/messages", {"role": "assistant", "content": PARTS})
    return World(http, assistant, thread, message, image, references)


@pytest.fixture
def http(assistants_mock: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=assistants_mock.base_url, headers=HEADERS) as client:
        yield client


@pytest.fixture
def world(http: httpx.Client, assistants_client: OpenAI) -> World:
    return build_world(http, real_references(assistants_client))


@dataclass(frozen=True)
class Call:
    id: str
    schema: str
    sdk_type: type[pydantic.BaseModel] | None
    """What the SDK parses the reply (or each item of a list) into."""
    send: Callable[[World], httpx.Response]
    status: int = 200
    xfail: str | None = None
    """Why this reply does not yet validate (a known server bug)."""

    def param(self) -> Any:
        marks = [pytest.mark.xfail(reason=self.xfail, strict=True)] if self.xfail else []
        return pytest.param(self, id=self.id, marks=marks)


CALLS = [
    Call("create-assistant", "AssistantObject", Assistant,
         lambda w: w.send("POST", "/assistants", {"model": "gpt-4o"})),
    Call("create-assistant-full", "AssistantObject", Assistant,
         lambda w: w.send("POST", "/assistants", FULL_ASSISTANT)),
    Call("create-assistant-function-without-description", "AssistantObject", Assistant,
         lambda w: w.send("POST", "/assistants", {
             "model": "gpt-4o", "tools": [{"type": "function", "function": {"name": "f"}}]})),
    Call("create-assistant-nulls", "AssistantObject", Assistant,
         lambda w: w.send("POST", "/assistants", {
             "model": "gpt-4o", "name": None, "description": None, "instructions": None,
             "tools": None, "tool_resources": None, "metadata": None, "temperature": None,
             "top_p": None, "response_format": None, "reasoning_effort": None})),
    Call("retrieve-assistant", "AssistantObject", Assistant,
         lambda w: w.send("GET", "/assistants/{a}")),
    Call("modify-assistant", "AssistantObject", Assistant,
         lambda w: w.send("POST", "/assistants/{a}", {
             "name": "renamed", "tools": [{"type": "code_interpreter"}],
             "response_format": {"type": "text"}})),
    Call("delete-assistant", "DeleteAssistantResponse", AssistantDeleted,
         lambda w: w.send("DELETE", "/assistants/{a}")),
    Call("list-assistants", "ListAssistantsResponse", Assistant,
         lambda w: w.send("GET", "/assistants")),
    Call("list-assistants-page", "ListAssistantsResponse", Assistant,
         lambda w: (w.send("POST", "/assistants", FULL_ASSISTANT),
                    w.send("GET", "/assistants", params={"limit": 1}))[1]),
    Call("list-assistants-empty", "ListAssistantsResponse", Assistant,
         lambda w: w.send("GET", "/assistants", params={"after": w.assistant})),
    Call("create-thread", "ThreadObject", Thread,
         lambda w: w.send("POST", "/threads", {})),
    Call("create-thread-full", "ThreadObject", Thread,
         lambda w: w.send("POST", "/threads", {
             "messages": [{"role": "user", "content": PARTS, "metadata": {"a": "b"}}],
             "metadata": {"k": "v"},
             "tool_resources": {"file_search": {"vector_stores": [{"file_ids": ["file-a"]}]}}})),
    Call("retrieve-thread", "ThreadObject", Thread,
         lambda w: w.send("GET", "/threads/{t}")),
    Call("modify-thread", "ThreadObject", Thread,
         lambda w: w.send("POST", "/threads/{t}", {
             "metadata": {"x": "y"},
             "tool_resources": {"file_search": {"vector_store_ids": ["vs_b"]}}})),
    Call("delete-thread", "DeleteThreadResponse", ThreadDeleted,
         lambda w: w.send("DELETE", "/threads/{t}")),
    Call("create-message", "MessageObject", Message,
         lambda w: w.send("POST", "/threads/{t}/messages", {"role": "user", "content": "Hi"})),
    Call("create-message-parts", "MessageObject", Message,
         lambda w: w.send("POST", "/threads/{t}/messages", {"role": "user", "content": PARTS})),
    Call("retrieve-message", "MessageObject", Message,
         lambda w: w.send("GET", "/threads/{t}/messages/{m}")),
    Call("retrieve-image-message", "MessageObject", Message,
         lambda w: w.send("GET", "/threads/{t}/messages/{i}")),
    Call("modify-message", "MessageObject", Message,
         lambda w: w.send("POST", "/threads/{t}/messages/{m}", {"metadata": {"x": "y"}})),
    Call("delete-message", "DeleteMessageResponse", MessageDeleted,
         lambda w: w.send("DELETE", "/threads/{t}/messages/{m}")),
    Call("list-messages", "ListMessagesResponse", Message,
         lambda w: w.send("GET", "/threads/{t}/messages")),
    Call("list-messages-page", "ListMessagesResponse", Message,
         lambda w: w.send("GET", "/threads/{t}/messages", params={"limit": 1, "order": "asc"})),
    Call("list-messages-empty", "ListMessagesResponse", Message,
         lambda w: w.send("GET", "/threads/{t}/messages", params={"run_id": "run_x"})),
    Call("error-not-found", "ErrorResponse", None,
         lambda w: w.send("GET", "/assistants/asst_x"), 404),
    Call("error-bad-request", "ErrorResponse", None,
         lambda w: w.send("POST", "/assistants", {"model": "gpt-4o", "foo": 1}), 400),
    Call("error-validation", "ErrorResponse", None,
         lambda w: w.send("GET", "/assistants", params={"limit": 0}), 400),
    Call("error-unknown-route", "ErrorResponse", None,
         lambda w: w.send("GET", "/nope"), 404),
    Call("error-no-key", "ErrorResponse", None,
         lambda w: w.send("GET", "/assistants", headers={"Authorization": ""}), 401),
    Call("error-no-beta", "ErrorResponse", None,
         lambda w: w.send("GET", "/threads/{t}", headers={"OpenAI-Beta": ""}), 400),
]  # fmt: skip


@pytest.mark.parametrize("call", [call.param() for call in CALLS])
def test_reply_validates_against_the_spec(world: World, call: Call) -> None:
    response = call.send(world)
    assert response.status_code == call.status, response.text
    body = response.json()
    assert violations(call.schema, body) == []


@pytest.mark.parametrize(
    "call", [pytest.param(c, id=c.id) for c in CALLS if c.sdk_type is not None]
)
def test_reply_has_no_keys_the_sdk_does_not_declare(world: World, call: Call) -> None:
    assert call.sdk_type is not None
    body = call.send(world).json()
    if body.get("object") == "list":
        assert list(body) == ["object", "data", "first_id", "last_id", "has_more"]
        items = body["data"]
    else:
        items = [body]
    parsed = [call.sdk_type.model_validate(item) for item in items]
    assert [e for model in parsed for e in undeclared(model)] == []


# --- the checks can fail ---------------------------------------------------------------------


def test_violations_are_found() -> None:
    wrong = {"id": "asst_x", "object": "assistant", "created_at": "yesterday", "tools": [{}]}
    assert sorted(violations("AssistantObject", wrong)) == sorted(
        [
            "<root>: 'name' is a required property",
            "<root>: 'description' is a required property",
            "<root>: 'model' is a required property",
            "<root>: 'instructions' is a required property",
            "<root>: 'metadata' is a required property",
            "created_at: 'yesterday' is not of type 'integer'",
            "tools/0: 'type' is a required property",
            "tools/0: 'type' is a required property",
            "tools/0: 'type' is a required property",
            "tools/0: 'function' is a required property",
        ]
    )
    # An allowed difference is allowed only where the table says.
    empty: dict[str, Any] = {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }
    assert violations("ListAssistantsResponse", empty) == []
    thread: dict[str, Any] = {"id": None, "object": "thread", "created_at": 0, "metadata": {}}
    assert sorted(violations("ThreadObject", thread)) == [
        "<root>: 'tool_resources' is a required property",
        "id: None is not of type 'string'",
    ]
    # Inside a tagged union, only the member with the value's tag counts.
    tool = {"type": "function", "function": {"name": "f", "description": None}}
    assistant = {
        "id": "asst_x", "object": "assistant", "created_at": 0, "name": None,
        "description": None, "model": "m", "instructions": None, "tools": [tool], "metadata": {},
    }  # fmt: skip
    assert violations("AssistantObject", assistant) == [
        "tools/0/function/description: None is not of type 'string'"
    ]
    assert violations("AssistantObject", assistant | {"tools": [{"type": "browser"}]}) == [
        "tools/0: {'type': 'browser'} is not valid under any of the given schemas"
    ]


def test_undeclared_keys_are_found() -> None:
    data = {
        "id": "asst_x",
        "object": "assistant",
        "created_at": 0,
        "model": "m",
        "tools": [{"type": "function", "function": {"name": "f", "typo": 1}}],
        "reasoning_effort": None,
        "temperatur": 1.0,
    }
    assert sorted(undeclared(Assistant.model_validate(data))) == [
        "$.temperatur",
        "$.tools[0].function.typo",
    ]


def test_the_allowed_differences_are_all_needed(
    assistants_mock: MockServer, assistants_client: OpenAI, http: httpx.Client
) -> None:
    """Every entry of the table excuses something the server really sends."""
    used: set[Key] = set()
    for call in CALLS:
        assistants_mock.reset()
        world = build_world(http, real_references(assistants_client))
        used |= failure_keys(call.schema, call.send(world).json())
    assert set(ALLOWED_DIFFERENCES) <= used


# --- the vendored schemas --------------------------------------------------------------------


def test_vendored_schemas_hold_every_root_and_are_valid_schemas() -> None:
    schemas = vendored()["components"]["schemas"]
    assert set(ROOTS) <= set(schemas)
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.skipif(not SPEC.exists(), reason=f"the spec is not at {SPEC}")
def test_vendored_schemas_are_up_to_date() -> None:
    expected = render(extract(load_spec(SPEC)))
    assert OUTPUT.read_text(encoding="utf-8") == expected, (
        "tests/contract/assistants_schemas.json is stale: "
        "run python tests/contract/extract_schemas.py"
    )


# --- wire details the schemas do not pin -----------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/assistants/{a}", "/threads/{t}/messages/{m}", "/threads/{t}"],
    ids=["assistant", "message", "thread"],
)  # fmt: skip
def test_deleted_objects_have_the_real_key_order(world: World, path: str) -> None:
    body = world.send("DELETE", path).json()
    assert list(body) == ["id", "object", "deleted"]
