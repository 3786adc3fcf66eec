"""`MockServer.configure` is all or nothing: settings it cannot serve with (a store that
cannot be opened, a scenario that does not parse) raise, and the server serves on as
before, through the official SDK: the same objects, script and faults."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest
from openai import OpenAI

from mock_server import MockServer
from mock_server.faults import ERROR_WORDING
from mock_server.script import ScriptError
from mock_server.store import Store, StoreError, open_store


def _serving_as_before(server: MockServer, client: OpenAI, assistant_id: str) -> None:
    """The object made before is there, the fault armed before answers, and writes work."""
    assert [a.id for a in client.beta.assistants.list().data] == [assistant_id]
    with pytest.raises(openai.InternalServerError) as failed:
        client.beta.threads.create()
    assert failed.value.body["message"] == ERROR_WORDING[503][0]  # type: ignore[index]
    assert client.beta.threads.create().object == "thread"
    assert client.beta.assistants.create(model="gpt-4o").id != assistant_id


def _arm(server: MockServer, client: OpenAI) -> str:
    """An object and a fault for `_serving_as_before` to find: the assistant's id."""
    assistant = client.beta.assistants.create(model="gpt-4o", name="before")
    server.faults.add(method="POST", path="/v1/threads", status=503)
    return assistant.id


@pytest.mark.parametrize("held", [False, True], ids=["missing-folder", "held-by-another"])
def test_a_store_that_cannot_be_opened_leaves_the_server_serving(
    tmp_path: Path, held: bool
) -> None:
    with MockServer(store=f"sqlite:{tmp_path}/a.db") as server:
        client = server.client()
        assistant_id = _arm(server, client)
        target = tmp_path / ("b.db" if held else "missing/b.db")
        other = MockServer(store=f"sqlite:{target}") if held else None
        try:
            with pytest.raises(StoreError, match=str(target)):
                server.configure(store=f"sqlite:{target}", seed=9)
        finally:
            if other is not None:
                other.stop()
        assert server.settings.store == f"sqlite:{tmp_path}/a.db"
        _serving_as_before(server, client, assistant_id)


def test_a_bad_scenario_on_the_same_store_leaves_the_server_serving(tmp_path: Path) -> None:
    """The old store must let go of the file before the new one opens it: the new settings
    are tried first, so the old store is never closed for settings that cannot work."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - turns: [{text: x}]\n    asistant: Helper\n")
    store = f"sqlite:{tmp_path}/a.db"
    with MockServer(store=store) as server:
        client = server.client()
        assistant_id = _arm(server, client)
        with pytest.raises(ScriptError, match="asistant"):
            server.configure(store=store, scenario=bad)
        _serving_as_before(server, client, assistant_id)


def test_the_same_store_configured_again_serves_empty(tmp_path: Path) -> None:
    store = f"sqlite:{tmp_path}/a.db"
    with MockServer(store=store) as server:
        client = server.client()
        client.beta.assistants.create(model="gpt-4o")
        server.configure(store=f"sqlite:{tmp_path}/../{tmp_path.name}/a.db", seed=9)
        assert client.beta.assistants.list().data == []
        assert client.beta.assistants.create(model="gpt-4o").object == "assistant"
    with MockServer(store=store) as again:  # the lock was let go at stop
        assert len(again.client().beta.assistants.list().data) == 1


def test_a_store_lost_between_close_and_reopen_is_opened_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the file fails only once the old store has let go of it (taken by another
    process meanwhile, simulated here), the old settings open it again."""
    store = f"sqlite:{tmp_path}/a.db"
    with MockServer(store=store) as server:
        client = server.client()
        assistant_id = _arm(server, client)
        calls: list[str] = []

        def taken_once(spec: str, *, sync: str = "full") -> Store:
            if spec != "memory":  # the new settings are tried on one first
                calls.append(spec)
                if len(calls) == 1:
                    raise StoreError(f"{spec}: taken meanwhile")
            return open_store(spec, sync=sync)

        monkeypatch.setattr("mock_server.backend.open_store", taken_once)
        with pytest.raises(StoreError, match="taken meanwhile"):
            server.configure(store=store, seed=9)
        monkeypatch.undo()
        assert calls == [store, store]  # the new settings', then the old ones' again
        assert server.settings.seed == 0
        _serving_as_before(server, client, assistant_id)


def test_a_store_lost_for_good_leaves_a_server_that_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the file cannot be opened again either, the server serves the old settings
    from memory, and the error says so: no request meets a closed store."""
    store = f"sqlite:{tmp_path}/a.db"
    with MockServer(store=store) as server:
        client = server.client()
        client.beta.assistants.create(model="gpt-4o")

        def taken(spec: str, *, sync: str = "full") -> Store:
            if spec != "memory":
                raise StoreError(f"{spec}: taken")
            return open_store(spec, sync=sync)

        monkeypatch.setattr("mock_server.backend.open_store", taken)
        with pytest.raises(StoreError, match="taken") as raised:
            server.configure(store=store, seed=9)
        monkeypatch.undo()
        assert "now serves from memory" in " ".join(raised.value.__notes__)
        assert server.settings.store == "memory"
        assert client.beta.assistants.list().data == []
        assert client.beta.assistants.create(model="gpt-4o").object == "assistant"
