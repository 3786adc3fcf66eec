"""One cassette policy for recording and replaying Assistants traffic with vcrpy.

    from mock_server.cassettes import recorder

    with recorder().use_cassette("cassettes/my_workflow.yaml"):
        ...  # the official SDK, unchanged

Secrets never reach the file (`authorization`, `openai-organization`, `openai-project`,
cookies, `user-agent`, every `x-stainless-*` header, in requests and responses alike), nor
does what changes from one recording to the next (`date`, `server`, a local server's random
port, a multipart upload's random boundary), nor what one SDK release sends otherwise than
another (the order of a JSON body's top-level keys, a `content-type` on a request with no
body), so
re-recording the same script against the same seed gives the same file under any SDK.
Requests match on method, path, query and JSON body, not on host or port, so a cassette
recorded from one server replays anywhere. vcrpy scrubs a live request the same way
before matching it, so uploads match their recording.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import vcr
from vcr.request import Request

__all__ = [
    "BOUNDARY",
    "VCR_CONFIG",
    "body_json",
    "recorder",
    "scrub_request",
    "scrub_response",
]

SECRET_REQUEST_HEADERS = ("authorization", "openai-organization", "openai-project", "cookie")
DROPPED_REQUEST_HEADERS = ("user-agent",)
DROPPED_RESPONSE_HEADERS = frozenset(
    {"set-cookie", "date", "server", "openai-organization", "openai-project"}
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
BOUNDARY = "assistants-mock-boundary"
"""What a multipart upload's random boundary becomes."""
MULTIPART_BOUNDARY = re.compile(r"multipart/form-data;\s*boundary=\"?([^\";]+)\"?", re.IGNORECASE)


def scrub_request(request: Request) -> Request:
    """Drop secrets and client fingerprints (`x-stainless-*`) before a request is written;
    a local server's address (random port) becomes plain `localhost`."""
    parts = urlsplit(request.uri)
    if parts.hostname in LOCAL_HOSTS:
        request.uri = urlunsplit(parts._replace(netloc="localhost"))
        request.headers.pop("host", None)
    for name in list(request.headers):
        lowered = name.lower()
        if (
            lowered in SECRET_REQUEST_HEADERS
            or lowered in DROPPED_REQUEST_HEADERS
            or lowered.startswith("x-stainless-")
        ):
            del request.headers[name]
    _fix_boundary(request)
    _canonical_json(request)
    return request


def _canonical_json(request: Request) -> None:
    """A JSON body with its top-level keys sorted (openai 3.x sends `stream` first where 1.x
    and 2.x send it last); what they hold keeps its order, which the server echoes (metadata, a
    function's parameters). No `content-type` without a body (1.59 and 1.65 send one on every
    GET)."""
    content_type = request.headers.get("content-type", "")
    if not request.body:
        if content_type == "application/json":
            del request.headers["content-type"]
        return
    if content_type != "application/json":
        return
    try:
        parsed = json.loads(request.body)
    except ValueError:
        return
    if not isinstance(parsed, dict):
        return
    canonical = dict(sorted(parsed.items()))
    request.body = json.dumps(canonical, separators=(",", ":"), ensure_ascii=False).encode()
    if "content-length" in request.headers:
        request.headers["content-length"] = str(len(request.body))


def _fix_boundary(request: Request) -> None:
    """A multipart body's random boundary becomes `BOUNDARY`, in the header and the body."""
    content_type = request.headers.get("content-type", "")
    found = MULTIPART_BOUNDARY.search(content_type)
    if found is None or not isinstance(request.body, bytes):
        return
    start, end = found.span(1)
    request.headers["content-type"] = content_type[:start] + BOUNDARY + content_type[end:]
    request.body = _with_fixed_boundary(request.body, found.group(1))
    if "content-length" in request.headers:
        request.headers["content-length"] = str(len(request.body))


def _with_fixed_boundary(body: bytes, boundary: str) -> bytes:
    """`body` with each delimiter line (`--boundary`, at its start or after CRLF) using
    `BOUNDARY`; the same text inside a part's content stays."""
    delimiter = re.compile(rb"(\A|\r\n)--" + re.escape(boundary.encode()))
    return delimiter.sub(lambda line: line.group(1) + b"--" + BOUNDARY.encode(), body)


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop cookies, the account's names and the headers that change between recordings."""
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in DROPPED_RESPONSE_HEADERS:
            del headers[name]
    return response


def body_json(r1: Request, r2: Request) -> None:
    """Bodies match when equal as JSON (key order and spacing aside), multipart bodies when
    equal but for their boundaries (a live upload's is random), else as bytes."""

    def parsed(request: Request) -> Any:
        body = request.body or b""
        found = MULTIPART_BOUNDARY.search(request.headers.get("content-type", ""))
        if found is not None and isinstance(body, bytes):
            return _with_fixed_boundary(body, found.group(1))
        try:
            return json.loads(body)
        except ValueError:
            return body

    if parsed(r1) != parsed(r2):
        raise AssertionError(f"bodies differ: {r1.body!r} != {r2.body!r}")


VCR_CONFIG: dict[str, Any] = {
    "before_record_request": scrub_request,
    "before_record_response": scrub_response,
    "decode_compressed_response": True,
    "match_on": ["method", "path", "query", "body_json"],
}
"""The policy as vcrpy keyword arguments (register `body_json` as a matcher first, as
`recorder` does)."""


def recorder(**overrides: Any) -> vcr.VCR:
    """A `vcr.VCR` with the policy; `overrides` (e.g. `record_mode="none"`) win."""
    configured = vcr.VCR(**{**VCR_CONFIG, **overrides})
    configured.register_matcher("body_json", body_json)
    return configured
