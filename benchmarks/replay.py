"""Replaying the project's cassettes against running their workflows live.

For each scenario of `client.scenarios`: the workflow against a live `MockServer`, against
a `ReplayServer` of its committed cassette (rewound each round), and through vcrpy in the
client with no server at all. Servers run in threads of this process; rounds are
interleaved; figures are medians with the ratio to the live server.

    python -m benchmarks.replay [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager

from openai import OpenAI

from client.cassettes import CASSETTES
from client.scenarios import SCENARIOS
from mock_server import MockServer
from mock_server.cassettes import recorder
from mock_server.replay import ReplayServer


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure(name: str, rounds: int) -> dict[str, float]:
    """Median seconds per workflow: live, replay server, vcrpy."""
    workflow = SCENARIOS[name]
    cassette = str(CASSETTES / f"{name}.yaml")
    offline = OpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-bench", max_retries=0)
    samples: dict[str, list[float]] = {"live": [], "replay": [], "vcrpy": []}
    with MockServer(seed=0) as live, ReplayServer([cassette]) as replay:
        live_client, replay_client = live.client(), replay.client()

        def replayed() -> None:
            replay.tape.rewind()
            workflow(replay_client)

        def in_client() -> None:
            use: AbstractContextManager[object] = recorder(record_mode="none").use_cassette(
                cassette
            )
            with use:
                workflow(offline)

        runs = {"live": lambda: workflow(live_client), "replay": replayed, "vcrpy": in_client}
        for _ in range(3):  # warm up
            for run in runs.values():
                run()
        for _ in range(rounds):
            for what, run in runs.items():
                samples[what].append(timed(run))
    return {what: statistics.median(values) for what, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    print(f"rounds: {args.rounds} (medians, interleaved; ratio to live)")
    for name in SCENARIOS:
        figures = measure(name, args.rounds)
        live = figures["live"]
        print(
            f"{name:17} live {live * 1000:7.2f} ms"
            + "".join(
                f"   {what} {figures[what] * 1000:7.2f} ms ({figures[what] / live:4.2f}x)"
                for what in ("replay", "vcrpy")
            )
        )


if __name__ == "__main__":
    main()
