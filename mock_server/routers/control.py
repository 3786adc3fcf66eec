"""`/assistants-mock/…`: the control plane, for tests in any language.

- `POST /assistants-mock/script`: add a rule (`{"assistant"?, "thread"?, "message"?,
  "turns": […]}`) or a scenario (`{"rules": […]}`) to the script; a 400 names any unknown
  key and where it is (`rules[0].turns[1].toolcalls`).
- `GET /assistants-mock/script`: the rules with turns never used.
- `DELETE /assistants-mock/script`: forget the script.
- `POST /assistants-mock/reset`: forget everything, as a new server would.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ..dependencies import BackendDep
from ..responses import json_response
from ..script import Upload

router = APIRouter(prefix="/assistants-mock")


async def _upload(request: Request) -> Upload:
    return Upload.parse(await request.body())


@router.post("/script")
async def add_script(backend: BackendDep, upload: Annotated[Upload, Depends(_upload)]) -> Response:
    for rule in upload.rules:
        backend.script.add(rule)
    return json_response({"added": len(upload.rules), "unused": backend.script.unused()})


@router.get("/script")
async def unused_script(backend: BackendDep) -> Response:
    return json_response({"unused": backend.script.unused()})


@router.delete("/script")
async def clear_script(backend: BackendDep) -> Response:
    backend.script.clear()
    return json_response({"unused": []})


@router.post("/reset")
async def reset(backend: BackendDep) -> Response:
    backend.reset()
    return json_response({"reset": True})
