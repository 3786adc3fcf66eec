"""Scripting the fake model: what it does, per assistant, thread or message pattern, in order.

A `Rule` says which runs it applies to (an assistant by id or name, a thread id, a
regular expression searched in the latest user message) and the `Turn`s the model
takes on them, one per model turn, in order: a reply, tool calls with exact
arguments, a code interpreter run, a failure, an incomplete reply, an expiry, a delay
between deltas. The same models serve the Python API (`MockServer.script`), scenario
files (`assistants-mock serve --scenario FILE`, YAML or JSON) and the HTTP control
endpoint (`POST /assistants-mock/script`).
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

__all__ = [
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
    "load_scenario",
]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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

    @model_validator(mode="after")
    def _one_ending(self) -> Turn:
        endings = [bool(self.tool_calls), self.fail is not None, self.expire]
        if sum(endings) > 1:
            raise ValueError("a turn ends one way: tool_calls, fail or expire")
        return self


class Rule(_Closed):
    """Which runs a script applies to, and the turns the model takes on them."""

    assistant: str | None = None
    """An assistant id, or an assistant name."""
    thread: str | None = None
    """A thread id."""
    message: str | None = None
    """A regular expression searched (case-insensitively) in the latest user message."""
    turns: Annotated[list[Turn], Field(min_length=1)]

    @field_validator("message")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            re.compile(pattern)
        return pattern

    def matches(self, *, assistant_id: str, assistant_name: str | None, thread_id: str,
                prompt: str) -> bool:  # fmt: skip
        if self.assistant is not None and self.assistant not in (assistant_id, assistant_name):
            return False
        if self.thread is not None and self.thread != thread_id:
            return False
        return self.message is None or re.search(self.message, prompt, re.IGNORECASE) is not None


class Scenario(_Closed):
    """A scenario file: its rules, in order."""

    rules: list[Rule]


class ScenarioFile(Scenario):
    """A scenario file: its rules, and settings for the server it scripts (checked by
    `mock_server.settings.Settings`, which applies them); either may be left out."""

    rules: list[Rule] = []
    settings: dict[str, Any] = {}


class Upload(RootModel[Scenario | Rule]):
    """What the control endpoint takes: a scenario, or one rule."""

    @property
    def rules(self) -> list[Rule]:
        return self.root.rules if isinstance(self.root, Scenario) else [self.root]


class ScriptError(ValueError):
    """A script that cannot be used (unreadable file, bad rule)."""


def load_scenario(path: Path) -> ScenarioFile:
    """Read a scenario file (YAML or JSON; JSON is YAML)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ScenarioFile.model_validate(data)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ScriptError(f"{path}: {exc}") from exc


class Script:
    """The rules in force, with the turns each has left. Thread-safe."""

    def __init__(self) -> None:
        self._rules: list[tuple[Rule, list[Turn]]] = []
        self._lock = threading.Lock()

    def add(self, rule: Rule) -> None:
        with self._lock:
            self._rules.append((rule, list(rule.turns)))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

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
                    return left.pop(0)
        return None

    def unused(self) -> list[dict[str, Any]]:
        """Rules with turns never taken, and how many: what a test should not leave."""
        with self._lock:
            return [
                {**rule.model_dump(exclude={"turns"}, exclude_none=True), "turns_left": len(left)}
                for rule, left in self._rules
                if left
            ]

    def assert_all_used(self) -> None:
        """Raise if any scripted turn never matched a run: a script that does not match
        anything is an error, not silence."""
        unused = self.unused()
        if unused:
            raise AssertionError(f"scripted turns never used: {unused}")
