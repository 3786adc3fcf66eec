"""`/v1/vector_stores`: stores, their files, file batches, and search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from .. import objects
from .. import request_models as rq
from ..dependencies import BackendDep, BatchId, FileId, VectorStoreId, body, query
from ..rendering import json_response, object_response, page_response, run_response

router = APIRouter(prefix="/v1/vector_stores")

FileListDep = Annotated[rq.VectorStoreFileListQuery, query(rq.VectorStoreFileListQuery)]


@router.post("")
async def create_vector_store(
    backend: BackendDep, req: Annotated[rq.CreateVectorStore, body(rq.CreateVectorStore)]
) -> Response:
    return object_response(backend.library.create_vector_store(req))


@router.get("")
async def list_vector_stores(
    backend: BackendDep, q: Annotated[rq.ListQuery, query(rq.ListQuery)]
) -> Response:
    return page_response(*backend.library.list_vector_stores(q))


@router.get("/{vector_store_id}")
async def get_vector_store(backend: BackendDep, vector_store_id: VectorStoreId) -> Response:
    return object_response(backend.library.get_vector_store(vector_store_id))


@router.post("/{vector_store_id}")
async def modify_vector_store(
    backend: BackendDep,
    vector_store_id: VectorStoreId,
    req: Annotated[rq.ModifyVectorStore, body(rq.ModifyVectorStore)],
) -> Response:
    return object_response(backend.library.modify_vector_store(vector_store_id, req))


@router.delete("/{vector_store_id}")
async def delete_vector_store(backend: BackendDep, vector_store_id: VectorStoreId) -> Response:
    return object_response(backend.library.delete_vector_store(vector_store_id))


@router.post("/{vector_store_id}/search")
async def search_vector_store(
    backend: BackendDep,
    vector_store_id: VectorStoreId,
    req: Annotated[rq.SearchVectorStore, body(rq.SearchVectorStore)],
) -> Response:
    text = req.query if isinstance(req.query, str) else " ".join(req.query)
    ranking = req.ranking_options
    results = backend.library.search_results(
        vector_store_id,
        text,
        max_num_results=req.max_num_results or 10,
        score_threshold=(ranking.score_threshold or 0.0) if ranking else 0.0,
        filters=None if req.filters is None else req.filters.model_dump(),
    )
    return json_response(objects.search_results_page(text, results))


# --- files of a store --------------------------------------------------------------------


@router.post("/{vector_store_id}/files")
async def attach_file(
    backend: BackendDep,
    vector_store_id: VectorStoreId,
    req: Annotated[rq.CreateVectorStoreFile, body(rq.CreateVectorStoreFile)],
) -> Response:
    return object_response(backend.library.attach_file(vector_store_id, req))


@router.get("/{vector_store_id}/files")
async def list_vector_store_files(
    backend: BackendDep, vector_store_id: VectorStoreId, q: FileListDep
) -> Response:
    return page_response(*backend.library.list_vector_store_files(vector_store_id, q))


@router.get("/{vector_store_id}/files/{file_id}")
async def get_vector_store_file(
    backend: BackendDep, vector_store_id: VectorStoreId, file_id: FileId
) -> Response:
    return object_response(backend.library.get_vector_store_file(vector_store_id, file_id))


@router.post("/{vector_store_id}/files/{file_id}")
async def update_vector_store_file(
    backend: BackendDep,
    vector_store_id: VectorStoreId,
    file_id: FileId,
    req: Annotated[rq.UpdateVectorStoreFile, body(rq.UpdateVectorStoreFile)],
) -> Response:
    updated = backend.library.update_vector_store_file(vector_store_id, file_id, req)
    return object_response(updated)


@router.delete("/{vector_store_id}/files/{file_id}")
async def detach_file(
    backend: BackendDep, vector_store_id: VectorStoreId, file_id: FileId
) -> Response:
    return object_response(backend.library.detach_file(vector_store_id, file_id))


@router.get("/{vector_store_id}/files/{file_id}/content")
async def vector_store_file_content(
    backend: BackendDep, vector_store_id: VectorStoreId, file_id: FileId
) -> Response:
    text = backend.library.vector_store_file_text(vector_store_id, file_id)
    return json_response(objects.file_content_page(text))


# --- file batches ------------------------------------------------------------------------


@router.post("/{vector_store_id}/file_batches")
async def create_file_batch(
    backend: BackendDep,
    vector_store_id: VectorStoreId,
    req: Annotated[rq.CreateFileBatch, body(rq.CreateFileBatch)],
) -> Response:
    return run_response(backend, backend.library.create_file_batch(vector_store_id, req))


@router.get("/{vector_store_id}/file_batches/{batch_id}")
async def get_file_batch(
    backend: BackendDep, vector_store_id: VectorStoreId, batch_id: BatchId
) -> Response:
    return run_response(
        backend, backend.library.get_file_batch(vector_store_id, batch_id, poll=True)
    )


@router.post("/{vector_store_id}/file_batches/{batch_id}/cancel")
async def cancel_file_batch(
    backend: BackendDep, vector_store_id: VectorStoreId, batch_id: BatchId
) -> Response:
    return run_response(backend, backend.library.cancel_file_batch(vector_store_id, batch_id))


@router.get("/{vector_store_id}/file_batches/{batch_id}/files")
async def list_file_batch_files(
    backend: BackendDep, vector_store_id: VectorStoreId, batch_id: BatchId, q: FileListDep
) -> Response:
    """The batch's files, each as the real API lists them: six keys, without
    `usage_bytes`, `chunking_strategy` and `attributes` (recorded in 2025)."""
    files, has_more = backend.library.list_file_batch_files(vector_store_id, batch_id, q)
    return json_response(objects.list_page([objects.batch_file(f) for f in files], has_more))
