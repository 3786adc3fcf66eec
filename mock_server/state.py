"""Everything a server holds, by kind, as the API renders it: what
`GET /assistants-mock/state` answers and the inspector shows.

Threads carry their messages and runs; runs carry their steps and their event timeline
(`timeline.py`). Bounded: `STATE_LIMIT` bytes of JSON at most, else a 400 that says how
to ask for less (`thread_id`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import to_json

from .errors import BadRequestError, NotFoundError
from .objects import render

if TYPE_CHECKING:
    from .backend import Backend

__all__ = ["STATE_LIMIT", "snapshot", "state_json"]

STATE_LIMIT = 4_000_000
"""Bytes of JSON one answer of `GET /assistants-mock/state` may hold."""


def _thread(backend: Backend, thread: Any) -> dict[str, Any]:
    store = backend.store
    runs = []
    for run in store.runs.children(thread.id):
        rendered = render(run)
        rendered["steps"] = [render(step) for step in store.steps.children(run.id)]
        rendered["timeline"] = backend.timeline.of(run.id)
        runs.append(rendered)
    out = render(thread)
    out["messages"] = [render(message) for message in store.messages.children(thread.id)]
    out["runs"] = runs
    return out


def snapshot(backend: Backend, thread_id: str | None = None) -> dict[str, Any]:
    """The stored objects by kind (only one thread, and no other kind, with `thread_id`)."""
    store = backend.store
    with backend.lock:
        if thread_id is not None:
            thread = store.threads.get(thread_id)
            if thread is None:
                raise NotFoundError.for_id("thread", thread_id)
            return {"threads": [_thread(backend, thread)]}
        stores = []
        for vector_store in store.vector_stores.children():
            rendered = render(vector_store)
            rendered["file_ids"] = [
                attached.file.id for attached in store.vector_store_files.children(vector_store.id)
            ]
            stores.append(rendered)
        return {
            "assistants": [render(a) for a in store.assistants.children()],
            "threads": [_thread(backend, t) for t in store.threads.children()],
            "files": [render(f) for f in store.files.children()],
            "vector_stores": stores,
        }


def state_json(backend: Backend, thread_id: str | None = None) -> bytes:
    """`snapshot` as JSON, or the 400 that says it is too large."""
    body = to_json(snapshot(backend, thread_id), indent=2)
    if len(body) > STATE_LIMIT:
        raise BadRequestError(
            f"The state is {len(body)} bytes of JSON, more than the {STATE_LIMIT} one answer "
            "holds: ask for one thread with ?thread_id=thread_..., or reset the server."
        )
    return body
