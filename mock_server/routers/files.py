"""`/v1/files`: uploads (`multipart/form-data`), their metadata and their bytes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from .. import objects
from .. import request_models as rq
from ..dependencies import BackendDep, FileId, query
from ..errors import BadRequestError
from ..rendering import json_response, object_response
from ..validation import parse_query

router = APIRouter(prefix="/v1/files")


@router.post("")
async def create_file(backend: BackendDep, request: Request) -> Response:
    filename, data, form = await _upload(request)
    return object_response(backend.library.create_file(filename, data, form))


@router.get("")
async def list_files(
    backend: BackendDep, q: Annotated[rq.FileListQuery, query(rq.FileListQuery)]
) -> Response:
    files, has_more = backend.library.list_files(q)
    return json_response(objects.files_page([objects.render(f) for f in files], has_more))


@router.get("/{file_id}")
async def get_file(backend: BackendDep, file_id: FileId) -> Response:
    return object_response(backend.library.get_file(file_id))


@router.delete("/{file_id}")
async def delete_file(backend: BackendDep, file_id: FileId) -> Response:
    return object_response(backend.library.delete_file(file_id))


@router.get("/{file_id}/content")
async def file_content(backend: BackendDep, file_id: FileId) -> Response:
    file, data = backend.library.file_content(file_id)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"content-disposition": _disposition(file.filename)},
    )


async def _upload(request: Request) -> tuple[str, bytes, rq.FileForm]:
    """The file, its name and the other fields of an upload; nested fields arrive as
    `expires_after[seconds]`. Errors are worded as the real API words them."""
    try:
        form = await request.form()
    except ClientDisconnect:  # gone halfway: no one to answer (`app._ServerErrors`)
        raise
    except Exception:  # a body that is not the multipart it says it is
        raise BadRequestError("'file' is a required property") from None
    upload: UploadFile | None = None
    fields: dict[str, object] = {}
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == "file":
                    upload = value
                    continue
                raise BadRequestError(f"Unrecognized request argument supplied: {key}")
            name, bracket, rest = key.partition("[")
            if bracket and rest.endswith("]"):
                nested = fields.setdefault(name, {})
                if isinstance(nested, dict):
                    nested[rest[:-1]] = value
            else:
                fields[key] = value
        if upload is None:
            raise BadRequestError("'file' is a required property")
        if "purpose" not in fields:
            raise BadRequestError("'purpose' is a required property")
        parsed = parse_query(rq.FileForm, fields)
        return upload.filename or "upload", await upload.read(), parsed
    finally:
        await form.close()


def _disposition(filename: str) -> str:
    """`attachment; filename="…"`, as the real API sends it; names that a header cannot
    carry as they are go in RFC 5987 form."""
    if filename.isascii() and '"' not in filename and "\\" not in filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
