"""What a test pays for the pytest plugin: on the shared server, with a settings marker,
and (the baseline) with a server of its own, as the plugin did before issue 9.

One generated suite runs in a pytest subprocess, every kind of test interleaved; a
conftest there records each test's setup + call + teardown time. Two groups:

- `client`: the test takes `assistants_client` and makes two SDK calls, as users' tests
  do (building the SDK client costs tens of ms of its own, the same for every kind);
- `server`: the test takes `assistants_mock` and makes one request with `http.client`, so
  the figures are the plugin's own cost.

The figures are medians per kind, and what a kind costs more than the shared one.

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

GROUPS = ("client", "server")
KINDS = ("shared", "marked", "own")

CONFTEST = """
import json

import pytest

from mock_server import MockServer, Settings

SPENT = {}


@pytest.fixture
def own_server():
    with MockServer(Settings(seed=7, require_beta_header=False)) as server:
        yield server


@pytest.fixture
def own_client(own_server):
    with own_server.client() as client:
        yield client


def pytest_runtest_logreport(report):
    SPENT[report.nodeid] = SPENT.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session):
    with open(session.config.rootpath / "spent.json", "w") as out:
        json.dump(SPENT, out)
"""

TESTS = """
import http.client

import pytest

MARK = pytest.mark.assistants_mock(seed=7, require_beta_header=False)


def calls(client):
    client.beta.assistants.create(model="gpt-4o")
    assert client.beta.assistants.list().data


def request(server):
    connection = http.client.HTTPConnection(server.host, server.port)
    headers = {"Authorization": "Bearer sk-x", "OpenAI-Beta": "assistants=v2"}
    connection.request("GET", "/v1/assistants", headers=headers)
    assert connection.getresponse().status == 200
    connection.close()
"""
TEST = """

def test_client_shared_{i}(assistants_client):
    calls(assistants_client)


@MARK
def test_client_marked_{i}(assistants_client):
    calls(assistants_client)


def test_client_own_{i}(own_client):
    calls(own_client)


def test_server_shared_{i}(assistants_mock):
    request(assistants_mock)


@MARK
def test_server_marked_{i}(assistants_mock):
    request(assistants_mock)


def test_server_own_{i}(own_server):
    request(own_server)
"""
"""One test of each kind in each group; the kinds interleave."""


def measure(tests: int) -> dict[str, list[float]]:
    """Seconds each test took (setup, call and teardown), by `group kind`."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "conftest.py").write_text(CONFTEST)
        suite = TESTS + "".join(TEST.format(i=i) for i in range(tests))
        (root / "test_overhead.py").write_text(suite)
        (root / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)]
        subprocess.run(argv, cwd=root, check=True, capture_output=True)
        spent: dict[str, float] = json.loads((root / "spent.json").read_text())
    samples: dict[str, list[float]] = {}
    for nodeid, seconds in spent.items():
        group, kind, _ = nodeid.split("::test_")[1].split("_")
        samples.setdefault(f"{group} {kind}", []).append(seconds)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=60, help="tests of each kind")
    args = parser.parse_args()
    samples = measure(args.tests)
    print(f"\n{args.tests} tests of each kind, interleaved (medians of setup+call+teardown)")
    for group in GROUPS:
        shared = statistics.median(samples[f"{group} shared"]) * 1000
        for kind in KINDS:
            ms = statistics.median(samples[f"{group} {kind}"]) * 1000
            label = f"{group} {kind}"
            print(f"{label:14} {ms:7.2f} ms   {ms - shared:+7.2f} ms   ratio {ms / shared:5.2f}x")


if __name__ == "__main__":
    main()
