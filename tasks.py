"""The project's commands; they need nothing but python3.

    python3 tasks.py demo   # set up, then run the seed workflow against an embedded server
    python3 tasks.py test   # set up, then ruff, mypy --strict and the test suite

and, when behaviour changed on purpose:

    python3 tasks.py cassettes [NAME...]   # set up, then re-record cassettes/ (seed 0)

and, in CI after `test`:

    python3 tasks.py fuzz   # a bounded schemathesis run against the official spec
    python3 tasks.py matrix [VERSION...|downstream|ci] [-- PYTEST_ARGS]
        # the SDK-facing tests under each openai release of SDK_VERSIONS, then a
        # downstream project that pins the oldest one; a table of what passed
        # (`ci`: all but the newest 3.x, which `test` itself runs under)

Setting up makes `.venv/` and installs the project with its dev extras into it, again
only when `pyproject.toml` changed since the last time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
NODE_DIR = ROOT / "tests" / "node"

# The openai releases `matrix` runs the SDK-facing tests under: the oldest releases users pin,
# then the newest 1.x, 2.x and 3.x. Pinned, so CI is reproducible; to refresh the newest,
# read `pip index versions openai`.
SDK_VERSIONS = ("1.59.4", "1.65.5", "1.109.1", "2.54.0", "3.57.0")
# The test modules that do not talk to the server through the Python SDK, left out of
# matrix runs (the rest do): the Node SDK's, the inspector in a browser, the wheel's
# contents, raw HTTP only (the recorded-traffic walker, the property tests, faults in runs)
# and no HTTP at all (scripted-call checks, wire objects, the run driver and executor).
NOT_SDK_FACING = (
    "test_driver.py",
    "test_executor.py",
    "test_inspector_browser.py",
    "test_invariants.py",
    "test_node_sdk.py",
    "test_packaging.py",
    "test_recordings.py",
    "test_restart.py",
    "test_run_faults.py",
    "test_store.py",
    "test_tool_check.py",
    "test_turns.py",
    "test_wire.py",
)
DOWNSTREAM = "downstream"
CI = "ci"
"""`matrix ci`: what CI runs after `test` — every pinned release but the newest 3.x, which
`test` itself ran (its venv resolves `openai>=1.55,<4` to the newest), then downstream."""
DOWNSTREAM_SDK = SDK_VERSIONS[0]
DOWNSTREAM_TEST = """\
from openai import AssistantEventHandler


class Collect(AssistantEventHandler):
    def __init__(self):
        super().__init__()
        self.text = ""

    def on_text_delta(self, delta, snapshot):
        self.text += delta.value


def test_a_streamed_run(assistants_client):
    assistant = assistants_client.beta.assistants.create(model="gpt-4o", name="Tutor")
    thread = assistants_client.beta.threads.create()
    assistants_client.beta.threads.messages.create(thread.id, role="user", content="Hi")
    handler = Collect()
    with assistants_client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=handler
    ) as stream:
        stream.until_done()
    assert stream.get_final_run().status == "completed"
    assert handler.text
