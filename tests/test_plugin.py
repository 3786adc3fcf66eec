"""The pytest plugin, as a user's suite meets it: run inside generated test files."""

from __future__ import annotations

import importlib.resources

import openai
import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
addopts = --strict-markers -p no:cacheprovider
filterwarnings =
    error
    ignore::DeprecationWarning
"""
STRICT_INI = """
[pytest]
addopts = --strict-markers -p no:cacheprovider
filterwarnings = error
"""
"""A suite that lets no warning through, the plugin's filters aside."""


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


def test_the_marker_reconfigures_the_shared_server_for_one_test(suite: pytest.Pytester) -> None:
    """One server, one port; `Edge` (headers, request ids) follows the settings in force."""
    suite.makepyfile(
        """
        import json
        import urllib.error
        import urllib.request

        import pytest

        SEEN = {}


        class Answer:
            def __init__(self, status, headers, body):
                self.status_code, self.headers, self.body = status, headers, body

            def json(self):
                return json.loads(self.body)


        def post(server):
            # Without the beta header, which the SDK adds; the standard library's HTTP,
            # as the SDK's own differs between openai releases.
            request = urllib.request.Request(
                server.base_url + "/assistants",
                data=b'{"model": "gpt-4o"}',
                headers={"Authorization": "Bearer sk-x", "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request) as answer:
                    return Answer(answer.status, answer.headers, answer.read())
            except urllib.error.HTTPError as error:
                return Answer(error.code, error.headers, error.read())


        def test_shared(assistants_mock):
            SEEN["shared"] = assistants_mock.base_url
            response = post(assistants_mock)
            assert response.json()["error"]["code"] == "invalid_beta"
            SEEN["request 0"] = response.headers["x-request-id"]


        @pytest.mark.assistants_mock(require_beta_header=False, seed=7)
        def test_marked(assistants_mock, assistants_client):
            SEEN["marked"] = assistants_mock.base_url
            assert assistants_mock.settings.require_beta_header is False
            assert assistants_mock.settings.seed == 7
            response = post(assistants_mock)
            assert response.status_code == 200
            SEEN["request 7"] = response.headers["x-request-id"]
            SEEN["seed 7"] = response.json()["id"]
            assert [a.id for a in assistants_client.beta.assistants.list()] == [SEEN["seed 7"]]


        def test_defaults_are_back(assistants_mock, assistants_client):
            assert assistants_mock.settings.seed == 0
            response = post(assistants_mock)
            assert response.json()["error"]["code"] == "invalid_beta"
            assert response.headers["x-request-id"] == SEEN["request 0"] != SEEN["request 7"]
            assert assistants_client.beta.assistants.list().data == []
            SEEN["seed 0"] = assistants_client.beta.assistants.create(model="gpt-4o").id


        def test_one_server_other_settings():
            assert SEEN["shared"] == SEEN["marked"]
            assert SEEN["seed 7"] != SEEN["seed 0"]
        """
    )
    suite.runpytest().assert_outcomes(passed=4)


BAD_SETTINGS = [
    pytest.param("sede=7", "*@pytest.mark.assistants_mock: *'sede'*", id="unknown-setting"),
    pytest.param(
        "scenario=__import__('pathlib').Path('no-such-file.yaml')",
        "*@pytest.mark.assistants_mock: no-such-file.yaml: *",
        id="unusable-scenario",
    ),
    pytest.param(
        "run_progression='sometimes'",
        "*@pytest.mark.assistants_mock: *run_progression*",
        id="bad-value",
    ),
]


@pytest.mark.parametrize(("settings", "message"), BAD_SETTINGS)
def test_bad_marker_settings_are_a_clear_error(
    suite: pytest.Pytester, settings: str, message: str
) -> None:
    suite.makepyfile(
        f"""
        import pytest


        @pytest.mark.assistants_mock({settings})
        def test_marked(assistants_mock):
            pass


        def test_the_next_test_has_the_defaults(assistants_mock):
            assert assistants_mock.settings.seed == 0
        """
    )
    result = suite.runpytest()
    result.assert_outcomes(errors=1, passed=1)
    result.stdout.fnmatch_lines([message])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*During handling*")
    result.stdout.no_fnmatch_line("*pytest_plugin.py*")


