"""What every request meets before routing: its request id, the API key check and the
Assistants beta-header check, all in one plain ASGI middleware.

Checking headers here rather than in per-route dependencies keeps them off FastAPI's
dependency solver, which cost more per request than everything the backend does.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .backend import Backend
from .errors import APIError, AuthenticationError, BadRequestError
from .rendering import OPENAI_VERSION, error_response
from .settings import Settings

__all__ = ["NO_BETA", "NO_KEY", "OLD_BETA", "Edge", "check_headers"]

NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
    "(with blank username) if you're accessing the API from your browser and are prompted for "
    "a username. You can obtain an API key from https://platform.openai.com/account/api-keys."
)
NO_BETA = (
    "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again "
    "by setting the header 'OpenAI-Beta: assistants=v2'."
)
OLD_BETA = (
    "The v1 Assistants API has been deprecated. Please try again by setting the header "
    "'OpenAI-Beta: assistants=v2'."
)
BETA_SURFACES = ("/v1/assistants", "/v1/threads")
"""Where the SDKs send `OpenAI-Beta: assistants=v2` (never to `/files` or `/vector_stores`)."""


def _mask(key: str) -> str:
    return key[:3] + "*" * max(len(key) - 7, 0) + key[-4:] if len(key) > 7 else key


def _on_beta_surface(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in BETA_SURFACES)


def check_headers(settings: Settings, path: str, headers: Mapping[str, str]) -> APIError | None:
    """The error the real API answers a request with for its headers alone, if any."""
    if not path.startswith("/v1/") and path != "/v1":
        return None
    if settings.require_auth:
        scheme, _, key = headers.get("authorization", "").partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            return AuthenticationError(NO_KEY)
        if settings.api_key is not None and key != settings.api_key:
            return AuthenticationError(
                f"Incorrect API key provided: {_mask(key)}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
    if settings.require_beta_header and _on_beta_surface(path):
        values = [v.strip() for v in headers.get("openai-beta", "").split(",")]
        if "assistants=v2" not in values:
            message = OLD_BETA if "assistants=v1" in values else NO_BETA
            return BadRequestError(message, code="invalid_beta")
    return None


class Edge:
    """Stamps `x-request-id` (seeded) and `openai-version` on every `/v1` response, and answers
    header errors before any route runs.

    It reads the backend from `app.state` on each request, as the routes do, so a server
    reconfigured in place (`MockServer.configure`) is followed at once.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            # The control plane and the inspector draw no request id: watching a server
            # leaves the seeded ids of its API answers as they were.
            await self.app(scope, receive, send)
            return
        # Starlette puts the application on the scope before any middleware runs.
        backend: Backend = scope["app"].state.backend
        common = [
            (b"openai-version", OPENAI_VERSION.encode()),
            (b"x-request-id", backend.ids.request_id().encode()),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *common]
            await send(message)

        error = check_headers(backend.settings, scope["path"], Headers(scope=scope))
        if error is not None:
            await error_response(error)(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
