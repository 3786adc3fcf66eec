"""Start-up: from launching a server process to its first answered request.

    python -m benchmarks.startup [--rounds 10]

Three servers are started the same way (a fresh `python -m ...` process, uvicorn on a
free port) and polled with `GET /v1/assistants` until one answers 200; they are
measured interleaved, and the figures are medians:

- `assistants-mock serve` (`python -m mock_server serve`);
- the baseline, a bare FastAPI app with one route answering fixed bytes
  (`python -m benchmarks.startup bare-fastapi`): what any FastAPI server costs to start;
- for reference, a bare ASGI callable under uvicorn, no framework at all
  (`python -m benchmarks.startup bare-asgi`).

Every module is compiled to bytecode first, as pip does when it installs a wheel: a
checkout run with `PYTHONDONTWRITEBYTECODE` set (this machine sets it) would otherwise
compile ~60 modules from source at every start, ~80 ms that no installed copy pays.

Targets (issue 9): `serve` answers its first request in <= 500 ms on a 2-core machine,
and within 1.5x the bare FastAPI app.
"""

from __future__ import annotations

import argparse
import compileall
import http.client
import importlib.util
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .processes import free_port

__all__ = ["main", "time_to_first_answer"]

HEADERS = {"Authorization": "Bearer sk-bench", "OpenAI-Beta": "assistants=v2"}
BODY = b'{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}'
TARGET_MS = 500
TARGET_RATIO = 1.5


def _answered(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/v1/assistants", headers=HEADERS)
        status = conn.getresponse().status
        conn.close()
    except OSError:
        return False
    return status == 200


def time_to_first_answer(argv: list[str]) -> float:
    """Seconds from starting `argv` (with `--port P` appended) to its first 200."""
    port = free_port()
    start = time.perf_counter()
    process = subprocess.Popen(
        [*argv, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while not _answered(port):
            if process.poll() is not None:
                raise RuntimeError(f"{argv} exited with {process.returncode}")
            if time.perf_counter() - start > 30:
                raise RuntimeError(f"{argv} did not answer within 30 s")
            time.sleep(0.002)
        return time.perf_counter() - start
    finally:
        process.terminate()
        process.wait()


SERVERS = {
    "assistants-mock serve": [sys.executable, "-m", "mock_server", "serve"],
    "bare FastAPI (baseline)": [sys.executable, "-m", "benchmarks.startup", "bare-fastapi"],
    "bare ASGI (reference)": [sys.executable, "-m", "benchmarks.startup", "bare-asgi"],
}


def _compile_bytecode() -> None:
    """Write the `__pycache__` of both packages started here, as a wheel install would."""
    for package in ("mock_server", "benchmarks"):
        spec = importlib.util.find_spec(package)
        assert spec is not None
        assert spec.submodule_search_locations is not None
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


def bench(rounds: int) -> None:
    _compile_bytecode()
    times: dict[str, list[float]] = {name: [] for name in SERVERS}
    for argv in SERVERS.values():  # warm the file system caches once
        time_to_first_answer(argv)
    for _ in range(rounds):
        for name, argv in SERVERS.items():
            times[name].append(time_to_first_answer(argv))
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    baseline = medians["bare FastAPI (baseline)"]
    print(f"start-up to first answered request, median of {rounds} rounds")
    for name, ms in medians.items():
        print(f"  {name:<26} {ms:7.1f} ms   {ms / baseline:5.2f}x the baseline")
    ours = medians["assistants-mock serve"]
    print(
        f"targets: <= {TARGET_MS} ms ({'met' if ours <= TARGET_MS else 'MISSED'}), "
        f"<= {TARGET_RATIO}x ({'met' if ours / baseline <= TARGET_RATIO else 'MISSED'})"
    )


# --- the baselines, started as `python -m benchmarks.startup bare-… --port P` ------------


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def _bare_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


def _serve(kind: str, port: int) -> None:
    import uvicorn

    app: Any = _bare_asgi
    if kind == "bare-fastapi":
        from fastapi import FastAPI
        from starlette.responses import Response

        fastapi_app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

        @fastapi_app.get("/v1/assistants")
        async def answer() -> Response:
            return Response(BODY, media_type="application/json")

        app = fastapi_app

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", nargs="?", choices=["bench", "bare-fastapi", "bare-asgi"])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.kind in ("bare-fastapi", "bare-asgi"):
        _serve(args.kind, args.port)
    else:
        bench(args.rounds)


if __name__ == "__main__":
    main()
