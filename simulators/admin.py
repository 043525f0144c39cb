"""The lab's control server: the admin API (behind the lab's token) and the overview.

The admin API lives outside the systems it controls, so a system that is
down can still be brought back up.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, Response, jsonify, request

from . import errors
from .alerts import AlertSink
from .clock import Clock, span
from .errors import ApiError
from .faults import KINDS
from .ids import IdFactory
from .service import Service, flask_app


def create_admin_app(
    *,
    token: str,
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

    @app.before_request
    def _require_token() -> None:
        if not request.path.startswith("/admin"):
            return
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not offered:
            raise ApiError(401, "the admin API needs the lab's admin token: Authorization: Bearer hl_admin_…")
        if not hmac.compare_digest(offered, token):
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
        try:
            faults.set(kind, **body)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"cannot set fault {kind!r}: {exc}") from None
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
        lengths = {unit: body.pop(unit) for unit in ("seconds", "minutes", "hours", "days") if unit in body}
        if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in lengths.values()):
            raise ApiError(400, "seconds, minutes, hours and days must be numbers")
        if end is None and not lengths:
            raise ApiError(400, "give the window an end, or a length in seconds, minutes, hours or days")
        try:
            window = faults.window(kind, start, end, **lengths, **body)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, f"cannot schedule {kind!r}: {exc}") from None
        return jsonify(window.as_dict())

    @app.get("/admin/clock")
    def clock_now() -> Response:
        return jsonify({"now": clock.now().isoformat(), "timestamp": clock.timestamp(), "realtime": realtime})

    @app.post("/admin/clock/advance")
    def advance() -> Response:
        body = _json_object()
        unknown = set(body) - {"seconds", "minutes", "hours", "days"}
        if unknown:
            raise ApiError(400, f"advance takes seconds, minutes, hours and days, not {', '.join(sorted(unknown))}")
        if any(not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 for v in body.values()):
            raise ApiError(400, "seconds, minutes, hours and days must be numbers of zero or more")
        if span(**body) > 366 * 86400:
            raise ApiError(400, "advance at most a year at a time")
        now = clock.advance(**body)
        return jsonify({"now": now.isoformat(), "timestamp": int(now.timestamp())})

    @app.get("/")
    def overview_page() -> Response:
        return Response(overview(), mimetype="text/html")

    return app


def _fault_kind(kind: Any) -> str:
    if kind not in KINDS:
        raise ApiError(400, f"kind must be one of {', '.join(KINDS)}, not {kind!r}", param="kind")
    return str(kind)


def _service(lookup: Callable[[str], Service], name: str) -> Service:
    try:
        return lookup(name)
    except KeyError as exc:
        raise ApiError(404, str(exc.args[0]), param="name") from None


def _system_status(service: Service) -> dict[str, Any]:
    return {"url": service.url, "faults": service.faults.active(), "down": service.faults.is_down}


def _json_object() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None and not request.get_data():
        return {}
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data


def _moment(value: Any, name: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise ApiError(400, f"{name} must be a unix time or an ISO 8601 date-time, not {value!r}", param=name)
