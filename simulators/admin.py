"""The lab's control server: the admin API (behind the lab's token) and the overview, both under the lab's key.

The admin API lives outside the systems it controls, so a system that is
down can still be brought back up.
"""

from __future__ import annotations

import hmac
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from flask import Flask, Response, jsonify, request

from . import errors, faultspec
from .alerts import AlertSink
from .clock import Clock, span
from .dashboards import html_page
from .errors import ApiError
from .faultspec import FaultSettingError
from .hosts import LoopbackHostsOnly
from .ids import IdFactory
from .jsonapi import json_object
from .keyguard import KeyRequired
from .service import Service, flask_app

#: The units a window's length and a clock move are given in.
UNITS = ("seconds", "minutes", "hours", "days")
#: The longest clock move: further than any lesson needs, and short of dates Python cannot write.
MAX_ADVANCE = 366 * 86400


def create_admin_app(
    *,
    token: str,
    key: str,
    clock: Clock,
    realtime: bool,
    lookup: Callable[[str], Service],
    names: Callable[[], list[str]],
    alerts: AlertSink,
    ids: IdFactory,
    overview: Callable[[], str],
) -> Flask:
    """The control server's app: `lookup(name)` finds a system or endpoint, `overview()` draws the root page."""
    app = flask_app(__name__)
    errors.install(app, new_request_id=lambda: ids.new("req"))
    app.wsgi_app = LoopbackHostsOnly(KeyRequired(app.wsgi_app, key))  # type: ignore[method-assign]

    @app.before_request
    def _require_token() -> None:
        if not request.path.startswith("/admin"):
            return
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not offered:
            raise ApiError(401, "the admin API needs the lab's admin token: Authorization: Bearer hl_admin_…")
        # As bytes: compare_digest refuses a str with non-ASCII characters, and a header may carry any.
        if not hmac.compare_digest(offered.encode("utf-8", "surrogateescape"), token.encode()):
            raise ApiError(401, "that admin token is not this lab's (see `hooklab serve` or lab.admin_token)")

    @app.get("/admin/status")
    def status() -> Response:
        return jsonify(
            {
                "clock": {"now": clock.now().isoformat(), "realtime": realtime},
                "systems": {name: _system_status(lookup(name)) for name in names()},
                "alerts": [str(alert) for alert in alerts.alerts[-50:]],
            }
        )

    @app.get("/admin/systems/<name>/faults")
    def get_faults(name: str) -> Response:
        return jsonify(_service(lookup, name).faults.status())

    @app.post("/admin/systems/<name>/faults")
    def set_fault(name: str) -> Response:
        faults = _service(lookup, name).faults
        body = _json_object()
        kind = _fault_kind(body.pop("kind", None))
        with _naming_the_field(f"cannot set fault {kind!r}"):
            spec = faultspec.parse(kind, body)
        faults.apply(spec)
        return jsonify(faults.status())

    @app.delete("/admin/systems/<name>/faults")
    def clear_faults(name: str) -> Response:
        faults = _service(lookup, name).faults
        kind = request.args.get("kind")
        faults.clear(_fault_kind(kind) if kind is not None else None)
        return jsonify(faults.status())

    @app.post("/admin/systems/<name>/faults/windows")
    def schedule_window(name: str) -> Response:
        faults = _service(lookup, name).faults
        body = _json_object()
        kind = _fault_kind(body.pop("kind", None))
        start = _moment(body.pop("start", None), "start")
        end = _moment(body.pop("end"), "end") if "end" in body else None
        lengths = {unit: body.pop(unit) for unit in UNITS if unit in body}
        for unit, length in lengths.items():
            if not _is_number(length) or length < 0:
                raise ApiError(400, f"{unit} must be a finite number of zero or more, not {length!r}", param=unit)
        if end is None and not any(lengths.values()):
            raise ApiError(400, "give the window an end, or a length in seconds, minutes, hours or days", param="end")
        # The fault's own settings sit beside the window's, as in faults.window(); `params` may hold them too.
        settings = body.pop("params", {})
        if not isinstance(settings, dict):
            raise ApiError(
                400, f"params must be a JSON object of the fault's settings, not {settings!r}", param="params"
            )
        with _naming_the_field(f"cannot schedule {kind!r}"):
            window = faults.window(kind, start, end, **lengths, params={**settings, **body})
        return jsonify(window.as_dict())

    @app.get("/admin/clock")
    def clock_now() -> Response:
        return jsonify({"now": clock.now().isoformat(), "timestamp": clock.timestamp(), "realtime": realtime})

    # The answers to the last advances sent with an Idempotency-Key: a client that retries an advance whose
    # answer it never got (a timeout) must not move the clock twice (review R4).
    advances = AnswerMemo()

    @app.post("/admin/clock/advance")
    def advance() -> Response:
        key = request.headers.get("Idempotency-Key")
        kept = advances.begin(key)
        if kept is not None:
            return kept
        try:
            answer = _advance(_json_object())
            advances.keep(key, answer)
        finally:
            advances.end(key)  # an advance refused (4xx) leaves its key free for a corrected body
        return answer

    def _advance(body: dict[str, Any]) -> Response:
        if "until" in body:  # a target time: sent twice, it moves the clock once
            if len(body) > 1:
                raise ApiError(400, "advance takes either until or an amount of time, not both", param="until")
            target = _moment(body["until"], "until")
        else:
            target = clock.time() + _amount(body)
        if target - clock.time() > MAX_ADVANCE:
            raise ApiError(400, "advance at most a year at a time", param="until" if "until" in body else "days")
        try:
            now = clock.run_until(max(target, clock.time()))
            answer = jsonify({"now": now.isoformat(), "timestamp": int(now.timestamp()), "settled": True})
        except TimeoutError as busy:
            # The clock has moved (or is moving) and jobs are still running: that is news, not an error. A 500
            # here made clients retry, and each retry moved the clock again.
            now = clock.now()
            answer = jsonify(
                {
                    "now": now.isoformat(),
                    "timestamp": int(now.timestamp()),
                    "settled": False,
                    "message": f"The clock is at {now.isoformat()}; {busy}. Do not send this advance again: "
                    "read GET /admin/clock to see when the work is done.",
                }
            )
            answer.status_code = 202
        return answer

    @app.get("/")
    def overview_page() -> Response:
        return html_page(overview())

    return app


