"""The `assistants-mock` command (also `python -m mock_server`).

`serve`'s flags are generated from the settings' one definition (`settings.SPECS`), so a
flag's type, choices, default and help are the setting's own. Each command builds what it
serves (a bad setting, scenario or cassette is one line and exit 2), binds its port (a
port in use is one line and exit 1), and prints its banner once uvicorn is serving.
Heavy modules are imported inside the command that needs them.
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .settings import SPECS, LogLevel, Settings, SettingsError, SettingSpec

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from .proxy import CassetteWriter

__all__ = ["app_from", "bind", "main", "parser", "settings_from"]

PROG = "assistants-mock"
USAGE_ERROR = 2
RUNTIME_ERROR = 1
METAVARS: dict[type, str] = {int: "N", Path: "FILE"}
IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}
RECORD_MODES = ("once", "new_episodes", "all")
"""`proxy.RecordMode`'s values, restated to keep the proxy unimported until `record` runs
(a test checks they are the same)."""


def _setting_from_text(spec: SettingSpec) -> Callable[[str], object]:
    """The argparse `type` of a setting's flag: text to a checked value."""

    def convert(text: str) -> object:
        value: object = text
        if spec.type is int:
            try:
                value = int(text)
            except ValueError:
                raise argparse.ArgumentTypeError(spec.refusal(text)) from None
        try:
            return spec.check(value)
        except SettingsError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = spec.name  # argparse names the type in some messages
    return convert


def add_setting(command: argparse.ArgumentParser, spec: SettingSpec) -> None:
    """The flag of one setting. Only flags given land in the namespace, so a scenario
    file's settings apply where no flag says otherwise."""
    doc = spec.doc.replace("%", "%%")
    if spec.type is bool:
        command.add_argument(
            spec.flag,
            dest=spec.name,
            action="store_const",
            const=not spec.default,
            default=argparse.SUPPRESS,
            help=f"set {spec.name} to {not spec.default} (default {spec.default}): {doc}",
        )
        return
    if spec.choices:
        metavar, shown = "{" + ",".join(spec.choices) + "}", ""
    else:
        metavar = METAVARS.get(spec.type, spec.name.split("_")[-1].upper())
        shown = f"{spec.allowed}; "
    command.add_argument(
        spec.flag,
        dest=spec.name,
        type=_setting_from_text(spec),
        default=argparse.SUPPRESS,
        metavar=metavar,
        help=f"{doc} ({shown}default {spec.default_text})",
    )


def port_number(text: str) -> int:
    """A TCP port (0: any free one)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: an integer from 0 to 65535")
    return port


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog=PROG,
        description="A faithful, offline, deterministic OpenAI Assistants API (v2) server.",
    )
    top.add_argument("--version", action="version", version=f"{PROG} {__version__}",
                     help="print the version and exit")  # fmt: skip
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="serve the mock API over HTTP", description="Serve the mock API over HTTP."
    )
    for spec in SPECS:
        add_setting(serve, spec)
    replay = commands.add_parser(
        "replay",
        help="serve recorded vcrpy cassettes over HTTP, for clients in any language",
        description="Serve recorded vcrpy cassettes over HTTP, for clients in any language.",
    )
    replay.add_argument(
        "cassettes", nargs="+", type=Path, metavar="CASSETTE",
        help="vcrpy cassettes (YAML, or JSON if the name ends in .json)",
    )  # fmt: skip
    replay.add_argument(
        "--allow-repeats",
        action="store_true",
        help="once every recorded answer to a request was played, repeat the last one",
    )
    record = commands.add_parser(
        "record",
        help="forward to an upstream API and write what passes to a vcrpy cassette",
        description="Forward to an upstream API and write what passes to a vcrpy cassette.",
    )
    record.add_argument(
        "--upstream", required=True, metavar="URL",
        help="the upstream's base URL, e.g. https://api.openai.com/v1",
    )  # fmt: skip
    record.add_argument(
        "--cassette", required=True, type=Path, metavar="FILE",
        help="the vcrpy cassette to write (YAML, or JSON if the name ends in .json)",
    )  # fmt: skip
    record.add_argument(
        "--record-mode",
        choices=RECORD_MODES,
        default="once",
        help="what to do with a cassette that already holds interactions (vcrpy's names): "
        "once: refuse to touch it (default); new_episodes: keep them and append; "
        "all: record it again",
    )
    for command in (replay, record):
        command.add_argument(
            "--log-level",
            type=LogLevel,
            choices=list(LogLevel),
            default=LogLevel.INFO,
            help="what to print per request: quiet, info (one line: time, method, path, status, "
            "duration, events; the default) or debug (and the bodies)",
        )
    for command in (serve, replay, record):
        command.add_argument("--host", default="127.0.0.1",
                             help="address to bind (default 127.0.0.1)")  # fmt: skip
        command.add_argument("--port", type=port_number, default=8000,
                             help="port to bind (default 8000; 0: any free port)")  # fmt: skip
    return top


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, then exit."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings the flags given say (a scenario file's fill in the rest)."""
    given = {spec.name: getattr(args, spec.name) for spec in SPECS if hasattr(args, spec.name)}
    try:
        settings = Settings(**given)
    except SettingsError as exc:
        fail(str(exc), USAGE_ERROR)
    if "log_level" not in given and "log_level" not in _carried(settings):
        settings = settings.revised(log_level=LogLevel.INFO)  # a terminal wants its lines
    return settings


