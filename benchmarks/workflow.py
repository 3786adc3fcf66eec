"""The seed workflow, streamed and polled, against assistants-mock and against a floor.

The floor (`benchmarks.floor`) is a minimal FastAPI app that answers every call of the
same workflows with fixed bytes recorded from assistants-mock, SSE bodies included:
what any FastAPI server costs before it does any work. Both servers are measured in
one run, interleaved; the figures are medians with the ratio to the floor.

    python -m benchmarks.workflow [--rounds 30] [--hosting process|thread|both]

`process`: each server in its own process (as with `assistants-mock serve`);
`thread`: each server in a thread of the benchmark's own process (as with `MockServer`
in a test suite, where server and SDK share one GIL).

Targets (issue 3): streamed <= 1.15x the floor, polled in exactly one poll and <= 1.2x,
time to first event <= 3 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
from openai import OpenAI

from client.workflow import run_workflow
from mock_server import MockServer
from mock_server.server import AppServer

from .floor import Recorded, dump, floor_app, is_stream, shape
from .processes import served

Workflow = Callable[[OpenAI], object]


def quiet(*args: object, **kwargs: object) -> None:
    """The workflow's printer, silenced."""


def streamed(client: OpenAI) -> None:
    run_workflow(client, out=quiet)


def polled(client: OpenAI) -> None:
    """Create a run, poll it to completion, read the reply."""
    assistant = client.beta.assistants.create(model="gpt-4o", instructions="Be helpful.")
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(
        thread.id, role="user", content="Tell me what a penguin is in 100 words or less."
    )
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed", run.status
    client.beta.threads.messages.list(thread.id, run_id=run.id)


def first_event(client: OpenAI) -> float:
    """Seconds from sending a streamed run on a new thread to the SDK's first event."""
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    start = time.perf_counter()
    with client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True
    ) as events:
        iterator = iter(events)
        next(iterator)
        elapsed = time.perf_counter() - start
        for _ in iterator:
            pass
    return elapsed


def record(server: MockServer) -> Recorded:
    """The bytes assistants-mock answers each call of the workflows with."""
    recorded: Recorded = {}

    def keep(response: httpx2.Response) -> None:
        response.read()
        request = response.request
        key = (request.method, shape(request.url.path), is_stream(request.content))
        recorded.setdefault(
            key, (response.status_code, response.headers["content-type"], response.content)
        )

    with server.client(http_client=httpx2.Client(event_hooks={"response": [keep]})) as client:
        streamed(client)
        polled(client)
        first_event(client)
    return recorded


def count_polls(base_url: str) -> int:
    """How many retrieves `create_and_poll` makes against `base_url`."""
    polls: list[str] = []

    def count(request: httpx2.Request) -> None:
        if request.headers.get("x-stainless-poll-helper") == "true":
            polls.append(request.url.path)

    http = httpx2.Client(event_hooks={"request": [count]})
    with OpenAI(base_url=base_url, api_key="sk-bench", max_retries=0, http_client=http) as c:
        polled(c)
    return len(polls)


@contextmanager
def servers(hosting: str, recorded: Recorded) -> Iterator[tuple[str, str]]:
    """Base URLs of assistants-mock and of the floor, hosted as asked."""
    if hosting == "thread":
        with MockServer(seed=0) as ours_server, AppServer(floor_app(recorded)) as floor_server:
            yield ours_server.base_url, floor_server.base_url
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "recorded.json"
        dump(recorded, path)
        ours_argv = ["mock_server", "serve", "--seed", "0"]
        with (
            served(ours_argv) as ours,
            served(["benchmarks.floor", str(path)]) as floor,
        ):
            yield ours, floor


def measure(hosting: str, recorded: Recorded, rounds: int) -> None:
    samples: dict[str, list[float]] = {}
    with servers(hosting, recorded) as (ours_url, floor_url):
        clients = {
            name: OpenAI(base_url=url, api_key="sk-bench", max_retries=0)
            for name, url in (("ours", ours_url), ("floor", floor_url))
        }
        for client in clients.values():  # warm up
            for _ in range(3):
                streamed(client)
                polled(client)
                first_event(client)
        for _ in range(rounds):
            for name, client in clients.items():
                for what, workflow in (("streamed", streamed), ("polled", polled)):
                    start = time.perf_counter()
                    workflow(client)
                    samples.setdefault(f"{what}/{name}", []).append(time.perf_counter() - start)
                samples.setdefault(f"first_event/{name}", []).append(first_event(client))
        polls = count_polls(ours_url)
        for client in clients.values():
            client.close()

    print(f"\nhosting: {hosting}, rounds: {rounds} (medians, interleaved)")
    for what in ("streamed", "polled", "first_event"):
        ours = statistics.median(samples[f"{what}/ours"]) * 1000
        floor = statistics.median(samples[f"{what}/floor"]) * 1000
        print(f"{what:12} ours {ours:7.2f} ms   floor {floor:7.2f} ms   ratio {ours / floor:5.2f}x")
    print(f"polls for create_and_poll: {polls}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--hosting", choices=["process", "thread", "both"], default="both")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    with MockServer(seed=0) as recorder:
        recorded = record(recorder)
    for hosting in ("process", "thread") if args.hosting == "both" else (args.hosting,):
        measure(hosting, recorded, args.rounds)


if __name__ == "__main__":
    main()
