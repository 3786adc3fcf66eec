"""`create_app`: one backend on `app.state`, the routers, and the error handlers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .backend import Backend
from .edge import Edge
from .errors import APIError, BadRequestError, NotFoundError
from .head import HeadAsGet
from .inspector import router as inspector
from .limits import BodyLimits
from .rendering import SERVER_ERROR, error_response
from .routers import assistants, control, files, messages, runs, threads, vector_stores
from .settings import Settings
from .store import Store
from .tap import Tap

__all__ = ["create_app"]

_log = logging.getLogger(__name__)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown routes and methods, worded as the real API words them."""
    assert isinstance(exc, HTTPException)
    message = f"Invalid URL ({request.method} {request.url.path})"
    if exc.status_code in (404, 405):
        return error_response(NotFoundError(message))
    return error_response(BadRequestError(str(exc.detail)))


async def _validation_error(request: Request, exc: Exception) -> Response:
    """Never FastAPI's 422: path and header problems are 400s in OpenAI's envelope."""
    assert isinstance(exc, RequestValidationError)
    return error_response(BadRequestError(f"Invalid request: {exc.errors()[0]['msg']}."))


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(APIError(SERVER_ERROR))


class _ServerErrors:
    """Our own bugs answered as the real API answers its own: a 500 in the error envelope,
    the traceback logged once, and the connection kept usable.

    A client that leaves halfway through its body (`ClientDisconnect`) gets nothing and
    is no failure.

    Starlette's outermost middleware would also render the 500, but then re-raise, and
    uvicorn closes a connection an exception escaped from: the client's next request on
    it would fail. Catching here, inside `Edge` (which stamps the headers), nothing
    escapes. A failure after the response started can only end its body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except ClientDisconnect:
            pass  # the client left halfway through its body: nothing failed, no one to answer
        except Exception:
            _log.exception("%s %s failed", scope["method"], scope["path"])
            try:
                if not started:
                    await error_response(APIError(SERVER_ERROR))(scope, receive, send)
                else:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
            except Exception:  # the client is gone: nothing left to tell it
                pass


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """A new mock Assistants API with its own backend (`app.state.backend`, which routes and
    `Edge` read on every request, so replacing it reconfigures the app in place)."""
    backend = Backend(settings, store)
    app = FastAPI(
        title="assistants-mock",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        exception_handlers={
            APIError: _api_error,
            HTTPException: _http_error,
            RequestValidationError: _validation_error,
            Exception: _server_error,
        },
    )
    app.state.backend = backend
    for module in (assistants, runs, threads, messages, files, vector_stores, control):
        # The routes themselves, not the routers: FastAPI matches an included router's
        # routes twice per request, which cost more than the work behind them.
        app.router.routes.extend(module.router.routes)
    app.router.routes.extend(inspector.routes)
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimits)  # inside Edge: its 413s and 414s carry the request id
    app.add_middleware(_ServerErrors)
    app.add_middleware(Edge)  # its headers go on every answer, 500s too
    app.add_middleware(Tap)  # outermost: journals what Edge refuses too
    return app
