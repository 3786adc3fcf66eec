"""The SQLite store against the memory store: the seed workflow, and long threads.

1. The streamed and polled seed workflows (`benchmarks.workflow`) against three
   `assistants-mock serve` processes: the memory store, and the SQLite store (a file in
   a temporary directory on local disk) with `store_sync` `full` (an fsync per write
   action, the default) and `normal`; interleaved; medians and the ratio to memory.
   `--rules N` first gives each server N scripted rules that match no run (a long
   scenario): what a lasting store keeps of the script must not cost every request.
2. The first page of a thread's messages (`GET /threads/{id}/messages`, 20 per page),
   for a thread of 100 messages and one of 20 000, on each store (a `MockServer` in a
   thread, filled directly in one transaction); medians and the ratio long / short.

    python -m benchmarks.store [--rounds 30] [--pages 200] [--rules 0]

Targets (issue 12): each workflow on SQLite <= 1.5x memory; the long thread's first page
<= 1.2x the short one's, on both stores.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import httpx2
from openai import OpenAI

from mock_server import MockServer
from mock_server import request_models as rq

from .processes import served
from .workflow import polled, streamed

SHORT, LONG = 100, 20_000


def scripted(url: str, rules: int) -> None:
    """Give the server at `url` `rules` scripted rules that match no run."""
    scenario = {"rules": [{"thread": f"thread_none{n}", "turns": [{"text": "-"}]}
                          for n in range(rules)]}  # fmt: skip
    control = url.removesuffix("/v1") + "/assistants-mock/script"
    httpx2.post(control, json=scenario).raise_for_status()


def workflows(rounds: int, folder: Path, rules: int = 0) -> None:
    samples: dict[str, list[float]] = {}
    memory_argv = ["mock_server", "serve", "--log-level", "quiet"]
    full_argv = [*memory_argv, "--store", f"sqlite:{folder}/full.db"]
    normal_argv = [*full_argv[:-1], f"sqlite:{folder}/normal.db", "--store-sync", "normal"]
    with (
        served(memory_argv) as memory_url,
        served(full_argv) as full_url,
        served(normal_argv) as normal_url,
    ):
        urls = (("memory", memory_url), ("full", full_url), ("normal", normal_url))
        for _, url in urls if rules else ():
            scripted(url, rules)
        clients = {
            name: OpenAI(base_url=url, api_key="sk-bench", max_retries=0) for name, url in urls
        }
        for client in clients.values():  # warm up
            for _ in range(3):
                streamed(client)
                polled(client)
        for _ in range(rounds):
            for name, client in clients.items():
                for what, workflow in (("streamed", streamed), ("polled", polled)):
                    start = time.perf_counter()
                    workflow(client)
                    samples.setdefault(f"{what}/{name}", []).append(time.perf_counter() - start)
        for client in clients.values():
            client.close()
    with_rules = f", {rules} scripted rules" if rules else ""
    print(f"\nseed workflow, each store in its own process, {rounds} rounds{with_rules} (medians)")
    for what in ("streamed", "polled"):
        memory = statistics.median(samples[f"{what}/memory"]) * 1000
        line = f"{what:9} memory {memory:6.2f} ms"
        for sync in ("full", "normal"):
            sqlite = statistics.median(samples[f"{what}/{sync}"]) * 1000
            line += f"   sqlite ({sync}) {sqlite:6.2f} ms, {sqlite / memory:4.2f}x"
        print(line)


def filled(server: MockServer, count: int) -> str:
    """A new thread of `count` messages, made in one transaction."""
    backend = server.backend
    with backend.lock:
        thread = backend.create_thread(rq.CreateThread())
        for n in range(count):
            backend.create_message(
                thread.id, rq.CreateMessage.model_validate({"role": "user", "content": f"m{n}"})
            )
    return thread.id


def first_pages(pages: int, folder: Path) -> None:
    print(f"\nfirst page of a thread's messages, {pages} reads each (medians)")
    for store in ("memory", f"sqlite:{folder}/pages.db"):
        with MockServer(store=store) as server:
            threads = {SHORT: filled(server, SHORT), LONG: filled(server, LONG)}
            samples: dict[int, list[float]] = {SHORT: [], LONG: []}
            headers = {"Authorization": "Bearer sk-bench", "OpenAI-Beta": "assistants=v2"}
            with httpx2.Client(base_url=server.base_url, headers=headers) as http:
                for _ in range(20):  # warm up
                    for thread in threads.values():
                        http.get(f"/threads/{thread}/messages").raise_for_status()
                for _ in range(pages):
                    for count, thread in threads.items():
                        start = time.perf_counter()
                        http.get(f"/threads/{thread}/messages").raise_for_status()
                        samples[count].append(time.perf_counter() - start)
        short = statistics.median(samples[SHORT]) * 1000
        long = statistics.median(samples[LONG]) * 1000
        name = store.split(":")[0]
        print(
            f"{name:7} {SHORT} messages {short:6.2f} ms   {LONG} messages {long:6.2f} ms   "
            f"ratio {long / short:5.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--rules", type=int, default=0, help="scripted rules on each server")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    with tempfile.TemporaryDirectory() as tmp:
        workflows(args.rounds, Path(tmp), args.rules)
        if args.pages:
            first_pages(args.pages, Path(tmp))


if __name__ == "__main__":
    main()
