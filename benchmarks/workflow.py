"""The seed workflow, streamed and polled, against assistants-mock and against a floor.

The floor is a minimal FastAPI app that answers every call of the same workflow with
fixed bytes recorded from assistants-mock (whole bodies, SSE included): what any
FastAPI server costs before it does any work. Both run in one process, interleaved,
and the figures are medians with the ratio to the floor.

    python -m benchmarks.workflow [--rounds 30]

Targets (issue 3): streamed <= 1.15x the floor, polled in exactly one poll and <= 1.2x,
time to first event <= 3 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx2
from fastapi import FastAPI, Request
from openai import OpenAI
from starlette.responses import Response

from client.workflow import run_workflow
from mock_server import MockServer

Recorded = dict[tuple[str, str, bool], tuple[int, str, bytes]]


def quiet(*args: object, **kwargs: object) -> None:
    """The workflow's printer, silenced."""


def streamed(client: OpenAI) -> None:
    run_workflow(client, out=quiet)


def polled(client: OpenAI) -> int:
    """Create, poll to completion, read the reply; returns how many GETs of the run it took."""
    assistant = client.beta.assistants.create(model="gpt-4o", instructions="Be helpful.")
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(
        thread.id, role="user", content="Tell me what a penguin is in 100 words or less."
    )
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed", run.status
    client.beta.threads.messages.list(thread.id, run_id=run.id)
    return 1


def first_event(client: OpenAI, thread_id: str, assistant_id: str) -> float:
    """Seconds from sending a streamed run to the SDK handing over its first event."""
    start = time.perf_counter()
    with client.beta.threads.runs.create(
        thread_id=thread_id, assistant_id=assistant_id, stream=True
    ) as events:
        iterator = iter(events)
        next(iterator)
        elapsed = time.perf_counter() - start
        for _ in iterator:
            pass
    return elapsed


def record(server: MockServer) -> Recorded:
    """The bytes assistants-mock answers each call of both workflows with."""
    recorded: Recorded = {}

    def keep(response: httpx2.Response) -> None:
        response.read()
        request = response.request
        key = (request.method, _shape(request.url.path), _is_stream(request.content))
        recorded.setdefault(
            key, (response.status_code, response.headers["content-type"], response.content)
        )

    with server.client(http_client=httpx2.Client(event_hooks={"response": [keep]})) as client:
        streamed(client)
        polled(client)
        assistant = client.beta.assistants.create(model="gpt-4o")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        first_event(client, thread.id, assistant.id)
    return recorded


def floor_app(recorded: Recorded) -> FastAPI:
    """Fixed bytes per (method, path), whatever the ids in the path."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.api_route("/{path:path}", methods=["GET", "POST", "DELETE"])
    async def answer(request: Request) -> Response:
        key = (request.method, _shape(request.url.path), _is_stream(await request.body()))
        status, media_type, body = recorded[key]
        return Response(body, status_code=status, media_type=media_type)

    return app


def _is_stream(body: bytes) -> bool:
    return b'"stream":true' in body.replace(b" ", b"")


def _shape(path: str) -> str:
    return "/".join(part.split("_")[0] + "_*" if "_" in part else part for part in path.split("/"))


@dataclass
class Timings:
    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.samples.setdefault(name, []).append(seconds)

    def median_ms(self, name: str) -> float:
        return statistics.median(self.samples[name]) * 1000


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)

    with MockServer(seed=0) as mock:
        recorded = record(mock)
        floor = MockServer()  # only for its threaded uvicorn runner
        floor.app = floor_app(recorded)
        with floor:
            ours, base = mock.client(), floor.client()
            polls: list[int] = []

            def count_polls(request: httpx2.Request) -> None:
                if request.headers.get("x-stainless-poll-helper") == "true":
                    polls.append(1)

            counted = mock.client(http_client=httpx2.Client(event_hooks={"request": [count_polls]}))
            setup = {}
            for name, client in (("ours", ours), ("floor", base)):
                assistant = client.beta.assistants.create(model="gpt-4o")
                thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
                setup[name] = (client, thread.id, assistant.id)
            timings = Timings()
            for _ in range(3):  # warm up both
                streamed(ours), streamed(base), polled(ours), polled(base)
            for _ in range(args.rounds):
                for name, client in (("ours", ours), ("floor", base)):
                    timings.add(f"streamed/{name}", timed(lambda c=client: streamed(c)))
                    timings.add(f"polled/{name}", timed(lambda c=client: polled(c)))
                    _, thread_id, assistant_id = setup[name]
                    timings.add(f"first_event/{name}", first_event(client, thread_id, assistant_id))
            polls.clear()
            polled(counted)
            one_poll = len(polls)

    print(f"rounds: {args.rounds} (medians, interleaved, one process)")
    for what in ("streamed", "polled", "first_event"):
        ours_ms, floor_ms = timings.median_ms(f"{what}/ours"), timings.median_ms(f"{what}/floor")
        print(
            f"{what:12} ours {ours_ms:8.2f} ms   floor {floor_ms:8.2f} ms   "
            f"ratio {ours_ms / floor_ms:5.2f}x"
        )
    print(f"polls for create_and_poll: {one_poll}")


if __name__ == "__main__":
    main()
