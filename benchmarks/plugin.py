"""What a test pays for the pytest plugin: on the shared server, with a settings marker,
and (the baseline) with a server of its own, as the plugin did before issue 9.

One generated suite runs in a pytest subprocess, the three kinds of test interleaved;
a conftest there records each test's setup + call + teardown time. The figures are
medians per kind, and what a kind costs more than a test on the shared server.

    python -m benchmarks.plugin [--tests 60]

Target (issue 9): a test with a settings marker costs <= 20 ms more than one on the
shared server.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

KINDS = ("shared", "marked", "own_server")

CONFTEST = """
import json

import pytest

from mock_server import MockServer, Settings

SPENT = {}


@pytest.fixture
def own_server_client():
    with MockServer(Settings(seed=7, require_beta_header=False)) as server:
        with server.client() as client:
            yield client


def pytest_runtest_logreport(report):
    SPENT[report.nodeid] = SPENT.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    with open(session.config.rootpath / "spent.json", "w") as out:
        json.dump(SPENT, out)
"""

TESTS = """
import pytest


def work(client):
    client.beta.assistants.create(model="gpt-4o")
    assert client.beta.assistants.list().data
"""
TEST = """

def test_shared_{i}(assistants_client):
    work(assistants_client)


@pytest.mark.assistants_mock(seed=7, require_beta_header=False)
def test_marked_{i}(assistants_client):
    work(assistants_client)


def test_own_server_{i}(own_server_client):
    work(own_server_client)
"""
"""One test of each kind: a client, one create, one list. The kinds interleave."""


def measure(tests: int) -> dict[str, list[float]]:
    """Seconds each test of each kind took (setup, call and teardown)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "conftest.py").write_text(CONFTEST)
        suite = TESTS + "".join(TEST.format(i=i) for i in range(tests))
        (root / "test_overhead.py").write_text(suite)
        (root / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)]
        subprocess.run(argv, cwd=root, check=True, capture_output=True)
        spent: dict[str, float] = json.loads((root / "spent.json").read_text())
    samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for nodeid, seconds in spent.items():
        name = nodeid.split("::test_")[1]
        samples[name.rsplit("_", 1)[0]].append(seconds)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=60, help="tests of each kind")
    args = parser.parse_args()
    samples = measure(args.tests)
    shared = statistics.median(samples["shared"]) * 1000
    print(f"\n{args.tests} tests of each kind, interleaved (medians of setup+call+teardown)")
    for kind in KINDS:
        ms = statistics.median(samples[kind]) * 1000
        print(f"{kind:10} {ms:7.2f} ms   {ms - shared:+7.2f} ms   ratio {ms / shared:5.2f}x")


if __name__ == "__main__":
    main()
