"""The boundary between the lab and learner code.

Learner functions run inside request threads and clock jobs. Whatever they
do — return garbage, raise, or work — the lab answers over HTTP, records what
happened (with the traceback), and keeps running.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Request, Response, jsonify, request


class WebhookRequest:
    """What a handler receives: the raw body (for signatures), headers, and JSON."""

    def __init__(self, flask_request: Request) -> None:
        self.method = flask_request.method
        self.path = flask_request.path
        self.headers = flask_request.headers
        self.args = flask_request.args
        self.body: bytes = flask_request.get_data(cache=True)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"<WebhookRequest {self.method} {self.path} {len(self.body)} bytes>"


@dataclass(frozen=True)
class HandlerFailure:
    """Learner code that raised or answered nonsense."""

    where: str
    at: datetime
    error: str
    traceback: str = field(repr=False)

    def __str__(self) -> str:
        return f"{self.where} failed at {self.at:%Y-%m-%d %H:%M}: {self.error}"


def run_handler(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    where: str,
    now: Callable[[], datetime],
    failures: list[HandlerFailure],
) -> Response:
    """Call a learner's handler and turn whatever happens into an HTTP answer."""
    try:
        result = fn(*args)
    except Exception as exc:  # learner code: the one place we catch everything
        failure = HandlerFailure(where, now(), f"{type(exc).__name__}: {exc}", traceback.format_exc())
        failures.append(failure)
        request.environ["hooklab.error"] = failure.traceback
        return _error(500, f"your handler raised {failure.error}", "handler_error")
    try:
        return as_response(result)
    except TypeError as exc:
        failure = HandlerFailure(where, now(), str(exc), "")
        failures.append(failure)
        request.environ["hooklab.error"] = str(exc)
        return _error(500, str(exc), "handler_bad_return")


def as_response(result: Any) -> Response:
    """None → 200; an int → that status; a dict or list → JSON; (body, status) → both."""
    if isinstance(result, Response):
        return result
    if result is None:
        return jsonify({"received": True})
    if isinstance(result, bool):
        raise TypeError("your handler returned True/False; return None, a status code, a dict, or (body, status)")
    if isinstance(result, int):
        if not 200 <= result <= 599:  # 1xx are interim answers: sent as final, they break the connection
            raise TypeError(f"your handler returned {result}, which is not a final HTTP status code (200-599)")
        response = jsonify({"status": result})
        response.status_code = result
        return response
    if isinstance(result, (dict, list)):
        return jsonify(result)
    if isinstance(result, str):
        return Response(result, mimetype="text/plain")
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], int):
        response = as_response(result[0])
        if not 200 <= result[1] <= 599:
            raise TypeError(
                f"your handler returned status {result[1]}, which is not a final HTTP status code (200-599)"
            )
        response.status_code = result[1]
        return response
    raise TypeError(
        f"your handler returned {type(result).__name__}; return None, a status code, a dict, or (body, status)"
    )


def _error(status: int, message: str, kind: str) -> Response:
    response = jsonify({"error": {"type": kind, "message": message}})
    response.status_code = status
    return response
