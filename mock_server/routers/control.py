"""`/assistants-mock/…`: the control plane, for tests in any language.

- `GET /assistants-mock/health`: `{"status": "ok", "version": …}`.
- `POST /assistants-mock/script`: add a rule (`{"assistant"?, "thread"?, "message"?,
  "turns": […]}`) or a scenario (`{"rules": […]}`) to the script; a 400 names any unknown
  key and where it is (`rules[0].turns[1].toolcalls`).
- `GET /assistants-mock/script`: the rules with turns never used.
- `DELETE /assistants-mock/script`: forget the script.
- `GET /assistants-mock/requests` (`?limit=`, `?path=`): the journal; `DELETE` clears it.
- `GET /assistants-mock/state` (`?thread_id=`): everything stored, with runs' timelines.
- `POST /assistants-mock/clock`: `{"advance": seconds}` or `{"set": unix}` (frozen clock).
- `POST /assistants-mock/faults`: add a fault rule (or `{"faults": […]}`); `GET` lists
  them with the times each has left; `DELETE` forgets them.
- `POST /assistants-mock/reset`: forget everything, as a new server would.

Every endpoint that changes state passes `guard.guarded` (api key, same origin, JSON).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ..dependencies import BackendDep, query_param
from ..errors import BadRequestError
from ..faults import Fault
from ..guard import guarded
from ..rendering import json_response
from ..script import Upload
from ..state import state_json

router = APIRouter(prefix="/assistants-mock")
Guarded = Depends(guarded)


async def _upload(request: Request) -> Upload:
    return Upload.parse(await request.body())


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise BadRequestError("The body is not valid JSON.") from None


@router.get("/health")
async def health() -> Response:
    from .. import __version__  # the package's __init__ imports this module

    return json_response({"status": "ok", "version": __version__})


@router.post("/script", dependencies=[Guarded])
async def add_script(backend: BackendDep, upload: Annotated[Upload, Depends(_upload)]) -> Response:
    with backend.lock:  # one action: a lasting store keeps the rules before the reply
        for rule in upload.rules:
            backend.script.add(rule)
    return json_response({"added": len(upload.rules), "unused": backend.script.unused()})


@router.get("/script")
async def unused_script(backend: BackendDep) -> Response:
    return json_response({"unused": backend.script.unused()})


@router.delete("/script", dependencies=[Guarded])
async def clear_script(backend: BackendDep) -> Response:
    with backend.lock:
        backend.script.clear()
    return json_response({"unused": []})


@router.post("/reset", dependencies=[Guarded])
async def reset(backend: BackendDep) -> Response:
    backend.reset()
    return json_response({"reset": True})


def _limit(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit():
        raise BadRequestError(f"Invalid 'limit': {text!r} is not a whole number.", param="limit")
    return int(text)


@router.get("/requests")
async def journal(
    backend: BackendDep,
    limit: Annotated[str | None, query_param("limit")],
    path: Annotated[str | None, query_param("path")],
) -> Response:
    calls = backend.journal.calls(path=path, limit=_limit(limit))
    return json_response(
        {
            "object": "list",
            "data": [call.as_dict() for call in calls],
            "total": backend.journal.count,
            "enabled": backend.journal.enabled,
        }
    )


@router.delete("/requests", dependencies=[Guarded])
async def clear_journal(backend: BackendDep) -> Response:
    backend.journal.clear()
    return json_response({"object": "list", "data": [], "total": 0})


@router.get("/state")
async def state(
    backend: BackendDep, thread_id: Annotated[str | None, query_param("thread_id")]
) -> Response:
    return Response(state_json(backend, thread_id), media_type="application/json")


@router.post("/clock", dependencies=[Guarded])
async def clock(backend: BackendDep, body: Annotated[Any, Depends(_json)]) -> Response:
    if backend.settings.clock != "frozen":
        raise BadRequestError("The clock is the system's: only a frozen clock can be moved.")
    if not isinstance(body, dict) or len(body) != 1 or not body.keys() <= {"advance", "set"}:
        raise BadRequestError('Send {"advance": seconds} or {"set": unix_seconds}.')
    ((how, value),) = body.items()
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRequestError(f"Invalid '{how}': {value!r} is not a whole number of seconds "
                              "(0 or more).", param=how)  # fmt: skip
    now = backend.clock.now()
    if how == "set" and value < now:
        raise BadRequestError(
            f"Invalid 'set': {value} is before the clock's time ({now}); time does not run "
            "backwards.",
            param="set",
        )
    with backend.lock:
        backend.clock.advance(value if how == "advance" else value - now)
    return json_response({"now": backend.clock.now()})


@router.post("/faults", dependencies=[Guarded])
async def add_faults(backend: BackendDep, body: Annotated[Any, Depends(_json)]) -> Response:
    given = body["faults"] if isinstance(body, dict) and "faults" in body else [body]
    if not isinstance(given, list):
        raise BadRequestError("Invalid 'faults': expected an array of fault rules.")
    rules = [Fault.parse(rule) for rule in given]  # all checked before any is added
    for rule in rules:
        backend.faults.add(rule)
    return json_response({"added": len(rules), "faults": backend.faults.listed()})


@router.get("/faults")
async def list_faults(backend: BackendDep) -> Response:
    return json_response({"faults": backend.faults.listed()})


@router.delete("/faults", dependencies=[Guarded])
async def clear_faults(backend: BackendDep) -> Response:
    backend.faults.clear()
    return json_response({"faults": []})
