"""`/v1/threads/{thread_id}/runs`, `/v1/threads/runs` and run steps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from .. import request_models as rq
from ..dependencies import BackendDep, RunId, StepId, ThreadId, body, query
from ..rendering import event_stream, object_response, page_response, run_response

router = APIRouter(prefix="/v1/threads")


IncludeDep = Annotated[rq.StepQuery, query(rq.StepQuery)]


@router.post("/runs")
async def create_thread_and_run(
    backend: BackendDep, req: Annotated[rq.CreateThreadAndRun, body(rq.CreateThreadAndRun)]
) -> Response:
    executor = backend.create_thread_and_run(req)
    if req.stream:
        return event_stream(backend, executor)
    return run_response(backend, backend.run_unstreamed(executor))


@router.post("/{thread_id}/runs")
async def create_run(
    backend: BackendDep,
    thread_id: ThreadId,
    req: Annotated[rq.CreateRun, body(rq.CreateRun)],
    include: IncludeDep,
) -> Response:
    executor = backend.create_run(thread_id, req, include)
    if req.stream:
        return event_stream(backend, executor)
    return run_response(backend, backend.run_unstreamed(executor))


@router.get("/{thread_id}/runs")
async def list_runs(
    backend: BackendDep, thread_id: ThreadId, q: Annotated[rq.ListQuery, query(rq.ListQuery)]
) -> Response:
    return page_response(*backend.list_runs(thread_id, q))


@router.get("/{thread_id}/runs/{run_id}")
async def get_run(backend: BackendDep, thread_id: ThreadId, run_id: RunId) -> Response:
    return run_response(backend, backend.get_run(thread_id, run_id, poll=True))


@router.post("/{thread_id}/runs/{run_id}")
async def modify_run(
    backend: BackendDep,
    thread_id: ThreadId,
    run_id: RunId,
    req: Annotated[rq.ModifyRun, body(rq.ModifyRun)],
) -> Response:
    return run_response(backend, backend.modify_run(thread_id, run_id, req))


@router.post("/{thread_id}/runs/{run_id}/cancel")
async def cancel_run(backend: BackendDep, thread_id: ThreadId, run_id: RunId) -> Response:
    return run_response(backend, backend.cancel_run(thread_id, run_id))


@router.post("/{thread_id}/runs/{run_id}/submit_tool_outputs")
async def submit_tool_outputs(
    backend: BackendDep,
    thread_id: ThreadId,
    run_id: RunId,
    req: Annotated[rq.SubmitToolOutputs, body(rq.SubmitToolOutputs)],
) -> Response:
    executor = backend.submit_tool_outputs(thread_id, run_id, req)
    if req.stream:
        return event_stream(backend, executor)
    return run_response(backend, backend.run_unstreamed(executor))


@router.get("/{thread_id}/runs/{run_id}/steps")
async def list_steps(
    backend: BackendDep,
    thread_id: ThreadId,
    run_id: RunId,
    q: Annotated[rq.StepListQuery, query(rq.StepListQuery)],
) -> Response:
    return page_response(*backend.list_steps(thread_id, run_id, q))


@router.get("/{thread_id}/runs/{run_id}/steps/{step_id}")
async def get_step(
    backend: BackendDep, thread_id: ThreadId, run_id: RunId, step_id: StepId, include: IncludeDep
) -> Response:
    return object_response(backend.get_step(thread_id, run_id, step_id, include))