"""


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


def python_of(env: Path) -> Path:
    return env / BIN.name / "python"


def pip_install(env: Path, *requirements: str, cwd: Path = ROOT) -> None:
    if not python_of(env).exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(env)
    run(python_of(env), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        *requirements, cwd=cwd)  # fmt: skip


def sources() -> list[Path]:
    """What a non-editable install copies (the wheel holds `mock_server`): a change means
    installing again."""
    return [ROOT / "pyproject.toml", *sorted((ROOT / "mock_server").rglob("*.py"))]


def sdk_env(version: str) -> Path:
    """`.venv-openai-<version>`: the project installed (not editable) with that openai."""
    env = ROOT / f".venv-openai-{version}"
    marker = env / ".installed"
    wanted = stamp(*sources()) + version
    if not marker.exists() or marker.read_text() != wanted:
        pip_install(env, ".[dev]", f"openai=={version}")
        marker.write_text(wanted)
    return env


def sdk_tests(version: str, pytest_args: list[str]) -> bool:
    """The SDK-facing tests from the checkout, under `version`, against the installed server.

    pytest runs in an empty directory, so `mock_server` is imported from the installed
    package (the plugin's entry point loads it first), as a user's suite gets it; the
    tests and `client/` (not in the wheel) are the checkout's.
    """
    env = sdk_env(version)
    tests = sorted(p for p in (ROOT / "tests").glob("test_*.py") if p.name not in NOT_SDK_FACING)
    with tempfile.TemporaryDirectory(prefix="assistants-mock-") as cwd:
        done = subprocess.run(
            [python_of(env), "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "-c", ROOT / "pyproject.toml", "--rootdir", ROOT, *tests, *pytest_args],
            cwd=cwd, check=False,
        )  # fmt: skip
    return done.returncode == 0


def downstream(pytest_args: list[str]) -> bool:
    """A user's project: pins the oldest openai, installs the checkout, uses the fixtures."""
    with tempfile.TemporaryDirectory(prefix="assistants-mock-downstream-") as tmp:
        project = Path(tmp)
        (project / "requirements.txt").write_text(f"openai=={DOWNSTREAM_SDK}\n{ROOT}\n")
        (project / "test_downstream.py").write_text(DOWNSTREAM_TEST)
        pip_install(project / ".venv", "-r", "requirements.txt", cwd=project)
        done = subprocess.run(
            [python_of(project / ".venv"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
             *pytest_args],
            cwd=project, check=False,
        )  # fmt: skip
    return done.returncode == 0


def matrix(args: list[str]) -> None:
    split = args.index("--") if "--" in args else len(args)
    chosen, pytest_args = args[:split] or [*SDK_VERSIONS, DOWNSTREAM], args[split + 1 :]
    if chosen == [CI]:
        chosen = [*SDK_VERSIONS[:-1], DOWNSTREAM]
    rows = []
    for name in chosen:
        print(f"\n== openai {name}" if name != DOWNSTREAM else f"\n== {DOWNSTREAM}", flush=True)
        start = time.monotonic()
        passed = downstream(pytest_args) if name == DOWNSTREAM else sdk_tests(name, pytest_args)
        rows.append((name, passed, time.monotonic() - start))
    print(f"\n{'openai':<20} {'result':<7} {'seconds':>7}")
    for name, passed, seconds in rows:
        label = f"{DOWNSTREAM_SDK} ({DOWNSTREAM})" if name == DOWNSTREAM else name
        print(f"{label:<20} {'passed' if passed else 'FAILED':<7} {seconds:>7.1f}")
    if not all(passed for _, passed, _ in rows):
        sys.exit(1)


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
    if not args:  # the full run: the API suite's stateful tests again, on the SQLite store
        run(PYTHON, "-m", "pytest", "-q", "--assistants-mock-store=sqlite", *SQLITE_SUITE)


SQLITE_SUITE = [
    f"tests/test_{name}.py"
    for name in (
        "assistants", "threads", "messages", "runs", "pagination", "files",
        "vector_stores", "function_calls", "streaming", "determinism",
    )
]  # fmt: skip
"""The stateful API tests `test` runs once more on the SQLite store (issue 12)."""


def fuzz(args: list[str]) -> None:
    """A bounded schemathesis run against the official spec (tests/fuzz, ~2 minutes)."""
    run(PYTHON, "-m", "tests.fuzz", *args)


def main() -> None:
    commands = {
        "demo": demo,
        "test": test,
        "cassettes": cassettes,
        "matrix": matrix,
        "fuzz": fuzz,
    }
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python3 {Path(__file__).name} {{{','.join(commands)}}} [args...]")
    setup()
    try:
        commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)


if __name__ == "__main__":
    main()
