"""assistants-mock: a faithful, offline, deterministic OpenAI Assistants API (v2) server."""

from .app import create_app
from .backend import Backend
from .server import MockServer
from .settings import Settings

__all__ = ["Backend", "MockServer", "Settings", "create_app"]

__version__ = "0.1.0"
"""The one place the version is written: pyproject.toml reads it (`dynamic`), so
`--version` needs no metadata lookup at start-up."""
