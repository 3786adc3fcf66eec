"""The floor: a minimal FastAPI app answering every call with fixed, recorded bytes.

    python -m benchmarks.floor RECORDED.json --port 8001

`RECORDED.json` maps `METHOD /path/shape stream` to a status, a content type and a
base64 body (see `benchmarks.workflow.record`). Ids in paths are ignored.
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from starlette.responses import Response

__all__ = ["Recorded", "dump", "floor_app", "is_stream", "load", "shape"]

Recorded = dict[tuple[str, str, bool], tuple[int, str, bytes]]


def is_stream(body: bytes) -> bool:
    return b'"stream":true' in body.replace(b" ", b"")


def shape(path: str) -> str:
    """`/v1/threads/thread_abc/runs` → `/v1/threads/thread_*/runs`."""
    return "/".join(p.split("_")[0] + "_*" if "_" in p else p for p in path.split("/"))


def floor_app(recorded: Recorded) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.api_route("/{path:path}", methods=["GET", "POST", "DELETE"])
    async def answer(request: Request) -> Response:
        key = (request.method, shape(request.url.path), is_stream(await request.body()))
        status, media_type, body = recorded[key]
        return Response(body, status_code=status, media_type=media_type)

    return app


def dump(recorded: Recorded, path: Path) -> None:
    rows = [
        [m, p, s, status, media, base64.b64encode(body).decode()]
        for (m, p, s), (status, media, body) in recorded.items()
    ]
    path.write_text(json.dumps(rows))


def load(path: Path) -> Recorded:
    return {
        (m, p, s): (status, media, base64.b64decode(body))
        for m, p, s, status, media, body in json.loads(path.read_text())
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve recorded bytes (the benchmark floor).")
    parser.add_argument("recorded", type=Path)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = floor_app(load(args.recorded))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
