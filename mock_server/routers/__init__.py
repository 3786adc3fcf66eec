"""Path operations only: parse, call the backend, render."""

from . import assistants, control, files, messages, runs, threads, vector_stores

__all__ = ["assistants", "control", "files", "messages", "runs", "threads", "vector_stores"]
