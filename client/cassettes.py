"""Re-record the project's cassettes: `python3 tasks.py cassettes [NAME…]`.

Each scenario of `client.scenarios` runs against a fresh `MockServer(seed=0)` through the
cassette policy into `cassettes/<name>.yaml`, replacing the file. The same seed and the
same scenario give the same bytes, so a diff in `cassettes/` is a change of behaviour.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from mock_server import MockServer
from mock_server.cassettes import recorder

from .scenarios import SCENARIOS, Transcript

__all__ = ["CASSETTES", "SEED", "main", "record"]

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
SEED = 0


def record(name: str, directory: Path = CASSETTES) -> tuple[Path, Transcript]:
    """Record one scenario from a fresh server; the file written and what the SDK saw."""
    path = directory / f"{name}.yaml"
    path.unlink(missing_ok=True)  # record_mode "all" would keep what it does not re-record
    with (
        MockServer(seed=SEED) as server,
        server.client(api_key="sk-assistants-mock") as client,
        recorder(record_mode="all").use_cassette(str(path)),
    ):
        transcript = SCENARIOS[name](client)
    return path, transcript


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python3 tasks.py cassettes", description="Re-record the project's cassettes."
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"default: {' '.join(SCENARIOS)}")
    names = parser.parse_args(argv).names or list(SCENARIOS)
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown cassette {', '.join(unknown)} (choose from {', '.join(SCENARIOS)})")
    for name in names:
        path, _ = record(name)
        interactions = path.read_text().count("\n- request:")
        size = path.stat().st_size
        print(f"{path.parent.name}/{path.name}: {interactions} interactions, {size} bytes")


if __name__ == "__main__":
    main()
