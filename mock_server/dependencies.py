"""Shared FastAPI dependencies: the backend, parsed bodies and queries, header checks.

Every dependency is `async def`: none of them blocks, and FastAPI would otherwise run
each one in a worker thread, a hop that cost more than the work.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel

from .backend import Backend
from .errors import AuthenticationError, BadRequestError
from .validation import parse_body, parse_query

__all__ = ["BackendDep", "body", "check_auth", "check_beta", "get_backend", "query"]

M = TypeVar("M", bound=BaseModel)

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


async def get_backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


BackendDep = Annotated[Backend, Depends(get_backend)]


def body(model: type[M]) -> Any:
    """`Depends` that parses the JSON body into `model` or answers the real API's 400."""

    async def parse(request: Request) -> M:
        return parse_body(model, await request.body())

    return Depends(parse)


def query(model: type[M]) -> Any:
    """`Depends` that parses the query string into `model` or answers the real API's 400."""

    async def parse(request: Request) -> M:
        return parse_query(model, _query_dict(request))

    return Depends(parse)


LIST_PARAMS = frozenset({"include"})
"""Query parameters that repeat (`include[]=a&include[]=b`); clients encode the brackets
differently, or leave them out, so all spellings count."""


def _query_dict(request: Request) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in request.query_params:
        name = key.removesuffix("[]")
        if name in LIST_PARAMS:
            existing = out.get(name, [])
            assert isinstance(existing, list)
            out[name] = existing + request.query_params.getlist(key)
        else:
            out[name] = request.query_params[key]
    return out


def _mask(key: str) -> str:
    return key[:3] + "*" * max(len(key) - 7, 0) + key[-4:] if len(key) > 7 else key


async def check_auth(request: Request, backend: BackendDep) -> None:
    """401 without `Authorization: Bearer …` (or with the wrong key when one is set)."""
    if not backend.settings.require_auth:
        return
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise AuthenticationError(NO_KEY)
    expected = backend.settings.api_key
    if expected is not None and key != expected:
        raise AuthenticationError(
            f"Incorrect API key provided: {_mask(key)}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
        )


async def check_beta(request: Request, backend: BackendDep) -> None:
    """400 `invalid_beta` without `OpenAI-Beta: assistants=v2`, as the real API does."""
    if not backend.settings.require_beta_header:
        return
    values = [v.strip() for v in request.headers.get("openai-beta", "").split(",")]
    if "assistants=v2" in values:
        return
    if "assistants=v1" in values:
        raise BadRequestError(OLD_BETA, code="invalid_beta")
    raise BadRequestError(NO_BETA, code="invalid_beta")
