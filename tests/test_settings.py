"""Settings: one checked definition, and every way in (Python, marker, scenario file, CLI,
README) meets the same checks."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import pytest
from openai import OpenAI

from mock_server import MockServer
from mock_server.cli import main, parser
from mock_server.ids import IdFactory, Prefix
from mock_server.settings import (
    SPECS,
    ClockMode,
    RunProgression,
    Settings,
    SettingsError,
    markdown_table,
)

from .subprocesses import ROOT, SCRIPT, finish, launch, mock_server

pytest_plugins = ["pytester"]

BAD = [
    ("run_progression", "per-poll", "one of 'immediate', 'per_poll', 'clock'"),
    ("clock", "systme", "one of 'frozen', 'system'"),
    ("seed", "7", "an integer from 0 to 4294967295"),
    ("seed", True, "an integer from 0 to 4294967295"),
    ("seed", -1, "an integer from 0 to 4294967295"),
    ("poll_after_ms", -5, "an integer from 0 to 60000"),
    ("stream_delay_ms", 60_001, "an integer from 0 to 60000"),
    ("seconds_per_transition", 0, "an integer from 1 to 3600"),
    ("clock_start", 1.5, "an integer from 0 to 253402300799"),
    ("require_auth", 1, "True or False"),
    ("require_beta_header", "false", "True or False"),
    ("api_key", "", "a non-empty string, or None"),
    ("scenario", 3, "a file path, or None"),
]


@pytest.mark.parametrize(("name", "value", "allowed"), BAD, ids=[f"{n}={v!r}" for n, v, _ in BAD])
def test_a_bad_value_names_the_setting_the_value_and_what_is_allowed(
    name: str, value: object, allowed: str
) -> None:
    given: dict[str, Any] = {name: value}
    with pytest.raises(SettingsError) as raised:
        Settings(**given)
    assert str(raised.value).startswith(f"{name}={value!r} is not allowed: {name} must be ")
    assert allowed in str(raised.value)
    assert raised.value.setting == name


def test_a_near_miss_choice_is_named() -> None:
    with pytest.raises(SettingsError, match=r"\(did you mean 'per_poll'\?\)"):
        Settings(run_progression="per-poll")  # type: ignore[arg-type]


def test_an_unknown_setting_lists_the_known_ones() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings(sede=7)  # type: ignore[call-arg]
    names = ", ".join(sorted(spec.name for spec in SPECS))
    assert str(raised.value) == (
        f"unknown setting 'sede'; the settings are: {names} (did you mean 'seed'?)"
    )


def test_no_auth_and_an_api_key_contradict() -> None:
    with pytest.raises(SettingsError, match=r"api_key='K' contradicts require_auth=False"):
        Settings(require_auth=False, api_key="K")


def test_an_upstream_url_with_credentials_is_refused_without_echoing_them() -> None:
    with pytest.raises(SettingsError, match="must not carry credentials") as caught:
        Settings(model_upstream="https://user:sk-SECRET@llm.example/v1")
    assert "sk-SECRET" not in str(caught.value)
    assert Settings(model_upstream="https://llm.example/v1").model_upstream is not None


def test_good_values_are_held_as_declared() -> None:
    settings = Settings(clock="system", run_progression="per_poll", scenario="x.yaml")  # type: ignore[arg-type]
    clock: str = settings.clock
    assert clock == "system"
    assert settings.clock is ClockMode.SYSTEM
    assert settings.run_progression is RunProgression.PER_POLL
    assert settings.scenario == Path("x.yaml")
    assert Settings(seed=3) == Settings(seed=3)
    assert len({Settings(seed=3), Settings(seed=3), Settings()}) == 2
    with pytest.raises(AttributeError):
        settings.seed = 4  # type: ignore[misc]


def test_revised_keeps_what_was_given_and_checks_the_changes() -> None:
    settings = Settings(seed=3)
    assert settings.revised(clock="system") == Settings(seed=3, clock=ClockMode.SYSTEM)
    with pytest.raises(SettingsError, match="poll_after_ms=-5"):
        settings.revised(poll_after_ms=-5)


def test_mock_server_checks_its_overrides() -> None:
    with pytest.raises(SettingsError, match="run_progression='per-poll'"):
        MockServer(run_progression="per-poll")
    with pytest.raises(SettingsError, match="unknown setting 'sede'"):
        MockServer(sede=1)


def test_a_marker_with_a_bad_value_errors_at_once(pytester: pytest.Pytester) -> None:
    """It used to hang: runs stayed queued for ever."""
    pytester.makepyfile(
        """
        import pytest


        @pytest.mark.assistants_mock(run_progression="per-poll")
        def test_polling(assistants_client):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*run_progression='per-poll' is not allowed*"])


