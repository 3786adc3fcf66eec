"""assistants-mock: a faithful, offline, deterministic OpenAI Assistants API (v2) server."""

from importlib.metadata import PackageNotFoundError, version

from .app import create_app
from .backend import Backend
from .server import MockServer
from .settings import Settings

__all__ = ["Backend", "MockServer", "Settings", "create_app"]

try:
    __version__ = version("assistants-mock")
except PackageNotFoundError:  # a checkout run without installing it
    __version__ = "0+unknown"
