"""Errors as data, and the one place that renders them.

The backend and the request parsers raise `APIError` subclasses; `error_body` turns
any of them into OpenAI's envelope `{"error": {"message", "type", "param", "code"}}`.
Wording follows the real API where it is recorded (see docs/fidelity.md).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "Forbidden",
    "NotFoundError",
    "PayloadTooLargeError",
    "RequestTimeoutError",
    "URITooLongError",
    "UnsupportedMediaType",
    "UpstreamError",
    "error_body",
]


class APIError(Exception):
    """An error the API answers with; `status` is the HTTP status code."""

    status = 500
    type = "server_error"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


class BadRequestError(APIError):
    """400: the request is malformed, invalid, or not allowed in the current state."""

    status = 400
    type = "invalid_request_error"


class AuthenticationError(APIError):
    """401: no API key, or the wrong one."""

    status = 401
    type = "invalid_request_error"


class NotFoundError(APIError):
    """404: an unknown id or an unknown route."""

    status = 404
    type = "invalid_request_error"

    @classmethod
    def for_id(cls, kind: str, object_id: str) -> NotFoundError:
        """The real API's wording: `No assistant found with id 'asst_x'.`"""
        return cls(f"No {kind} found with id '{object_id}'.")


class PayloadTooLargeError(APIError):
    """413: a body over its limit. Worded as the real API answered an oversize upload."""

    status = 413
    type = "server_error"

    @classmethod
    def for_size(cls, limit: int, read: int) -> PayloadTooLargeError:
        return cls(f"Maximum content size limit ({limit}) exceeded ({read} bytes read)")


class URITooLongError(APIError):
    """414: a URL over `Settings.max_url_bytes`."""

    status = 414
    type = "invalid_request_error"


class RequestTimeoutError(APIError):
    """408: the request's headers did not arrive in time."""

    status = 408
    type = "invalid_request_error"


class Forbidden(APIError):
    """403: a control request from a page on another origin."""

    status = 403
    type = "invalid_request_error"


class UnsupportedMediaType(APIError):
    """415: a control request whose body is not JSON."""

    status = 415
    type = "invalid_request_error"


class UpstreamError(APIError):
    """502: the upstream could not be reached."""

    status = 502
    type = "server_error"


def error_body(error: APIError) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {
        "error": {
            "message": error.message,
            "type": error.type,
            "param": error.param,
            "code": error.code,
        }
    }
