"""`/v1/threads/{thread_id}/messages`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from .. import request_models as rq
from ..dependencies import BackendDep, MessageId, ThreadId, body, query
from ..rendering import object_response, page_response

router = APIRouter(prefix="/v1/threads/{thread_id}/messages")


@router.post("")
async def create_message(
    backend: BackendDep,
    thread_id: ThreadId,
    req: Annotated[rq.CreateMessage, body(rq.CreateMessage)],
) -> Response:
    return object_response(backend.create_message(thread_id, req))


@router.get("")
async def list_messages(
    backend: BackendDep,
    thread_id: ThreadId,
    q: Annotated[rq.MessageListQuery, query(rq.MessageListQuery)],
) -> Response:
    return page_response(*backend.list_messages(thread_id, q))


@router.get("/{message_id}")
async def get_message(backend: BackendDep, thread_id: ThreadId, message_id: MessageId) -> Response:
    return object_response(backend.get_message(thread_id, message_id))


@router.post("/{message_id}")
async def modify_message(
    backend: BackendDep,
    thread_id: ThreadId,
    message_id: MessageId,
    req: Annotated[rq.ModifyMessage, body(rq.ModifyMessage)],
) -> Response:
    return object_response(backend.modify_message(thread_id, message_id, req))


@router.delete("/{message_id}")
async def delete_message(
    backend: BackendDep, thread_id: ThreadId, message_id: MessageId
) -> Response:
    return object_response(backend.delete_message(thread_id, message_id))
