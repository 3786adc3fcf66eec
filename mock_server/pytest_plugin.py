"""The pytest plugin, registered through the `pytest11` entry point.

Four fixtures, two markers:

    def test_sync(assistants_client): ...        # an openai.OpenAI
    def test_async(assistants_async_client): ... # an openai.AsyncOpenAI
    def test_own_client(assistants_env): ...     # OPENAI_BASE_URL, OPENAI_API_KEY set
    def test_server(assistants_mock): ...        # the MockServer: script(), backend

    @pytest.mark.assistants_mock(seed=7, require_beta_header=False)
    def test_settings(assistants_client): ...

    @pytest.mark.assistants_faults({"path": "/v1/threads", "status": 429})
    def test_retries(assistants_client): ...

Every test meets the same server (one per session, one port), emptied before the test;
a marker's settings reconfigure it in place for that test only (`state="snap.json"`
starts the test from a snapshot). `--assistants-mock-store=sqlite` serves the session
from an SQLite store in a temporary directory instead of memory. `shared_server(config)`
hands it to a conftest's `pytest_configure`, for code that makes its client at import
time (see the README's "In tests").

A test that scripts the fake model and leaves a scripted turn unused fails, unless a vcr
cassette replayed its traffic (then the server never saw the runs). The SDK's Assistants
deprecation warnings are filtered unless the ini option
`assistants_mock_keep_deprecation_warnings` is true.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .errors import APIError
from .server import MockServer

if TYPE_CHECKING:
    from openai import AsyncOpenAI, OpenAI

__all__ = [
    "assistants_async_client",
    "assistants_client",
    "assistants_env",
    "assistants_mock",
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_call",
    "shared_server",
    "unused_turns_message",
]

MARKER = "assistants_mock"
FAULTS_MARKER = "assistants_faults"
KEEP_WARNINGS = "assistants_mock_keep_deprecation_warnings"
DEPRECATIONS = (
    # What `beta.threads.*` (openai 1.x-3.x) says on every call.
    "ignore:The Assistants API is deprecated:DeprecationWarning",
    # What `beta.assistants.*` (openai 3.x) says, also repeated by `with_raw_response`.
    "ignore:deprecated$:DeprecationWarning",
)
REPLAYING_FIXTURES = ("vcr", "vcr_cassette")
"""Where a vcr cassette may be: pytest-recording's `vcr`, pytest-vcr's `vcr_cassette`."""

STORE_OPTION = "--assistants-mock-store"
_SHARED = pytest.StashKey[MockServer]()
_USED_BY = pytest.StashKey[MockServer]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        STORE_OPTION,
        choices=("memory", "sqlite"),
        default="memory",
        help="assistants-mock: the store of the session's server (sqlite: a file in a "
        "temporary directory).",
    )
    parser.addini(
        KEEP_WARNINGS,
        type="bool",
        default=False,
        help="assistants-mock: keep the DeprecationWarning the openai SDK raises on every "
        "Assistants call (filtered by default).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): run this test against an assistants-mock server with these "
        "Settings (seed, clock, require_auth, require_beta_header, log_level, ...).",
    )
    config.addinivalue_line(
        "markers",
        f"{FAULTS_MARKER}(*rules): the server misbehaves for this test as these fault rules "
        'say (dicts, e.g. {"path": "/v1/threads", "status": 429}; see mock_server.faults).',
    )
    if not config.getini(KEEP_WARNINGS):
        # Appended last, so they win over a catch-all `error` earlier in the ini.
        for line in DEPRECATIONS:
            config.addinivalue_line("filterwarnings", line)


def shared_server(config: pytest.Config) -> MockServer:
    """The session's server: started on first use, stopped when pytest ends.

    Call it from `pytest_configure` in a conftest to know its `base_url` before any test
    module (and the code it imports) is imported.
    """
    server = config.stash.get(_SHARED, None)
    if server is None:
        settings: dict[str, Any] = {}
        if config.getoption(STORE_OPTION, "memory") == "sqlite":
            import tempfile

            folder = tempfile.TemporaryDirectory(prefix="assistants-mock-")
            config.add_cleanup(folder.cleanup)
            settings["store"] = f"sqlite:{folder.name}/session.db"
        server = config.stash[_SHARED] = MockServer(**settings).start()
        config.add_cleanup(server.stop)
    return server


@pytest.fixture
def assistants_mock(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """The session's server with nothing in it, configured by the test's marker if any."""
    server = shared_server(request.config)
    marker = request.node.get_closest_marker(MARKER)
    settings = marker.kwargs if marker is not None else {}
    if marker is not None and marker.args:
        pytest.fail(f"@pytest.mark.{MARKER} takes settings as keyword arguments", pytrace=False)
    try:
        server.configure(**settings)
    except (TypeError, ValueError) as exc:
        raise pytest.fail.Exception(f"@pytest.mark.{MARKER}: {exc}", pytrace=False) from None
    for faults in request.node.iter_markers(FAULTS_MARKER):
        for rule in [*faults.args, *([faults.kwargs] if faults.kwargs else [])]:
            try:
                server.faults.add(rule)
            except APIError as exc:
                raise pytest.fail.Exception(f"@pytest.mark.{FAULTS_MARKER}: {exc}",
                                            pytrace=False) from None  # fmt: skip
    request.node.stash[_USED_BY] = server
    yield server
    server.close_clients()  # the ones the test made with `assistants_mock.client()`
    if settings:
        server.configure()


@pytest.fixture
def assistants_client(assistants_mock: MockServer) -> Iterator[OpenAI]:
    """An `openai.OpenAI` pointed at `assistants_mock`, with `max_retries=0` (and the
    marker's `api_key`, if any)."""
    with assistants_mock.client() as client:
        yield client


@pytest.fixture
def assistants_async_client(assistants_mock: MockServer) -> AsyncOpenAI:
    """An `openai.AsyncOpenAI` pointed at `assistants_mock`, with `max_retries=0`.

    Bound to no event loop (see `MockServer.async_client`): use it in an async test
    (anyio, pytest-asyncio) or with `asyncio.run` in a plain one. It holds no connection
    between requests, so there is nothing to close after the test.
    """
    return assistants_mock.async_client()


@pytest.fixture
def assistants_env(assistants_mock: MockServer) -> Iterator[dict[str, str]]:
    """`OPENAI_BASE_URL` and `OPENAI_API_KEY` set to `assistants_mock` for code that makes
    its own `OpenAI()` during the test; restored after it. Yields what it set."""
    env = {"OPENAI_BASE_URL": assistants_mock.base_url, "OPENAI_API_KEY": assistants_mock.api_key}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        yield env


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Fail a passing test that left scripted turns unused: once, in the test's own report
    (a test that already failed keeps its own failure)."""
    result = yield
    server = item.stash.get(_USED_BY, None)
    if server is not None and not _replayed(item):
        unused = server.backend.script.unused()
        if unused:
            pytest.fail(unused_turns_message(unused), pytrace=False)
    return result


def _replayed(item: pytest.Item) -> bool:
    """Whether a vcr cassette answered some of the test's requests: the server then never
    saw those runs, and its script cannot have been used."""
    funcargs: dict[str, object] = getattr(item, "funcargs", {})
    return any(getattr(funcargs.get(name), "play_count", 0) > 0 for name in REPLAYING_FIXTURES)


def unused_turns_message(unused: list[dict[str, Any]]) -> str:
    """What a test that left scripted turns unused is told: each rule, as it matches."""
    lines = ["assistants-mock: scripted turns never used (no run matched them):"]
    for rule in unused:
        matcher = ", ".join(f"{k}={v!r}" for k, v in rule.items() if k != "turns_left")
        left = rule["turns_left"]
        lines.append(f"  rule({matcher or 'any run'}): {left} turn{'s' * (left != 1)} left")
    return "\n".join(lines)
