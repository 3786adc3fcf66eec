"""Serve recorded traffic over HTTP: `assistants-mock replay CASSETTE…`.

Any vcrpy cassette (ours, a user's, or one recorded from the real API) becomes a server
that clients in any language can point at. Each request is answered with the first
recorded interaction that matches it under the cassette policy (scrubbed, then matched on
method, path, query and body; see `mock_server.cassettes`) and has not been played yet, so
a request recorded three times gets its three answers in recorded order. Compressed bodies
are served decompressed, and server-sent events go out as `text/event-stream`, written the
way the mock server writes its own streams (`sse_writes`).

A request with nothing left to answer it gets OpenAI's error envelope: 404,
`request_not_recorded`, naming the closest recorded request and how it differs. The
status is a 4xx so the SDK does not retry, and 404 is what the real API answers for a
path it does not know.

Control routes, outside `/v1`: `POST /assistants-mock/reset` rewinds every cassette;
`GET /assistants-mock/replay` says how many interactions were played and which were not.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from starlette.applications import Starlette
from starlette.requests import Request as HTTPRequest
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from vcr.filters import decode_response
from vcr.matchers import get_matchers_results
from vcr.persisters.filesystem import FilesystemPersister
from vcr.request import Request
from vcr.serializers import jsonserializer, yamlserializer

from .cassettes import recorder
from .errors import NotFoundError
from .rendering import WRITE_SIZE, error_response, json_response
from .server import AppServer

__all__ = [
    "CassetteError",
    "Interaction",
    "NotRecordedError",
    "ReplayServer",
    "Tape",
    "create_replay_app",
    "load_interactions",
    "request_line",
    "sse_events",
    "sse_writes",
]

Matcher = Callable[[Request, Request], Any]

NOT_REPLAYED_HEADERS = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length"}
)
"""Hop-by-hop headers and the length, which the server sets for the body it sends."""

SSE_EVENT = re.compile(rb".*?(?:\r\n\r\n|\n\n|\r\r|\Z)", re.DOTALL)
MESSAGE_LIMIT = 240


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its response, and where it was recorded."""

    request: Request
    response: dict[str, Any]
    cassette: str
    index: int

    @property
    def where(self) -> str:
        return f"{self.cassette}, interaction {self.index + 1}"

    @property
    def line(self) -> str:
        return request_line(self.request)


class CassetteError(ValueError):
    """A cassette file that cannot be read."""


