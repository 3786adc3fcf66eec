"""What the upstream bridge adds over the upstream itself.

An upstream stub (`tests.upstream_stub`, in a process of its own, as a real upstream is)
streams a reply of `--words` words, one chunk per word every `--chunk-ms`. Measured,
interleaved, in one run:

- the stub alone: a streamed chat-completions request, to its first content chunk and
  to its end;
- the bridge: a streamed run (`POST /threads/{id}/runs`, raw HTTP) on a `MockServer`
  whose `model_upstream` is the stub, to its first `thread.message.delta` and to
  `[DONE]`.

Figures are medians. Targets (issue 13): the bridge adds <= 5 ms to the first text event
and <= 10 % to the streamed run over the stub's own time.

    python -m benchmarks.bridge [--rounds 20] [--words 40] [--chunk-ms 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx2

from mock_server import MockServer
from tests.upstream_stub import Reply, UpstreamStub

from .processes import served


def _stub_alone(http: httpx2.Client, base_url: str) -> tuple[float, float]:
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "Hi"}]}
    started = time.perf_counter()
    first = 0.0
    with http.stream("POST", base_url + "/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if not first and '"content"' in line:
                first = time.perf_counter() - started
    return first, time.perf_counter() - started


def _reply(words: int, chunk_ms: float) -> Reply:
    return Reply(text=" ".join(f"word{i}" for i in range(words)), delay_s=chunk_ms / 1000)


def _bridged(server: MockServer) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {server.api_key}", "OpenAI-Beta": "assistants=v2"}
    with httpx2.Client(base_url=server.base_url, headers=headers, timeout=30) as http:
        assistant = http.post("/assistants", json={"model": "gpt-4o"}).json()["id"]
        thread = http.post("/threads", json={"messages": [{"role": "user", "content": "Hi"}]})
        path = f"/threads/{thread.json()['id']}/runs"
        started = time.perf_counter()
        first = 0.0
        with http.stream("POST", path, json={"assistant_id": assistant, "stream": True}) as got:
            for line in got.iter_lines():
                if not first and line == "event: thread.message.delta":
                    first = time.perf_counter() - started
    return first, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--words", type=int, default=40)
    parser.add_argument("--chunk-ms", type=float, default=2.0)
    parser.add_argument("--serve-stub", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_stub:
        with UpstreamStub(_reply(args.words, args.chunk_ms), port=args.port):
            while True:
                time.sleep(3600)
    stub_argv = ["benchmarks.bridge", "--serve-stub", "--words", str(args.words),
                 "--chunk-ms", str(args.chunk_ms)]  # fmt: skip
    alone: list[tuple[float, float]] = []
    bridged: list[tuple[float, float]] = []
    with (
        served(stub_argv) as stub,
        MockServer(model_upstream=stub) as server,
        httpx2.Client(timeout=30) as http,  # warm, as the bridge's own client is
    ):
        for _ in range(3):  # warm up
            _stub_alone(http, stub)
            _bridged(server)
        for _ in range(args.rounds):
            alone.append(_stub_alone(http, stub))
            bridged.append(_bridged(server))
    first_alone = statistics.median(a for a, _ in alone) * 1000
    first_bridged = statistics.median(b for b, _ in bridged) * 1000
    total_alone = statistics.median(a for _, a in alone) * 1000
    total_bridged = statistics.median(b for _, b in bridged) * 1000
    print(f"{args.words} words, one chunk per {args.chunk_ms} ms, {args.rounds} rounds (medians)")
    print(f"first text   stub {first_alone:7.2f} ms   bridge {first_bridged:7.2f} ms   "
          f"added {first_bridged - first_alone:+.2f} ms (target <= 5 ms)")  # fmt: skip
    print(f"whole stream stub {total_alone:7.2f} ms   bridge {total_bridged:7.2f} ms   "
          f"ratio {total_bridged / total_alone:.3f} (target <= 1.10)")  # fmt: skip


if __name__ == "__main__":
    main()
