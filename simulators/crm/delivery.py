"""The CRM's webhooks over HTTP: endpoints (the secret shown once, at create), events, attempts and resends."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..errors import ApiError
from ..jsonapi import envelope, json_body
from .core import current
from .events import EVENT_TYPES
from .webhook_endpoints import endpoint_fields, public

bp = Blueprint("delivery", __name__)


@bp.post("/webhook_endpoints")
def create_endpoint() -> tuple[Response, int]:
    crm = current()
    fields = endpoint_fields(json_body())
    now = crm.clock.time()
    endpoint_id = crm.ids.new("ep")
    endpoint = {
        "id": endpoint_id,
        "object": "webhook_endpoint",
        **fields,
        "status": "enabled",
        "created": int(now),
        "secret": crm.webhooks.new_secret(endpoint_id),
    }
    crm.endpoints.insert(endpoint, created=now)
    return jsonify(endpoint), 201


@bp.get("/webhook_endpoints")
def list_endpoints() -> Response:
    crm = current()
    return crm.page(crm.endpoints, "/webhook_endpoints", "", (), show=public)


@bp.get("/webhook_endpoints/<endpoint_id>")
def get_endpoint(endpoint_id: str) -> Response:
    crm = current()
    return jsonify(public(crm.get(crm.endpoints, endpoint_id, "webhook endpoint")))


@bp.patch("/webhook_endpoints/<endpoint_id>")
def update_endpoint(endpoint_id: str) -> Response:
    crm = current()
    fields = endpoint_fields(json_body(), partial=True)
    endpoint = crm.get(crm.endpoints, endpoint_id, "webhook endpoint")
    if "status" in fields:
        crm.webhooks.set_status(endpoint, fields.pop("status"))
    endpoint.update(fields)
    crm.endpoints.replace(endpoint)
    return jsonify(public(endpoint))


@bp.delete("/webhook_endpoints/<endpoint_id>")
def delete_endpoint(endpoint_id: str) -> Response:
    crm = current()
    crm.get(crm.endpoints, endpoint_id, "webhook endpoint")
    crm.endpoints.delete(endpoint_id)
    return jsonify({"id": endpoint_id, "object": "webhook_endpoint", "deleted": True})


@bp.get("/events")
def list_events() -> Response:
    crm = current()
    event_type = request.args.get("type")
    if event_type is not None and event_type not in EVENT_TYPES:
        raise ApiError(400, f"unknown event type {event_type!r}; the CRM sends {', '.join(EVENT_TYPES)}", param="type")
    where, params = ("json_extract(body, '$.type') = ?", (event_type,)) if event_type else ("", ())
    return crm.page(crm.events, "/events", where, params)


@bp.get("/events/<event_id>")
def get_event(event_id: str) -> Response:
    crm = current()
    return jsonify(crm.get(crm.events, event_id, "event"))


@bp.get("/events/<event_id>/attempts")
def list_attempts(event_id: str) -> Response:
    crm = current()
    crm.get(crm.events, event_id, "event")
    return jsonify(envelope(crm.outbox.attempts(event_id=event_id), f"/events/{event_id}/attempts"))


@bp.post("/events/<event_id>/resend")
def resend_event(event_id: str) -> Response:
    crm = current()
    crm.get(crm.events, event_id, "event")
    return jsonify({"event": event_id, "deliveries": crm.outbox.resend(event_id)})
