"""assistants-mock: a faithful, offline, deterministic OpenAI Assistants API (v2) server."""

from .app import create_app
from .backend import Backend
from .server import MockServer
from .settings import Settings

__all__ = ["Backend", "MockServer", "Settings", "create_app"]
