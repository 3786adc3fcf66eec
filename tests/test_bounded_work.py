"""Nothing a client sends makes one request costly: the code interpreter's calculator,
scripted message patterns and search filters, each through HTTP (issue 11, part 3)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai import BadRequestError, OpenAI

from mock_server import MockServer
from mock_server.arithmetic import MAX_EXPRESSION, TOO_LARGE, evaluate
from mock_server.script import ScriptError

from .conftest import upload
from .sdk import httpx, require_method, vector_stores
from .subprocesses import finish, mock_server

# --- the code interpreter's calculator -------------------------------------------------------


def code_logs(client: OpenAI, prompt: str) -> tuple[str, str]:
    """The run's status and what its code interpreter call logged."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": prompt}]}
    )
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id, order="asc")
    details = steps.data[0].step_details
    assert details.type == "tool_calls"
    call = details.tool_calls[0]
    assert call.type == "code_interpreter"
    logs = [o.logs for o in call.code_interpreter.outputs if o.type == "logs"]
    return run.status, logs[0]


@pytest.mark.parametrize(
    ("prompt", "logs"),
    [
        ("compute 1*((9^64)^64)^2", TOO_LARGE),  # past Python's 4,300 printable digits
        ("compute 1*((((9^64)^64)^64)^64)", TOO_LARGE),  # once 15 s of one core
        ("compute 2^100", str(2**100)),  # was refused (exponents above 64)
        ("compute 1/0", "ZeroDivisionError: division by zero"),
        ("compute 2.5^4000", TOO_LARGE),  # a float overflow
    ],
    ids=["digits", "time", "big-but-fine", "zero-division", "float-overflow"],
)
def test_the_calculator_answers_every_expression(
    assistants_client: OpenAI, prompt: str, logs: str
) -> None:
    assert code_logs(assistants_client, prompt) == ("completed", logs)


numbers = st.one_of(st.integers(0, 10**30).map(str), st.floats(0, 1e30, allow_nan=False).map(repr))


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 4 or draw(st.booleans()):
        return draw(numbers)
    op = draw(st.sampled_from(["+", "-", "*", "/", "%", "^", "**", "//"]))
    left, right = draw(expressions(depth + 1)), draw(expressions(depth + 1))
    return f"({left}){op}({right})" if draw(st.booleans()) else f"{left}{op}{right}"


@settings(max_examples=400, deadline=None)
@given(expressions())
def test_any_arithmetic_is_computed_or_a_log(expression: str) -> None:
    logs = evaluate(expression)
    assert logs is None or (isinstance(logs, str) and 0 < len(logs) <= 4_300)


def test_an_overlong_expression_is_not_computed() -> None:
    assert evaluate("1+" * MAX_EXPRESSION + "1") == TOO_LARGE


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(expression=expressions())
def test_any_arithmetic_prompt_completes_its_run(
    assistants_client: OpenAI, expression: str
) -> None:
    status, logs = code_logs(assistants_client, f"compute {expression}")
    assert status == "completed"
    assert logs


# --- scripted message patterns -------------------------------------------------------------


def test_a_backtracking_pattern_matches_in_linear_time(assistants_mock: MockServer) -> None:
    assistants_mock.script(message="(a+)+$", turns=[{"text": "matched"}])
    client = assistants_mock.client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    # With Python's re this prompt would take about 2**40 steps; RE2 reads it once.
    for text, expected in (("a" * 40 + "!", False), ("A" * 40, True)):
        run = client.beta.threads.create_and_run_poll(
            assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": text}]}
        )
        reply = client.beta.threads.messages.list(run.thread_id).data[0].content[0]
        assert reply.type == "text"
        assert (reply.text.value == "matched") is expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(", "missing ): ("),
        ("(a)\\1", "invalid escape sequence: \\1"),
        ("(?=a)", "invalid perl operator: (?="),
        ("a{1001}", "invalid repetition size: {1001}"),
    ],
    ids=["unbalanced", "backreference", "lookahead", "repetition"],
)
def test_patterns_re2_refuses_are_400s(
    assistants_mock: MockServer, pattern: str, reason: str
) -> None:
    url = f"http://127.0.0.1:{assistants_mock.port}/assistants-mock/script"
    answer = httpx.post(url, json={"message": pattern, "turns": [{"text": "x"}]})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"] == (
        f"Invalid 'message': Value error, not a regular expression RE2 accepts ({reason}); "
        "see the README's scripting section: no backreferences or lookaround."
    )
    assert error["param"] == "message"
    with pytest.raises(ScriptError, match="not a regular expression RE2 accepts"):
        assistants_mock.script(message=pattern, turns=[{"text": "x"}])


