"""Path operations only: parse, call the backend, render."""

from . import assistants, messages, runs, threads

__all__ = ["assistants", "messages", "runs", "threads"]
