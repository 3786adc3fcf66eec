"""Everything a server is configured with: one checked definition, one frozen value.

Each setting is declared once, below, with its type, default, allowed range and doc.
`Settings(...)` checks what it is given against that declaration (choices are `StrEnum`s,
numbers have ranges, bools and ints are never coerced from text, unknown names are
refused), and so do all the ways in: `MockServer(**overrides)`, the pytest marker, a
scenario file's `settings:` and the `serve` command line, whose flags are generated from
`SPECS` like the README's table (`markdown_table()`). A bad value is one `SettingsError`
naming the setting, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from types import UnionType
from typing import Any, ClassVar, Self, get_args, get_type_hints
from urllib.parse import urlsplit

from .clock import DEFAULT_EPOCH

__all__ = [
    "SPECS",
    "ClockMode",
    "LogLevel",
    "RunProgression",
    "SettingSpec",
    "Settings",
    "SettingsError",
    "StoreSync",
    "markdown_table",
    "model_renames",
]


class ClockMode(StrEnum):
    """Where a server's timestamps come from."""

    FROZEN = "frozen"  # starts at `clock_start`, moves only as runs advance it
    SYSTEM = "system"  # the wall clock: not deterministic


class LogLevel(StrEnum):
    """What a server prints on stdout about the requests it answers."""

    QUIET = "quiet"  # nothing
    INFO = "info"  # one line per request: method, path, status, duration, run outcome
    DEBUG = "debug"  # that line, then the request's and the response's bodies (shortened)


class RunProgression(StrEnum):
    """How a run that is not streamed advances."""

    IMMEDIATE = "immediate"  # the first read after create already sees it finished
    PER_POLL = "per_poll"  # one status per retrieve of the run
    CLOCK = "clock"  # one status per `seconds_per_transition` of clock time


class StoreSync(StrEnum):
    """When a write to an SQLite store is safe, before its reply is sent."""

    FULL = "full"  # fsync'd: survives `kill -9`, an OS crash and a power cut
    NORMAL = "normal"  # handed to the OS: survives `kill -9`, not a power cut (faster)


class SettingsError(ValueError):
    """A setting that cannot be used: its name, the value given and what is allowed."""

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class _Declared:
    doc: str
    minimum: int | None
    maximum: int | None
    flag: str | None


