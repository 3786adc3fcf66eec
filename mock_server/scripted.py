"""The script as a turn source: a rule's next turn, played as written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import fake_model
from .runs import RunStatus
from .script import Script
from .turns import PASS, Outputs, Play, TurnContext

if TYPE_CHECKING:
    from .executor import RunExecutor

__all__ = ["ScriptedTurns"]


class ScriptedTurns:
    """Plays the turns of the first matching rule of a `Script`; `PASS` when none matches."""

    def __init__(self, script: Script) -> None:
        self.script = script

    def turn(self, engine: RunExecutor, ctx: TurnContext, outputs: Outputs) -> Play:
        run = engine.run
        assistant = engine.services.store.assistants.get(run.assistant_id)
        turn = self.script.take(
            assistant_id=run.assistant_id,
            assistant_name=assistant.name if assistant is not None else None,
            thread_id=run.thread_id,
            prompt=ctx.prompt,
        )
        if turn is None:
            return PASS
        engine.delay_ms = turn.delay_ms or None
        if (failure := turn.failure(ctx.rendered)) is not None:  # scripted, or a call ruled out
            yield engine.move(
                RunStatus.FAILED, last_error={"code": failure.code, "message": failure.message}
            )
            return None
        if turn.expire:
            yield engine.move(RunStatus.EXPIRED)
            return None
        if turn.tool_calls:
            calls = [fake_model.FunctionCall(c.name, c.arguments_json) for c in turn.tool_calls]
            outputs = yield from engine.call_functions(calls, ctx.prompt_tokens)
            ctx.prompt_tokens += sum(fake_model.count_tokens(o) for _, o in outputs)
            return outputs
        text = turn.text
        if turn.code is not None:
            code = fake_model.CodeRun(turn.code.input, turn.code.logs or "")
            yield from engine.run_code(code, ctx.prompt_tokens, turn.code.image_file_ids)
            if text is None:
                text = fake_model.reply_with_logs(code.logs).text
        if text is None and outputs:
            text = fake_model.reply_with_outputs(outputs).text
        if text is None:
            text = engine.default_reply(ctx).text
        cited = [(c.file_id, engine.file_name(c.file_id)) for c in turn.citations]
        reply = fake_model.with_citations(text, cited)
        yield from engine.write_message(reply, ctx.prompt_tokens, cut=turn.incomplete)
        return None