def run_status_after_one_retrieve(client: OpenAI) -> str:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    status: str = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status
    return status


SCENARIO = """\
settings:
  seed: 7
  run_progression: per_poll
rules:
  - turns:
      - text: From the file.
"""


def test_a_scenario_file_carries_settings(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO)
    with MockServer(scenario=path) as server, server.client() as client:
        assert server.settings.seed == 7
        assert run_status_after_one_retrieve(client) == "in_progress"  # per_poll
    with MockServer(scenario=path, seed=3, run_progression="immediate") as server:
        assert server.settings.seed == 3  # given here: wins over the file
        with server.client() as client:
            assert run_status_after_one_retrieve(client) == "completed"


@pytest.mark.parametrize(
    ("carried", "message"),
    [
        ("settings:\n  poll_after_ms: -5\n", "settings: poll_after_ms=-5 is not allowed"),
        ("settings:\n  sed: 1\n", "settings: unknown setting 'sed'"),
        ("settings:\n  seed: '7'\n", "settings: seed='7' is not allowed"),
        ("settings:\n  scenario: other.yaml\n", "settings: a scenario cannot name a scenario"),
    ],
    ids=["range", "unknown", "string-for-int", "scenario"],
)
def test_a_scenario_files_bad_settings_are_errors(
    tmp_path: Path, carried: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(carried + "rules: []\n")
    with pytest.raises(SettingsError) as raised:
        Settings(scenario=path)
    assert str(raised.value).startswith(f"{path}: {message}")


def test_serve_flags_are_the_settings() -> None:
    serve = subcommand("serve")
    flags = {action.dest: action for action in serve._actions if action.option_strings}
    for spec in SPECS:
        action = flags[spec.name]
        assert action.option_strings == [spec.flag]
        assert action.default is argparse.SUPPRESS  # only flags given override a scenario
        assert spec.doc.replace("%", "%%") in (action.help or "")
        if spec.choices:
            assert action.metavar == "{" + ",".join(spec.choices) + "}"
    assert set(flags) == {spec.name for spec in SPECS} | {"help", "host", "port"}


def subcommand(name: str) -> argparse.ArgumentParser:
    top = parser()
    commands = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    chosen: argparse.ArgumentParser = commands.choices[name]
    return chosen


@pytest.mark.parametrize("command", ["serve", "replay", "record"])
def test_every_flag_has_help_and_is_in_the_readme(command: str) -> None:
    readme = (ROOT / "README.md").read_text()
    for action in subcommand(command)._actions:
        assert action.help, action
        for flag in action.option_strings:
            if flag not in ("-h", "--help"):
                assert f"`{flag}" in readme, f"README.md does not list `{command} {flag}`"


def test_the_readme_settings_table_is_the_definition() -> None:
    table = markdown_table()
    assert table in (ROOT / "README.md").read_text(), (
        "README.md's settings table is not what `mock_server.settings.markdown_table()` "
        f"renders; replace it with:\n{table}"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--run-progression", "per-poll"], "argument --run-progression: run_progression="),
        (["--clock", "systme"], "argument --clock: clock='systme' is not allowed"),
        (["--poll-after-ms", "-5"], "argument --poll-after-ms: poll_after_ms=-5 is not allowed"),
        (["--seed", "7x"], "argument --seed: seed='7x' is not allowed"),
        (["--port", "70000"], "argument --port: '70000' is not a port"),
        (["--no-auth", "--api-key", "K"], "api_key='K' contradicts require_auth=False"),
    ],
    ids=["choice", "typo", "range", "int", "port", "contradiction"],
)
def test_serve_refuses_bad_flags_in_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", *argv])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_serve_takes_a_scenario_files_settings_and_flags_win(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.replace("rules:\n  - turns:\n      - text: From the file.\n", ""))
    base = mock_server("serve", "--scenario", str(path))
    for extra, seed in (([], 7), (["--seed", "3"], 3)):
        served = launch([*base, *extra])
        with OpenAI(base_url=next(served), api_key="sk-cli", max_retries=0) as client:
            assert client.beta.assistants.create(model="gpt-4o").id == IdFactory(seed).new(
                Prefix.ASSISTANT
            )
            assert run_status_after_one_retrieve(client) == "in_progress"
        served.close()


def test_a_bad_flag_fails_fast_in_a_real_process() -> None:
    done = finish([str(SCRIPT), "serve", "--run-progression", "per-poll"])
    assert done.returncode == 2
    assert re.search(
        r"assistants-mock serve: error: argument --run-progression: run_progression='per-poll' "
        r"is not allowed: run_progression must be one of 'immediate', 'per_poll', 'clock' "
        r"\(did you mean 'per_poll'\?\)\n$",
        done.stderr,
    ), done.stderr
