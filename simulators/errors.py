"""One JSON error shape for every system, one renderer for it, and the request id on every response.

The shape is Stripe's envelope, `{"error": {"type", "code", "message", "param"}}`,
so the official SDK raises the right exception; the lab's other systems, the
admin API and learner endpoints use the same envelope with their own `code`s,
so every error a learner meets reads the same way. The `type` is one of the
four Stripe publishes (`api_error`, `card_error`, `idempotency_error`,
`invalid_request_error`): a 401, 403 or 429 is an `invalid_request_error`, as
Stripe sends it, and SDKs pick their exception (AuthenticationError,
PermissionError, RateLimitError) from the status. `json_error`
is the one place such a body is made: Flask's handlers here, the fault layer,
the Host check and the learner boundary all call it.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("hooklab")

MAX_BODY_BYTES = 1024 * 1024
#: Deeper JSON than this is refused before any parser sees it: Python's parsers recurse, and
#: `[` × 60,000 would end in a RecursionError (a 500) here, in a page that shows the body, or in learner code.
MAX_JSON_DEPTH = 100

_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    402: "card_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    429: "invalid_request_error",
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

    def response(self) -> Response:
        return json_error(self.status, self.message, headers=self.headers, body=self.body())


def json_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    type: str | None = None,
    headers: Mapping[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> Response:
    """The JSON error answer: a WSGI app too, so middleware outside Flask answers with it as well."""
    if body is None:
        body = ApiError(status, message, code=code, param=param, type=type).body()
    response = Response(stripe_json(body), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def stripe_json(body: Any) -> str:
    """JSON as Stripe prints it: indented by two spaces, fields in their own order, a newline at the end."""
    return json.dumps(body, indent=2) + "\n"


def error_response(err: ApiError) -> Response:
    return err.response()


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `body`, read as JSON, nests arrays and objects deeper than `limit` (a cheap scan, no parsing)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the usual case, decided in C
    depth = 0
    for byte in _brackets_only(_STRINGS.sub(b"", body)):
        depth += 1 if byte in b"[{" else -1
        if depth > limit:
            return True
    return False


_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _brackets_only(data: bytes) -> bytes:
    return data.translate(None, _NOT_BRACKETS)


def _looks_like_json(body: bytes, content_type: str) -> bool:
    return "json" in content_type.lower() or body.lstrip()[:1] in (b"[", b"{")


def install(app: Flask, *, new_request_id: Any) -> None:
    """Answer every error as JSON and stamp every response with a request id.

    `new_request_id()` makes the id; it is seeded so logs repeat run after run.
    """
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_BODY_BYTES)

    def _stamp() -> None:
        g.request_id = new_request_id()
        # Checked up front: parsers called with silent=True would otherwise swallow it.
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise ApiError(413, f"The request body is larger than the {MAX_BODY_BYTES // 1024} KB this system accepts.")
        body = request.get_data(cache=True)
        if body and _looks_like_json(body, request.content_type or "") and json_depth_exceeds(body):
            raise ApiError(
                400,
                f"The JSON body nests arrays or objects more than {MAX_JSON_DEPTH} levels deep; send a flatter document.",
                code="json_too_deep",
            )

    # First of all the app's hooks, wherever install() is called: a system's own checks (the payment
    # system's parameter reading, say) must never meet a body these limits refuse.
    app.before_request_funcs.setdefault(None, []).insert(0, _stamp)

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
        # A 500 is always a bug in hooklab: the traceback goes to the log, where a developer sees it,
        # never into the answer (it names files on this machine).
        log.error("unhandled error on %s %s\n%s", request.method, request.path, traceback.format_exc())
        return error_response(
            ApiError(500, f"hooklab hit an internal error ({type(err).__name__}); this is a bug.", type="api_error")
        )
