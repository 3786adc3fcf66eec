"""Size limits on what a request may send, enforced before anything parses it.

`BodyLimits` is a plain ASGI middleware: a URL longer than `MAX_URL_BYTES` is a 414,
and a body over its limit (an upload over `MAX_UPLOAD_BYTES`, any other body over
`MAX_JSON_BYTES`) a 413, both in the API's error envelope. A declared `Content-Length`
over the limit is refused before a byte of the body is read; a body without one is
counted while it is read and cut off at the limit, so no body is ever held past it.
The limits are settings (`max_upload_bytes`, `max_body_bytes`, `max_url_bytes`): the real
API's where known (512 MB per file), chosen otherwise; see docs/fidelity.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import APIError, PayloadTooLargeError, URITooLongError
from .rendering import error_response
from .settings import Settings

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_UPLOAD_BYTES",
    "MAX_URL_BYTES",
    "BodyLimits",
    "Limits",
    "body_limit",
    "declared_size",
]

MAX_UPLOAD_BYTES = Settings.max_upload_bytes
"""A file upload's body: the real API takes files of up to 512 MB (the spec, `/files`)."""
MULTIPART_OVERHEAD = 64 * 1024
"""Room in an upload's body for the multipart framing and its other fields."""
MAX_JSON_BYTES = Settings.max_body_bytes
"""Any other body. The largest a valid Assistants request can be is about 8.5 MB (32
messages of 256,000 characters and as long instructions); twice that leaves room for
non-ASCII text, and bounds what one JSON parse may cost."""
MAX_URL_BYTES = Settings.max_url_bytes
"""A request's path and query string."""


@dataclass(frozen=True)
class Limits:
    """The limits one server enforces (its settings' `max_*_bytes`)."""

    upload_bytes: int = MAX_UPLOAD_BYTES
    json_bytes: int = MAX_JSON_BYTES
    url_bytes: int = MAX_URL_BYTES

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.max_upload_bytes, settings.max_body_bytes, settings.max_url_bytes)


def body_limit(limits: Limits, headers: Headers) -> int:
    """The most bytes a request with these headers may send: an upload's limit (with room
    for its multipart framing), or any other body's."""
    multipart = headers.get("content-type", "").lower().startswith("multipart/form-data")
    return limits.upload_bytes + MULTIPART_OVERHEAD if multipart else limits.json_bytes


def declared_size(headers: Headers) -> int | None:
    """The body's size as its `Content-Length` declares it, if it does."""
    declared = headers.get("content-length", "")
    return int(declared) if declared.isdigit() else None


class _Cut(Exception):
    """The body passed its limit while the app was reading it."""


class BodyLimits:
    """Refuses URLs and bodies over their limits, before the app parses anything."""

    def __init__(self, app: ASGIApp, limits: Limits | None = None) -> None:
        self.app = app
        self.limits = limits
        """Fixed limits; None: the server's settings, read on each request (a server
        reconfigured in place follows at once)."""

    def limits_for(self, scope: Scope) -> Limits:
        if self.limits is not None:
            return self.limits
        app = scope.get("app")
        backend = getattr(getattr(app, "state", None), "backend", None)
        return Limits() if backend is None else Limits.of(backend.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits_for(scope)
        url_bytes = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b"")
        )
        if url_bytes > limits.url_bytes:
            error: APIError = URITooLongError(
                f"Request URL too long: {url_bytes} bytes, at most {limits.url_bytes}."
            )
            await error_response(error)(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = body_limit(limits, headers)
        declared = declared_size(headers)
        if declared is not None and declared > limit:
            response = error_response(PayloadTooLargeError.for_size(limit, declared))
            response.headers["connection"] = "close"  # the body is left unread
            await response(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Run the app with a body that ends at `limit`; past it, answer 413 instead of
        whatever the app makes of the cut body."""
        read = 0
        cut = False
        started = False

        async def counting_receive() -> Message:
            nonlocal read, cut
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    cut = True
                    raise _Cut
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if cut:
                return  # the 413 below answers instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _Cut:
            pass
        except Exception:
            if not cut:
                raise
        if cut and not started:
            response = error_response(PayloadTooLargeError.for_size(limit, read))
            response.headers["connection"] = "close"  # the rest of the body is left unread
            await response(scope, receive, send)
