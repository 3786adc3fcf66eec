"""An upstream chat-completions model as a turn source (`--model-upstream URL`).

A run's turn becomes one streamed `POST {base}/chat/completions`: the run's instructions,
the thread's messages (its `truncation_strategy` applied) and what the run's own turns
added (tool calls and their outputs, by call id), its function tools, `tool_choice`,
`response_format`, `temperature`, `top_p` and `max_completion_tokens`. Text deltas are
relayed as they arrive; tool calls become `requires_action` with the upstream's call ids;
usage comes from the upstream. file_search stays ours: the upstream gets it as a
function (`file_search(query)`), we search the vector stores, show the step, and cite
the files whose passages its reply used. code_interpreter is not offered to it.

The request runs on a worker thread (`_Call`), so the server never blocks on it: the run
yields `Waiting` while nothing new has arrived. Failures end the run as the real API
ends them: `rate_limit_exceeded` on a 429, `server_error` on anything else (a timeout,
a refused connection, a 5xx), `incomplete` when the upstream stopped on a length cut.
The key (read from the environment variable `model_upstream_key_env`) is sent only as
the `Authorization` header and appears in no error, log, journal or state document.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import fake_model, objects
from .runs import RunStatus
from .settings import Settings, model_renames
from .turns import Outputs, Play, TurnContext, Waiting
from .wire import JSON

if TYPE_CHECKING:
    import httpx2

    from .executor import RunExecutor
    from .library import SearchHit

__all__ = ["SEARCH_FUNCTION", "UpstreamModel", "chat_request", "upstream_model"]

SEARCH_FUNCTION: JSON = {
    "type": "function",
    "function": {
        "name": "file_search",
        "description": "Search the files attached to this conversation; returns passages.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What to look for."}},
            "required": ["query"],
        },
    },
}
"""How the upstream model is offered our file_search tool."""

_log = logging.getLogger(__name__)

_SERVER_ERROR: JSON = {"code": "server_error", "message": "Sorry, something went wrong."}
_WORDS = re.compile(r"[A-Za-z]{4,}")


def upstream_model(settings: Settings) -> UpstreamModel | None:
    """The upstream model the settings name, if any."""
    if settings.model_upstream is None:
        return None
    return UpstreamModel(
        settings.model_upstream,
        key_env=settings.model_upstream_key_env,
        renames=model_renames(settings.model_map) if settings.model_map else {},
        timeout_s=settings.model_upstream_timeout_ms / 1000,
    )


def _text(message: Any) -> str:
    return "".join(b["text"]["value"] for b in message.content if b["type"] == "text")


def chat_request(
    rendered: JSON, conversation: Sequence[tuple[str, str]], exchanges: list[JSON], model: str
) -> JSON:
    """The chat-completions request body for a run's turn (`rendered` is the run)."""
    messages: list[JSON] = []
    if rendered.get("instructions"):
        messages.append({"role": "system", "content": rendered["instructions"]})
    messages += [{"role": role, "content": text} for role, text in conversation]
    messages += exchanges
    body: JSON = {
        "model": model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    tools: list[JSON] = []
    for tool in rendered.get("tools") or []:
        if tool["type"] == "function":
            tools.append({"type": "function", "function": tool["function"]})
        elif tool["type"] == "file_search":
            tools.append(SEARCH_FUNCTION)
    choice = rendered.get("tool_choice")
    if tools:
        body["tools"] = tools
        body["parallel_tool_calls"] = rendered.get("parallel_tool_calls", True)
        if isinstance(choice, dict):
            name = (choice.get("function") or {}).get("name") or choice["type"]
            body["tool_choice"] = {"type": "function", "function": {"name": name}}
        elif choice in ("none", "required"):
            body["tool_choice"] = choice
    response_format = rendered.get("response_format")
    if isinstance(response_format, dict):
        body["response_format"] = response_format
    for name in ("temperature", "top_p"):
        if rendered.get(name) is not None:
            body[name] = rendered[name]
    if rendered.get("max_completion_tokens") is not None:
        body["max_tokens"] = rendered["max_completion_tokens"]
    return body


@dataclass
class _Outcome:
    """How an upstream response ended."""

    calls: dict[int, list[str]] = field(default_factory=dict)  # index: [id, name, arguments]
    finish: str | None = None
    usage: JSON | None = None
    error: JSON | None = None


class _Call:
    """One streamed upstream request, read on a worker thread: text pieces queue up as
    they arrive; `outcome` is filled in once the response is over (`done`)."""

    def __init__(
        self, client: httpx2.Client, url: str, headers: dict[str, str], body: JSON, timeout_s: float
    ) -> None:
        self._lock = threading.Lock()
        self._pieces: deque[str] = deque()
        self._waiting: Waiting | None = None
        self._closed = False
        self.done = False
        self.outcome = _Outcome()
        self._thread = threading.Thread(
            target=self._read, args=(client, url, headers, body, timeout_s), daemon=True
        )
        self._thread.start()

    def next(self) -> str | Waiting | None:
        """The next text piece, a `Waiting` when none has arrived yet, None at the end."""
        with self._lock:
            if self._pieces:
                return self._pieces.popleft()
            if self.done:
                return None
            self._waiting = Waiting()
            return self._waiting

    def close(self) -> None:
        """Stop reading (the run winds down); the thread ends at its next chunk."""
        self._closed = True

    def _push(self, piece: str | None) -> None:
        with self._lock:
            if piece is None:
                self.done = True
            else:
                self._pieces.append(piece)
            waiting, self._waiting = self._waiting, None
        if waiting is not None:
            waiting.set()

    def _read(
        self,
        client: httpx2.Client,
        url: str,
        headers: dict[str, str],
        body: JSON,
        timeout_s: float,
    ) -> None:
        outcome = self.outcome
        deadline = time.monotonic() + timeout_s
        try:
            with client.stream("POST", url, json=body, headers=headers) as response:
                if response.status_code != 200:
                    response.read()
                    _log.warning("upstream %s answered HTTP %s", url, response.status_code)
                    outcome.error = _http_error(response.status_code, response.text)
                    return
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    response.read()  # an upstream that does not stream: one whole answer
                    self._whole(json.loads(response.text))
                    return
                for line in response.iter_lines():
                    if self._closed:
                        return
                    if time.monotonic() > deadline:
                        _log.warning("upstream %s took longer than %.1f s", url, timeout_s)
                        outcome.error = _SERVER_ERROR
                        return
                    if line.startswith("data:") and line[5:].strip() != "[DONE]":
                        self._chunk(json.loads(line[5:]))
        except Exception as exc:  # a refused connection, a timeout, a malformed stream
            _log.warning("upstream %s failed: %s", url, type(exc).__name__)  # never the key
            outcome.error = _SERVER_ERROR
        finally:
            self._push(None)

    def _whole(self, completion: JSON) -> None:
        """A non-streamed completion, taken as one chunk of it."""
        choices = [
            {"delta": choice.get("message") or {}, "finish_reason": choice.get("finish_reason")}
            for choice in completion.get("choices") or []
        ]
        for choice in choices:
            for index, call in enumerate(choice["delta"].get("tool_calls") or []):
                call.setdefault("index", index)
        self._chunk({"choices": choices, "usage": completion.get("usage")})

    def _chunk(self, chunk: JSON) -> None:
        outcome = self.outcome
        if chunk.get("error"):
            outcome.error = _SERVER_ERROR
            return
        if chunk.get("usage"):
            outcome.usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("content"):
                self._push(delta["content"])
            for call in delta.get("tool_calls") or []:
                made = outcome.calls.setdefault(call.get("index", 0), ["", "", ""])
                function = call.get("function") or {}
                made[0] = call.get("id") or made[0]
                made[1] += function.get("name") or ""
                made[2] += function.get("arguments") or ""
            if choice.get("finish_reason"):
                outcome.finish = choice["finish_reason"]


def _http_error(status: int, text: str) -> JSON:
    """A run's `last_error` for an upstream's error status (its key is never quoted)."""
    if status == 429:
        return {
            "code": "rate_limit_exceeded",
            "message": "Rate limit reached for the upstream model. Try again later.",
        }
    return _SERVER_ERROR


class UpstreamModel:
    """Plays a run's turns on a chat-completions model."""

    def __init__(
        self, base_url: str, *, key_env: str, renames: dict[str, str], timeout_s: float
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.key_env = key_env
        self.renames = renames
        self.timeout_s = timeout_s
        self._client: httpx2.Client | None = None
        self._lock = threading.Lock()

    def _http(self) -> httpx2.Client:
        """One HTTP client for every request (its connections are reused; making one
        costs milliseconds)."""
        with self._lock:
            if self._client is None:
                import httpx2  # lazily: `serve` starts without it

                self._client = httpx2.Client(timeout=httpx2.Timeout(self.timeout_s))
                weakref.finalize(self, self._client.close)  # its pooled sockets, with it
            return self._client

    def __repr__(self) -> str:
        return f"UpstreamModel({self.url!r})"  # never the key

    def _headers(self) -> dict[str, str]:
        key = os.environ.get(self.key_env)
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def turn(self, engine: RunExecutor, ctx: TurnContext, outputs: Outputs) -> Play:
        answered = engine.answered
        if outputs and answered and not _sent(ctx.exchanges, answered[0][0]):  # scripted calls
            calls = [(cid, call.name, call.arguments) for cid, call, _ in answered]
            ctx.exchanges += _exchange(calls, {cid: out for cid, _, out in answered})
        run = engine.run
        conversation = [(m.role, _text(m)) for m in engine.conversation()]
        hits: list[SearchHit] = []
        while True:  # one request; again after each file search
            body = chat_request(
                ctx.rendered, conversation, ctx.exchanges, self.renames.get(run.model, run.model)
            )
            call = _Call(self._http(), self.url, self._headers(), body, self.timeout_s)
            try:
                close = None
                first = call.next()
                while isinstance(first, Waiting):
                    yield first
                    first = call.next()
                if first is not None:  # text: relayed as it arrives
                    close = yield from engine.players.stream_message(
                        engine.run, _pieces(first, call, hits), deltas=engine.deltas
                    )
                outcome = call.outcome
            finally:
                call.close()
            usage = _usage(outcome.usage, ctx.prompt_tokens)
            if close is not None:
                yield from close(outcome.finish == "length", usage)
            if outcome.error is not None:
                yield engine.move(RunStatus.FAILED, last_error=outcome.error)
                return None
            calls = [(c[0], c[1], c[2] or "{}") for _, c in sorted(outcome.calls.items())]
            results: dict[str, str] = {}
            for call_id, name, arguments in calls:
                if name == SEARCH_FUNCTION["function"]["name"]:  # ours to play
                    found = engine.search(ctx, _query(arguments) or ctx.prompt)
                    yield from engine.search_files(found, ctx)
                    hits += found
                    passages = [{"file_name": h.file_name, "text": h.text} for h in found]
                    results[call_id] = json.dumps(passages)
            functions = [c for c in calls if c[0] not in results]
            if functions:
                made = [fake_model.FunctionCall(name, args, cid) for cid, name, args in functions]
                given = yield from engine.call_functions(made, ctx.prompt_tokens)
                results.update((cid, out) for cid, _, out in engine.answered)
                ctx.exchanges += _exchange(calls, results)
                return given
            if results:  # only searches: ask again with what they found
                ctx.exchanges += _exchange(calls, results)
                continue
            if close is None:  # nothing said: an empty reply
                close = yield from engine.players.stream_message(
                    engine.run, iter(()), deltas=engine.deltas
                )
                yield from close(outcome.finish == "length", usage)
            yield from engine.finish(cut=outcome.finish == "length")
            return None


def _pieces(
    first: str, call: _Call, hits: list[SearchHit]
) -> Iterator[str | fake_model.Citation | Waiting]:
    """The reply's pieces as they arrive, then a citation for each searched file whose
    passages the reply used."""
    said = first
    yield first
    while (piece := call.next()) is not None:
        if isinstance(piece, str):
            said += piece
        yield piece
    words = {w.lower() for w in _WORDS.findall(said)}
    cited: list[str] = []
    for hit in hits:
        shared = words & {w.lower() for w in _WORDS.findall(hit.text)}
        if len(shared) >= 3 and hit.file_id not in cited:
            cited.append(hit.file_id)
            marker = f"【4:{len(cited) - 1}†{hit.file_name}】"
            yield fake_model.Citation(marker, 0, len(marker), hit.file_id)


def _usage(usage: JSON | None, prompt_tokens: int) -> JSON:
    if usage is None:
        return objects.usage(prompt_tokens, 0)
    return objects.usage(usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0)


def _query(arguments: str) -> str:
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return ""
    return str(parsed.get("query") or "") if isinstance(parsed, dict) else ""


def _sent(exchanges: list[JSON], call_id: str) -> bool:
    """Whether the exchanges already hold the output of call `call_id`."""
    return any(m.get("tool_call_id") == call_id for m in exchanges)


def _exchange(calls: list[tuple[str, str, str]], results: dict[str, str]) -> list[JSON]:
    """The chat messages of a turn's tool calls (`(id, name, arguments)`) and what each
    gave (submitted outputs, or the passages a search found)."""
    made = [
        {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
        for call_id, name, arguments in calls
    ]
    return [
        {"role": "assistant", "content": None, "tool_calls": made},
        *({"role": "tool", "tool_call_id": cid, "content": results[cid]} for cid, _, _ in calls),
    ]
