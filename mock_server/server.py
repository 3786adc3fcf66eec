"""Servers in a background thread: `AppServer` hosts any ASGI app, `MockServer` the mock API."""

from __future__ import annotations

import socket
import threading
import weakref
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from .app import create_app
from .backend import Backend
from .connections import uvicorn_options
from .faults import Faults
from .journal import Calls
from .script import Rule
from .settings import Settings
from .state import snapshot

if TYPE_CHECKING:  # openai is imported when a client is made: starting a server needs none
    from openai import AsyncOpenAI, OpenAI

__all__ = ["API_KEY", "AppServer", "MockServer"]

API_KEY = "sk-assistants-mock"
"""The API key a local server's clients send, unless it accepts only another."""


class AppServer:
    """An ASGI app served by uvicorn in a background thread, as a context manager.

    The port defaults to a free one, chosen when the server starts.
    """

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._clients: weakref.WeakSet[OpenAI] = weakref.WeakSet()

    @property
    def base_url(self) -> str:
        """What to give the SDK as `base_url` (or `OPENAI_BASE_URL`)."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def api_key(self) -> str:
        """What to give the SDK as `api_key` (or `OPENAI_API_KEY`)."""
        return API_KEY

    def start(self) -> Self:
        """Bind, serve in a thread, and return once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they
        # are TCP, and without it every response waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", **uvicorn_options(grace=1)
        )
        server = self._server = uvicorn.Server(config)
        thread = self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="assistants-mock", daemon=True
        )
        thread.start()
        while not server.started:
            if not thread.is_alive():
                sock.close()
                self._server = self._thread = None
                raise RuntimeError("the server failed to start")
            thread.join(0.005)
        return self

    def stop(self) -> None:
        """Close the clients it handed out, ask uvicorn to exit and wait for it."""
        self.close_clients()
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join()
        self._server = self._thread = None

    def client(self, **kwargs: Any) -> OpenAI:
        """An `openai.OpenAI` pointed at this server (`max_retries=0` unless given)."""
        from openai import OpenAI

        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("max_retries", 0)
        client = OpenAI(base_url=self.base_url, **kwargs)
        self._clients.add(client)
        return client

    def close_clients(self) -> None:
        """Close every `client()` still open (their pooled connections would otherwise be
        left to the garbage collector, which warns). Closing a closed client is harmless."""
        for client in list(self._clients):
            client.close()

    def async_client(self, **kwargs: Any) -> AsyncOpenAI:
        """An `openai.AsyncOpenAI` pointed at this server (`max_retries=0` unless given).

        Its requests ask for `Connection: close`: with no connection kept in a pool, the
        client is tied to no event loop, so one client serves several `asyncio.run(...)`
        calls and any test runner's loop (a pooled connection outlives the loop that
        opened it, and then fails or leaks).
        """
        from openai import AsyncOpenAI

        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("max_retries", 0)
        kwargs["default_headers"] = {"Connection": "close", **kwargs.get("default_headers", {})}
        return AsyncOpenAI(base_url=self.base_url, **kwargs)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class MockServer(AppServer):
    """A running mock Assistants API, as a context manager.

    >>> with MockServer(seed=0) as server:
    ...     client = server.client()
    """

    app: FastAPI

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        **overrides: Any,
    ) -> None:
        base = settings or Settings()
        self.settings = base.revised(**overrides) if overrides else base
        super().__init__(create_app(self.settings), host=host, port=port)
        self._defaults = self.settings
        self._closed = False

    @property
    def api_key(self) -> str:
        """The key the server accepts (`Settings.api_key`), else `API_KEY`."""
        return self.settings.api_key or API_KEY

    @property
    def backend(self) -> Backend:
        backend: Backend = self.app.state.backend
        return backend

    @property
    def calls(self) -> Calls:
        """The requests the server answered so far, oldest first, as values (respx-style:
        `.last`, `.call_count`, `.filter(method="POST", path="/v1/threads/*/runs")`)."""
        return self.backend.journal.calls()

    @property
    def faults(self) -> Faults:
        """The fault rules in force: `server.faults.add(path="/v1/threads", status=429)`."""
        return self.backend.faults

    def reset(self) -> None:
        """Forget every object; ids and the clock start over from the seed (then the
        `state` snapshot, if set, is loaded again)."""
        self.backend.reset()

    def snapshot(self) -> dict[str, Any]:
        """The whole state as a snapshot (the JSON of `GET /assistants-mock/state`): save
        it, and `MockServer(state=path)` or `serve --state path` starts from it."""
        return snapshot(self.backend)

    def start(self) -> Self:
        """Serve (a lasting store closed by `stop` is opened again first)."""
        if self._closed:
            self.app.state.backend = Backend(self.settings)
            self._closed = False
        return super().start()

    def stop(self) -> None:
        """Stop serving; a lasting store (`store="sqlite:..."`) is closed, its lock let go."""
        super().stop()
        if self.settings.store != "memory" and not self._closed:
            self.backend.close()
            self._closed = True

    def configure(self, settings: Settings | None = None, **overrides: Any) -> None:
        """Serve with other settings from now on, on the same port, from an empty state:
        `settings` (the ones the server was made with, if not given) with `overrides`.

        `configure()` returns to the settings the server was made with. Raises `TypeError`
        or `ValueError` for settings that do not exist or cannot be used, or `StoreError`
        (naming the file) for a lasting store that cannot be opened; the server then serves
        on as before: the same store, objects, script, faults and calls.

        The new backend is made before the old one is let go of, except where both name
        one SQLite file, whose lock the old store must release first. Then the new
        settings are tried on a store in memory, the old store is closed (its runs in
        flight stop, as on `stop`) and the file opened again: a request sent meanwhile
        may fail. Should that fail (the file was taken meanwhile), the old settings open
        it again, as a restart would, with the faults and calls they had, and the error is
        raised; should even that fail, the old settings serve from memory, and the error
        says so.
        """
        base = settings or self._defaults
        merged = base.revised(**overrides) if overrides else base
        old = self.backend
        shared = not self._closed and _same_file(self.settings.store, merged.store)
        if shared:
            Backend(merged.revised(store="memory")).close()  # raises with nothing changed
            old.close()  # let go of the file and its lock, which the new store takes
            self._closed = True
        try:
            backend = _emptied(Backend(merged))
        except BaseException as exc:
            if shared:
                self._reopen(old, exc)
            raise
        previous, self.settings = self.settings, merged
        # Routes and `Edge` read the backend from `app.state` on each request: the new one
        # is in place before the old one's file is closed.
        self.app.state.backend = backend
        if previous.store != "memory" and not self._closed:
            old.close()
        self._closed = False

    def _reopen(self, old: Backend, error: BaseException) -> None:
        """Serve the current settings again after `old` was closed (its file reopened),
        with the faults and calls it had; `error` is what made it necessary."""
        try:
            backend = Backend(self.settings)
            backend.timeline = old.timeline  # the same runs, the same timelines
        except Exception as exc:  # the file was taken, or a file its settings name is gone
            error.add_note(
                f"The store in use could not be opened again either ({exc}): the server "
                "now serves from memory, empty."
            )
            self.settings = self.settings.revised(store="memory")
            backend = Backend(self.settings)
        backend.faults, backend.journal = old.faults, old.journal
        self._closed = False
        self.app.state.backend = backend

    def script(self, rule: Rule | dict[str, Any] | None = None, **fields: Any) -> Rule:
        """Script the fake model: `server.script(message="weather", turns=[{"text": "Sunny."}])`.

        Rules apply in the order added; each turn is used once. See `mock_server.script`.
        """
        added = rule if isinstance(rule, Rule) else Rule.parse({**(rule or {}), **fields})
        with self.backend.lock:  # a lasting store keeps it at once
            self.backend.script.add(added)
        return added


def _emptied(backend: Backend) -> Backend:
    """`backend` with nothing in its store (a lasting one holds what the last backend
    left); closed, if that fails."""
    if backend.settings.store == "memory":
        return backend
    store = backend.store
    try:
        backend.reset()
    except BaseException:
        store.close()
        raise
    return backend


def _same_file(store: str, other: str) -> bool:
    """Whether two `store` settings name one SQLite file."""
    prefix = "sqlite:"
    if not (store.startswith(prefix) and other.startswith(prefix)):
        return False
    return Path(store.removeprefix(prefix)).resolve() == Path(other.removeprefix(prefix)).resolve()
