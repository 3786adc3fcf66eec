"""Everything a server holds, by kind, as the API renders it: what
`GET /assistants-mock/state` answers, the inspector shows, and a server starts from.

Threads carry their messages and runs; runs carry their steps and their event timeline
(`timeline.py`). Bounded: `STATE_LIMIT` bytes of JSON at most, else a 400 that says how
to ask for less (`thread_id`).

The whole document (no `thread_id`) is a snapshot: with its `version`, the files' bytes,
each vector store's files and batches, the id factory's positions and the clock, it is
all a server needs to continue (`server.snapshot()`, `--state FILE`). `load` checks a
snapshot whole (its version, every object's shape, every reference) before it writes
anything, and names the JSON path of the first problem.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import to_json

from .clock import FrozenClock
from .errors import BadRequestError, NotFoundError
from .ids import MAX_POSITION
from .objects import render
from .script import Rule, Script, ScriptError
from .store.base import Attached, Batch, Blob
from .wire import (
    Assistant,
    FileObject,
    Message,
    Run,
    RunStep,
    Thread,
    VectorStore,
    VectorStoreFile,
    VectorStoreFileBatch,
)

if TYPE_CHECKING:
    from .backend import Backend

__all__ = [
    "SNAPSHOT_VERSION",
    "STATE_LIMIT",
    "SnapshotError",
    "load",
    "load_state_file",
    "restore_script",
    "script_rules",
    "snapshot",
    "state_json",
]

STATE_LIMIT = 4_000_000
"""Bytes of JSON one answer of `GET /assistants-mock/state` may hold."""

SNAPSHOT_VERSION = 1
"""The `version` of the snapshot this code writes and reads."""


class SnapshotError(ValueError):
    """A snapshot that cannot be loaded: where in it, and what is wrong."""


def script_rules(script: Script) -> list[dict[str, Any]]:
    """The scripted rules with turns left, each with only the turns it has left."""
    return [
        {
            **rule.model_dump(mode="json", exclude={"turns"}, exclude_none=True),
            "turns": [turn.model_dump(mode="json", exclude_none=True) for turn in left],
        }
        for rule, left in script.left()
    ]


def restore_script(script: Script, rules: list[Any], path: str = "$.script") -> None:
    """Replace the script's rules with `rules` (as `script_rules` gives them), all checked
    first (`SnapshotError` naming the rule)."""
    parsed = []
    for i, rule in enumerate(_list(rules, path)):
        try:
            parsed.append(Rule.parse(_object(rule, f"{path}[{i}]")))
        except ScriptError as exc:
            raise _fail(f"{path}[{i}]", str(exc)) from None
    script.clear()
    for rule in parsed:
        script.add(rule)


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
            attached = [row.file for row in store.vector_store_files.children(vector_store.id)]
            rendered["file_ids"] = [file.id for file in attached]
            rendered["files"] = [render(file) for file in attached]
            rendered["file_batches"] = [
                {**render(row.batch), "file_ids": list(row.file_ids)}
                for row in store.file_batches.children(vector_store.id)
            ]
            stores.append(rendered)
        contents = {}
        for file in store.files.children():
            blob = store.file_contents.get(file.id)
            if blob is not None:
                contents[file.id] = base64.b64encode(blob.data).decode()
        return {
            "version": SNAPSHOT_VERSION,
            "assistants": [render(a) for a in store.assistants.children()],
            "threads": [_thread(backend, t) for t in store.threads.children()],
            "files": [render(f) for f in store.files.children()],
            "vector_stores": stores,
            "file_contents": contents,
            "script": script_rules(backend.script),
            "ids": backend.ids.positions(),
            "clock": backend.clock.now(),
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


# --- loading ---------------------------------------------------------------------------


def _fail(path: str, problem: str) -> SnapshotError:
    return SnapshotError(f"{path}: {problem}")


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(path, f"expected an array, got {type(value).__name__}")
    return value


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, f"expected an object, got {type(value).__name__}")
    return value


M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], value: Any, path: str, drop: tuple[str, ...] = ()) -> M:
    data = {k: v for k, v in _object(value, path).items() if k not in drop}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        raise _fail(path + where, f"{error['msg']} (not a {model.__name__})") from None


class _Plan:
    """A checked snapshot: the rows to insert, in order, under their parents."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, Any, str | None]] = []
        self.keys: set[tuple[str, str]] = set()

    def add(self, kind: str, obj: Any, parent: str | None, path: str) -> None:
        if (kind, obj.id) in self.keys:
            raise _fail(path + ".id", f"{obj.id!r} appears twice")
        self.keys.add((kind, obj.id))
        self.rows.append((kind, obj, parent))

    def has(self, kind: str, key: str) -> bool:
        return (kind, key) in self.keys


def _plan(document: Any) -> tuple[_Plan, dict[str, int], int | None, list[Rule]]:
    doc = _object(document, "$")
    version = doc.get("version")
    if version != SNAPSHOT_VERSION:
        raise _fail(
            "$.version",
            f"{version!r} is not a snapshot version this server reads ({SNAPSHOT_VERSION}); "
            "a snapshot is the whole `GET /assistants-mock/state` (no thread_id)",
        )
    plan = _Plan()
    _plan_files(plan, doc)
    _plan_threads(plan, doc)
    ids = _object(doc.get("ids", {}), "$.ids")
    for name, drawn in ids.items():
        if not isinstance(drawn, int) or isinstance(drawn, bool) or drawn < 0:
            raise _fail(f"$.ids[{json.dumps(name)}]", f"{drawn!r} is not a count (0 or more)")
        if drawn > MAX_POSITION:
            raise _fail(f"$.ids[{json.dumps(name)}]", f"{drawn} is past the furthest a "
                        f"stream goes ({MAX_POSITION:,} characters)")  # fmt: skip
    clock = doc.get("clock")
    if clock is not None and (not isinstance(clock, int) or isinstance(clock, bool) or clock < 0):
        raise _fail("$.clock", f"{clock!r} is not a time in Unix seconds")
    rules = Script()
    restore_script(rules, doc.get("script", []))
    return plan, ids, clock, [rule for rule, _ in rules.left()]


