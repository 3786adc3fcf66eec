"""Bad requests get the real API's errors: status, envelope, `param`, `code` and wording.

One table of raw HTTP requests (the SDK cannot send most of these), then the SDK's view of
the same errors: the exception class and its `request_id`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from openai import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    Omit,
    OpenAI,
)

from mock_server import MockServer

from .sdk import httpx

KEY = "Bearer sk-test"
MALFORMED = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON. If you have trouble figuring out how to fix this, please contact "
    "us through our help center at help.openai.com.)"
)
NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
    "(with blank username) if you're accessing the API from your browser and are prompted for "
    "a username. You can obtain an API key from https://platform.openai.com/account/api-keys."
)
NO_BETA = (
    "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again "
    "by setting the header 'OpenAI-Beta: assistants=v2'."
)
OLD_BETA = (
    "The v1 Assistants API has been deprecated. Please try again by setting the header "
    "'OpenAI-Beta: assistants=v2'."
)
REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")


@dataclass(frozen=True)
class Bad:
    """One bad request and the error it must get.

    `path` may hold `{thread}`: a thread that exists. `headers` override the defaults
    (a valid key and the beta header); a `None` value leaves that header out.
    """

    id: str
    method: str
    path: str
    status: int
    message: str
    param: str | None = None
    code: str | None = None
    json: Any = None
    content: bytes | None = None
    params: dict[str, str | int] = field(default_factory=dict)
    headers: dict[str, str | None] = field(default_factory=dict)


def create(json: Any, path: str = "/assistants") -> dict[str, Any]:
    return {"method": "POST", "path": path, "json": json}


def too_long(param: str, limit: int, noun: str = "string") -> str:
    article = "a" if noun == "string" else "an"
    return (
        f"Invalid '{param}': {noun} too long. Expected {article} {noun} with maximum length "
        f"{limit}, but got {article} {noun} with length {limit + 1} instead."
    )


def not_found(kind: str, object_id: str) -> dict[str, Any]:
    return {"status": 404, "message": f"No {kind} found with id '{object_id}'."}


def invalid_value(value: str, supported: str, param: str) -> dict[str, Any]:
    return {
        "status": 400,
        "message": f"Invalid value: '{value}'. Supported values are: {supported}.",
        "param": param,
        "code": "invalid_value",
    }


GPT = {"model": "gpt-4o"}
MESSAGES = "/threads/{thread}/messages"

CASES = [
    # --- the body as a whole ---------------------------------------------------------------
    Bad("malformed-json", "POST", "/assistants", 400, MALFORMED, content=b'{"model": "gpt-4o",'),
    Bad("not-json-at-all", "POST", "/threads", 400, MALFORMED, content=b"model=gpt-4o"),
    Bad(
        "body-is-an-array",
        **create([GPT]),
        status=400,
        message="Invalid type for request body: expected an object, but got an array instead.",
        code="invalid_type",
    ),
    Bad(
        "unknown-field",
        **create(GPT | {"foo": 1}),
        status=400,
        message="Unrecognized request argument supplied: foo",
    ),
    Bad(
        "unknown-field-on-modify",
        **create({"foo": 1}, "/threads/{thread}"),
        status=400,
        message="Unrecognized request argument supplied: foo",
    ),
    Bad(
        "missing-model",
        **create({"name": "x"}),
        status=400,
        message="Missing required parameter: 'model'.",
        param="model",
        code="missing_required_parameter",
    ),
    Bad(
        "empty-body-missing-model",
        "POST",
        "/assistants",
        400,
        "Missing required parameter: 'model'.",
        param="model",
        code="missing_required_parameter",
        content=b"",
    ),
    # --- types -----------------------------------------------------------------------------
    Bad(
        "name-is-an-integer",
        **create(GPT | {"name": 5}),
        status=400,
        message="Invalid type for 'name': expected a string, but got an integer instead.",
        param="name",
        code="invalid_type",
    ),
    Bad(
        "model-is-null",
        **create({"model": None}),
        status=400,
        message="Invalid type for 'model': expected a string, but got null instead.",
        param="model",
        code="invalid_type",
    ),
    Bad(
        "metadata-value-is-a-boolean",
        **create(GPT | {"metadata": {"a": True}}),
        status=400,
        message="Invalid type for 'metadata.a': expected a string, but got a boolean instead.",
        param="metadata.a",
        code="invalid_type",
    ),
    Bad(
        "metadata-is-an-array",
        **create({"metadata": ["a"]}, "/threads"),
        status=400,
        message="Invalid type for 'metadata': expected an object, but got an array instead.",
        param="metadata",
        code="invalid_type",
    ),
    Bad(
        "temperature-is-a-string",
        **create(GPT | {"temperature": "1"}),
        status=400,
        message="Invalid type for 'temperature': expected a number, but got a string instead.",
        param="temperature",
        code="invalid_type",
    ),
    Bad(
        "tool-is-not-an-object",
        **create(GPT | {"tools": ["code_interpreter"]}),
        status=400,
        message="Invalid type for 'tools[0]': expected an object, but got a string instead.",
        param="tools[0]",
        code="invalid_type",
    ),
    # --- limits ----------------------------------------------------------------------------
    Bad(
        "metadata-17-pairs",
        **create(GPT | {"metadata": {f"k{i}": "v" for i in range(17)}}),
        status=400,
        message="Invalid 'metadata': too many properties. Expected an object with at most 16 "
        "properties, but got an object with 17 properties instead.",
        param="metadata",
        code="object_above_max_properties",
    ),
    Bad(
        "metadata-key-65-chars",
        **create(GPT | {"metadata": {"k" * 65: "v"}}),
        status=400,
        message=f"Invalid property name in 'metadata': '{'k' * 65}' is too long. Expected a "
        "string with maximum length 64, but got a string with length 65 instead.",
        param="metadata",
        code="string_above_max_length",
    ),
    Bad(
        "metadata-value-513-chars",
        **create(GPT | {"metadata": {"k": "v" * 513}}),
        status=400,
        message=too_long("metadata.k", 512),
        param="metadata.k",
        code="string_above_max_length",
    ),
    Bad(
        "nested-metadata-value-513-chars",
        "POST",
        "/threads",
        400,
        too_long("messages[0].metadata.k", 512),
        param="messages[0].metadata.k",
        code="string_above_max_length",
        json={"messages": [{"role": "user", "content": "x", "metadata": {"k": "v" * 513}}]},
    ),
    Bad(
        "name-257-chars",
        **create(GPT | {"name": "n" * 257}),
        status=400,
        message=too_long("name", 256),
        param="name",
        code="string_above_max_length",
    ),
    Bad(
        "description-513-chars",
        **create(GPT | {"description": "d" * 513}),
        status=400,
        message=too_long("description", 512),
        param="description",
        code="string_above_max_length",
    ),
    Bad(
        "instructions-256001-chars",
        **create(GPT | {"instructions": "i" * 256_001}),
        status=400,
        message=too_long("instructions", 256_000),
        param="instructions",
        code="string_above_max_length",
    ),
    Bad(
        "129-tools",
        **create(GPT | {"tools": [{"type": "code_interpreter"}] * 129}),
        status=400,
        message=too_long("tools", 128, "array"),
        param="tools",
        code="array_above_max_length",
    ),
    Bad(
        "temperature-above-2",
        **create(GPT | {"temperature": 2.5}),
        status=400,
        message="Invalid 'temperature': decimal above maximum value. Expected a value <= 2, "
        "but got 2.5 instead.",
        param="temperature",
        code="decimal_above_max_value",
    ),
    # --- enums and tagged unions -----------------------------------------------------------
    Bad(
        "unknown-tool-type",
        **create(GPT | {"tools": [{"type": "browser"}]}),
        **invalid_value(
            "browser", "'code_interpreter', 'file_search', and 'function'", "tools[0].type"
        ),
    ),
    Bad(
        "tool-without-type",
        **create(GPT | {"tools": [{}]}),
        status=400,
        message="Missing required parameter: 'tools[0].type'.",
        param="tools[0].type",
        code="missing_required_parameter",
    ),
    Bad(
        "function-tool-without-function",
        **create(GPT | {"tools": [{"type": "function"}]}),
        status=400,
        message="Missing required parameter: 'tools[0].function'.",
        param="tools[0].function",
        code="missing_required_parameter",
    ),
    Bad(
        "unknown-reasoning-effort",
        **create(GPT | {"reasoning_effort": "extreme"}),
        **invalid_value(
            "extreme",
            "'none', 'minimal', 'low', 'medium', 'high', 'xhigh', and 'max'",
            "reasoning_effort",
        ),
    ),
    Bad(
        "wrong-role",
        **create({"role": "bot", "content": "x"}, MESSAGES),
        **invalid_value("bot", "'user' and 'assistant'", "role"),
    ),
    Bad(
        "role-is-an-integer",
        **create({"role": 1, "content": "x"}, MESSAGES),
        status=400,
        message="Invalid type for 'role': expected one of 'user' or 'assistant', but got an "
        "integer instead.",
        param="role",
        code="invalid_type",
    ),
    Bad(
        "reasoning-effort-is-an-array",
        **create(GPT | {"reasoning_effort": ["low"]}),
        status=400,
        message="Invalid type for 'reasoning_effort': expected one of 'none', 'minimal', 'low', "
        "'medium', 'high', 'xhigh', or 'max', but got an array instead.",
        param="reasoning_effort",
        code="invalid_type",
    ),
    Bad(
        "wrong-role-in-thread-messages",
        **create({"messages": [{"role": "bot", "content": "x"}]}, "/threads"),
        **invalid_value("bot", "'user' and 'assistant'", "messages[0].role"),
    ),
    Bad(
        "missing-content",
        **create({"role": "user"}, MESSAGES),
        status=400,
        message="Missing required parameter: 'content'.",
        param="content",
        code="missing_required_parameter",
    ),
    Bad(
        "empty-content-array",
        **create({"role": "user", "content": []}, MESSAGES),
        status=400,
        message="Invalid 'content': empty array. Expected an array with minimum length 1, "
        "but got an empty array instead.",
        param="content",
        code="empty_array",
    ),
    Bad(
        "unknown-content-part",
        **create({"role": "user", "content": [{"type": "video", "video": {}}]}, MESSAGES),
        **invalid_value("video", "'text', 'image_file', and 'image_url'", "content[0].type"),
    ),
    Bad(
        "unknown-image-detail",
        **create(
            {
                "role": "user",
                "content": [{"type": "image_file", "image_file": {"file_id": "f", "detail": "x"}}],
            },
            MESSAGES,
        ),
        **invalid_value("x", "'auto', 'low', and 'high'", "content[0].image_file.detail"),
    ),
    Bad(
        "attachment-tool-function",
        **create(
            {
                "role": "user",
                "content": "x",
                "attachments": [{"file_id": "f", "tools": [{"type": "function"}]}],
            },
            MESSAGES,
        ),
        **invalid_value(
            "function", "'code_interpreter' and 'file_search'", "attachments[0].tools[0].type"
        ),
    ),
    # --- unknown ids -----------------------------------------------------------------------
    Bad("get-unknown-assistant", "GET", "/assistants/asst_x", **not_found("assistant", "asst_x")),
    Bad(
        "modify-unknown-assistant",
        **create({"name": "x"}, "/assistants/asst_x"),
        **not_found("assistant", "asst_x"),
    ),
    Bad(
        "delete-unknown-assistant",
        "DELETE",
        "/assistants/asst_x",
        **not_found("assistant", "asst_x"),
    ),
    Bad("get-unknown-thread", "GET", "/threads/thread_x", **not_found("thread", "thread_x")),
    Bad(
        "modify-unknown-thread",
        **create({"metadata": {}}, "/threads/thread_x"),
        **not_found("thread", "thread_x"),
    ),
    Bad("delete-unknown-thread", "DELETE", "/threads/thread_x", **not_found("thread", "thread_x")),
    Bad(
        "list-messages-of-unknown-thread",
        "GET",
        "/threads/thread_x/messages",
        **not_found("thread", "thread_x"),
    ),
    Bad(
        "message-in-unknown-thread",
        **create({"role": "user", "content": "x"}, "/threads/thread_x/messages"),
        **not_found("thread", "thread_x"),
    ),
    Bad("get-unknown-message", "GET", MESSAGES + "/msg_x", **not_found("message", "msg_x")),
    Bad(
        "modify-unknown-message",
        **create({"metadata": {}}, MESSAGES + "/msg_x"),
        **not_found("message", "msg_x"),
    ),
    Bad("delete-unknown-message", "DELETE", MESSAGES + "/msg_x", **not_found("message", "msg_x")),
    # --- list queries ----------------------------------------------------------------------
    Bad(
        "unknown-after-cursor",
        "GET",
        "/assistants",
        400,
        "Invalid 'after': no object with id 'nope' is in this list.",
        param="after",
        code="invalid_value",
        params={"after": "nope"},
    ),
    Bad(
        "unknown-before-cursor",
        "GET",
        MESSAGES,
        400,
        "Invalid 'before': no object with id 'nope' is in this list.",
        param="before",
        code="invalid_value",
        params={"before": "nope"},
    ),
    Bad(
        "limit-0",
        "GET",
        "/assistants",
        400,
        "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead.",
        param="limit",
        code="integer_below_min_value",
        params={"limit": 0},
    ),
    Bad(
        "limit-101",
        "GET",
        MESSAGES,
        400,
        "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 101 "
        "instead.",
        param="limit",
        code="integer_above_max_value",
        params={"limit": 101},
    ),
    Bad(
        "limit-not-a-number",
        "GET",
        "/assistants",
        400,
        "Invalid type for 'limit': expected an integer, but got a string instead.",
        param="limit",
        code="invalid_type",
        params={"limit": "ten"},
    ),
    Bad(
        "order-sideways",
        "GET",
        "/assistants",
        params={"order": "sideways"},
        **invalid_value("sideways", "'asc' and 'desc'", "order"),
    ),
    # --- routes and headers ----------------------------------------------------------------
    Bad("unknown-route", "GET", "/nope", 404, "Invalid URL (GET /v1/nope)"),
    Bad("unknown-method", "PUT", "/assistants", 404, "Invalid URL (PUT /v1/assistants)"),
    Bad(
        "no-authorization",
        "GET",
        "/assistants",
        401,
        NO_KEY,
        headers={"Authorization": None},
    ),
    Bad(
        "not-bearer-auth",
        "GET",
        "/threads/{thread}",
        401,
        NO_KEY,
        headers={"Authorization": "Basic c2stdGVzdDo="},
    ),
    Bad(
        "no-beta-header",
        **create(GPT),
        status=400,
        message=NO_BETA,
        code="invalid_beta",
        headers={"OpenAI-Beta": None},
    ),
    Bad(
        "no-beta-header-on-messages",
        "GET",
        MESSAGES,
        400,
        NO_BETA,
        code="invalid_beta",
        headers={"OpenAI-Beta": None},
    ),
    Bad(
        "beta-header-v1",
        "GET",
        "/assistants",
        400,
        OLD_BETA,
        code="invalid_beta",
        headers={"OpenAI-Beta": "assistants=v1"},
    ),
    # /files and /vector_stores never require the beta header: their own errors come back.
    Bad(
        "files-need-no-beta-header",
        "GET",
        "/files/file-nope",
        404,
        "No such File object: file-nope",
        param="id",
        headers={"OpenAI-Beta": None},
    ),
    Bad(
        "vector-stores-need-no-beta-header",
        "POST",
        "/vector_stores",
        400,
        "Unrecognized request argument supplied: colour",
        json={"colour": "blue"},
        headers={"OpenAI-Beta": None},
    ),
]


@pytest.fixture
def raw(assistants_mock: MockServer) -> Iterator[httpx.Client]:
    """A plain HTTP client for the server, sending no headers of its own."""
    with httpx.Client(base_url=assistants_mock.base_url, headers={}) as client:
        yield client


@pytest.fixture
def thread_id(raw: httpx.Client) -> str:
    response = raw.post(
        "/threads", json={}, headers={"Authorization": KEY, "OpenAI-Beta": "assistants=v2"}
    )
    assert response.status_code == 200
    thread: str = response.json()["id"]
    return thread


def send(raw: httpx.Client, case: Bad, thread_id: str) -> httpx.Response:
    headers = {"Authorization": KEY, "OpenAI-Beta": "assistants=v2"} | case.headers
    return raw.request(
        case.method,
        case.path.replace("{thread}", thread_id),
        json=case.json,
        content=case.content,
        params=case.params,
        headers={k: v for k, v in headers.items() if v is not None},
    )


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_request(raw: httpx.Client, thread_id: str, case: Bad) -> None:
    response = send(raw, case, thread_id)
    assert (response.status_code, response.json()) == (
        case.status,
        {
            "error": {
                "message": case.message,
                "type": "invalid_request_error",
                "param": case.param,
                "code": case.code,
            }
        },
    )
    assert response.headers["content-type"] == "application/json"
    assert REQUEST_ID.fullmatch(response.headers["x-request-id"])
    assert response.headers["openai-version"] == "2020-10-01"


def test_the_table_has_no_duplicate_ids() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


GARBAGE: list[tuple[str, str, Any]] = [
    # (id, path, body): odd inputs whose exact wording nothing pins down; each must still be
    # a 400 in OpenAI's envelope, never FastAPI's 422 `{"detail": ...}` nor a 500.
    ("nested-junk", "/assistants", {"model": {"nested": ["deep"]}, "tools": [[], None, 1]}),
    (
        "function-null",
        "/assistants",
        {"model": "m", "tools": [{"type": "function", "function": None}]},
    ),
    (
        "resources-string",
        "/assistants",
        {"model": "m", "tool_resources": {"code_interpreter": "all"}},
    ),
    (
        "json-schema-missing",
        "/assistants",
        {"model": "m", "response_format": {"type": "json_schema"}},
    ),
    ("infinity", "/assistants", b'{"model": "m", "top_p": 1e999}'),
    ("nan", "/assistants", b'{"model": "m", "temperature": NaN}'),
    ("huge-integer", "/assistants", {"model": "m", "temperature": 10**400}),
    ("lone-surrogate", "/assistants", b'{"model": "\\ud800"}'),
    ("not-utf8", "/assistants", b"\xff\xfe{}"),
    ("deep-nesting", "/threads", b"[" * 10_000),
    ("messages-string", "/threads", {"messages": "hello"}),
    ("message-null", "/threads", {"messages": [None]}),
    (
        "two-vector-stores",
        "/threads",
        {"tool_resources": {"file_search": {"vector_store_ids": ["a", "b"]}}},
    ),
    ("text-null", MESSAGES, {"role": "user", "content": [{"type": "text", "text": None}]}),
    ("content-object", MESSAGES, {"role": "user", "content": {"type": "text"}}),
    ("role-array", MESSAGES, {"role": ["user"], "content": "x"}),
    ("attachments-string", MESSAGES, {"role": "user", "content": "x", "attachments": "file-1"}),
    ("metadata-string", MESSAGES + "/msg_x", {"metadata": "x"}),
]


@pytest.mark.parametrize(("path", "body"), [g[1:] for g in GARBAGE], ids=[g[0] for g in GARBAGE])
def test_garbage_is_a_400_in_the_envelope(
    raw: httpx.Client, thread_id: str, path: str, body: Any
) -> None:
    garbage = Bad(
        "garbage",
        "POST",
        path,
        400,
        "",
        json=None if isinstance(body, bytes) else body,
        content=body if isinstance(body, bytes) else None,
    )
    response = send(raw, garbage, thread_id)
    assert response.status_code == 400
    assert list(response.json()) == ["error"]
    error = response.json()["error"]
    assert list(error) == ["message", "type", "param", "code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["type"] == "invalid_request_error"


# --- the SDK's view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SDKCase:
    id: str
    call: Callable[[OpenAI, str], object]
    exception: type[APIStatusError]
    status: int
    body: dict[str, Any]


SDK_CASES = [
    SDKCase(
        "retrieve-unknown-assistant",
        lambda c, t: c.beta.assistants.retrieve("asst_nope"),
        NotFoundError,
        404,
        {"message": "No assistant found with id 'asst_nope'.", "param": None, "code": None},
    ),
    SDKCase(
        "retrieve-unknown-message",
        lambda c, t: c.beta.threads.messages.retrieve("msg_nope", thread_id=t),
        NotFoundError,
        404,
        {"message": "No message found with id 'msg_nope'.", "param": None, "code": None},
    ),
    SDKCase(
        "extra-body-field",
        lambda c, t: c.beta.assistants.create(model="gpt-4o", extra_body={"foo": 1}),
        BadRequestError,
        400,
        {"message": "Unrecognized request argument supplied: foo", "param": None, "code": None},
    ),
    SDKCase(
        "too-much-metadata",
        lambda c, t: c.beta.threads.create(metadata={str(i): "v" for i in range(17)}),
        BadRequestError,
        400,
        {
            "message": "Invalid 'metadata': too many properties. Expected an object with at most "
            "16 properties, but got an object with 17 properties instead.",
            "param": "metadata",
            "code": "object_above_max_properties",
        },
    ),
    SDKCase(
        "wrong-role",
        lambda c, t: c.beta.threads.messages.create(t, role=cast(Any, "bot"), content="x"),
        BadRequestError,
        400,
        {
            "message": "Invalid value: 'bot'. Supported values are: 'user' and 'assistant'.",
            "param": "role",
            "code": "invalid_value",
        },
    ),
    SDKCase(
        "limit-0",
        lambda c, t: c.beta.assistants.list(limit=0),
        BadRequestError,
        400,
        {
            "message": "Invalid 'limit': integer below minimum value. Expected a value >= 1, "
            "but got 0 instead.",
            "param": "limit",
            "code": "integer_below_min_value",
        },
    ),
    SDKCase(
        "no-api-key",
        lambda c, t: c.beta.assistants.list(extra_headers={"Authorization": Omit()}),
        AuthenticationError,
        401,
        {"message": NO_KEY, "param": None, "code": None},
    ),
    SDKCase(
        "no-beta-header",
        lambda c, t: c.beta.threads.retrieve(t, extra_headers={"OpenAI-Beta": Omit()}),
        BadRequestError,
        400,
        {"message": NO_BETA, "param": None, "code": "invalid_beta"},
    ),
]


@pytest.mark.parametrize("case", SDK_CASES, ids=[case.id for case in SDK_CASES])
def test_sdk_raises_the_right_exception(assistants_client: OpenAI, case: SDKCase) -> None:
    thread = assistants_client.beta.threads.create().id
    with pytest.raises(APIStatusError) as info:
        case.call(assistants_client, thread)
    error = info.value
    assert type(error) is case.exception
    assert error.status_code == case.status
    assert error.body == case.body | {"type": "invalid_request_error"}
    assert (error.code, error.param, error.type) == (
        case.body["code"],
        case.body["param"],
        "invalid_request_error",
    )
    assert error.request_id is not None
    assert REQUEST_ID.fullmatch(error.request_id)
    assert error.request_id == error.response.headers["x-request-id"]


@pytest.mark.assistants_mock(api_key="sk-right-key")
def test_a_wrong_key_is_an_authentication_error(assistants_mock: MockServer) -> None:
    with assistants_mock.client(api_key="sk-wrong-key") as client:
        with pytest.raises(AuthenticationError) as info:
            client.beta.assistants.list()
        assert info.value.body == {
            "message": "Incorrect API key provided: sk-*****-key. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
        assert info.value.request_id is not None
    with assistants_mock.client(api_key="sk-right-key") as client:
        assert client.beta.assistants.list().data == []


@pytest.mark.assistants_mock(require_beta_header=False)
def test_the_beta_header_can_be_made_optional(assistants_mock: MockServer) -> None:
    with httpx.Client(base_url=assistants_mock.base_url) as raw:
        response = raw.post("/assistants", json=GPT, headers={"Authorization": KEY})
    assert response.status_code == 200
    assert response.json()["object"] == "assistant"


@pytest.mark.assistants_mock(require_auth=False)
def test_auth_can_be_turned_off(assistants_mock: MockServer) -> None:
    with httpx.Client(base_url=assistants_mock.base_url) as raw:
        response = raw.get("/assistants", headers={"OpenAI-Beta": "assistants=v2"})
    assert response.status_code == 200
