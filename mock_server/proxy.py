"""Record through a proxy: `assistants-mock record --upstream URL --cassette FILE`.

The proxy forwards every request to the upstream API unchanged and relays the answer
as it arrives (streams stay streams, compressed bodies stay compressed), then writes the
interaction to a vcrpy cassette through the one cassette policy (`mock_server.cassettes`):
secrets scrubbed, bodies decompressed, a local upstream's port dropped. So a cassette
recorded here is the file vcrpy itself would have written inside the client, and
replays the same way (`assistants-mock replay`, or vcrpy in a test).

The cassette is rewritten after every interaction, in the order the requests arrived,
so stopping the proxy loses nothing. What happens to a cassette that already holds
interactions is vcrpy's record mode (`RecordMode`): `once`, the default, refuses to touch
it; `new_episodes` appends; `all` records it again. The SDK's base URL
`http://HOST:PORT/v1` maps onto the upstream's: `--upstream https://api.openai.com/v1`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
from starlette.applications import Starlette
from starlette.requests import Request as HTTPRequest
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister
from vcr.request import Request

from .cassettes import recorder
from .errors import UpstreamError
from .rendering import error_response
from .server import AppServer

__all__ = [
    "CassetteRefused",
    "CassetteWriter",
    "RecordMode",
    "RecordingProxy",
    "create_proxy_app",
]

NOT_FORWARDED_REQUEST_HEADERS = frozenset({"host", "content-length", "connection", "keep-alive"})
NOT_RELAYED_RESPONSE_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding"})
API_PREFIX = "/v1"
TIMEOUT = httpx2.Timeout(600.0, connect=10.0)


class RecordMode(StrEnum):
    """What recording does with a cassette that already holds interactions (vcrpy's
    names; vcrpy's `none`, replaying only, is `assistants-mock replay`)."""

    ONCE = "once"  # never touch it: record only into a new (or empty) cassette
    NEW_EPISODES = "new_episodes"  # keep its interactions, byte for byte, and append
    ALL = "all"  # record it again: the first interaction recorded replaces what it held


class CassetteRefused(ValueError):
    """A cassette the record mode does not let us write (the message says what to do)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


def _held(path: Path, serializer: Any) -> tuple[list[Request], list[dict[str, Any]], Any]:
    """The interactions (and metadata) a cassette holds; none when it is missing or empty."""
    try:
        loaded = FilesystemPersister.load_cassette(str(path), serializer=serializer)
    except CassetteNotFoundError:
        return [], [], None
    except Exception as exc:  # vcrpy raises what its parsers raise
        raise CassetteRefused(path, f"{path} is not a vcrpy cassette: {exc}") from None
    requests, responses, *metadata = loaded
    return list(requests), list(responses), metadata[0] if metadata else None


class CassetteWriter:
    """A cassette written through the policy, interaction by interaction, in request order
    (JSON if the path ends in `.json`, else YAML), as the record mode allows."""

    def __init__(
        self,
        path: str | Path,
        record_mode: RecordMode | str = RecordMode.ONCE,
        on_record: Callable[[CassetteWriter, int], None] | None = None,
    ) -> None:
        self.path = Path(path)
        try:
            self.record_mode = RecordMode(record_mode)
        except ValueError:
            allowed = ", ".join(repr(str(mode)) for mode in RecordMode)
            raise ValueError(f"record_mode={record_mode!r} is not one of {allowed}") from None
        self.on_record = on_record
        serializer = "json" if self.path.suffix == ".json" else "yaml"
        config = recorder(record_mode="all", serializer=serializer).get_merged_config()
        self._serializer = config["serializer"]
        self._before_request: Callable[[Request], Request | None] = config["before_record_request"]
        self._before_response: Callable[[dict[str, Any]], dict[str, Any] | None] = config[
            "before_record_response"
        ]
        self._slots: list[tuple[Request, dict[str, Any]] | None] = []
        self._lock = threading.Lock()
        self._kept: tuple[list[Request], list[dict[str, Any]], Any] = ([], [], None)
        if self.record_mode is RecordMode.ONCE:
            count = len(_held(self.path, self._serializer)[0])
            if count:
                raise CassetteRefused(
                    self.path,
                    f"{self.path} already holds {count} recorded interactions, and record "
                    "mode 'once' never touches an existing cassette: record with "
                    "--record-mode new_episodes (record_mode='new_episodes') to add to it, or "
                    "--record-mode all (record_mode='all') to record it again",
                )
        elif self.record_mode is RecordMode.NEW_EPISODES:
            self._kept = _held(self.path, self._serializer)

    @property
    def kept(self) -> int:
        """How many interactions the cassette held before, kept ahead of the new ones."""
        return len(self._kept[0])

    def reserve(self) -> int:
        """A place for the interaction of a request that just arrived."""
        with self._lock:
            self._slots.append(None)
            return len(self._slots) - 1

    def fill(self, slot: int, request: Request, response: dict[str, Any]) -> None:
        """Record an interaction in its place and rewrite the cassette."""
        scrubbed_request = self._before_request(request)
        scrubbed_response = self._before_response(response)
        with self._lock:
            if scrubbed_request is None or scrubbed_response is None:
                return
            self._slots[slot] = (scrubbed_request, scrubbed_response)
            recorded = self._save()
            if self.on_record is not None:
                self.on_record(self, recorded)

    @property
    def interactions(self) -> list[tuple[Request, dict[str, Any]]]:
        """The interactions recorded here, in request order (not those kept)."""
        with self._lock:
            return [s for s in self._slots if s is not None]

    def _save(self) -> int:
        """Write the cassette; how many interactions were recorded here."""
        recorded = [s for s in self._slots if s is not None]
        kept_requests, kept_responses, metadata = self._kept
        cassette = {
            "requests": kept_requests + [request for request, _ in recorded],
            "responses": kept_responses + [response for _, response in recorded],
            "metadata": metadata,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        FilesystemPersister.save_cassette(str(self.path), cassette, serializer=self._serializer)
        return len(recorded)


def upstream_url(upstream: str, request: HTTPRequest) -> str:
    """Where a request to the proxy goes: `/v1/…` maps onto the upstream base URL."""
    path = request.url.path
    base = upstream.rstrip("/")
    if path.startswith(API_PREFIX + "/") or path == API_PREFIX:
        path = path[len(API_PREFIX) :]
    else:
        parts = urlsplit(base)
        base = f"{parts.scheme}://{parts.netloc}"
    query = request.url.query
    return f"{base}{path}" + (f"?{query}" if query else "")


def serialized_response(response: httpx2.Response, body: bytes) -> dict[str, Any]:
    """A response as vcrpy stores it (each header a list of values, the raw body)."""
    headers: defaultdict[str, list[str]] = defaultdict(list)
    for name, value in response.headers.multi_items():
        headers[name].append(value)
    return {
        "status": {"code": response.status_code, "message": response.reason_phrase},
        "headers": dict(headers),
        "body": {"string": body},
    }


def create_proxy_app(upstream: str, writer: CassetteWriter) -> Starlette:
    """The ASGI app forwarding every request to `upstream` and recording it with `writer`."""

    async def forward(request: HTTPRequest) -> Response:
        body = await request.body()
        slot = writer.reserve()
        headers = [
            (name, value)
            for name, value in request.headers.items()
            if name not in NOT_FORWARDED_REQUEST_HEADERS
        ]
        client = httpx2.AsyncClient(timeout=TIMEOUT)
        outgoing = client.build_request(
            request.method, upstream_url(upstream, request), headers=headers, content=body
        )
        try:
            answer = await client.send(outgoing, stream=True)
        except httpx2.HTTPError as exc:
            await client.aclose()
            return error_response(
                UpstreamError(
                    f"assistants-mock record could not reach the upstream {upstream}: {exc!r}",
                    code="upstream_unreachable",
                )
            )
        recorded = Request(outgoing.method, str(outgoing.url), body, dict(outgoing.headers))

        async def relay() -> AsyncIterator[bytes]:
            received: list[bytes] = []
            try:
                async for chunk in answer.aiter_raw():
                    received.append(chunk)
                    yield chunk
            finally:  # also when the client hangs up: what was relayed is recorded
                writer.fill(slot, recorded, serialized_response(answer, b"".join(received)))
                await answer.aclose()
                await client.aclose()

        relayed = StreamingResponse(relay(), status_code=answer.status_code)
        relayed.raw_headers = [
            (name.lower(), value)
            for name, value in answer.headers.raw
            if name.lower().decode("latin-1") not in NOT_RELAYED_RESPONSE_HEADERS
        ]
        return relayed

    methods = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


class RecordingProxy(AppServer):
    """A recording proxy in a background thread.

    >>> with RecordingProxy("https://api.openai.com/v1", "cassettes/mine.yaml") as proxy:
    ...     client = proxy.client(api_key=...)
    """

    def __init__(
        self,
        upstream: str,
        cassette: str | Path,
        *,
        record_mode: RecordMode | str = RecordMode.ONCE,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.upstream = upstream
        self.writer = CassetteWriter(cassette, record_mode)
        super().__init__(create_proxy_app(upstream, self.writer), host=host, port=port)