def test_deprecation_warnings_are_filtered(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(SDK_CALLS)
    pytester.runpytest().assert_outcomes(passed=3, warnings=0)


@pytest.mark.skipif(
    not hasattr(openai.resources.beta.threads.Threads.create, "__deprecated__"),
    reason="this openai release does not deprecate the Assistants API (before 1.9x)",
)
def test_an_ini_option_keeps_the_deprecation_warnings(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        addopts = -p no:cacheprovider
        assistants_mock_keep_deprecation_warnings = true
        """
    )
    pytester.makepyfile(SDK_CALLS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, warnings=result.parseoutcomes()["warnings"])
    assert result.parseoutcomes()["warnings"] >= 6
    result.stdout.fnmatch_lines(["*DeprecationWarning*"])


SDK_CALLS = """
def test_assistants(assistants_client):
    assistants_client.beta.assistants.create(model="gpt-4o")
    assistants_client.beta.assistants.with_raw_response.list()


def test_threads(assistants_client):
    thread = assistants_client.beta.threads.create()
    assistants_client.beta.threads.messages.create(thread.id, role="user", content="Hi")


def test_runs(assistants_client):
    assistant = assistants_client.beta.assistants.create(model="gpt-4o")
    run = assistants_client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]}
    )
    assert run.status == "completed"
"""
"""Calls that each raise the SDK's Assistants DeprecationWarning."""


SCRIPTED = """
import pytest


def run(client, text):
    assistant = client.beta.assistants.create(model="gpt-4o")
    return client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": text}]}
    )


def test_all_used(assistants_mock, assistants_client):
    assistants_mock.script(message="weather", turns=[{"text": "Sunny."}])
    run(assistants_client, "What is the weather?")


def test_one_left(assistants_mock, assistants_client):
    assistants_mock.script(message="weather", turns=[{"text": "Sunny."}, {"text": "Rain."}])
    assistants_mock.script(assistant="Tutor", turns=[{"text": "Hello."}])
    run(assistants_client, "What is the weather?")


def test_failing_with_turns_left(assistants_mock, assistants_client):
    assistants_mock.script(turns=[{"text": "Never said."}])
    assert 1 == 2, "the test's own failure"
"""


def test_unused_scripted_turns_fail_the_test_once(suite: pytest.Pytester) -> None:
    suite.makepyfile(SCRIPTED)
    result = suite.runpytest()
    result.assert_outcomes(passed=1, failed=2, errors=0)
    result.stdout.fnmatch_lines(
        [
            "*_ test_one_left _*",
            "assistants-mock: scripted turns never used (no run matched them):",
            "  rule(message='weather'): 1 turn left",
            "  rule(assistant='Tutor'): 1 turn left",
            "*_ test_failing_with_turns_left _*",
            "*AssertionError: the test's own failure*",
        ]
    )
    # Once in the report; the short summary repeats it whole when $CI is set (pytest's rule).
    output = result.stdout.str().split("short test summary info")[0]
    assert output.count("scripted turns never used") == 1, output
    assert "Traceback" not in output.split("_ test_one_left _")[1].split("_ test_failing")[0]


