"""Scripting the fake model: what it does, per assistant, thread or message pattern, in order.

A `Rule` says which runs it applies to (an assistant by id or name, a thread id, a
regular expression searched in the latest user message) and the `Turn`s the model
takes on them, one per model turn, in order: a reply, tool calls with exact
arguments, a code interpreter run, a failure, an incomplete reply, an expiry, a delay
between deltas. The same models serve the Python API (`MockServer.script`), scenario
files (`assistants-mock serve --scenario FILE`, YAML or JSON) and the HTTP control
endpoint (`POST /assistants-mock/script`); each names the keys it does not know, and
where (`rules[0].turns[1].toolcalls`).

A scripted call must be one the real model could make on the run (see `tool_check`):
`Turn.failure` says how a turn fails the run, scripted or not.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    RootModel,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from .deferred import DEFER_BUILD
from .errors import BadRequestError
from .faults import Fault
from .patterns import check_pattern, search
from .tool_check import check_calls
from .validation import param_path, translate

__all__ = [
    "CALL_FAILURE_CODE",
    "Failure",
    "Rule",
    "Scenario",
    "ScenarioFile",
    "Script",
    "ScriptError",
    "ScriptedCall",
    "ScriptedCitation",
    "ScriptedCode",
    "Turn",
    "Upload",
    "invalid",
    "load_scenario",
]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=DEFER_BUILD)


class ScriptedCall(_Closed):
    """A function call with exact arguments (an object, or JSON text as sent)."""

    name: str
    arguments: dict[str, Any] | str = {}

    @property
    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, ensure_ascii=False, separators=(",", ":"))


class ScriptedCode(_Closed):
    """A code interpreter call: the input and what it printed or drew (never executed)."""

    input: str
    logs: str | None = None
    image_file_ids: list[str] = []


class ScriptedCitation(_Closed):
    """A `file_citation` the reply carries: a marker citing this file."""

    file_id: str


class Failure(_Closed):
    """The run fails with this `last_error`."""

    code: Literal["server_error", "rate_limit_exceeded", "invalid_prompt"] = "server_error"
    message: str = "Sorry, something went wrong."


class Turn(_Closed):
    """What the model does on one turn of a run.

    Tool calls end the turn in `requires_action` (the next turn answers the outputs);
    a code run is followed by `text` (or a report of its logs); `citations` follow the
    text as `file_citation` markers; `fail` and `expire` end the run; `incomplete` cuts
    the reply as a token limit would.
    """

    text: str | None = None
    citations: list[ScriptedCitation] = []
    tool_calls: list[ScriptedCall] = []
    code: ScriptedCode | None = None
    fail: Failure | None = None
    incomplete: bool = False
    expire: bool = False
    delay_ms: Annotated[int, Field(ge=0, le=60_000)] = 0
    _origin: str = PrivateAttr(default="A scripted turn")
    """Which rule and turn this is (`Script.add` names it), for the messages."""

    @model_validator(mode="after")
    def _one_ending(self) -> Turn:
        endings = [bool(self.tool_calls), self.fail is not None, self.expire]
        if sum(endings) > 1:
            raise ValueError("a turn ends one way: tool_calls, fail or expire")
        return self

    def failure(self, run: Mapping[str, Any]) -> Failure | None:
        """How this turn fails `run` (as rendered), or None: its scripted `fail`, or a
        tool call the real model could never make there (a function the run does not
        have, arguments its schema refuses)."""
        if self.fail is not None:
            return self.fail
        calls = [(call.name, call.arguments_json) for call in self.tool_calls]
        reason = check_calls(calls, run) if calls else None
        if reason is None:
            return None
        return Failure(code=CALL_FAILURE_CODE, message=f"{self._origin}: {reason}.")


class Rule(_Closed):
    """Which runs a script applies to, and the turns the model takes on them."""

    assistant: str | None = None
    """An assistant id, or an assistant name."""
    thread: str | None = None
    """A thread id."""
    message: str | None = None
    """A regular expression searched (case-insensitively) in the latest user message; RE2
    syntax, matched in linear time (see `patterns`)."""
    turns: Annotated[list[Turn], Field(min_length=1)]

    @field_validator("message")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        return None if pattern is None else check_pattern(pattern)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Rule:
        """A rule from its fields, or a `ScriptError` naming what is wrong, and where."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScriptError(invalid(exc, Rule).message) from None

    def describe(self) -> str:
        """`assistant='Helper', message='weather'`: what the rule matches."""
        fields = self.model_dump(exclude={"turns"}, exclude_none=True)
        return ", ".join(f"{k}={v!r}" for k, v in fields.items()) or "any run"

    def matches(self, *, assistant_id: str, assistant_name: str | None, thread_id: str,
                prompt: str) -> bool:  # fmt: skip
        if self.assistant is not None and self.assistant not in (assistant_id, assistant_name):
            return False
        if self.thread is not None and self.thread != thread_id:
            return False
        return self.message is None or search(self.message, prompt)


class Scenario(_Closed):
    """A scenario file: its rules, in order."""

    rules: list[Rule]


class ScenarioFile(Scenario):
    """A scenario file: its rules, settings for the server it scripts (checked by
    `mock_server.settings.Settings`, which applies them) and fault rules
    (`mock_server.faults`); any may be left out."""

    rules: list[Rule] = []
    settings: dict[str, Any] = {}
    faults: list[Fault] = []


