"""The run driver without HTTP: who moves a run, and every way a run ends or goes away."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server import request_models as rq
from mock_server.backend import Backend
from mock_server.errors import BadRequestError
from mock_server.executor import RunExecutor
from mock_server.script import Rule
from mock_server.settings import Settings

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def _backend(**settings: Any) -> Backend:
    return Backend(Settings().revised(**settings) if settings else Settings())


def _start(backend: Backend, *, tools: bool = False) -> RunExecutor:
    """A streamed run on a new thread with one user message, not yet played."""
    assistant = backend.create_assistant(
        rq.CreateAssistant(model="gpt-4o", tools=[WEATHER] if tools else None)  # type: ignore[list-item]
    )
    thread = backend.create_thread(rq.CreateThread())
    backend.create_message(thread.id, rq.CreateMessage(role="user", content="Hello"))
    if tools:
        backend.script.add(
            Rule.parse({"turns": [{"tool_calls": [{"name": "get_weather", "arguments": {}}]}]})
        )
    return backend.create_run(thread.id, rq.CreateRun(assistant_id=assistant.id, stream=True))


def _stream(backend: Backend, executor: RunExecutor) -> list[str]:
    names = []
    while (event := backend.next_event(executor)) is not None:
        names.append(event.name)
    return names


def _status(backend: Backend, executor: RunExecutor, *, poll: bool = False) -> str:
    return backend.get_run(executor.thread_id, executor.run_id, poll=poll).status


def test_a_streamed_run_plays_to_its_end_and_is_forgotten() -> None:
    backend = _backend()
    executor = _start(backend)
    assert len(backend.driver) == 1
    names = _stream(backend, executor)
    assert names[:3] == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert names[-1] == "thread.run.completed"
    assert executor.finished
    assert len(backend.driver) == 0


def test_an_unstreamed_run_answers_queued_and_ends_on_the_next_read() -> None:
    backend = _backend()
    executor = _start(backend)
    assert backend.run_unstreamed(executor).status == "queued"
    assert _status(backend, executor) == "completed"
    assert len(backend.driver) == 0


def test_per_poll_moves_one_status_per_retrieve_of_that_run() -> None:
    backend = _backend(run_progression="per_poll")
    executor = _start(backend)
    backend.run_unstreamed(executor)
    assert _status(backend, executor) == "queued"  # a read that is not a poll
    assert _status(backend, executor, poll=True) == "in_progress"
    assert _status(backend, executor, poll=True) == "completed"


def test_clock_progression_moves_with_time() -> None:
    backend = _backend(run_progression="clock", seconds_per_transition=5)
    executor = _start(backend)
    backend.run_unstreamed(executor)
    backend.clock.advance(4)
    assert _status(backend, executor) == "queued"
    backend.clock.advance(1)
    assert _status(backend, executor) == "in_progress"
    backend.clock.advance(5)
    assert _status(backend, executor) == "completed"


def test_a_run_waiting_for_outputs_is_parked_and_expires() -> None:
    backend = _backend()
    executor = _start(backend, tools=True)
    assert _stream(backend, executor)[-1] == "thread.run.requires_action"
    assert not executor.finished
    assert _status(backend, executor) == "requires_action"
    backend.clock.advance(600)
    assert _status(backend, executor) == "expired"
    assert len(backend.driver) == 0


def test_cancelling_a_parked_run_winds_it_down_on_the_next_read() -> None:
    backend = _backend()
    executor = _start(backend, tools=True)
    _stream(backend, executor)
    cancelling = backend.cancel_run(executor.thread_id, executor.run_id)
    assert cancelling.status == "cancelling"
    assert _status(backend, executor) == "cancelled"
    steps, _ = backend.list_steps(executor.thread_id, executor.run_id, rq.StepListQuery())
    assert [s.status for s in steps] == ["cancelled"]


def test_cancel_without_an_executor_still_ends_the_run() -> None:
    """Belt and braces: an active run whose executor is gone is cancelled outright."""
    backend = _backend()
    executor = _start(backend)
    backend.next_event(executor)  # created
    executor.abandon()
    assert backend.cancel_run(executor.thread_id, executor.run_id).status == "cancelling"
    assert _status(backend, executor) == "cancelled"
    assert len(backend.driver) == 0


def test_deleting_the_thread_stops_its_run_without_another_event() -> None:
    backend = _backend()
    executor = _start(backend)
    for _ in range(8):
        backend.next_event(executor)
    backend.delete_thread(executor.thread_id)
    assert backend.next_event(executor) is None
    assert executor.finished
    assert len(backend.driver) == 0
    assert backend.store.runs.get(executor.run_id) is None


def test_a_run_whose_thread_vanished_ends_quietly() -> None:
    """Even with nobody telling the executor, a run missing from the store stops."""
    backend = _backend()
    executor = _start(backend)
    backend.next_event(executor)  # created
    backend.next_event(executor)  # queued
    backend.store.runs.delete(executor.run_id)
    assert backend.next_event(executor) is None
    assert executor.finished


def test_a_reset_stops_every_run_in_flight() -> None:
    backend = _backend()
    streamed, parked = _start(backend), _start(backend, tools=True)
    backend.next_event(streamed)
    _stream(backend, parked)
    driver = backend.driver
    backend.reset()
    assert streamed.finished
    assert parked.finished
    assert len(driver) == 0
    assert backend.next_event(streamed) is None


def test_a_deleted_reply_lets_the_run_complete() -> None:
    backend = _backend()
    executor = _start(backend)
    event = backend.next_event(executor)
    while event is not None and event.name != "thread.message.in_progress":
        event = backend.next_event(executor)
    assert event is not None
    backend.delete_message(executor.thread_id, event.data.id)  # type: ignore[union-attr]
    assert _stream(backend, executor)[-2:] == ["thread.run.step.completed", "thread.run.completed"]
    messages, _ = backend.list_messages(executor.thread_id, rq.MessageListQuery())
    assert [m.role for m in messages] == ["user"]


def test_outputs_for_a_run_with_nothing_to_resume_are_refused_not_crashed() -> None:
    backend = _backend()
    executor = _start(backend, tools=True)
    _stream(backend, executor)
    run = backend.get_run(executor.thread_id, executor.run_id)
    assert run.required_action is not None
    call_id = run.required_action["submit_tool_outputs"]["tool_calls"][0]["id"]
    executor.abandon()
    outputs = rq.SubmitToolOutputs(tool_outputs=[rq.ToolOutputIn(tool_call_id=call_id, output="x")])
    with pytest.raises(BadRequestError):
        backend.submit_tool_outputs(executor.thread_id, executor.run_id, outputs)
