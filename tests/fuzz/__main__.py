"""A bounded schemathesis run against the official OpenAPI spec: `python -m tests.fuzz`.

It serves the mock in this process (seed 0) with a vector store holding two files, an
assistant and a thread with a finished run, then runs schemathesis (examples, coverage,
fuzzing and stateful phases, a fixed seed, a time budget) on the Assistants, files and
vector stores operations of `shared/reference/openapi.yaml`, beside the checkout. The run
fails on any 5xx, any error body outside the envelope (`hooks.error_envelope`), any answer
that breaks the spec's response schemas except the documented deviations (`DEVIATIONS`,
patched into the spec before the run; see docs/fidelity.md), and any request that takes
longer than `MAX_RESPONSE_SECONDS`. Without the spec it says so and exits 0.

    python -m tests.fuzz [--seed N] [--max-time S] [--max-examples N] [--spec PATH]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from mock_server import MockServer

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "reference" / "openapi.yaml"
SURFACES = ("assistants", "threads", "files", "vector_stores")
"""The first path segments of the operations fuzzed."""
PHASES = "examples,coverage,fuzzing,stateful"
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance,error_envelope"
"""Not `status_code_conformance` (the spec lists 200 alone for most operations, never the
real API's 400s and 404s), `positive_data_acceptance` (generated ids name no object) nor
`negative_data_rejection` (it finds where we take more than the spec: see docs/fidelity.md)."""
MAX_RESPONSE_SECONDS = 5.0
SEED = 0
MAX_TIME = 120
"""Seconds of the whole run (schemathesis stops generating when it is spent)."""
MAX_EXAMPLES = 30
"""Cases per operation and phase."""

Spec = dict[str, Any]


def _nullable(schema: Spec, *fields: str) -> None:
    for field in fields:
        prop = schema["properties"][field]
        schema["properties"][field] = {"anyOf": [prop, {"type": "null"}]}


def _empty_lists(spec: Spec) -> None:
    """Lists: `first_id` and `last_id` are `null` when the list is empty (recorded)."""
    for name, schema in spec["components"]["schemas"].items():
        if name.startswith("List") and "first_id" in schema.get("properties", {}):
            _nullable(schema, "first_id", "last_id")


def _runs(spec: Spec) -> None:
    """Runs: `instructions` is `null` on a run of an assistant without any (recorded)."""
    _nullable(spec["components"]["schemas"]["RunObject"], "instructions")


def _files(spec: Spec) -> None:
    """Files: `expires_at` and `status_details` are `null` (recorded), `purpose` may be
    `evals` (the spec's own upload enum has it; its file object does not), and a file's
    content is sent as `application/octet-stream` (the spec says JSON)."""
    file = spec["components"]["schemas"]["OpenAIFile"]
    _nullable(file, "expires_at", "status_details")
    file["properties"]["purpose"]["enum"].append("evals")
    answer = spec["paths"]["/files/{file_id}/content"]["get"]["responses"]["200"]
    answer["content"] = {"application/octet-stream": answer["content"]["application/json"]}


def _vector_stores(spec: Spec) -> None:
    """Vector stores: `name` and `expires_after` are `null` when not given, `description`
    is sent, and a file batch is a `vector_store.file_batch` (all recorded)."""
    store = spec["components"]["schemas"]["VectorStoreObject"]
    _nullable(store, "name", "expires_after")
    store["properties"]["description"] = {"type": ["string", "null"]}
    batch = spec["components"]["schemas"]["VectorStoreFileBatchObject"]["properties"]["object"]
    batch["enum"] = ["vector_store.file_batch"]  # recorded in 2025; the spec: `files_batch`


def _batch_files(spec: Spec) -> None:
    """The files of a batch carry six keys (recorded): no `usage_bytes`, `chunking_strategy`
    or `attributes`, which a store's own file list has."""
    schemas = spec["components"]["schemas"]
    schemas["BatchFileObject"] = {
        **copy.deepcopy(schemas["VectorStoreFileObject"]),
        "required": ["id", "object", "created_at", "vector_store_id", "status", "last_error"],
    }
    page = schemas["BatchFilesResponse"] = copy.deepcopy(schemas["ListVectorStoreFilesResponse"])
    page["properties"]["data"]["items"] = {"$ref": "#/components/schemas/BatchFileObject"}
    operation = spec["paths"]["/vector_stores/{vector_store_id}/file_batches/{batch_id}/files"]
    answer = operation["get"]["responses"]["200"]["content"]["application/json"]
    answer["schema"] = {"$ref": "#/components/schemas/BatchFilesResponse"}


DEVIATIONS: tuple[Callable[[Spec], None], ...] = (
    _empty_lists,
    _runs,
    _files,
    _vector_stores,
    _batch_files,
)
"""Where the real API (recorded) or our documented choice differs from the spec's responses;
each patches the spec. Anything else the run finds fails it (see docs/fidelity.md)."""


def prepared_spec(source: Path, target: Path) -> None:
    """The spec's operations on `SURFACES`, with `DEVIATIONS` applied, as JSON."""
    spec = yaml.load(source.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    spec["paths"] = {
        path: item for path, item in spec["paths"].items() if path.split("/")[1] in SURFACES
    }
    for deviation in DEVIATIONS:
        deviation(spec)
    target.write_text(json.dumps(spec, default=str), encoding="utf-8")  # YAML dates


def seeded_objects(server: MockServer) -> dict[str, str]:
    """Objects for the fuzzed paths to name: path parameter → id."""
    client = server.client()
    files = [
        client.files.create(file=(name, text.encode(), "text/plain"), purpose="assistants").id
        for name, text in (
            ("penguins.txt", "Penguins eat krill.\n\nEmperor penguins breed in winter."),
            ("whales.txt", "Blue whales eat krill too."),
        )
    ]
    store = client.vector_stores.create(file_ids=files, name="fuzz").id
    client.vector_stores.files.update(
        files[0], vector_store_id=store, attributes={"author": "Ann", "year": 2020}
    )
    batch = client.vector_stores.file_batches.create(store, file_ids=files[1:]).id
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id,
        thread={"messages": [{"role": "user", "content": "What do penguins eat?"}]},
    )
    thread = run.thread_id
    message = client.beta.threads.messages.list(thread).data[0].id
    step = client.beta.threads.runs.steps.list(run.id, thread_id=thread).data[0].id
    return {
        "vector_store_id": store,
        "file_id": files[0],
        "batch_id": batch,
        "assistant_id": assistant.id,
        "thread_id": thread,
        "run_id": run.id,
        "message_id": message,
        "step_id": step,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--spec", type=Path, default=SPEC)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--max-time", type=int, default=MAX_TIME)
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES)
    args = parser.parse_args(argv)
    if not args.spec.exists():
        print(f"fuzz: skipped, no spec at {args.spec}")
        return 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch, MockServer(seed=0) as server:
        spec = Path(scratch) / "openapi.json"
        prepared_spec(args.spec, spec)
        env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
            "ASSISTANTS_MOCK_FUZZ_IDS": json.dumps(seeded_objects(server)),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", str(spec),
            "--url", server.base_url,
            "--header", "Authorization: Bearer sk-fuzz",
            "--header", "OpenAI-Beta: assistants=v2",
            "--phases", PHASES,
            "--checks", CHECKS,
            "--seed", str(args.seed),
            "--max-examples", str(args.max_examples),
            "--max-time", str(args.max_time),
            "--max-response-time", str(MAX_RESPONSE_SECONDS),
            "--workers", "1",
            "--no-color",
            "--warnings", "off",
            "--suppress-health-check", "all",
            "--continue-on-failure",
        ]  # fmt: skip
        done = subprocess.run(command, env=env, cwd=ROOT, check=False)
    print(f"fuzz: {time.monotonic() - started:.0f} s", flush=True)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
