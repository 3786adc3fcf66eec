"""The seam (`turns.py`) without HTTP: any `TurnSource` plays a run's turns through the
engine; one that waits outside the server stops the executor with `waiting` set, and the
run goes on once that is ready (or winds down when cancelled meanwhile)."""

from __future__ import annotations

import asyncio

from mock_server import objects
from mock_server import request_models as rq
from mock_server.backend import Backend
from mock_server.executor import RunExecutor
from mock_server.players import Services
from mock_server.runs import RunStatus, transition
from mock_server.turns import PASS, Outputs, Play, TurnContext, Waiting


class _Slow:
    """A model whose reply waits for `gate`, then says "Hi there"."""

    def __init__(self) -> None:
        self.gate = Waiting()

    def turn(self, engine: RunExecutor, ctx: TurnContext, outputs: Outputs) -> Play:
        while not self.gate.ready:
            yield self.gate
        close = yield from engine.players.stream_message(
            engine.run, iter(["Hi", " there"]), deltas=engine.deltas
        )
        yield from close(False, objects.usage(ctx.prompt_tokens, 2))
        yield from engine.finish(cut=False)
        return None


def _executor(model: _Slow) -> tuple[Backend, RunExecutor]:
    backend = Backend()
    assistant = backend.create_assistant(rq.CreateAssistant(model="gpt-4o"))
    thread = backend.create_thread(rq.CreateThread())
    backend.create_message(thread.id, rq.CreateMessage(role="user", content="Hello"))
    run_id = backend.create_run(thread.id, rq.CreateRun(assistant_id=assistant.id)).run_id
    services = Services(backend.store, backend.ids, backend.clock, 0, backend.script,
                        backend.library, model)  # fmt: skip
    return backend, RunExecutor(services, run_id)


def test_a_waiting_source_stops_the_executor_until_it_is_ready() -> None:
    model = _Slow()
    backend, executor = _executor(model)
    names = [event.name for event in executor]
    assert names[-1] == "thread.run.in_progress"
    assert executor.waiting is model.gate
    assert not executor.finished
    assert list(executor) == []  # still waiting
    model.gate.set()
    names = [event.name for event in executor]
    assert names[-1] == "thread.run.completed"
    assert executor.finished
    (message,) = [m for m in backend.store.messages.children(executor.thread_id) if m.run_id]
    assert message.content[0]["text"]["value"] == "Hi there"


def test_a_cancel_wakes_the_wait_and_winds_the_run_down() -> None:
    model = _Slow()
    backend, executor = _executor(model)
    list(executor)
    cancelling = transition(executor.run, RunStatus.CANCELLING, backend.clock.now())
    backend.store.runs.update(cancelling)  # as the driver does before `cancel`
    executor.cancel()
    assert model.gate.ready  # whoever awaited it is woken
    names = [event.name for event in executor]
    assert names == ["thread.run.cancelled"]


def test_waiting_is_awaited_on_a_loop_and_set_from_a_thread() -> None:
    gate = Waiting()

    async def main() -> bool:
        loop = asyncio.get_running_loop()
        loop.call_later(0.01, lambda: loop.run_in_executor(None, gate.set))
        await asyncio.wait_for(gate.wait(), timeout=2)
        return gate.ready

    assert asyncio.run(main())


def test_pass_is_a_turn_left_to_the_next_source() -> None:
    assert repr(PASS) == "PASS"
