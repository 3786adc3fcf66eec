"""Shared FastAPI dependencies: the backend, parsed bodies and parsed query strings.

Every dependency is `async def`: none of them blocks, and FastAPI would otherwise run
each one in a worker thread, a hop that cost more than the work.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from .backend import Backend
from .validation import parse_body, parse_query

__all__ = ["BackendDep", "body", "get_backend", "query"]

M = TypeVar("M", bound=BaseModel)


async def get_backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


BackendDep = Annotated[Backend, Depends(get_backend)]


def body(model: type[M]) -> Any:
    """`Depends` that parses the JSON body into `model` or answers the real API's 400."""

    async def parse(request: Request) -> M:
        data = await request.body()
        if len(data) > LARGE_BODY:  # parsed beside the event loop: other requests go on
            return await run_in_threadpool(parse_body, model, data)
        return parse_body(model, data)

    return Depends(parse)


LARGE_BODY = 256 * 1024
"""Bodies past this many bytes are parsed in a worker thread (up to `max_body_bytes`,
which can cost a second of one core); smaller ones cost less than the hop."""


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
