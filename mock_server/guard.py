"""Who may change a server through its control plane (`/assistants-mock/…`).

The control plane lives on the same port as the API, and a browser lets any web page
send "simple" cross-origin POSTs (form or `text/plain` bodies) to it. So a request that
changes state must: carry the server's `api_key` when one is set; have no `Origin`, or
the server's own; and, when it has a body, send it as `application/json` (which a page
elsewhere cannot send without a CORS preflight, which this server never grants).
"""

from __future__ import annotations

from fastapi import Request

from .dependencies import BackendDep
from .edge import NO_KEY
from .errors import AuthenticationError, Forbidden, UnsupportedMediaType

__all__ = ["guarded"]


async def guarded(request: Request, backend: BackendDep) -> None:
    """The checks a state-changing control request passes (see the module's doc)."""
    key = backend.settings.api_key
    if key is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or given.strip() != key:
            raise AuthenticationError(NO_KEY if not given else "Incorrect API key provided.",
                                      code=None if not given else "invalid_api_key")  # fmt: skip
    origin = request.headers.get("origin")
    if origin is not None:
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != own:
            raise Forbidden(
                f"The control plane accepts changes only from its own origin ({own}), "
                f"not from {origin}."
            )
    content_type = request.headers.get("content-type")
    has_body = (
        content_type is not None
        or request.headers.get("content-length", "0") != "0"
        or "transfer-encoding" in request.headers
    )
    if has_body and (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise UnsupportedMediaType(
            "The control plane takes JSON bodies only: send `Content-Type: application/json` "
            f"(got {content_type or 'none'})."
        )
