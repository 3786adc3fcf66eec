"""Path operations only: parse, call the backend, render."""

from . import assistants, control, messages, runs, threads

__all__ = ["assistants", "control", "messages", "runs", "threads"]