def _carried(settings: Settings) -> dict[str, object]:
    """The settings the scenario file carries (none if there is no file, or it is bad)."""
    from .script import ScriptError, load_scenario

    if settings.scenario is None:
        return {}
    try:
        return load_scenario(settings.scenario).settings
    except ScriptError:
        return {}


def describe_settings(settings: Settings) -> str:
    """What the banner says a mock server loaded: seed, clock, scenario."""
    from datetime import UTC, datetime

    from .script import load_scenario

    if settings.clock == "frozen":
        start = datetime.fromtimestamp(settings.clock_start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        clock = f"frozen clock at {start}"
    else:
        clock = "system clock"
    parts = [f"seed {settings.seed}", clock]
    if settings.scenario is not None:
        scenario = load_scenario(settings.scenario)
        parts.append(
            f"scenario {settings.scenario}: {len(scenario.rules)} rules, "
            f"{len(scenario.faults)} faults"
        )
    return ", ".join(parts)


def report_recorded(writer: CassetteWriter, count: int) -> None:
    """The running count of what `record` wrote: one updating line on a terminal."""
    line = f"recorded {count} interaction{'' if count == 1 else 's'} -> {writer.path}"
    if writer.kept:
        line += f" (after the {writer.kept} it held)"
    if sys.stdout.isatty():
        print(f"\r{line}\x1b[K", end="", flush=True)
    else:
        print(line, flush=True)


def app_from(args: argparse.Namespace) -> tuple[ASGIApp, str]:
    """The app a command serves, and what the banner says it serves."""
    from .tap import Tap

    if args.command == "replay":
        from .replay import CassetteError, Tape, create_replay_app

        try:
            tape = Tape.load(args.cassettes, allow_repeats=args.allow_repeats)
        except CassetteError as exc:
            fail(f"cannot replay {exc}", USAGE_ERROR)
        names = ", ".join(str(path) for path in args.cassettes)
        what = f"replaying {len(tape.interactions)} interactions of {names}"
        return Tap(create_replay_app(tape), log_level=args.log_level), what
    if args.command == "record":
        from .proxy import CassetteRefused, CassetteWriter, create_proxy_app

        try:
            writer = CassetteWriter(args.cassette, args.record_mode, on_record=report_recorded)
        except CassetteRefused as exc:
            fail(str(exc), USAGE_ERROR)
        return Tap(create_proxy_app(args.upstream, writer), log_level=args.log_level), (
            f"recording {args.upstream} into {args.cassette} (record mode {args.record_mode})"
        )
    from .app import create_app
    from .script import ScriptError

    settings = settings_from(args)
    try:
        return create_app(settings), f"serving the mock API ({describe_settings(settings)})"
    except ScriptError as exc:
        fail(f"bad scenario: {exc}", USAGE_ERROR)


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port; a port in use is one line and exit 1."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP (see
    # AppServer.start).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if isinstance(exc, PermissionError):
            fail(f"not allowed to bind port {port} on {host}", RUNTIME_ERROR)
        if exc.errno in IN_USE:
            fail(f"port {port} on {host} is already in use", RUNTIME_ERROR)
        fail(f"cannot bind {host}:{port}: {exc.strerror or exc}", RUNTIME_ERROR)
    return sock


def serve(app: ASGIApp, sock: socket.socket, banner: Callable[[int], str]) -> None:
    """Serve `app` on `sock` until interrupted; print the banner once serving."""
    import uvicorn

    class Announcing(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(banner(sock.getsockname()[1]), flush=True)

    from .connections import uvicorn_options

    config = uvicorn.Config(app, log_level="warning", lifespan="off", **uvicorn_options())
    Announcing(config).run(sockets=[sock])


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    app, what = app_from(args)
    host = f"[{args.host}]" if ":" in args.host else args.host
    sock = bind(args.host, args.port)

    def banner(port: int) -> str:
        line = f"{PROG} on http://{host}:{port}/v1: {what}"
        if args.command == "serve":
            line += f"; inspector at http://{host}:{port}/assistants-mock/"
        return line

    try:
        serve(app, sock, banner)
    finally:
        if args.command == "record" and sys.stdout.isatty():
            print(flush=True)
