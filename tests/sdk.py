"""What differs between the openai releases the suite runs under (`python3 tasks.py matrix`).

- `httpx`: the HTTP library the installed SDK is built on (`httpx2` from openai 3.x, `httpx`
  before); an `http_client=` must be its `Client`.
- `vector_stores(client)`: `client.vector_stores`, `client.beta.vector_stores` before 1.66.
- `error_message(error)`: the server's message; the SDKs word `APIStatusError.message` apart.
- `transport_error(error)`: what the HTTP layer raised; openai < 3 wraps it in
  `APIConnectionError`.
- `STOPS_AT_HAS_MORE`: whether auto-pagination stops at `has_more: false`; older releases
  (1.59) also ask for the empty page after the last item.
- `require_method`, `require_parameter`: skip a test of what this release cannot send.
"""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Any

import openai
import pytest
from openai import APIConnectionError, APIStatusError
from openai.pagination import SyncCursorPage

from client.sdk import vector_stores

if TYPE_CHECKING:
    import httpx2 as httpx
else:
    # The base class of the SDK's own `DefaultHttpxClient` is the `Client` it requires.
    httpx = importlib.import_module(openai.DefaultHttpxClient.__mro__[1].__module__)

__all__ = [
    "STOPS_AT_HAS_MORE",
    "error_message",
    "httpx",
    "require_method",
    "require_parameter",
    "transport_error",
    "vector_stores",
]

STOPS_AT_HAS_MORE = "has_more" in SyncCursorPage.model_fields


def error_message(error: APIStatusError) -> str:
    """The `message` of the server's error object, as the SDK parsed it into `body`."""
    assert isinstance(error.body, dict), error.body
    message: str = error.body["message"]
    return message


def transport_error(error: BaseException) -> BaseException:
    """The exception the HTTP layer (e.g. vcrpy) raised, unwrapped from the SDK's."""
    if isinstance(error, APIConnectionError) and error.__cause__ is not None:
        return error.__cause__
    return error


def require_method(resource: object, name: str) -> None:
    """Skip the test when this SDK release has no `resource.<name>()`."""
    if not hasattr(resource, name):
        pytest.skip(f"openai {openai.__version__} has no {type(resource).__name__}.{name}()")


def require_parameter(method: Any, name: str) -> None:
    """Skip the test when this SDK release's `method` takes no `name`."""
    if name not in inspect.signature(method).parameters:
        pytest.skip(f"openai {openai.__version__}: {method.__qualname__}() takes no {name}")