class NotRecordedError(NotFoundError):
    """404: no unplayed recorded interaction answers this request."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="request_not_recorded")


def load_interactions(paths: Sequence[str | Path]) -> list[Interaction]:
    """Every interaction of every cassette, in the order given (JSON by suffix, else YAML)."""
    loaded: list[Interaction] = []
    for path in paths:
        serializer = jsonserializer if str(path).endswith(".json") else yamlserializer
        if not Path(path).is_file():
            raise CassetteError(f"{path}: no such file")
        try:
            requests, responses, *_ = FilesystemPersister.load_cassette(
                str(path), serializer=serializer
            )
        except (yaml.YAMLError, ValueError, KeyError, TypeError) as exc:
            reason = " ".join(str(exc).split())
            raise CassetteError(f"{path}: not a vcrpy cassette ({reason})") from exc
        name = Path(path).name
        loaded += [
            Interaction(request, response, name, index)
            for index, (request, response) in enumerate(zip(requests, responses, strict=True))
        ]
    return loaded


class Tape:
    """The interactions to replay and which of them were played; safe across threads."""

    def __init__(self, interactions: Sequence[Interaction], *, allow_repeats: bool = False):
        self.interactions = list(interactions)
        self.allow_repeats = allow_repeats
        policy = recorder().get_merged_config()
        self._matchers: list[Matcher] = policy["match_on"]
        self._scrub: Callable[[Request], Request] = policy["before_record_request"]
        self._played: set[int] = set()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, paths: Sequence[str | Path], *, allow_repeats: bool = False) -> Tape:
        return cls(load_interactions(paths), allow_repeats=allow_repeats)

    def play(self, request: Request) -> dict[str, Any]:
        """The response recorded for `request`, marking it played; `NotRecordedError` if none.

        `request` is scrubbed by the policy first, as vcrpy does before matching."""
        request = self._scrub(request)
        with self._lock:
            matching = [
                i
                for i, recorded in enumerate(self.interactions)
                if self._matches(request, recorded.request)
            ]
            unplayed = [i for i in matching if i not in self._played]
            if unplayed:
                self._played.add(unplayed[0])
                return self.interactions[unplayed[0]].response
            if matching and self.allow_repeats:
                return self.interactions[matching[-1]].response
            raise self._not_recorded(request, matching)

    def rewind(self) -> None:
        """Forget what was played: the next requests are answered from the start."""
        with self._lock:
            self._played.clear()

    @property
    def unplayed(self) -> list[Interaction]:
        with self._lock:
            return [r for i, r in enumerate(self.interactions) if i not in self._played]

    def _matches(self, request: Request, recorded: Request) -> bool:
        passed, _ = get_matchers_results(request, recorded, self._matchers)
        return len(passed) == len(self._matchers)

    def _not_recorded(self, request: Request, matching: list[int]) -> NotRecordedError:
        line = request_line(request)
        if matching:
            where = ", ".join(self.interactions[i].where for i in matching)
            return NotRecordedError(
                f"Every recorded answer to {line} has been played ({where}). "
                "Replay with allow_repeats (--allow-repeats) to repeat the last one, "
                "or rewind with POST /assistants-mock/reset."
            )
        if not self.interactions:
            return NotRecordedError(f"No recorded interaction matches {line}: the tape is empty.")
        closest, failures = self._closest(request)
        differences = "; ".join(
            f"{name} differs ({_shorten(reason)})" if reason else f"{name} differs"
            for name, reason in failures
        )
        return NotRecordedError(
            f"No recorded interaction matches {line}. The closest recorded request is "
            f"{closest.line} ({closest.where}): {differences}."
        )

    def _closest(self, request: Request) -> tuple[Interaction, list[tuple[str, str]]]:
        """The recorded request passing the most matchers (unplayed first, then earliest)."""
        scored = []
        for i, recorded in enumerate(self.interactions):
            passed, failed = get_matchers_results(request, recorded.request, self._matchers)
            scored.append((-len(passed), i in self._played, i, failed))
        _, _, index, failures = min(scored, key=lambda s: s[:3])
        return self.interactions[index], [(name, str(reason or "")) for name, reason in failures]


def request_line(request: Request) -> str:
    """`METHOD /path?query`, as a request is named in errors."""
    query = urlsplit(request.uri).query
    return f"{request.method} {request.path}" + (f"?{query}" if query else "")


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def sse_events(body: bytes) -> Iterator[bytes]:
    """A text/event-stream body cut after each blank line: one piece per event."""
    for match in SSE_EVENT.finditer(body):
        if match.group():
            yield match.group()


def sse_writes(body: bytes) -> Iterator[bytes]:
    """The writes of a recorded stream, as the mock server writes its own: the first event
    alone, then events packed into writes of up to `WRITE_SIZE` bytes, never cut inside."""
    events = sse_events(body)
    first = next(events, None)
    if first is None:
        return
    yield first
    pending = bytearray()
    for event in events:
        if pending and len(pending) + len(event) > WRITE_SIZE:
            yield bytes(pending)
            pending.clear()
        pending += event
    if pending:
        yield bytes(pending)


def render(recorded: dict[str, Any]) -> Response:
    """The recorded response as sent: decompressed, and streamed if it is SSE."""
    response = decode_response(recorded)
    body = response["body"]["string"]
    body = body.encode() if isinstance(body, str) else body or b""
    headers = [
        (name.lower().encode("latin-1"), str(value).encode("latin-1"))
        for name, values in response["headers"].items()
        if name.lower() not in NOT_REPLAYED_HEADERS
        for value in values
    ]
    status = response["status"]["code"]
    content_type = next((v for n, v in headers if n == b"content-type"), b"")
    sent: Response
    if content_type.startswith(b"text/event-stream"):
        sent = StreamingResponse(sse_writes(body), status_code=status)
        sent.raw_headers = headers
    else:
        sent = Response(body, status_code=status)
        sent.raw_headers = [*sent.raw_headers, *headers]
    return sent


def create_replay_app(tape: Tape) -> Starlette:
    """The ASGI app answering every request from `tape`."""

    async def replay(request: HTTPRequest) -> Response:
        recorded = Request(
            request.method, str(request.url), await request.body(), dict(request.headers)
        )
        try:
            return render(tape.play(recorded))
        except NotRecordedError as error:
            return error_response(error)

    async def reset(request: HTTPRequest) -> Response:
        tape.rewind()
        return json_response({"reset": True})

    async def status(request: HTTPRequest) -> Response:
        unplayed = tape.unplayed
        return json_response(
            {
                "interactions": len(tape.interactions),
                "played": len(tape.interactions) - len(unplayed),
                "unplayed": [f"{i.line} ({i.where})" for i in unplayed],
            }
        )

    methods = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]
    return Starlette(
        routes=[
            Route("/assistants-mock/reset", reset, methods=["POST"]),
            Route("/assistants-mock/replay", status, methods=["GET"]),
            Route("/{path:path}", replay, methods=methods),
        ]
    )


class ReplayServer(AppServer):
    """Recorded cassettes served in a background thread.

    >>> with ReplayServer(["cassettes/seed_streamed.yaml"]) as server:
    ...     client = server.client()
    """

    def __init__(
        self,
        cassettes: Sequence[str | Path],
        *,
        allow_repeats: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.tape = Tape.load(cassettes, allow_repeats=allow_repeats)
        super().__init__(create_replay_app(self.tape), host=host, port=port)
