"""The `assistants-mock` command (also `python -m mock_server`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from .app import create_app
from .script import ScriptError
from .settings import Settings

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="assistants-mock",
        description="A faithful, offline, deterministic OpenAI Assistants API (v2) server.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock API over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the id factory (default 0)")
    serve.add_argument(
        "--clock",
        choices=["frozen", "system"],
        default="frozen",
        help="frozen: deterministic timestamps (default); system: the wall clock",
    )
    serve.add_argument("--clock-start", type=int, default=Settings.clock_start, metavar="UNIX")
    serve.add_argument(
        "--run-progression",
        choices=["immediate", "per_poll", "clock"],
        default="immediate",
        help="how unstreamed runs advance (default: immediate)",
    )
    serve.add_argument(
        "--seconds-per-transition", type=int, default=1, help="with --run-progression clock"
    )
    serve.add_argument(
        "--poll-after-ms", type=int, default=10, help="openai-poll-after-ms on run replies"
    )
    serve.add_argument(
        "--stream-delay-ms", type=int, default=0, help="pause before each streamed delta"
    )
    serve.add_argument("--scenario", type=Path, help="a YAML or JSON file scripting the fake model")
    serve.add_argument("--api-key", help="accept only this API key (default: any)")
    serve.add_argument(
        "--no-auth", action="store_true", help="do not require an Authorization header"
    )
    serve.add_argument(
        "--no-beta-header",
        action="store_true",
        help="do not require 'OpenAI-Beta: assistants=v2' (for raw HTTP users)",
    )
    return top


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        seed=args.seed,
        clock=args.clock,
        clock_start=args.clock_start,
        api_key=args.api_key,
        run_progression=args.run_progression,
        seconds_per_transition=args.seconds_per_transition,
        poll_after_ms=args.poll_after_ms,
        stream_delay_ms=args.stream_delay_ms,
        scenario=args.scenario,
        require_auth=not args.no_auth,
        require_beta_header=not args.no_beta_header,
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        app = create_app(settings_from(args))
    except ScriptError as exc:
        raise SystemExit(f"assistants-mock: bad scenario: {exc}") from None
    print(f"assistants-mock serving http://{args.host}:{args.port}/v1 (seed {args.seed})")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", lifespan="off")
