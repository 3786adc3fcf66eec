"""The project's commands; they need nothing but python3.

    python3 tasks.py demo   # set up, then run the seed workflow against an embedded server
    python3 tasks.py test   # set up, then ruff, mypy --strict and the test suite

and, when behaviour changed on purpose:

    python3 tasks.py cassettes [NAME...]   # set up, then re-record cassettes/ (seed 0)

Setting up makes `.venv/` and installs the project with its dev extras into it, again
only when `pyproject.toml` changed since the last time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
NODE_DIR = ROOT / "tests" / "node"


def run(*argv: str | Path, cwd: Path = ROOT) -> None:
    print("+", " ".join(str(a) for a in argv), flush=True)
    subprocess.run([str(a) for a in argv], cwd=cwd, check=True)


def stamp(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def setup() -> None:
    """Make `.venv` and install the project into it, when anything changed."""
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    marker = VENV / ".installed"
    wanted = stamp(ROOT / "pyproject.toml")
    if not marker.exists() or marker.read_text() != wanted:
        run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "-e", ".[dev]")  # fmt: skip
        marker.write_text(wanted)
    package = NODE_DIR / "package.json"
    if package.exists() and shutil.which("npm"):
        node_marker = NODE_DIR / "node_modules" / ".installed"
        node_wanted = stamp(package, NODE_DIR / "package-lock.json")
        if not node_marker.exists() or node_marker.read_text() != node_wanted:
            run("npm", "ci", "--no-audit", "--no-fund", "--silent", cwd=NODE_DIR)
            node_marker.write_text(node_wanted)


def demo(args: list[str]) -> None:
    run(PYTHON, "-m", "client", *args)


def cassettes(args: list[str]) -> None:
    run(PYTHON, "-m", "client.cassettes", *args)


def ensure_browser() -> None:
    """Install the system's Chromium for the inspector's browser test when running as root
    (as CI does) and it is missing; otherwise that test says how, and is skipped."""
    if shutil.which("chromium") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    if shutil.which("apt-get"):
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "chromium")


def test(args: list[str]) -> None:
    ensure_browser()
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")
    run(PYTHON, "-m", "pytest", *args)


def main() -> None:
    commands = {"demo": demo, "test": test, "cassettes": cassettes}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python3 {Path(__file__).name} {{{','.join(commands)}}} [args...]")
    setup()
    try:
        commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)


if __name__ == "__main__":
    main()
