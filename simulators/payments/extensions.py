"""hooklab's own endpoints beside the Stripe API: the delivery log, bulk recovery, teaching knobs, the rate limit.

They take the same API key and are never rate limited (`hooklab listen`
polls the attempts of its endpoint several times a second).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify

from ..errors import ApiError
from ..jsonapi import envelope
from .core import PaymentsCore, current
from .http import httpapi
from .http.params import Params
from .http.ratelimit import DEFAULT_READS, DEFAULT_WRITES, Limit


def attempt_view(row: dict[str, Any]) -> dict[str, Any]:
    """One delivery attempt, as the API shows it."""
    return {
        "id": row["id"],
        "object": "webhook_attempt",
        "attempt": row["number"],
        "created": int(row["at"]),
        "delivery": row["delivery_id"],
        "error": row["error"],
        "event": row["event_id"],
        "event_type": row["event_type"],
        "latency_ms": row["latency_ms"],
        "next_attempt_at": int(row["next_attempt_at"]) if row["next_attempt_at"] is not None else None,
        "outcome": row["outcome"],
        "response_excerpt": row["response"],
        "response_status": row["status"],
        "url": row["url"],
        "webhook_endpoint": row["endpoint_id"],
    }


def attempts_after(
    pay: PaymentsCore,
    *,
    endpoint_id: str | None = None,
    event_id: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], bool]:
    """Attempts oldest first, after the attempt with id `after`."""
    sql, args = "SELECT * FROM attempts WHERE 1 = 1", []
    for column, value in (("endpoint_id", endpoint_id), ("event_id", event_id)):
        if value is not None:
            sql += f" AND {column} = ?"
            args.append(value)
    if after is not None:
        sql += " AND seq > (SELECT seq FROM attempts WHERE id = ?)"
        args.append(after)
    rows = pay.store.query(sql + " ORDER BY seq LIMIT ?", (*args, limit + 1))
    return [attempt_view(row) for row in rows[:limit]], len(rows) > limit


bp = Blueprint("extensions", __name__)


def _attempts(url: str, **where: str) -> Response:
    pay = current()
    p = httpapi.params(("limit", "starting_after"))
    limit = p.integer("limit", minimum=1, maximum=1000) or 100
    after = p.string("starting_after", max_length=200)
    if after is not None and pay.store.one("SELECT 1 FROM attempts WHERE id = ?", (after,)) is None:
        raise ApiError(404, f"No such webhook_attempt: {after!r} (given as starting_after).", param="starting_after")
    data, more = attempts_after(pay, after=after, limit=limit, **where)
    return jsonify(envelope(data, url, more))


@bp.get("/v1/events/<event_id>/attempts")
def event_attempts(event_id: str) -> Response:
    pay = current()
    pay.get("event", event_id)
    return _attempts(f"/v1/events/{event_id}/attempts", event_id=event_id)


@bp.get("/v1/webhook_endpoints/<endpoint_id>/attempts")
def endpoint_attempts(endpoint_id: str) -> Response:
    pay = current()
    pay.get("webhook_endpoint", endpoint_id)
    return _attempts(f"/v1/webhook_endpoints/{endpoint_id}/attempts", endpoint_id=endpoint_id)


@bp.post("/v1/hooklab/recover_failed")
def recover_failed() -> Response:
    pay = current()
    p = httpapi.params(("since", "webhook_endpoint"))
    since = _moment(p, "since")
    endpoint_id = p.string("webhook_endpoint", max_length=200)
    if endpoint_id is not None:
        pay.get("webhook_endpoint", endpoint_id, param="webhook_endpoint")
    resent = pay.outbox.recover_failed(since, endpoint_id)
    return jsonify(
        {
            "object": "recovery",
            "since": int(since),
            "webhook_endpoint": endpoint_id,
            "deliveries": resent,
            "count": len(resent),
        }
    )


@bp.post("/v1/hooklab/knobs")
def knobs() -> Response:
    pay = current()
    p = httpapi.params(("duplicates", "out_of_order"))
    rates = {name: _rate(p, name) for name in ("duplicates", "out_of_order")}
    return jsonify({"object": "knobs", **pay.outbox.knobs(**rates)})


@bp.get("/v1/hooklab/rate_limit")
def read_rate_limit() -> Response:
    pay = current()
    httpapi.params()
    return jsonify({"object": "rate_limit", **pay.limiter.describe()})


@bp.post("/v1/hooklab/rate_limit")
def set_rate_limit() -> Response:
    pay = current()
    p = httpapi.params(("reads_per_minute", "reads_burst", "writes_per_minute", "writes_burst", "off"))
    if p.boolean("off"):
        pay.limiter.configure(None, None)
    else:
        reads = Limit(
            p.integer("reads_per_minute", minimum=1, maximum=1_000_000) or int(DEFAULT_READS.per_minute),
            p.integer("reads_burst", minimum=1, maximum=1_000_000) or DEFAULT_READS.burst,
        )
        writes = Limit(
            p.integer("writes_per_minute", minimum=1, maximum=1_000_000) or int(DEFAULT_WRITES.per_minute),
            p.integer("writes_burst", minimum=1, maximum=1_000_000) or DEFAULT_WRITES.burst,
        )
        pay.limiter.configure(reads, writes)
    return jsonify({"object": "rate_limit", **pay.limiter.describe()})


def _moment(p: Params, name: str) -> float:
    value = p.raw(name)
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise ApiError(
                400, f"Invalid {name}: give a unix timestamp or an ISO date, not {value[:40]!r}.", param=name
            ) from None
    found = p.integer(name, required=True, minimum=0)
    return float(found or 0)


def _rate(p: Params, name: str) -> float | None:
    value = p.raw(name)
    if value is None:
        return None
    try:
        rate = float(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    except ValueError:
        rate = None
    if rate is None or not 0.0 <= rate <= 1.0:
        raise ApiError(400, f"Invalid {name}: a rate between 0 and 1, such as 0.2.", param=name)
    return rate
