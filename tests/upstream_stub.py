"""A small chat-completions upstream for the bridge's tests: it answers each request
with the next scripted reply (streamed or not: text, tool calls, an error status, a
slow stream, or recorded SSE bytes), and keeps the requests it got."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mock_server.server import AppServer

__all__ = ["Reply", "UpstreamStub"]


@dataclass
class Reply:
    """One scripted upstream reply."""

    text: str = ""
    tool_calls: list[tuple[str, str, str]] = field(default_factory=list)  # id, name, arguments
    status: int = 200
    finish: str | None = None
    delay_s: float = 0.0  # before each chunk
    usage: dict[str, int] | None = None
    recorded: str | None = None  # SSE bytes to send as they are
    streamed: bool = True  # False: answer a streamed request with one JSON completion

    def completion(self, model: str) -> dict[str, Any]:
        """The reply as one (non-streamed) chat completion."""
        message: dict[str, Any] = {"role": "assistant", "content": self.text or None}
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": i, "type": "function", "function": {"name": n, "arguments": a}}
                for i, n, a in self.tool_calls
            ]
        finish = self.finish or ("tool_calls" if self.tool_calls else "stop")
        usage = self.usage or {"prompt_tokens": 11, "completion_tokens": len(self.text.split())}
        return {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {**usage, "total_tokens": sum(usage.values())},
        }

    def chunks(self, model: str) -> list[dict[str, Any]]:
        base = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "model": model}
        out: list[dict[str, Any]] = [
            {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]}
        ]
        words = self.text.split(" ")
        for i, word in enumerate(words if self.text else []):
            piece = word if i == 0 else " " + word
            out.append({**base, "choices": [{"index": 0, "delta": {"content": piece}}]})
        for index, (call_id, name, arguments) in enumerate(self.tool_calls):
            head: dict[str, Any] = {"index": index, "id": call_id, "type": "function",
                    "function": {"name": name, "arguments": ""}}  # fmt: skip
            out.append({**base, "choices": [{"index": 0, "delta": {"tool_calls": [head]}}]})
            for start in range(0, len(arguments), 7):
                part = {"index": index, "function": {"arguments": arguments[start : start + 7]}}
                out.append({**base, "choices": [{"index": 0, "delta": {"tool_calls": [part]}}]})
        finish = self.finish or ("tool_calls" if self.tool_calls else "stop")
        out.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        usage = self.usage or {"prompt_tokens": 11, "completion_tokens": len(words)}
        out.append({**base, "choices": [], "usage": {**usage, "total_tokens": sum(usage.values())}})
        return out


class UpstreamStub(AppServer):
    """`with UpstreamStub() as stub: stub.replies.append(Reply(text="Hi"))`."""

    def __init__(self, default: Reply | None = None, port: int = 0) -> None:
        self.default = default or Reply(text="Hello from upstream.")
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        routes = [Route("/v1/chat/completions", self._chat, methods=["POST"])]
        super().__init__(Starlette(routes=routes), port=port)

    async def _chat(self, request: Request) -> Response:
        body = json.loads(await request.body())
        with self._lock:
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            reply = self.replies.pop(0) if self.replies else self.default
        if reply.status != 200:
            error = {"message": "stub error", "type": "server_error", "code": None}
            return JSONResponse({"error": error}, status_code=reply.status)
        if reply.recorded is not None:
            return Response(reply.recorded, media_type="text/event-stream")
        chunks = reply.chunks(body["model"])
        if not body.get("stream") or not reply.streamed:
            return JSONResponse(reply.completion(body["model"]))

        async def events() -> AsyncIterator[bytes]:
            for chunk in chunks:
                if reply.delay_s:
                    await asyncio.sleep(reply.delay_s)
                yield f"data: {json.dumps(chunk)}\n\n".encode()
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")
