"""Events: one for every state change, kept in SQLite, listed and resent like Stripe's.

`PaymentsCore.emit` writes the event and its webhook deliveries in one
transaction, so an event exists with its deliveries or not at all; the payload
sent is frozen then (a snapshot, as Stripe's are). Here: how an event is
shown, the list's `type`/`types`/`delivery_success` filters, and resending.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ..errors import ApiError
from ..webhooks.outbox import event_json
from .core import PaymentsCore, current
from .http import httpapi
from .http.params import Params
from .http.query import Where
from .resource import Filter, Resource


def type_filter(p: Params, where: Where) -> None:
    """`type=invoice.*` or `types[]=…`: events of those types (`*` is a wildcard)."""
    one_type = p.string("type", max_length=100)
    many = p.strings("types", max_items=20, max_length=100)
    if one_type and many:
        raise ApiError(400, "You may only specify one of these parameters: type, types.", param="types")
    if one_type:
        where.raw("json_extract(body, '$.type') LIKE ? ESCAPE '\\'", _like(one_type))
    if many:
        where.raw(
            "(" + " OR ".join("json_extract(body, '$.type') LIKE ? ESCAPE '\\'" for _ in many) + ")",
            *[_like(t) for t in many],
        )


def delivery_filter(p: Params, where: Where) -> None:
    """`delivery_success=false`: events with a delivery not (yet) succeeded; `true`: every delivery did."""
    success = p.boolean("delivery_success")
    if success is not None:
        unfinished = (
            "EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = documents.id"
            " AND d.status != 'succeeded' AND d.duplicate_of IS NULL)"
        )
        where.raw(f"NOT {unfinished}" if success else unfinished)


def event_payload(pay: PaymentsCore, event_id: str) -> bytes:
    """The exact bytes delivered (and signed) for an event."""
    return pay.outbox.payload(event_id) or event_json(pay.get("event", event_id))


def show_pending(pay: PaymentsCore, doc: dict[str, Any], shown: dict[str, Any]) -> None:
    """An event shows how many of its webhooks are still to be delivered, as it is now."""
    shown["pending_webhooks"] = pay.outbox.pending_count(doc["id"])


RESOURCE = Resource(
    kind="event",
    prefix="evt",
    url="/v1/events",
    filters=(Filter(("type", "types"), type_filter), Filter(("delivery_success",), delivery_filter)),
)
bp = Blueprint("events", __name__)


@bp.post("/v1/events/<event_id>/retry")
def retry_event(event_id: str) -> Response:
    """Resend an event now (what `stripe events resend` calls)."""
    pay = current()
    p = httpapi.params(("webhook_endpoint",))
    event = pay.get("event", event_id)
    endpoint_id = p.string("webhook_endpoint", max_length=200)
    if endpoint_id is not None:
        endpoint = pay.get("webhook_endpoint", endpoint_id, param="webhook_endpoint")
        if endpoint["status"] != "enabled":
            raise ApiError(
                400,
                f"Webhook endpoint {endpoint_id} is disabled; enable it before resending to it.",
                param="webhook_endpoint",
            )
        if not pay.outbox.deliveries(event_id=event_id, endpoint_id=endpoint_id):
            pay.outbox.enqueue(event_id, event["type"], event_payload(pay, event_id), [endpoint_id])
        else:
            pay.outbox.resend(event_id, endpoint_id)
    elif not pay.outbox.resend(event_id):
        raise ApiError(
            400,
            f"Event {event_id} was not sent to any webhook endpoint; pass webhook_endpoint=we_… to send it to one.",
            param="webhook_endpoint",
        )
    return pay.render(pay.get("event", event_id))


def _like(pattern: str) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")