def test_the_async_client_serves_asyncio_run_and_anyio(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(
        """
        import asyncio
        import gc

        import openai
        import pytest


        async def conversation(client):
            assistant = await client.beta.assistants.create(model="gpt-4o")
            thread = await client.beta.threads.create(
                messages=[{"role": "user", "content": "Hello there"}]
            )
            async with client.beta.threads.runs.stream(
                thread_id=thread.id, assistant_id=assistant.id
            ) as stream:
                await stream.until_done()
            messages = await client.beta.threads.messages.list(thread.id)
            return assistant.id, messages.data[0].content[0].text.value


        def test_asyncio_run_twice(assistants_async_client):
            assert isinstance(assistants_async_client, openai.AsyncOpenAI)
            assert assistants_async_client.max_retries == 0
            first = asyncio.run(conversation(assistants_async_client))
            second = asyncio.run(conversation(assistants_async_client))
            assert first[0] != second[0] and first[1] == second[1] != ""


        @pytest.mark.anyio
        async def test_under_anyio(assistants_async_client, assistants_client):
            assistant_id, reply = await conversation(assistants_async_client)
            assert assistants_client.beta.assistants.retrieve(assistant_id).id == assistant_id


        def test_nothing_was_left_open():
            gc.collect()
        """
    )
    pytester.runpytest("-W", "error::ResourceWarning").assert_outcomes(passed=3)


def test_assistants_env_is_set_for_the_test_and_restored(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://outside.invalid/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    suite.makepyfile(
        """
        import os

        import openai
        import pytest


        def test_own_client(assistants_env, assistants_mock):
            assert assistants_env == {
                "OPENAI_BASE_URL": assistants_mock.base_url,
                "OPENAI_API_KEY": "sk-assistants-mock",
            }
            client = openai.OpenAI()
            assert client.beta.assistants.create(model="gpt-4o").id.startswith("asst_")


        @pytest.mark.assistants_mock(api_key="sk-only-this")
        def test_the_marker_key(assistants_env, assistants_client, assistants_async_client):
            assert os.environ["OPENAI_API_KEY"] == "sk-only-this"
            assert openai.OpenAI().beta.assistants.list().data == []
            assert assistants_client.beta.assistants.list().data == []
            assert assistants_async_client.api_key == "sk-only-this"


        def test_restored():
            assert os.environ["OPENAI_BASE_URL"] == "http://outside.invalid/v1"
            assert "OPENAI_API_KEY" not in os.environ
        """
    )
    suite.runpytest().assert_outcomes(passed=3)


def test_a_client_made_at_import_time_meets_the_shared_server(suite: pytest.Pytester) -> None:
    """The README's conftest pattern: the environment is set before test modules import."""
    suite.makeconftest(
        """
        import pytest

        from mock_server.pytest_plugin import shared_server


        def pytest_configure(config):
            patch = pytest.MonkeyPatch()
            patch.setenv("OPENAI_BASE_URL", shared_server(config).base_url)
            patch.setenv("OPENAI_API_KEY", "sk-assistants-mock")
            config.add_cleanup(patch.undo)
        """
    )
    suite.makepyfile(
        app="""
        from openai import OpenAI

        client = OpenAI()


        def ask(text):
            assistant = client.beta.assistants.create(model="gpt-4o")
            run = client.beta.threads.create_and_run_poll(
                assistant_id=assistant.id,
                thread={"messages": [{"role": "user", "content": text}]},
            )
            reply = client.beta.threads.messages.list(run.thread_id).data[0]
            return assistant.id, reply.content[0].text.value
        """,
        test_app="""
        import pytest

        import app

        IDS = {}


        def test_scripted(assistants_mock):
            assistants_mock.script(message="weather", turns=[{"text": "Sunny."}])
            IDS[0], reply = app.ask("What is the weather?")
            assert reply == "Sunny."


        @pytest.mark.assistants_mock(seed=7)
        def test_marked(assistants_mock):
            IDS[7], _ = app.ask("Hi")


        def test_settings_followed():
            assert IDS[0] != IDS[7]
        """,
    )
    suite.runpytest().assert_outcomes(passed=3)


VCR_CONFTEST = """
import pytest

from mock_server.cassettes import VCR_CONFIG, body_json


@pytest.fixture(scope="session")
def vcr_config():
    return VCR_CONFIG


def pytest_recording_configure(config, vcr):
    vcr.register_matcher("body_json", body_json)
"""
VCR_TESTS = """
import pytest


@pytest.mark.vcr
def test_scripted_run(assistants_mock, assistants_client):
    assistants_mock.script(message="weather", turns=[{"text": "Sunny."}])
    assistant = assistants_client.beta.assistants.create(model="gpt-4o")
    run = assistants_client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id,
        thread={"messages": [{"role": "user", "content": "What is the weather?"}]},
    )
    reply = assistants_client.beta.threads.messages.list(run.thread_id).data[0]
    assert reply.content[0].text.value == "Sunny."
    with open("turns_left.log", "a") as log:  # what the server itself played
        print(sum(rule["turns_left"] for rule in assistants_mock.backend.script.unused()), file=log)


def test_without_a_cassette(assistants_client):
    assert assistants_client.beta.assistants.list().data == []
"""


def test_scripting_under_vcr_records_then_replays(suite: pytest.Pytester) -> None:
    suite.makeconftest(VCR_CONFTEST)
    suite.makepyfile(VCR_TESTS)
    recorded = suite.runpytest("--record-mode=once")
    recorded.assert_outcomes(passed=2)
    cassette = suite.path / "cassettes" / "test_scripting_under_vcr_records_then_replays"
    assert (cassette / "test_scripted_run.yaml").is_file()
    # Replayed: the server sees no run, and the script is not reported as unused.
    replayed = suite.runpytest("--block-network", "--allowed-hosts=127.0.0.1,localhost")
    replayed.assert_outcomes(passed=2)
    assert (suite.path / "turns_left.log").read_text().split() == ["0", "1"]


def test_under_vcr_a_recorded_test_still_checks_its_script(suite: pytest.Pytester) -> None:
    suite.makeconftest(VCR_CONFTEST)
    suite.makepyfile(
        VCR_TESTS.replace(
            'turns=[{"text": "Sunny."}]', 'turns=[{"text": "Sunny."}, {"text": "Unused."}]'
        )
    )
    result = suite.runpytest("--record-mode=once")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["  rule(message='weather'): 1 turn left"])


def test_the_package_ships_its_type_information() -> None:
    assert importlib.resources.files("mock_server").joinpath("py.typed").is_file()
