"""The request journal: every `/v1` exchange a server answered, in order, as plain values.

`Tap` (the middleware) fills it; `GET /assistants-mock/requests` renders it, and
`MockServer.calls` reads it the way respx's `.calls` reads: `.last`, `.call_count`,
`.filter(method=..., path=...)`. Bodies are kept as the bytes that passed and parsed
only when read, so keeping the journal costs the requests almost nothing. Every cost is
bounded: the newest `JOURNAL_LIMIT` calls, the first `BODY_LIMIT` bytes of a body, the
first `EVENT_LIMIT` event names of a stream.
"""

from __future__ import annotations

import fnmatch
import json
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload
from urllib.parse import parse_qsl

__all__ = ["BODY_LIMIT", "EVENT_LIMIT", "JOURNAL_LIMIT", "Call", "Calls", "Journal"]

JOURNAL_LIMIT = 1000
"""Calls kept; older ones are forgotten first."""
BODY_LIMIT = 65_536
"""Bytes of a request's or a response's body kept."""
EVENT_LIMIT = 5000
"""Event names of one stream kept (the count goes on)."""
SECRET_HEADERS = frozenset({"authorization", "openai-organization", "openai-project", "cookie"})
"""What the cassette policy never writes (`cassettes.SECRET_REQUEST_HEADERS`, restated to
keep vcrpy unimported by the server; a test checks they are the same)."""
DROPPED_HEADERS = frozenset({"user-agent"})
"""Client fingerprints the cassette policy drops, with every `x-stainless-*`."""


def _kept(name: str) -> bool:
    return not (
        name in SECRET_HEADERS or name in DROPPED_HEADERS or name.startswith("x-stainless-")
    )


def _parsed(body: bytes, size: int, content_type: str) -> Any:
    if size == 0:
        return None
    if size > len(body):
        return f"<{size} bytes, the first {len(body)} kept>"
    if "json" in content_type:
        try:
            return json.loads(body)
        except ValueError:
            pass
    if content_type.startswith("multipart/"):
        return f"<{content_type.split(';', maxsplit=1)[0]}, {size} bytes>"
    return body.decode("utf-8", "replace")


@dataclass(eq=False, slots=True)
class Call:
    """One request and what answered it. `status` is None when no answer was sent
    (a `drop` fault); `events` lists a streamed answer's event names."""

    index: int
    method: str
    path: str
    query_string: str
    headers: list[tuple[bytes, bytes]]
    at: int
    """When it arrived, on the server's clock (Unix seconds)."""
    request_body: bytes = b""
    request_size: int = 0
    status: int | None = None
    response_type: str = ""
    response_body: bytearray = field(default_factory=bytearray)
    response_size: int = 0
    streamed: bool = False
    event_names: list[bytes] = field(default_factory=list)
    event_count: int = 0
    duration_ms: float = 0.0
    fault: str | None = None
    """The fault rule that changed the answer, described."""

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.query_string, keep_blank_values=True))

    def header(self, name: str) -> str:
        """A request header (`""` if absent); secret ones are never given."""
        wanted = name.lower().encode()
        if name.lower() in SECRET_HEADERS:
            return ""
        for key, value in self.headers:
            if key == wanted:
                return value.decode("latin-1")
        return ""

    @property
    def kept_headers(self) -> dict[str, str]:
        """The request's headers as the cassette policy writes them: no secrets, no
        client fingerprints."""
        out = {}
        for key, value in self.headers:
            name = key.decode("latin-1").lower()
            if _kept(name):
                out[name] = value.decode("latin-1")
        return out

    @property
    def json(self) -> Any:
        """The request's body: parsed JSON, a note for uploads and long bodies, or None."""
        return _parsed(self.request_body, self.request_size, self.header("content-type"))

    @property
    def response(self) -> Any:
        """The answer's body, parsed (None for a stream: see `events`)."""
        if self.streamed:
            return None
        return _parsed(bytes(self.response_body), self.response_size, self.response_type)

    @property
    def events(self) -> list[str]:
        """A streamed answer's event names, in order (the first `EVENT_LIMIT`)."""
        return [name.decode() for name in self.event_names]

    @property
    def run_status(self) -> str | None:
        """The status a run reached in this answer, if it answered with a run."""
        if self.streamed:
            for name in reversed(self.event_names):
                if name.startswith(b"thread.run.") and b"step" not in name:
                    return name.decode().removeprefix("thread.run.")
            return None
        if "/runs" not in self.path or self.status != 200:
            return None
        body = self.response
        if isinstance(body, dict) and body.get("object") == "thread.run":
            return str(body.get("status"))
        return None

    def as_dict(self) -> dict[str, Any]:
        """The call as `GET /assistants-mock/requests` renders it."""
        out: dict[str, Any] = {
            "index": self.index,
            "at": self.at,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.kept_headers,
            "body": self.json,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
        }
        if self.streamed:
            out["events"] = self.events
            out["event_count"] = self.event_count
        else:
            out["response"] = self.response
        if self.fault is not None:
            out["fault"] = self.fault
        return out


class Calls(Sequence[Call]):
    """Calls as values, respx-style: `calls.last`, `calls.call_count`, `calls[0]`,
    `calls.filter(method="POST", path="/v1/threads/*/runs")`."""

    def __init__(self, calls: Sequence[Call]) -> None:
        self._calls = list(calls)

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Call]: ...
    def __getitem__(self, index: int | slice) -> Call | Sequence[Call]:
        return self._calls[index]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        return iter(self._calls)

    def __repr__(self) -> str:
        shown = ", ".join(f"{c.method} {c.path} {c.status}" for c in self._calls[-5:])
        return f"<Calls {len(self._calls)}: …{shown}>"

    @property
    def call_count(self) -> int:
        return len(self._calls)

    @property
    def called(self) -> bool:
        return bool(self._calls)

    @property
    def last(self) -> Call:
        """The latest call; `IndexError` when there is none."""
        if not self._calls:
            raise IndexError("no calls were made")
        return self._calls[-1]

    def filter(self, method: str | None = None, path: str | None = None) -> Calls:
        """The calls with this method and a path matching `path` (`*` matches any text)."""
        return Calls(
            [
                c
                for c in self._calls
                if (method is None or c.method == method.upper())
                and (path is None or fnmatch.fnmatchcase(c.path, path))
            ]
        )


class Journal:
    """The newest `JOURNAL_LIMIT` calls, in the order they arrived. Thread-safe."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._calls: deque[Call] = deque(maxlen=JOURNAL_LIMIT)
        self._count = 0
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        """Calls recorded since the journal was last cleared (kept or not)."""
        return self._count

    def open(
        self, method: str, path: str, query_string: str, headers: list[tuple[bytes, bytes]], at: int
    ) -> Call:
        """A new call, in the journal from now on (its answer is filled in as it goes)."""
        with self._lock:
            call = Call(self._count, method, path, query_string, headers, at)
            self._count += 1
            if self.enabled:
                self._calls.append(call)
            return call

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._count = 0

    def calls(self, path: str | None = None, limit: int | None = None) -> Calls:
        """The calls kept, oldest first; only those whose path matches `path` (`*`
        matches any text, and a path without `*` matches itself and what is under
        it); only the last `limit`."""
        with self._lock:
            kept = list(self._calls)
        if path is not None:
            pattern = path if "*" in path else path.rstrip("/") + "*"
            kept = [c for c in kept if fnmatch.fnmatchcase(c.path, pattern)]
        if limit is not None:
            kept = kept[-limit:] if limit > 0 else []
        return Calls(kept)