def test_serve_names_a_bad_pattern_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - message: '('\n    turns: [{text: x}]\n")
    done = finish(mock_server("serve", "--scenario", str(bad), "--port", "0"))
    assert done.returncode == 2  # a bad input, as argparse exits
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(
        f"assistants-mock: bad scenario: {bad}: Invalid 'rules[0].message': Value error, "
        "not a regular expression RE2 accepts (missing ): ()"
    )


# --- search filters --------------------------------------------------------------------------


@pytest.fixture
def store(assistants_client: OpenAI) -> str:
    stores = vector_stores(assistants_client)
    require_method(stores, "search")
    file_id = upload(assistants_client, "penguins.txt", b"Penguins eat krill.")
    store_id = stores.create(file_ids=[file_id]).id
    stores.files.update(
        file_id, vector_store_id=store_id, attributes={"author": "Ann", "year": 2020}
    )
    return store_id


def search(client: OpenAI, store: str, filters: Any) -> httpx.Response:
    answer: httpx.Response = (
        vector_stores(client)
        .with_raw_response.search(store, query="penguins", filters=filters)
        .http_response
    )
    return answer


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {"type": "and", "filters": [1]},
            (
                "Invalid type for 'filters.filters[0]': expected an object, "
                "but got an integer instead.",
                "filters.filters[0]",
                "invalid_type",
            ),
        ),
        (
            {"type": "AAA", "key": {}},
            (
                "Invalid value: 'AAA'. Supported values are: 'eq', 'ne', 'gt', 'gte', 'lt', "
                "'lte', 'in', 'nin', 'and', and 'or'.",
                "filters.type",
                "invalid_value",
            ),
        ),
        (
            {"type": "eq", "key": "author"},
            (
                "Missing required parameter: 'filters.value'.",
                "filters.value",
                "missing_required_parameter",
            ),
        ),
        (
            {"type": "or", "filters": [{"type": "eq", "key": "a", "value": None}]},
            (
                "Invalid type for 'filters.filters[0].value': expected a string, a number, a "
                "boolean or an array of strings and numbers, but got null instead.",
                "filters.filters[0].value",
                "invalid_type",
            ),
        ),
        (
            {"type": "eq", "key": "a", "value": 1, "extra": 2},
            (
                "Unrecognized request argument supplied: filters.extra",
                None,
                None,
            ),
        ),
    ],
    ids=["compound-of-number", "unknown-type", "no-value", "null-value", "unknown-key"],
)
def test_bad_filters_are_400s(
    assistants_client: OpenAI,
    store: str,
    filters: Any,
    expected: tuple[str, str | None, str | None],
) -> None:
    with pytest.raises(BadRequestError) as raised:
        search(assistants_client, store, filters)
    message, param, code = expected
    assert raised.value.body == {
        "message": message,
        "type": "invalid_request_error",
        "param": param,
        "code": code,
    }


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({"type": "eq", "key": "author", "value": "Ann"}, True),
        ({"type": "gte", "key": "year", "value": 2021}, False),
        ({"type": "in", "key": "year", "value": [2019, 2020]}, True),
        (
            {
                "type": "or",
                "filters": [
                    {"type": "and", "filters": []},
                    {"type": "ne", "key": "author", "value": "Ann"},
                ],
            },
            True,
        ),
    ],
    ids=["eq", "gte", "in", "nested"],
)
def test_good_filters_filter(
    assistants_client: OpenAI, store: str, filters: Any, found: bool
) -> None:
    answer = search(assistants_client, store, filters)
    assert answer.status_code == 200
    assert bool(answer.json()["data"]) is found


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
filter_like = st.recursive(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["eq", "ne", "gt", "in", "nin", "and", "AAA"]) | json_values},
        optional={"key": st.sampled_from(["author", "year"]) | json_values, "value": json_values},
    ),
    lambda inner: st.fixed_dictionaries(
        {
            "type": st.sampled_from(["and", "or"]),
            "filters": st.lists(inner | json_values, max_size=3),
        }
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def search_url() -> Iterator[str]:
    """One server and store for every example (a fixture per example would be refused)."""
    with MockServer() as server:
        client = server.client()
        stores = vector_stores(client)
        require_method(stores.files, "update")
        file_id = upload(client, "penguins.txt", b"Penguins eat krill.")
        store_id = stores.create(file_ids=[file_id]).id
        stores.files.update(
            file_id, vector_store_id=store_id, attributes={"author": "Ann", "year": 2020}
        )
        yield f"{server.base_url}/vector_stores/{store_id}/search"


@settings(max_examples=100, deadline=None)
@given(filters=filter_like | json_values)
def test_any_filter_json_is_a_200_or_a_400_in_the_envelope(search_url: str, filters: Any) -> None:
    answer = httpx.post(
        search_url,
        headers={"authorization": "Bearer sk-test"},
        content=json.dumps({"query": "penguins", "filters": filters}),
    )
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert list(answer.json()) == ["error"]
        assert list(answer.json()["error"]) == ["message", "type", "param", "code"]
