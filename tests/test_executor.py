"""The executor without HTTP: a run played as events, each object stored before its event."""

from __future__ import annotations

import logging

import pytest

from mock_server import request_models as rq
from mock_server.backend import Backend
from mock_server.executor import SERVER_FAILURE, RunExecutor
from mock_server.sse import TextDelta
from mock_server.wire import Message, Run, RunStep


def _executor(backend: Backend) -> RunExecutor:
    assistant = backend.create_assistant(rq.CreateAssistant(model="gpt-4o"))
    thread = backend.create_thread(rq.CreateThread())
    backend.create_message(thread.id, rq.CreateMessage(role="user", content="Hello"))
    return backend.create_run(thread.id, rq.CreateRun(assistant_id=assistant.id, stream=True))


def test_each_object_is_stored_before_its_event() -> None:
    backend = Backend()
    executor = _executor(backend)
    store = backend.store
    names = []
    for event in executor:
        names.append(event.name)
        data = event.data
        if event.name == "thread.run.queued":  # announced with the run as created
            continue
        if isinstance(data, Run):
            assert store.runs.get(data.id) == data, event.name
        elif isinstance(data, RunStep):
            assert store.steps.get(data.id) == data, event.name
        elif isinstance(data, Message):
            assert store.messages.get(data.id) == data, event.name
    assert names[-1] == "thread.run.completed"
    assert "thread.message.delta" in names


def test_with_deltas_off_the_reply_is_written_whole() -> None:
    backend = Backend()
    executor = _executor(backend)
    executor.deltas = False
    names = [event.name for event in executor]
    assert not [n for n in names if n.endswith(".delta")]
    assert names[-3:] == [
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
    ]


def test_a_cancel_mid_reply_winds_the_run_down() -> None:
    backend = Backend()
    executor = _executor(backend)
    for event in executor:
        if isinstance(event.data, TextDelta):
            break
    backend.cancel_run(executor.thread_id, executor.run_id)
    names = [event.name for event in executor]
    assert names == [
        "thread.message.incomplete",
        "thread.run.step.cancelled",
        "thread.run.cancelled",
    ]


def test_abandon_stops_without_another_event() -> None:
    backend = Backend()
    executor = _executor(backend)
    next(executor)
    executor.abandon()
    assert list(executor) == []
    assert executor.finished


def test_a_run_the_engine_breaks_on_fails_cleanly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A fault injected into the play: the run fails with `server_error`, logged once,
    and its thread takes new runs."""
    backend = Backend()
    executor = _executor(backend)

    def broken(*args: object) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(RunExecutor, "_conversation", broken)
    with caplog.at_level(logging.ERROR):
        events = list(executor)
    assert [e.name for e in events][-1] == "thread.run.failed"
    failed = backend.get_run(executor.thread_id, executor.run_id)
    assert failed.status == "failed"
    assert failed.last_error == SERVER_FAILURE
    assert len([r for r in caplog.records if r.exc_info is not None]) == 1
    assert backend.active_run(executor.thread_id) is None
