"""`tool_check` and `Turn.failure` without HTTP: which scripted calls the real model could
make on a run (the acceptance tests, through the SDK, are in test_script.py)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from typing import Any

import pytest

from mock_server.script import Rule, Script, Turn
from mock_server.tool_check import MAX_REASON, check_calls, strict_schema

POINT = {
    "type": "object",
    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
    "required": ["x"],
}


def function(name: str, parameters: Any = None, **extra: Any) -> dict[str, Any]:
    spec = {"name": name, **({"parameters": parameters} if parameters is not None else {})}
    return {"type": "function", "function": spec | extra}


def run(*tools: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"tools": list(tools), "tool_choice": "auto", "parallel_tool_calls": True} | options


def call(name: str, arguments: object = None) -> tuple[str, str]:
    return name, arguments if isinstance(arguments, str) else json.dumps(arguments or {})


@pytest.mark.parametrize(
    ("calls", "the_run", "reason"),
    [
        ([call("plot", {"x": 1})], run(function("plot", POINT)), None),
        ([call("plot", {"x": 1, "z": 0})], run(function("plot", POINT)), None),
        ([call("anything", {"a": [1]})], run(function("anything")), None),
        (
            [call("plto")],
            run(function("plot", POINT), function("draw"), {"type": "code_interpreter"}),
            "function 'plto' is not one of the run's functions ('plot', 'draw')",
        ),
        ([call("plot")], run({"type": "file_search"}), "run's functions (none)"),
        ([call("plot")], {}, "run's functions (none)"),
        (
            [call("plot", {"x": "1"})],
            run(function("plot", POINT)),
            "function 'plot': arguments do not match its parameters: at $.x, "
            "'1' is not of type 'number'",
        ),
        ([call("plot", "[1]")], run(function("plot", POINT)), "not a JSON object"),
        ([call("plot", "{")], run(function("plot", POINT)), "arguments are not JSON ("),
        (
            [call("plot", {"x": 1, "z": 0})],
            run(function("plot", POINT, strict=True)),
            "(strict: every property required, no others): at $, 'y' is a required property",
        ),
        (
            [call("now", {"tz": "UTC"})],
            run(function("now", strict=True)),
            "Additional properties are not allowed ('tz' was unexpected)",
        ),
        ([call("plot", {"x": 1})], run(function("plot"), tool_choice="none"), "is 'none'"),
        (
            [call("plot", {"x": 1})],
            run(function("plot"), tool_choice="required"),
            None,
        ),
        (
            [call("plot", {"x": 1})],
            run(function("plot"), tool_choice={"type": "function", "function": {"name": "plot"}}),
            None,
        ),
        (
            [call("plot"), call("plot")],
            run(function("plot"), parallel_tool_calls=False),
            "2 calls, but the run's parallel_tool_calls is false",
        ),
        ([call("plot"), call("plot")], run(function("plot")), None),
    ],
    ids=[
        "valid",
        "extra-key-not-strict",
        "no-parameters-takes-any-object",
        "unknown-function-lists-the-functions",
        "no-functions",
        "no-tools-at-all",
        "wrong-type",
        "not-an-object",
        "not-json",
        "strict-requires-every-property",
        "strict-without-parameters-takes-nothing",
        "choice-none",
        "choice-required",
        "choice-this-function",
        "one-call-at-most",
        "parallel",
    ],
)
def test_check_calls(
    calls: list[tuple[str, str]], the_run: dict[str, Any], reason: str | None
) -> None:
    found = check_calls(calls, the_run)
    if reason is None:
        assert found is None
    else:
        assert found is not None
        assert reason in found


def test_the_first_call_that_breaks_a_rule_is_named() -> None:
    the_run = run(function("plot", POINT), function("draw"))
    found = check_calls([call("draw"), call("plot", {}), call("erase")], the_run)
    assert found == (
        "function 'plot': arguments do not match its parameters: at $, 'x' is a required property"
    )


def test_a_long_value_is_cut() -> None:
    found = check_calls([call("plot", {"x": "9" * 5_000})], run(function("plot", POINT)))
    assert found is not None
    assert len(found) == MAX_REASON


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.mark.parametrize(
    "parameters",
    [
        {"$ref": "https://example.com/point.json"},
        {"type": "object", "properties": {"x": {"type": "strnig"}}},
        {"type": "object", "properties": {"x": {"type": "string", "pattern": "("}}},
    ],
    ids=["remote-ref", "invalid-type", "invalid-pattern"],
)
def test_a_schema_that_cannot_be_used_checks_nothing_and_fetches_nothing(
    no_network: list[object], parameters: dict[str, Any]
) -> None:
    assert check_calls([call("f", {"x": 1})], run(function("f", parameters))) is None
    assert no_network == []


def test_local_refs_are_followed() -> None:
    parameters = {
        "$defs": {"point": POINT},
        "type": "object",
        "properties": {"points": {"type": "array", "items": {"$ref": "#/$defs/point"}}},
    }
    found = check_calls([call("f", {"points": [{"x": 1}, {}]})], run(function("f", parameters)))
    assert found is not None
    assert "at $.points[1], 'x' is a required property" in found


def test_strict_schema_closes_every_object_it_reaches() -> None:
    schema = {
        "type": "object",
        "properties": {
            "points": {"type": "array", "items": POINT},
            "label": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/styled"}]},
            "properties": {"type": "string"},  # a property named like the keyword
        },
        "$defs": {"styled": {"type": "object", "properties": {"text": {"type": "string"}}}},
        "additionalProperties": False,
        "enum": [{"properties": {}}],  # values, not schemas: left alone
    }
    closed = strict_schema(schema)
    assert closed["required"] == ["points", "label", "properties"]
    assert closed["properties"]["points"]["items"] == POINT | {
        "required": ["x", "y"],
        "additionalProperties": False,
    }
    assert closed["properties"]["properties"] == {"type": "string"}
    assert closed["$defs"]["styled"]["additionalProperties"] is False
    assert closed["$defs"]["styled"]["required"] == ["text"]
    assert closed["properties"]["label"]["anyOf"][0] == {"type": "string"}
    assert closed["enum"] == [{"properties": {}}]
    assert POINT["required"] == ["x"]  # the original is not touched
    assert strict_schema({"type": "object", "additionalProperties": True}) == {
        "type": "object",
        "additionalProperties": True,
    }


def test_a_turn_names_its_rule_and_index() -> None:
    script = Script()
    script.add(Rule(message="hello", turns=[Turn(text="x")]))
    script.add(
        Rule.parse(
            {"assistant": "Helper", "turns": [{"text": "a"}, {"tool_calls": [{"name": "plto"}]}]}
        )
    )
    the_run = run(function("plot"))
    taken = [
        script.take(assistant_id="asst_1", assistant_name="Helper", thread_id="t", prompt="no")
        for _ in range(2)
    ]
    assert taken[0] is not None
    assert taken[0].text == "a"
    assert taken[0].failure(the_run) is None
    assert taken[1] is not None
    failure = taken[1].failure(the_run)
    assert failure is not None
    assert failure.code == "server_error"
    assert failure.message == (
        "Scripted rule 1 (assistant='Helper'), turn 1: function 'plto' is not one of the "
        "run's functions ('plot')."
    )
    # The rule as added is left as it was (what `unused` reports and tests compare).
    assert script.unused() == [{"message": "hello", "turns_left": 1}]


def test_a_scripted_failure_is_the_turns_failure() -> None:
    turn = Turn.model_validate({"fail": {"message": "Down."}})
    assert turn.failure({}) == turn.fail
    assert Turn(text="x").failure({}) is None


def test_the_server_starts_without_importing_jsonschema() -> None:
    code = (
        "import sys, mock_server.app, mock_server.cli;"
        "mock_server.app.create_app();"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jsonschema', 'referencing')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "[]\n"
