"""Events: one for every state change, kept in SQLite, listed and resent like Stripe's.

`emit` writes the event and its webhook deliveries in one transaction, so an
event exists with its deliveries or not at all; the payload sent is frozen
then (a snapshot, as Stripe's are).
"""

from __future__ import annotations

import copy
import fnmatch
from typing import TYPE_CHECKING, Any

from flask import Flask, Response

from ..errors import ApiError
from ..webhooks.outbox import event_json
from . import httpapi, listing

if TYPE_CHECKING:
    from .system import PaymentsSystem

#: The API version events and endpoints report (the one the stripe 16.1 SDK pins).
API_VERSION = "2026-10-28.endive"

TYPES = (
    "charge.failed",
    "charge.refunded",
    "charge.succeeded",
    "customer.created",
    "customer.deleted",
    "customer.subscription.created",
    "customer.subscription.deleted",
    "customer.subscription.updated",
    "customer.updated",
    "invoice.created",
    "invoice.finalized",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "payment_intent.canceled",
    "payment_intent.created",
    "payment_intent.payment_failed",
    "payment_intent.succeeded",
    "refund.created",
)


def emit(
    pay: PaymentsSystem, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    from . import webhook_endpoints  # the endpoints module imports this one

    if event_type not in TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    now = pay.now()
    with pay.store.transaction():
        endpoint_ids = webhook_endpoints.subscribed(pay, event_type)
        data: dict[str, Any] = {"object": pay.public(obj)}
        if previous is not None:
            data["previous_attributes"] = copy.deepcopy(previous)
        event = {
            "id": pay.ids.new("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": now,
            "data": data,
            "livemode": False,
            "pending_webhooks": len(endpoint_ids),
            "request": httpapi.request_info(),
            "type": event_type,
        }
        pay.db["event"].insert(event, created=now)
        if endpoint_ids:
            pay.outbox.enqueue(str(event["id"]), event_type, event_json(event), endpoint_ids)
    return event


def type_matches(pattern: str, event_type: str) -> bool:
    return fnmatch.fnmatchcase(event_type, pattern) if "*" in pattern else pattern == event_type


def init_app(app: Flask, pay: PaymentsSystem) -> None:
    @app.get("/v1/events")
    def list_events() -> Response:
        p = httpapi.params((*listing.LIST_PARAMS, "type", "types", "delivery_success"))
        where = listing.Where().created(p)
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
        success = p.boolean("delivery_success")
        if success is not None:
            unfinished = (
                "EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = documents.id"
                " AND d.status != 'succeeded' AND d.duplicate_of IS NULL)"
            )
            where.raw(f"NOT {unfinished}" if success else unfinished)
        return pay.render_list("event", p, url="/v1/events", where=where)

    @app.get("/v1/events/<event_id>")
    def get_event(event_id: str) -> Response:
        return pay.retrieve("event", event_id)

    @app.post("/v1/events/<event_id>/retry")
    def retry_event(event_id: str) -> Response:
        """Resend an event now (what `stripe events resend` calls)."""
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
                pay.outbox.enqueue(event_id, event["type"], pay.event_payload(event_id), [endpoint_id])
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
