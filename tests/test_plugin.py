"""The pytest plugin, as a user's suite meets it: run inside generated test files."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
addopts = --strict-markers -p no:cacheprovider
filterwarnings =
    error
    ignore::DeprecationWarning
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A user's project: only the plugin's entry point brings the fixtures."""
    pytester.makeini(INI)
    return pytester


def test_fixtures_work_without_any_conftest(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import re

        import openai
        from mock_server import MockServer


        def test_client(assistants_mock, assistants_client):
            assert isinstance(assistants_mock, MockServer)
            assert isinstance(assistants_client, openai.OpenAI)
            assert str(assistants_client.base_url) == assistants_mock.base_url + "/"
            assert assistants_client.max_retries == 0
            created = assistants_client.beta.assistants.create(model="gpt-4o", name="Tutor")
            assert re.fullmatch(r"asst_[A-Za-z0-9]{24}", created.id)
            assert assistants_client.beta.assistants.retrieve(created.id) == created
        """
    )
    suite.runpytest().assert_outcomes(passed=1)


def test_the_marker_is_registered(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.assistants_mock(**settings):*"])


def test_each_test_starts_empty_with_the_same_ids(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import pytest

        FIRST = []


        @pytest.mark.parametrize("run", range(3))
        def test_fresh(assistants_client, run):
            assert assistants_client.beta.assistants.list().data == []
            created = assistants_client.beta.assistants.create(model="gpt-4o")
            thread = assistants_client.beta.threads.create()
            FIRST.append((created.id, thread.id))
            assert len(set(FIRST)) == 1


        def test_ids_were_reused():
            assert len(FIRST) == 3
        """
    )
    suite.runpytest().assert_outcomes(passed=4)


def test_the_marker_gives_a_dedicated_server_with_its_settings(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import httpx2
        import pytest

        SEEN = {}


        def test_shared(assistants_mock):
            SEEN["shared"] = assistants_mock
            response = httpx2.post(
                assistants_mock.base_url + "/assistants",
                json={"model": "gpt-4o"},
                headers={"Authorization": "Bearer sk-x"},
            )
            assert response.status_code == 400
            assert response.json()["error"]["code"] == "invalid_beta"


        @pytest.mark.assistants_mock(require_beta_header=False, seed=7)
        def test_dedicated(assistants_mock, assistants_client):
            SEEN["dedicated"] = assistants_mock
            assert assistants_mock.settings.require_beta_header is False
            assert assistants_mock.settings.seed == 7
            response = httpx2.post(
                assistants_mock.base_url + "/assistants",
                json={"model": "gpt-4o"},
                headers={"Authorization": "Bearer sk-x"},
            )
            assert response.status_code == 200
            assert assistants_client.base_url.port == assistants_mock.port


        def test_they_differ():
            assert SEEN["shared"] is not SEEN["dedicated"]
            assert SEEN["shared"].base_url != SEEN["dedicated"].base_url


        @pytest.mark.assistants_mock(seed=7)
        def test_seed_7_first_id(assistants_client):
            SEEN["seed7"] = assistants_client.beta.assistants.create(model="m").id


        def test_seed_0_first_id(assistants_client):
            SEEN["seed0"] = assistants_client.beta.assistants.create(model="m").id


        def test_seeds_differ():
            assert SEEN["seed7"] != SEEN["seed0"]
        """
    )
    suite.runpytest().assert_outcomes(passed=6)


def test_a_marker_with_unknown_settings_fails_loudly(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import pytest


        @pytest.mark.assistants_mock(sede=7)
        def test_typo(assistants_mock):
            pass
        """
    )
    result = suite.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown setting 'sede'*did you mean 'seed'*"])