def setting(
    doc: str, *, minimum: int | None = None, maximum: int | None = None, flag: str | None = None
) -> dict[str, _Declared]:
    """A setting's declaration, as its field's metadata: its doc (the `--help` text and the
    README's), the range of a number, and a `serve` flag other than `--the-name`."""
    return {"setting": _Declared(doc, minimum, maximum, flag)}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How one server behaves. Two servers with equal settings answer equal requests
    with equal bytes (unless `clock` is `"system"`).

    `Settings(seed=7)` checks every value; a scenario file's `settings:` fill in the
    settings not given here (see `scenario`).
    """

    seed: int = field(
        default=0,
        metadata=setting("Seeds the id factory and the fake model.", minimum=0, maximum=2**32 - 1),
    )
    clock: ClockMode = field(
        default=ClockMode.FROZEN,
        metadata=setting(
            "`frozen`: timestamps start at `clock_start` and move only as runs (or "
            "`POST /assistants-mock/clock`) advance them; `system`: the wall clock.",
        ),
    )
    clock_start: int = field(
        default=DEFAULT_EPOCH,
        metadata=setting(
            "Where the frozen clock starts, in Unix seconds (default 2026-01-01T00:00:00Z).",
            minimum=0,
            maximum=253_402_300_799,  # 9999-12-31T23:59:59Z
        ),
    )
    require_auth: bool = field(
        default=True,
        metadata=setting(
            "Answer 401 to requests without `Authorization: Bearer …`, as the real API does.",
            flag="--no-auth",
        ),
    )
    api_key: str | None = field(
        default=None,
        metadata=setting("When set, only this key is accepted (401 `invalid_api_key` otherwise)."),
    )
    run_progression: RunProgression = field(
        default=RunProgression.IMMEDIATE,
        metadata=setting(
            "How a run that is not streamed advances: `immediate` (the first read after create "
            "sees it finished), `per_poll` (one status per retrieve of the run), `clock` (one "
            "status per `seconds_per_transition` of clock time).",
        ),
    )
    seconds_per_transition: int = field(
        default=1,
        metadata=setting(
            "With `run_progression` `clock`: clock seconds between two statuses of a run.",
            minimum=1,
            maximum=3600,
        ),
    )
    poll_after_ms: int = field(
        default=10,
        metadata=setting(
            "Sent as `openai-poll-after-ms` on run responses: how long the SDKs' polling helpers "
            "sleep between retrieves (their own defaults are 1 s in Python, 5 s in Node).",
            minimum=0,
            maximum=60_000,
        ),
    )
    stream_delay_ms: int = field(
        default=0,
        metadata=setting(
            "A pause before each streamed delta event (0: none), to act while a stream runs.",
            minimum=0,
            maximum=60_000,
        ),
    )
    scenario: Path | None = field(
        default=None,
        metadata=setting(
            "A scenario file (YAML or JSON) scripting the fake model, loaded again on reset; "
            "its `settings:` apply where not given otherwise.",
        ),
    )
    model_upstream: str | None = field(
        default=None,
        metadata=setting(
            "A chat-completions base URL (OpenAI, Azure, Ollama, vLLM, llama.cpp, LM Studio: "
            "`http://localhost:11434/v1`) whose model plays the turns no scripted rule "
            "matches, instead of the fake model.",
        ),
    )
    model_upstream_key_env: str = field(
        default="ASSISTANTS_MOCK_UPSTREAM_KEY",
        metadata=setting(
            "The environment variable holding the upstream's API key (sent as a bearer "
            "token; never logged, journaled or recorded). Unset: no key is sent.",
        ),
    )
    model_map: str | None = field(
        default=None,
        metadata=setting(
            "Model renames for the upstream, comma-separated: `gpt-4o=llama3.1:8b,"
            "gpt-4o-mini=qwen2.5:0.5b` (unlisted models keep their name).",
        ),
    )
    model_upstream_timeout_ms: int = field(
        default=60_000,
        metadata=setting(
            "How long one upstream request may take, in ms, before its run fails with "
            "`server_error`.",
            minimum=100,
            maximum=600_000,
        ),
    )
    require_beta_header: bool = field(
        default=True,
        metadata=setting(
            "Answer 400 `invalid_beta` to `/assistants` and `/threads…` requests without "
            "`OpenAI-Beta: assistants=v2`.",
            flag="--no-beta-header",
        ),
    )
    max_upload_bytes: int = field(
        default=512 * 1024 * 1024,
        metadata=setting(
            "The largest file `POST /files` takes (the real API's 512 MB); a larger upload is "
            "a 413, refused from its `Content-Length` or cut off while read.",
            minimum=1,
            maximum=2**40,
        ),
    )
    max_body_bytes: int = field(
        default=16 * 1024 * 1024,
        metadata=setting(
            "The largest JSON body taken (twice the largest valid Assistants request); a larger "
            "one is a 413 before it is parsed.",
            minimum=1,
            maximum=2**40,
        ),
    )
    max_url_bytes: int = field(
        default=8 * 1024,
        metadata=setting(
            "The longest path and query string taken; a longer one is a 414.",
            minimum=64,
            maximum=65_536,
        ),
    )

    log_level: LogLevel = field(
        default=LogLevel.QUIET,
        metadata=setting(
            "What the server prints per request on stdout: `quiet` (nothing), `info` (one line: "
            "time, method, path, status, duration, a run's status and events), `debug` (and the "
            "bodies). The `serve` command's default is `info`.",
        ),
    )
    journal: bool = field(
        default=True,
        metadata=setting(
            "Keep the request journal (`GET /assistants-mock/requests`, `server.calls`) and the "
            "runs' event timelines.",
            flag="--no-journal",
        ),
    )
    store: str = field(
        default="memory",
        metadata=setting(
            "Where objects are kept: `memory` (gone with the process) or `sqlite:PATH` (an "
            "SQLite file that survives restarts and `kill -9`: objects, file contents, id "
            "positions, the frozen clock; one server per file).",
        ),
    )
    store_sync: StoreSync = field(
        default=StoreSync.FULL,
        metadata=setting(
            "With an `sqlite:` store: `full` fsyncs each action's transaction before its "
            "reply (survives `kill -9` and power cuts); `normal` hands it to the OS "
            "(survives `kill -9` of the server, not an OS crash; faster on slow disks).",
        ),
    )
    state: Path | None = field(
        default=None,
        metadata=setting(
            "A snapshot (the JSON of `GET /assistants-mock/state`) loaded into an empty store "
            "at start and after each reset.",
        ),
    )

    _given: ClassVar[frozenset[str]] = frozenset()
    """The names given to the constructor (each instance has its own)."""

    def __new__(cls, **given: object) -> Self:
        unknown = sorted(given.keys() - SETTING_NAMES)
        if unknown:
            raise SettingsError(_unknown(unknown[0], SETTING_NAMES), setting=unknown[0])
        instance = super().__new__(cls)
        object.__setattr__(instance, "_given", frozenset(given))
        return instance

    def __post_init__(self) -> None:
        values = {spec.name: spec.check(getattr(self, spec.name)) for spec in SPECS}
        if values["scenario"] is not None:
            for name, value in _scenario_settings(values["scenario"]).items():
                if name not in self._given:
                    values[name] = value
        if values["api_key"] is not None and not values["require_auth"]:
            raise SettingsError(
                f"api_key={values['api_key']!r} contradicts require_auth=False: a server "
                "that requires no key cannot require this one (give one or the other)",
                setting="api_key",
            )
        store = values["store"]
        if store != "memory" and not (store.startswith("sqlite:") and store != "sqlite:"):
            raise SettingsError(
                f"store={store!r} is not allowed: store must be 'memory' or 'sqlite:PATH'",
                setting="store",
            )
        upstream = values["model_upstream"]
        if upstream is not None and not upstream.startswith(("http://", "https://")):
            raise SettingsError(
                f"model_upstream={upstream!r} is not allowed: model_upstream must be an "
                "http:// or https:// base URL, such as 'http://localhost:11434/v1'",
                setting="model_upstream",
            )
        if upstream is not None and (urlsplit(upstream).username or urlsplit(upstream).password):
            # Never echoed: the credentials would land in the log or a test report.
            raise SettingsError(
                "model_upstream must not carry credentials in its URL: give the key through "
                "the environment variable named by model_upstream_key_env",
                setting="model_upstream",
            )
        if values["model_map"] is not None:
            model_renames(values["model_map"])  # checked here, used by the upstream
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def revised(self, **changes: object) -> Settings:
        """These settings with `changes` made, checked again (a scenario file's
        `settings:` fill in what neither gives)."""
        given: dict[str, Any] = {name: getattr(self, name) for name in self._given}
        return Settings(**{**given, **changes})


SETTING_NAMES = frozenset(f.name for f in fields(Settings))


def model_renames(text: str) -> dict[str, str]:
    """`model_map` as a dict: `"gpt-4o=llama3.1:8b,a=b"` gives `{"gpt-4o": "llama3.1:8b",
    "a": "b"}`; `SettingsError` when a pair is not `name=name`."""
    renames: dict[str, str] = {}
    for pair in text.split(","):
        ours, sep, theirs = (part.strip() for part in pair.partition("="))
        if not (sep and ours and theirs):
            raise SettingsError(
                f"model_map={text!r} is not allowed: model_map must be comma-separated "
                "`ours=theirs` pairs, such as 'gpt-4o=llama3.1:8b'",
                setting="model_map",
            )
        renames[ours] = theirs
    return renames


@dataclass(frozen=True)
class SettingSpec:
    """One setting as declared: what `Settings` checks and the CLI and README show."""

    name: str
    type: type
    """`int`, `bool`, `str`, `Path` or a `StrEnum`."""
    optional: bool
    """`None` is allowed (and means "not set")."""
    default: object
    doc: str
    minimum: int | None = None
    maximum: int | None = None
    flag: str = ""
    """The `serve` flag: `--` and the name with dashes, unless declared otherwise."""

    @property
    def choices(self) -> tuple[str, ...]:
        """The values of a choice, in declared order (empty for other types)."""
        if issubclass(self.type, StrEnum):
            return tuple(str(member) for member in self.type)
        return ()

    @property
    def allowed(self) -> str:
        """What this setting takes, in words."""
        if self.choices:
            text = "one of " + ", ".join(repr(choice) for choice in self.choices)
        elif self.type is bool:
            text = "True or False"
        elif self.type is int:
            text = f"an integer from {self.minimum} to {self.maximum}"
        elif self.type is Path:
            text = "a file path"
        else:
            text = "a non-empty string"
        return text + (", or None" if self.optional else "")

    def check(self, value: object) -> Any:
        """`value` as this setting holds it (a choice as its enum member, a path as a
        `Path`); `SettingsError` when it is not allowed. Nothing is coerced from text."""
        if value is None and self.optional:
            return None
        if self.choices:
            if isinstance(value, str) and value in self.choices:
                return self.type(value)
        elif self.type is bool:
            if isinstance(value, bool):
                return value
        elif self.type is int:
            if isinstance(value, int) and not isinstance(value, bool):
                low = self.minimum if self.minimum is not None else value
                high = self.maximum if self.maximum is not None else value
                if low <= value <= high:
                    return value
        elif self.type is Path:
            if isinstance(value, str | os.PathLike) and os.fspath(value) != "":
                return Path(value)
        elif isinstance(value, str) and value != "":
            return value
        raise SettingsError(self.refusal(value), setting=self.name)

    def refusal(self, value: object) -> str:
        """Why `value` is not allowed, naming the setting and what it takes."""
        message = f"{self.name}={value!r} is not allowed: {self.name} must be {self.allowed}"
        if self.choices and isinstance(value, str):
            close = difflib.get_close_matches(value.replace("-", "_"), self.choices, n=1)
            if close:
                message += f" (did you mean {close[0]!r}?)"
        return message

    @property
    def default_text(self) -> str:
        """The default as a user writes it."""
        if self.default is None:
            return "None"
        if isinstance(self.default, StrEnum):
            return str(self.default)
        return repr(self.default)


def _specs() -> tuple[SettingSpec, ...]:
    hints = get_type_hints(Settings)
    specs = []
    for f in fields(Settings):
        declared: _Declared = f.metadata["setting"]
        hint = hints[f.name]
        kinds = [arg for arg in get_args(hint) if arg is not type(None)]
        optional = isinstance(hint, UnionType)
        specs.append(
            SettingSpec(
                name=f.name,
                type=kinds[0] if optional else hint,
                optional=optional,
                default=f.default,
                doc=declared.doc,
                minimum=declared.minimum,
                maximum=declared.maximum,
                flag=declared.flag or "--" + f.name.replace("_", "-"),
            )
        )
    return tuple(specs)


SPECS = _specs()
"""Every setting, in declared order."""


def _unknown(name: str, known: frozenset[str]) -> str:
    message = f"unknown setting {name!r}; the settings are: {', '.join(sorted(known))}"
    close = difflib.get_close_matches(name, known, n=1)
    return message + (f" (did you mean {close[0]!r}?)" if close else "")


def _scenario_settings(path: Path) -> dict[str, object]:
    """The settings a scenario file carries, checked. A file that cannot be read or whose
    rules are wrong gives none here: the backend reports it when it loads the rules."""
    from .script import ScriptError, load_scenario

    try:
        carried = load_scenario(path).settings
    except ScriptError:
        return {}
    if "scenario" in carried:
        raise SettingsError(f"{path}: settings: a scenario cannot name a scenario",
                            setting="scenario")  # fmt: skip
    try:
        checked = Settings(**carried)
    except SettingsError as exc:
        raise SettingsError(f"{path}: settings: {exc}", setting=exc.setting) from None
    return {name: getattr(checked, name) for name in carried}


def markdown_table() -> str:
    """The README's table of settings, from `SPECS`."""
    rows = [
        "| setting | `serve` flag | default | allowed | what it does |",
        "|---|---|---|---|---|",
    ]
    for spec in SPECS:
        rows.append(
            f"| `{spec.name}` | `{spec.flag}` | `{spec.default_text}` | {spec.allowed} "
            f"| {spec.doc} |"
        )
    return "\n".join(rows) + "\n"
