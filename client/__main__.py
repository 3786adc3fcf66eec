"""`python -m client [--base-url URL]`: the seed workflow, end to end."""

from __future__ import annotations

import argparse
import warnings

from openai import OpenAI

from mock_server import MockServer

from .workflow import run_workflow


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m client",
        description="Run the seed Assistants workflow (against an embedded mock by default).",
    )
    parser.add_argument(
        "--base-url", help="an Assistants API base URL, e.g. http://127.0.0.1:8000/v1"
    )
    parser.add_argument("--api-key", default="sk-assistants-mock")
    parser.add_argument("--seed", type=int, default=0, help="seed of the embedded server")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="client")
    if args.base_url:
        run_workflow(OpenAI(base_url=args.base_url, api_key=args.api_key))
        return
    with MockServer(seed=args.seed) as server:
        print(f"# assistants-mock embedded at {server.base_url} (seed {args.seed})\n")
        run_workflow(server.client())


if __name__ == "__main__":
    main()
