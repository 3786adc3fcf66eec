"""`create_app`: one backend on `app.state`, the routers, and the error handlers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from .backend import Backend
from .edge import Edge
from .errors import APIError, BadRequestError, NotFoundError
from .inspector import router as inspector
from .responses import error_response
from .routers import assistants, control, files, messages, runs, threads, vector_stores
from .settings import Settings
from .store import Store
from .tap import Tap

__all__ = ["create_app"]


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
    return error_response(
        APIError("The server had an error while processing your request. Sorry about that!")
    )


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
    app.add_middleware(Edge)
    app.add_middleware(Tap)  # outermost: journals what Edge refuses too
    return app
