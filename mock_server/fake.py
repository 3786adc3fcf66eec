"""The default fake model as a turn source: deterministic decisions from `fake_model.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import fake_model
from .turns import Outputs, Play, TurnContext

if TYPE_CHECKING:
    from .executor import RunExecutor

__all__ = ["FakeModel"]


class FakeModel:
    """Answers tool outputs, or calls functions, or runs code, or searches the files, or
    replies; the same prompt always gets the same turn."""

    def turn(self, engine: RunExecutor, ctx: TurnContext, outputs: Outputs) -> Play:
        if outputs:
            reply = fake_model.reply_with_outputs(outputs)
            yield from engine.write_message(reply, ctx.prompt_tokens)
            return None
        tools, choice = ctx.rendered["tools"], ctx.rendered["tool_choice"]
        calls = fake_model.choose_calls(
            prompt=ctx.prompt,
            tools=tools,
            tool_choice=choice,
            parallel=engine.run.parallel_tool_calls,
        )
        if calls:
            outputs = yield from engine.call_functions(calls, ctx.prompt_tokens)
            ctx.prompt_tokens += sum(fake_model.count_tokens(o) for _, o in outputs)
            reply = fake_model.reply_with_outputs(outputs)
        elif code := fake_model.plan_code(prompt=ctx.prompt, tools=tools, tool_choice=choice):
            yield from engine.run_code(code, ctx.prompt_tokens)
            ctx.prompt_tokens += fake_model.count_tokens(code.logs)
            reply = fake_model.reply_with_logs(code.logs)
        elif fake_model.wants_search(prompt=ctx.prompt, tools=tools, tool_choice=choice) and (
            (hits := engine.search(ctx, ctx.prompt))
            or isinstance(choice, dict)
            or (fake_model.asks_about_files(ctx.prompt) and bool(engine.vector_store_ids()))
        ):
            yield from engine.search_files(hits, ctx)
            parts = [(h.text, h.file_id, h.file_name) for h in hits[:2]]
            reply = fake_model.cited_reply(parts) if parts else engine.default_reply(ctx)
        else:
            reply = engine.default_reply(ctx)
        yield from engine.write_message(reply, ctx.prompt_tokens)
        return None