def _fault_kind(kind: Any) -> str:
    try:
        return faultspec.kind_of(kind)
    except FaultSettingError as exc:
        raise ApiError(400, str(exc), param="kind") from None


@contextmanager
def _naming_the_field(doing: str) -> Iterator[None]:
    """Turn a `FaultSettingError` into the 400 that names its field."""
    try:
        yield
    except FaultSettingError as exc:
        raise ApiError(400, f"{doing}: {exc}", param=exc.field) from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _service(lookup: Callable[[str], Service], name: str) -> Service:
    try:
        return lookup(name)
    except KeyError as exc:
        raise ApiError(404, str(exc.args[0]), param="name") from None


def _system_status(service: Service) -> dict[str, Any]:
    return {"url": service.url, "faults": service.faults.active(), "down": service.faults.is_down}


def _amount(body: dict[str, Any]) -> float:
    """The seconds an advance's body asks for, each unit checked."""
    unknown = sorted(str(key) for key in body if key not in UNITS)
    if unknown:
        raise ApiError(
            400,
            f"advance takes seconds, minutes, hours and days (or until), not {', '.join(unknown)}",
            param=unknown[0],
        )
    for unit, value in body.items():
        if not _is_number(value) or value < 0:
            raise ApiError(400, f"{unit} must be a finite number of zero or more, not {value!r}", param=unit)
        if value * span(**{unit: 1}) > MAX_ADVANCE:
            raise ApiError(400, f"advance at most a year at a time, not {value!r} {unit}", param=unit)
    if span(**body) > MAX_ADVANCE:
        raise ApiError(400, f"advance at most a year at a time, not {span(**body) / 86400:g} days", param="days")
    return span(**body)


class AnswerMemo:
    """The answers to the last few requests sent with an Idempotency-Key, replayed to a retry."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._answers: dict[str, Response] = {}
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()

    def begin(self, key: str | None) -> Response | None:
        """The kept answer for `key`, or None after claiming it; a retry while the first runs is a 409.

        A client retries an advance because the first one timed out, usually while it still runs: without
        the claim, that retry would move the clock a second time.
        """
        if key is None:
            return None
        with self._lock:
            kept = self._answers.get(key)
            if kept is None:
                if key in self._in_flight:
                    raise ApiError(
                        409, f"an advance with Idempotency-Key {key!r} is still running; read GET /admin/clock"
                    )
                self._in_flight.add(key)
                return None
        replay = Response(kept.get_data(), status=kept.status_code, mimetype=kept.mimetype)
        replay.headers["Idempotent-Replayed"] = "true"
        return replay

    def end(self, key: str | None) -> None:
        if key is not None:
            with self._lock:
                self._in_flight.discard(key)

    def keep(self, key: str | None, answer: Response) -> None:
        if key is None:
            return
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self._size:
                self._answers.pop(next(iter(self._answers)))


def _json_object() -> dict[str, Any]:
    """The request's JSON object; an empty body counts as `{}` (a fault with its defaults, say)."""
    data = request.get_json(silent=True)
    if data is None and not request.get_data():
        return {}
    return json_object(data, '{"kind": "errors", "status": 503}')


def _moment(value: Any, name: str) -> float:
    if _is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)  # as the lab clock reads a naive time
            return moment.timestamp()
    raise ApiError(400, f"{name} must be a unix time or an ISO 8601 date-time, not {value!r}", param=name)
