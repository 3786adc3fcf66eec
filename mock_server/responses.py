"""HTTP rendering: JSON bodies, the response headers every answer carries, and errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openai import BaseModel
from pydantic_core import to_json
from starlette.responses import Response

from . import objects
from .errors import APIError, error_body

__all__ = ["OPENAI_VERSION", "error_response", "json_response", "object_response", "page_response"]

OPENAI_VERSION = "2020-10-01"
"""The `openai-version` header the real API sends."""


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON pretty-printed with two spaces, as the real API sends it."""
    return Response(
        to_json(data, indent=2), status_code=status, headers=headers, media_type="application/json"
    )


def object_response(model: BaseModel, headers: dict[str, str] | None = None) -> Response:
    return json_response(objects.render(model), headers=headers)


def page_response(items: Sequence[BaseModel], has_more: bool) -> Response:
    return json_response(objects.list_page([objects.render(i) for i in items], has_more))


def error_response(error: APIError) -> Response:
    return json_response(error_body(error), status=error.status)
