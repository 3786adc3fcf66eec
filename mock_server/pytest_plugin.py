"""The pytest plugin, registered through the `pytest11` entry point.

One server fixture, one client fixture, one marker:

    def test_it(assistants_client):
        assistant = assistants_client.beta.assistants.create(model="gpt-4o")

    @pytest.mark.assistants_mock(seed=7, require_beta_header=False)
    def test_other(assistants_mock): ...

Tests without the marker share one server per session, reset before each test, so
every test starts from an empty state and the same ids. A marker with settings gets a
server of its own for that test. A test that scripts the fake model
(`assistants_mock.script(...)`) and leaves a scripted turn unused fails at teardown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .server import MockServer
from .settings import Settings

if TYPE_CHECKING:
    from openai import OpenAI

__all__ = ["assistants_client", "assistants_mock", "pytest_configure"]

MARKER = "assistants_mock"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): run this test against an assistants-mock server with these "
        "Settings (seed, clock, require_auth, require_beta_header, ...).",
    )


@pytest.fixture(scope="session")
def _assistants_mock_session() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def assistants_mock(
    request: pytest.FixtureRequest, _assistants_mock_session: MockServer
) -> Iterator[MockServer]:
    """A running server with nothing in it."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None or not marker.kwargs:
        _assistants_mock_session.reset()
        yield _assistants_mock_session
        _assistants_mock_session.backend.script.assert_all_used()
        return
    with MockServer(Settings(**marker.kwargs)) as server:
        yield server
        server.backend.script.assert_all_used()


@pytest.fixture
def assistants_client(assistants_mock: MockServer) -> Iterator[OpenAI]:
    """An `openai.OpenAI` pointed at `assistants_mock`, with `max_retries=0`."""
    client: OpenAI = assistants_mock.client()
    with client:
        yield client
