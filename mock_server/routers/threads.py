"""`/v1/threads`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from .. import request_models as rq
from ..dependencies import BackendDep, ThreadId, body
from ..rendering import object_response

router = APIRouter(prefix="/v1/threads")


@router.post("")
async def create_thread(
    backend: BackendDep, req: Annotated[rq.CreateThread, body(rq.CreateThread)]
) -> Response:
    return object_response(backend.create_thread(req))


@router.get("/{thread_id}")
async def get_thread(backend: BackendDep, thread_id: ThreadId) -> Response:
    return object_response(backend.get_thread(thread_id))


@router.post("/{thread_id}")
async def modify_thread(
    backend: BackendDep, thread_id: ThreadId, req: Annotated[rq.ModifyThread, body(rq.ModifyThread)]
) -> Response:
    return object_response(backend.modify_thread(thread_id, req))


@router.delete("/{thread_id}")
async def delete_thread(backend: BackendDep, thread_id: ThreadId) -> Response:
    return object_response(backend.delete_thread(thread_id))
