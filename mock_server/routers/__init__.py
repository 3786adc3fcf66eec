"""Path operations only: parse, call the backend, render."""

from . import assistants, messages, threads

__all__ = ["assistants", "messages", "threads"]
