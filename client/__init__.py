"""The seed workflow, driven through an injected `openai.OpenAI`.

`python -m client` runs it against an embedded assistants-mock server;
`python -m client --base-url URL` runs it against any server.
"""

from .workflow import PrintingHandler, WorkflowResult, run_workflow

__all__ = ["PrintingHandler", "WorkflowResult", "run_workflow"]
