"""What every `/v1` request goes through before its view: key, rate limit, parameters, idempotency.

And what every answer leaves with: the `Stripe-Version` served (see `version.py`) and JSON printed as
Stripe prints it, indented by two spaces with a newline at the end (errors too, in `errors.stripe_json`).
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from flask import Flask, Response, g, request

from ...errors import ApiError
from . import auth, forms
from .idempotency import IdempotencyKeys
from .params import Params
from .ratelimit import RateLimiter, retry_after_header
from .version import API_VERSION

#: hooklab's own tooling (delivery logs, recovery): not the Stripe API, not rate limited.
EXTENSION_PREFIX = "/v1/hooklab/"


def install(app: Flask, *, api_key: str, limiter: RateLimiter, idempotency: IdempotencyKeys) -> None:
    app.json.compact = False  # type: ignore[attr-defined]  # print as Stripe does: two-space indent, newline at the end

    @app.before_request
    def _prepare() -> Response | None:
        if not request.path.startswith("/v1/"):
            return None
        g.api_key = auth.check(request.headers.get("Authorization", ""), api_key)
        if not _exempt(request.path) and request.method != "OPTIONS":  # OPTIONS only names a route's methods
            kind = "read" if request.method in ("GET", "HEAD") else "write"
            wait = limiter.take(g.api_key, kind)
            if wait is not None:
                raise ApiError(
                    429,
                    f"Too many {kind} requests hit the API too quickly (limit: {_describe(limiter, kind)}). "
                    "Back off and retry after the number of seconds in the Retry-After header.",
                    code="rate_limit",
                    headers={"Retry-After": retry_after_header(wait)},
                )
        g.params = _read_params()
        key = request.headers.get("Idempotency-Key")
        if key is not None and request.method == "POST":
            if not key.strip():
                raise ApiError(
                    400,
                    "The Idempotency-Key header is empty; send a unique key or leave the header out.",
                    type="idempotency_error",
                )
            replay = idempotency.begin(g.api_key, key, request.method, request.path, g.params)
            if replay is not None:
                g.replayed = True
                response = Response(replay.body, status=replay.status, mimetype="application/json")
                response.headers["Idempotent-Replayed"] = "true"
                if replay.request_id:
                    response.headers["Original-Request"] = replay.request_id
                return response
            g.idempotency_key = key
            # The key's answer and the objects the request makes commit together (finish() runs inside this
            # transaction): a crash between two separate commits left a payment without its key, and the client's
            # retry with the same key charged again (review R1). Stripe promises such a retry is always safe.
            g.idempotent_work = ExitStack()
            g.idempotent_work.enter_context(idempotency.store.transaction())
        return None

    @app.after_request
    def _keep_answer(response: Response) -> Response:
        if request.path.startswith("/v1/"):
            response.headers["Stripe-Version"] = API_VERSION
        key = g.get("idempotency_key")
        if key is not None:
            idempotency.finish(
                g.api_key,
                key,
                request.method,
                request.path,
                g.params,
                response.status_code,
                response.get_data(as_text=True),
                g.get("request_id"),
            )
            g.pop("idempotent_work").close()  # commit the request's objects and its key's answer, at once
        return response

    @app.teardown_request
    def _release(exc: BaseException | None) -> None:
        work = g.pop("idempotent_work", None)
        if work is not None:  # the view raised past every error handler: nothing it did is kept
            work.__exit__(type(exc or RuntimeError()), exc or RuntimeError("request ended early"), None)
        key = g.get("idempotency_key")
        if key is not None:
            idempotency.release(g.api_key, key)


def params(allowed: tuple[str, ...] = (), ignored: tuple[str, ...] = ()) -> Params:
    """This request's parameters, refusing any the endpoint does not know."""
    return Params(g.get("params") or {}, allowed, ignored=ignored)


def request_info() -> dict[str, Any]:
    """The `request` block of an event made while answering this request."""
    try:
        return {"id": g.get("request_id"), "idempotency_key": g.get("idempotency_key")}
    except RuntimeError:  # outside a request: a clock job (a renewal, say)
        return {"id": None, "idempotency_key": None}


def _read_params() -> dict[str, Any]:
    found = forms.parse_form(request.query_string)
    if request.method in ("POST", "DELETE"):
        raw = request.get_data(cache=True)
        if raw.strip():
            kind = request.mimetype
            if kind == "application/json":
                found.update(forms.parse_json(raw))
            elif kind in ("", "application/x-www-form-urlencoded"):
                found.update(forms.parse_form(raw))
            else:
                raise ApiError(
                    415, f"Send parameters form-encoded (Content-Type: application/x-www-form-urlencoded), not {kind}."
                )
    return found


def _exempt(path: str) -> bool:
    return path.startswith(EXTENSION_PREFIX) or path.endswith("/attempts")


def _describe(limiter: RateLimiter, kind: str) -> str:
    limit = limiter.reads if kind == "read" else limiter.writes
    return f"{limit.per_minute:g} per minute, bursts of {limit.burst}" if limit else "none"