def _kind(value: object) -> str:
    return "#scenario" if isinstance(value, dict) and "rules" in value else "#rule"


class Upload(
    RootModel[
        Annotated[
            Annotated[Scenario, Tag("#scenario")] | Annotated[Rule, Tag("#rule")],
            Discriminator(_kind),
        ]
    ]
):
    """What the control endpoint takes: a scenario (it has `rules`), or one rule. Tagged,
    so an error speaks of the one the body is, never of the other."""

    @property
    def rules(self) -> list[Rule]:
        return self.root.rules if isinstance(self.root, Scenario) else [self.root]

    @classmethod
    def parse(cls, body: bytes) -> Upload:
        """The control endpoint's JSON body, or the 400 naming what is wrong, and where."""
        try:
            return cls.model_validate_json(body or b"{}")
        except ValidationError as exc:
            raise invalid(exc, Rule) from None


class ScriptError(ValueError):
    """A script that cannot be used (unreadable file, bad rule)."""


CALL_FAILURE_CODE: Literal["server_error"] = "server_error"
"""The `last_error.code` of a run failed by a call the real model could never make: the
fault is the model's (here, its script), not the prompt's (`invalid_prompt`); see
docs/fidelity.md."""

_MODEL_OF: dict[str, type[BaseModel]] = {
    "rules": Rule,
    "turns": Turn,
    "tool_calls": ScriptedCall,
    "citations": ScriptedCitation,
    "code": ScriptedCode,
    "fail": Failure,
}
"""The model a list or object key holds: whose keys an unknown key sits among."""
_ARTICLE: dict[type[BaseModel], str] = {
    Scenario: "a scenario",
    ScenarioFile: "a scenario file",
    Rule: "a rule",
    Turn: "a turn",
    ScriptedCall: "a call",
    ScriptedCitation: "a citation",
    ScriptedCode: "a code run",
    Failure: "a failure",
}


def invalid(exc: ValidationError, root: type[BaseModel]) -> BadRequestError:
    """A script's validation errors as one 400: every unknown key, where it is and the keys
    known there; else the first complaint, in the real API's wording. `root` is what the
    data is when it is not tagged (a rule, or a scenario file)."""
    errors = exc.errors(include_url=False)
    unknown = [e["loc"] for e in errors if e["type"] == "extra_forbidden"]
    if not unknown:
        return translate(errors[0])
    described = []
    for loc in unknown:
        keys = [part for part in loc[:-1] if isinstance(part, str) and not part.startswith("#")]
        tags = [part for part in loc if isinstance(part, str) and part.startswith("#")]
        model = _MODEL_OF[keys[-1]] if keys else (Scenario if "#scenario" in tags else root)
        known = ", ".join(model.model_fields)
        described.append(f"'{param_path(loc)}' ({_ARTICLE[model]} takes {known})")
    plural = "s" if len(described) > 1 else ""
    return BadRequestError(f"Unrecognized key{plural}: {'; '.join(described)}.")


def load_scenario(path: Path) -> ScenarioFile:
    """Read a scenario file (YAML or JSON; JSON is YAML)."""
    import yaml  # here, not at start-up: only a scenario file needs it

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise ScriptError(f"{path}: {invalid(exc, ScenarioFile).message}") from None
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ScriptError(f"{path}: {' '.join(str(exc).split())}") from exc


class Script:
    """The rules in force, with the turns each has left. Thread-safe."""

    def __init__(self) -> None:
        self._rules: list[tuple[Rule, list[Turn]]] = []
        self._lock = threading.Lock()
        self.revision = 0
        """Moves whenever the rules or their turns left change (add, clear, a turn taken):
        what a lasting store keeps of the script is rewritten only then."""

    def add(self, rule: Rule) -> None:
        with self._lock:
            index = len(self._rules)
            turns = [turn.model_copy() for turn in rule.turns]
            for number, turn in enumerate(turns):
                turn._origin = f"Scripted rule {index} ({rule.describe()}), turn {number}"
            self._rules.append((rule, turns))
            self.revision += 1

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self.revision += 1

    def left(self) -> list[tuple[Rule, tuple[Turn, ...]]]:
        """The rules with turns left, in order, each with the turns it has left."""
        with self._lock:
            return [(rule, tuple(turns)) for rule, turns in self._rules if turns]

    def take(
        self, *, assistant_id: str, assistant_name: str | None, thread_id: str, prompt: str
    ) -> Turn | None:
        """The next turn of the first rule that matches and has turns left, used up."""
        with self._lock:
            for rule, left in self._rules:
                if left and rule.matches(
                    assistant_id=assistant_id,
                    assistant_name=assistant_name,
                    thread_id=thread_id,
                    prompt=prompt,
                ):
                    self.revision += 1
                    return left.pop(0)
        return None

    def unused(self) -> list[dict[str, Any]]:
        """Rules with turns never taken, and how many: what a test should not leave."""
        return [
            {**rule.model_dump(exclude={"turns"}, exclude_none=True), "turns_left": len(left)}
            for rule, left in self.left()
        ]

    def assert_all_used(self) -> None:
        """Raise if any scripted turn never matched a run: a script that does not match
        anything is an error, not silence."""
        unused = self.unused()
        if unused:
            raise AssertionError(f"scripted turns never used: {unused}")
