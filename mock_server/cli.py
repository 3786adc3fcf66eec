"""The `assistants-mock` command (also `python -m mock_server`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from .app import create_app
from .connections import uvicorn_options
from .proxy import CassetteWriter, create_proxy_app
from .replay import CassetteError, Tape, create_replay_app
from .script import ScriptError
from .settings import Settings

__all__ = ["app_from", "main", "parser"]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="assistants-mock",
        description="A faithful, offline, deterministic OpenAI Assistants API (v2) server.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock API over HTTP")
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
    replay = commands.add_parser(
        "replay", help="serve recorded vcrpy cassettes over HTTP, for clients in any language"
    )
    replay.add_argument("cassettes", nargs="+", type=Path, metavar="CASSETTE")
    replay.add_argument(
        "--allow-repeats",
        action="store_true",
        help="once every recorded answer to a request was played, repeat the last one",
    )
    record = commands.add_parser(
        "record", help="forward to an upstream API and write what passes to a vcrpy cassette"
    )
    record.add_argument(
        "--upstream", required=True, metavar="URL", help="the upstream's base URL, e.g. …/v1"
    )
    record.add_argument(
        "--cassette",
        required=True,
        type=Path,
        metavar="FILE",
        help="the vcrpy cassette to write (YAML, or JSON if it ends in .json; replaced)",
    )
    for command in (serve, replay, record):
        command.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
        command.add_argument("--port", type=int, default=8000, help="port to bind (8000)")
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


def app_from(args: argparse.Namespace) -> tuple[ASGIApp, str]:
    """The app a command serves, and the line saying what it serves."""
    if args.command == "replay":
        try:
            tape = Tape.load(args.cassettes, allow_repeats=args.allow_repeats)
        except CassetteError as exc:
            raise SystemExit(f"assistants-mock: cannot replay {exc}") from None
        names = ", ".join(str(path) for path in args.cassettes)
        what = f"replaying {len(tape.interactions)} interactions of {names}"
        return create_replay_app(tape), what
    if args.command == "record":
        writer = CassetteWriter(args.cassette)
        return create_proxy_app(args.upstream, writer), (
            f"recording {args.upstream} into {args.cassette}"
        )
    try:
        return create_app(settings_from(args)), f"serving the mock API (seed {args.seed})"
    except ScriptError as exc:
        raise SystemExit(f"assistants-mock: bad scenario: {exc}") from None


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    app, what = app_from(args)
    print(f"assistants-mock on http://{args.host}:{args.port}/v1: {what}", flush=True)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        lifespan="off",
        **uvicorn_options(),
    )
