"""Shared FastAPI dependencies: the backend, path parameters, parsed bodies and parsed
query strings.

Every dependency is `async def`: none of them blocks, and FastAPI would otherwise run
each one in a worker thread, a hop that cost more than the work. Every one reads the
`Request` and nothing else: FastAPI analyses any other parameter with pydantic when the
route is declared (and imports `pydantic.v1` to rule out v1 models), which cost 20-40 ms
of the start-up that issue 9 bounds; parsing stays ours (`validation.py`).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from .backend import Backend
from .validation import parse_body, parse_query

__all__ = [
    "AssistantId",
    "BackendDep",
    "BatchId",
    "FileId",
    "MessageId",
    "RunId",
    "StepId",
    "ThreadId",
    "VectorStoreId",
    "body",
    "get_backend",
    "path_param",
    "query",
    "query_param",
]

M = TypeVar("M", bound=BaseModel)


async def get_backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


BackendDep = Annotated[Backend, Depends(get_backend)]


def path_param(name: str) -> Any:
    """`Depends` that reads the path parameter `name` (as the route matched it)."""

    async def read(request: Request) -> str:
        value: str = request.path_params[name]
        return value

    return Depends(read)


AssistantId = Annotated[str, path_param("assistant_id")]
BatchId = Annotated[str, path_param("batch_id")]
FileId = Annotated[str, path_param("file_id")]
MessageId = Annotated[str, path_param("message_id")]
RunId = Annotated[str, path_param("run_id")]
StepId = Annotated[str, path_param("step_id")]
ThreadId = Annotated[str, path_param("thread_id")]
VectorStoreId = Annotated[str, path_param("vector_store_id")]


def query_param(name: str) -> Any:
    """`Depends` that reads the query parameter `name`, None when it is absent."""

    async def read(request: Request) -> str | None:
        return request.query_params.get(name)

    return Depends(read)


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