def _plan_files(plan: _Plan, doc: dict[str, Any]) -> None:
    """Files, their bytes, vector stores with their files and batches."""
    files = _list(doc.get("files", []), "$.files")
    for i, value in enumerate(files):
        plan.add("file", _parse(FileObject, value, f"$.files[{i}]"), None, f"$.files[{i}]")
    contents = _object(doc.get("file_contents", {}), "$.file_contents")
    for file_id, text in contents.items():
        path = f"$.file_contents[{json.dumps(file_id)}]"
        if not plan.has("file", file_id):
            raise _fail(path, f"no file {file_id!r} in $.files")
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise _fail(path, "not base64") from None
        plan.add("file_content", Blob(file_id, data), None, path)
    stores = _list(doc.get("vector_stores", []), "$.vector_stores")
    for i, value in enumerate(stores):
        path = f"$.vector_stores[{i}]"
        store = _parse(VectorStore, value, path, drop=("file_ids", "files", "file_batches"))
        plan.add("vector_store", store, None, path)
        for j, item in enumerate(_list(value.get("files", []), path + ".files")):
            at = f"{path}.files[{j}]"
            attached = _parse(VectorStoreFile, item, at)
            if not plan.has("file", attached.id):
                raise _fail(at + ".id", f"no file {attached.id!r} in $.files")
            if attached.vector_store_id != store.id:
                raise _fail(at + ".vector_store_id", f"is not {store.id!r}")
            plan.add("vector_store_file", Attached(attached), store.id, at)
        for j, item in enumerate(_list(value.get("file_batches", []), path + ".file_batches")):
            at = f"{path}.file_batches[{j}]"
            batch = _parse(VectorStoreFileBatch, item, at, drop=("file_ids",))
            file_ids = _list(_object(item, at).get("file_ids", []), at + ".file_ids")
            for k, file_id in enumerate(file_ids):
                if not isinstance(file_id, str) or not plan.has("file", file_id):
                    raise _fail(f"{at}.file_ids[{k}]", f"no file {file_id!r} in $.files")
            plan.add("file_batch", Batch(batch, tuple(file_ids)), store.id, at)


def _plan_threads(plan: _Plan, doc: dict[str, Any]) -> None:
    """Assistants, threads with their messages, runs with their steps."""
    for i, value in enumerate(_list(doc.get("assistants", []), "$.assistants")):
        path = f"$.assistants[{i}]"
        plan.add("assistant", _parse(Assistant, value, path), None, path)
    for i, value in enumerate(_list(doc.get("threads", []), "$.threads")):
        path = f"$.threads[{i}]"
        thread = _parse(Thread, value, path, drop=("messages", "runs"))
        plan.add("thread", thread, None, path)
        for j, item in enumerate(_list(value.get("messages", []), path + ".messages")):
            at = f"{path}.messages[{j}]"
            message = _parse(Message, item, at)
            if message.thread_id != thread.id:
                raise _fail(at + ".thread_id", f"is not {thread.id!r}")
            plan.add("message", message, thread.id, at)
        for j, item in enumerate(_list(value.get("runs", []), path + ".runs")):
            at = f"{path}.runs[{j}]"
            run = _parse(Run, item, at, drop=("steps", "timeline"))
            if run.thread_id != thread.id:
                raise _fail(at + ".thread_id", f"is not {thread.id!r}")
            plan.add("run", run, thread.id, at)
            for k, step_value in enumerate(_list(item.get("steps", []), at + ".steps")):
                step_at = f"{at}.steps[{k}]"
                step = _parse(RunStep, step_value, step_at)
                if step.run_id != run.id:
                    raise _fail(step_at + ".run_id", f"is not {run.id!r}")
                plan.add("step", step, run.id, step_at)
    for kind, obj, _ in plan.rows:
        if kind == "message" and obj.run_id is not None and not plan.has("run", obj.run_id):
            raise _fail("$.threads", f"message {obj.id!r} names run {obj.run_id!r}, not in it")


def load(backend: Backend, document: Any) -> None:
    """Fill the backend's empty store from a snapshot (checked whole first, else a
    `SnapshotError` naming where): objects, file bytes, id positions and the clock."""
    plan, ids, clock, rules = _plan(document)
    store = backend.store
    tables: dict[str, Any] = {
        "file": store.files,
        "file_content": store.file_contents,
        "vector_store": store.vector_stores,
        "vector_store_file": store.vector_store_files,
        "file_batch": store.file_batches,
        "assistant": store.assistants,
        "thread": store.threads,
        "message": store.messages,
        "run": store.runs,
        "step": store.steps,
    }
    with backend.lock:
        if not store.empty:
            raise SnapshotError("the store is not empty: a snapshot loads into an empty one")
        for kind, obj, parent in plan.rows:
            tables[kind].insert(obj, parent)
        backend.ids.restore(ids)
        backend.script.clear()
        for rule in rules:
            backend.script.add(rule)
        if clock is not None and isinstance(backend.clock, FrozenClock):
            backend.clock.set(clock)


def load_state_file(backend: Backend, path: Path) -> None:
    """`load` a snapshot file (`SnapshotError` naming the file, and where in it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    try:
        load(backend, document)
    except SnapshotError as exc:
        raise SnapshotError(f"{path}: {exc}") from None
