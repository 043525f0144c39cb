"""One JSON error shape for every system, and the request id on every response.

The shape is Stripe's envelope, `{"error": {"type", "code", "message", "param"}}`,
so the official SDK raises the right exception and every other system's errors
read the same way.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("hooklab")

MAX_BODY_BYTES = 1024 * 1024

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "card_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    429: "rate_limit_error",
}

_CODES = {
    404: "resource_missing",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_content_type",
    429: "rate_limit",
}


class ApiError(Exception):
    """Raise in a view to answer with a JSON error."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        type: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status)
        self.param = param
        self.type = type or _TYPES.get(status, "api_error")
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        return {"error": error}


def error_response(err: ApiError) -> Response:
    response = jsonify(err.body())
    response.status_code = err.status
    for name, value in err.headers.items():
        response.headers[name] = value
    return response


def install(app: Flask, *, new_request_id: Any) -> None:
    """Answer every error as JSON and stamp every response with a request id.

    `new_request_id()` makes the id; it is seeded so logs repeat run after run.
    """
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_BODY_BYTES)

    @app.before_request
    def _stamp() -> None:
        g.request_id = new_request_id()
        # Checked up front: parsers called with silent=True would otherwise swallow it.
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise ApiError(413, f"The request body is larger than the {MAX_BODY_BYTES // 1024} KB this system accepts.")

    @app.after_request
    def _header(response: Response) -> Response:
        response.headers["Request-Id"] = g.get("request_id") or new_request_id()
        return response

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Response:
        status = err.code or 400
        if status == 404:
            message = f"Unrecognized request URL ({request.method}: {request.path})."
        elif status == 405:
            allowed = ", ".join(sorted(m for m in (err.valid_methods or []) if m not in ("HEAD", "OPTIONS")))  # type: ignore[attr-defined]
            message = f"{request.method} is not allowed on {request.path}; use {allowed}."
        elif status == 413:
            message = f"The request body is larger than the {MAX_BODY_BYTES // 1024} KB this system accepts."
        else:
            message = err.description or err.name
        return error_response(ApiError(status, message))

    @app.errorhandler(Exception)
    def _bug(err: Exception) -> Response:
        # A 500 is always a bug in hooklab: log the traceback where a developer sees it.
        log.error("unhandled error on %s %s\n%s", request.method, request.path, traceback.format_exc())
        return error_response(
            ApiError(500, f"hooklab hit an internal error ({type(err).__name__}); this is a bug.", type="api_error")
        )
