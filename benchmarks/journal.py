"""What the request journal (and the runs' event timelines) cost: the streamed seed
workflow against two servers, one with the journal on (the default) and one with it off
(`--no-journal`), each in its own process, quiet, measured in one run, interleaved; the
figures are medians with the ratio on/off.

    python -m benchmarks.journal [--rounds 40]

Target (issue 10): the journal costs <= 5 % on the streamed workflow.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

from openai import OpenAI

from .processes import served
from .workflow import streamed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    base = ["mock_server", "serve", "--seed", "0", "--log-level", "quiet"]
    samples: dict[str, list[float]] = {"on": [], "off": []}
    with (
        served(base) as on_url,
        served([*base, "--no-journal"]) as off_url,
    ):
        clients = {
            name: OpenAI(base_url=url, api_key="sk-bench", max_retries=0)
            for name, url in (("on", on_url), ("off", off_url))
        }
        for client in clients.values():  # warm up
            for _ in range(3):
                streamed(client)
        for _ in range(args.rounds):
            for name, client in clients.items():
                start = time.perf_counter()
                streamed(client)
                samples[name].append(time.perf_counter() - start)
        for client in clients.values():
            client.close()
    on = statistics.median(samples["on"]) * 1000
    off = statistics.median(samples["off"]) * 1000
    print(f"\nstreamed seed workflow, {args.rounds} rounds (medians, interleaved, processes)")
    print(f"journal on {on:7.2f} ms   journal off {off:7.2f} ms   ratio {on / off:5.3f}x")


if __name__ == "__main__":
    main()
