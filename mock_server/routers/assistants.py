"""`/v1/assistants`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from .. import request_models as rq
from ..dependencies import AssistantId, BackendDep, body, query
from ..rendering import object_response, page_response

router = APIRouter(prefix="/v1/assistants")


@router.post("")
async def create_assistant(
    backend: BackendDep, req: Annotated[rq.CreateAssistant, body(rq.CreateAssistant)]
) -> Response:
    return object_response(backend.create_assistant(req))


@router.get("")
async def list_assistants(
    backend: BackendDep, q: Annotated[rq.ListQuery, query(rq.ListQuery)]
) -> Response:
    return page_response(*backend.list_assistants(q))


@router.get("/{assistant_id}")
async def get_assistant(backend: BackendDep, assistant_id: AssistantId) -> Response:
    return object_response(backend.get_assistant(assistant_id))


@router.post("/{assistant_id}")
async def modify_assistant(
    backend: BackendDep,
    assistant_id: AssistantId,
    req: Annotated[rq.ModifyAssistant, body(rq.ModifyAssistant)],
) -> Response:
    return object_response(backend.modify_assistant(assistant_id, req))


@router.delete("/{assistant_id}")
async def delete_assistant(backend: BackendDep, assistant_id: AssistantId) -> Response:
    return object_response(backend.delete_assistant(assistant_id))
