"""Fault injection: rules that make the server misbehave as the real API sometimes does.

A rule matches a request by method, path pattern (`*` matches any text, so
`/v1/threads/*/runs` matches every thread's runs) and, optionally, a substring of its
body (of a body up to `max_body_bytes`: a longer one matches no body rule); it lets
`after` matching requests pass, then applies to the next `times` ones (default 1).
What it does, after waiting `delay_ms` if given:

- `status`: answers this status in OpenAI's error envelope, worded as the real API
  words it (`ERROR_WORDING`), with `retry-after`, `retry-after-ms` and
  `x-should-retry` headers when the rule gives them;
- `drop`: closes the connection with no answer at all (not even a status line);
- `cut_after_events`: sends that many events of a stream, then closes the connection
  (the run plays on, as when a client leaves);
- nothing else: the request is only delayed.

Rules come from `POST /assistants-mock/faults`, `server.faults.add(...)`, a scenario
file's `faults:` and the pytest marker `assistants_faults`; `Tap` applies them.
"""

from __future__ import annotations

import fnmatch
import threading
from http import HTTPStatus
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .deferred import DEFER_BUILD
from .errors import APIError, BadRequestError

__all__ = ["ERROR_WORDING", "Fault", "FaultError", "Faults", "fault_error"]

ERROR_WORDING: dict[int, tuple[str, str, str | None]] = {
    429: (
        "Rate limit reached for requests in organization org-assistants-mock on requests per "
        "min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit "
        "https://platform.openai.com/account/rate-limits to learn more.",
        "requests",
        "rate_limit_exceeded",
    ),
    500: (
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    ),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    504: ("Gateway timeout.", "server_error", None),
}
"""By status: the real API's message, type and code (docs/fidelity.md says where from)."""

MAX_DELAY_MS = 60_000


class FaultError(APIError):
    """An injected error answer, with the status its rule asked for."""

    def __init__(self, status: int, message: str, type_: str, code: str | None) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.type = type_


class Fault(BaseModel):
    """One fault rule, as JSON or keyword arguments."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=DEFER_BUILD)

    method: str = "*"
    path: Annotated[str, Field(min_length=1)] = "/v1/*"
    body: str | None = None
    """A substring the request's body must contain."""
    after: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    times: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    status: Annotated[int, Field(ge=400, le=599)] | None = None
    message: str | None = None
    """The error's message, instead of the real API's wording for `status`."""
    retry_after: Annotated[int, Field(ge=0, le=86_400)] | None = None
    retry_after_ms: Annotated[int, Field(ge=0, le=86_400_000)] | None = None
    should_retry: bool | None = None
    """Sent as `x-should-retry: true|false`, which the SDKs obey over everything else."""
    delay_ms: Annotated[int, Field(ge=0, le=MAX_DELAY_MS)] = 0
    drop: bool = False
    cut_after_events: Annotated[int, Field(ge=0, le=1_000_000)] | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Self:
        actions = [
            name
            for name, on in (
                ("status", self.status is not None),
                ("drop", self.drop),
                ("cut_after_events", self.cut_after_events is not None),
            )
            if on
        ]
        if len(actions) > 1:
            raise ValueError(f"a fault does one thing: give one of {', '.join(actions)}")
        if not actions and not self.delay_ms:
            raise ValueError(
                "a fault needs something to do: status, drop, cut_after_events or delay_ms"
            )
        return self

    @classmethod
    def parse(cls, data: Any) -> Fault:
        """A rule from JSON-like data, or a 400 naming what is wrong."""
        if isinstance(data, Fault):
            return data
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            message = first["msg"].removeprefix("Value error, ")
            raise BadRequestError(
                f"Invalid fault rule: {where + ': ' if where else ''}{message}."
            ) from None

    def matches(self, method: str, path: str) -> bool:
        return (self.method == "*" or self.method.upper() == method) and fnmatch.fnmatchcase(
            path, self.path
        )

    def describe(self) -> str:
        if self.status is not None:
            what = f"status {self.status}"
        elif self.drop:
            what = "drop"
        elif self.cut_after_events is not None:
            what = f"cut after {self.cut_after_events} events"
        else:
            what = "delay"
        if self.delay_ms:
            what += f" (after {self.delay_ms} ms)"
        return f"{self.method} {self.path}: {what}"


def fault_error(fault: Fault) -> tuple[FaultError, dict[str, str]]:
    """The error a `status` rule answers, and its headers."""
    assert fault.status is not None
    status = fault.status
    message, type_, code = ERROR_WORDING.get(
        status,
        (
            f"{HTTPStatus(status).phrase}." if status in HTTPStatus._value2member_map_ else "",
            "server_error" if status >= 500 else "invalid_request_error",
            None,
        ),
    )
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        headers["retry-after"] = str(fault.retry_after)
    if fault.retry_after_ms is not None:
        headers["retry-after-ms"] = str(fault.retry_after_ms)
    if fault.should_retry is not None:
        headers["x-should-retry"] = "true" if fault.should_retry else "false"
    return FaultError(status, fault.message or message, type_, code), headers


class _Active:
    __slots__ = ("fault", "left", "seen")

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.seen = 0
        self.left = fault.times


class Faults:
    """The fault rules in force, with the times each has left. Thread-safe."""

    def __init__(self) -> None:
        self._rules: list[_Active] = []
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return any(rule.left for rule in self._rules)

    def add(self, rule: Fault | dict[str, Any] | None = None, **fields: Any) -> Fault:
        """Add a rule: `faults.add(path="/v1/threads", status=429)` or a dict or a `Fault`.
        Raises `errors.BadRequestError` for a rule that cannot be used."""
        if isinstance(rule, Fault):
            fault = Fault.parse({**rule.model_dump(), **fields}) if fields else rule
        else:
            fault = Fault.parse({**(rule or {}), **fields})
        with self._lock:
            self._rules.append(_Active(fault))
        return fault

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def needs_body(self, method: str, path: str) -> bool:
        """Whether a rule with a body condition could apply to this request."""
        return any(
            r.left and r.fault.body is not None and r.fault.matches(method, path)
            for r in self._rules
        )

    def take(self, method: str, path: str, body: bytes | None = None) -> Fault | None:
        """The rule that applies to this request, if any (counted as applied). Every
        matching rule counts the request towards its `after`. Without its `body` (not
        read, or over the body limit) no rule with a body condition matches."""
        chosen: Fault | None = None
        with self._lock:
            for rule in self._rules:
                fault = rule.fault
                if not rule.left or not fault.matches(method, path):
                    continue
                if fault.body is not None and (body is None or fault.body.encode() not in body):
                    continue
                rule.seen += 1
                if chosen is None and rule.seen > fault.after:
                    rule.left -= 1
                    chosen = fault
        return chosen

    def listed(self) -> list[dict[str, Any]]:
        """The rules as `GET /assistants-mock/faults` renders them, with `times_left`."""
        with self._lock:
            return [
                {
                    **{k: v for k, v in r.fault.model_dump().items() if v not in (None, False)},
                    "times_left": r.left,
                }
                for r in self._rules
            ]
