"""The boundary between the lab and learner code: `call` is the one place it runs and may raise.

Learner functions run inside request threads (`run_handler`), clock jobs,
checks, control-panel buttons, automations and dashboard pages. Each of those
goes through `call`, which catches whatever the code raises and hands back an
`Outcome`: the value, or a `HandlerFailure` with the traceback for the record.
So the lab answers over HTTP, shows what happened, and keeps running. Nothing
else in hooklab catches every exception.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from flask import Request, Response, jsonify, request

from .errors import json_error

T = TypeVar("T")


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
        except (ValueError, RecursionError):  # a RecursionError: nested deeper than Python's parser goes
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


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a call into learner code came to: its value, or the failure (and the exception) it raised."""

    value: T | None = None
    failure: HandlerFailure | None = None
    exception: BaseException | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.failure is None


def call(fn: Callable[..., T], *args: Any, where: str, now: Callable[[], datetime] | None = None) -> Outcome[T]:
    """Run `fn(*args)`, which may be learner code, and return what came of it, never raising.

    `now` dates a failure (the lab's clock where there is a lab; the wall clock otherwise).

    KeyboardInterrupt still ends the call: it is the learner stopping a cell.
    """
    try:
        return Outcome(fn(*args))
    except (Exception, SystemExit) as exc:  # the one boundary: learner code may raise anything, even exit()
        when = now() if now is not None else datetime.now(timezone.utc)
        failure = HandlerFailure(where, when, f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc)))
        return Outcome(None, failure, exc)


def run_handler(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    where: str,
    now: Callable[[], datetime],
    failures: list[HandlerFailure],
) -> Response:
    """Call a learner's handler and turn whatever happens into an HTTP answer."""
    outcome = call(fn, *args, where=where, now=now)
    if outcome.failure is not None:
        failures.append(outcome.failure)
        request.environ["hooklab.error"] = outcome.failure.traceback
        return _error(500, f"your handler raised {outcome.failure.error}", "handler_error")
    try:
        return as_response(outcome.value)
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
    return json_error(status, message, type=kind, code=kind)
