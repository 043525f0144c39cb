"""Webhook subscriptions on the CRM: where events go, signed with a Standard Webhooks secret."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..errors import ApiError
from ..jsonapi import json_object
from ..webhooks.retry import POLICIES
from ..webhooks.sender import check_loopback
from .events import EVENT_TYPES
from .records import reject_unknown

ENDPOINT_FIELDS = ("url", "events", "retry_policy", "description", "status")
STATUSES = ("enabled", "disabled")
DEFAULT_POLICY = "standard"


def check_url(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ApiError(400, "url is required: where to POST events, such as 'http://127.0.0.1:8000/hooks'", param="url")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ApiError(400, f"url must be an http:// or https:// URL, not {value[:100]!r}", param="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(400, f"url must be an http:// or https:// URL, not {value!r}", param="url")
    return check_loopback(value)


def check_events(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise ApiError(
            400, f"events must be a non-empty list of event types, from {', '.join(EVENT_TYPES)} or '*'", param="events"
        )
    for item in value:
        if item != "*" and item not in EVENT_TYPES:
            raise ApiError(
                400,
                f"unknown event type {item!r}; the CRM sends {', '.join(EVENT_TYPES)} (or '*' for all)",
                param="events",
            )
    return list(dict.fromkeys(value))


def check_policy(value: Any) -> str | list[float]:
    if isinstance(value, str) and value in POLICIES:
        return value
    if isinstance(value, list) and all(
        isinstance(d, (int, float)) and not isinstance(d, bool) and d >= 0 for d in value
    ):
        return [float(d) for d in value]
    raise ApiError(
        400, f"retry_policy must be one of {', '.join(POLICIES)} or a list of delays in seconds", param="retry_policy"
    )


def endpoint_fields(data: Any, *, partial: bool = False) -> dict[str, Any]:
    data = json_object(data, '{"url": "http://127.0.0.1:8000/hooks", "events": ["form.submitted"]}')
    reject_unknown(data, ENDPOINT_FIELDS, "webhook endpoint")
    fields: dict[str, Any] = {}
    if not partial or "url" in data:
        fields["url"] = check_url(data.get("url"))
    if not partial or "events" in data:
        fields["events"] = check_events(data.get("events", ["*"]))
    if not partial or "retry_policy" in data:
        fields["retry_policy"] = check_policy(data.get("retry_policy", DEFAULT_POLICY))
    if "description" in data:
        if not isinstance(data["description"], str):
            raise ApiError(400, "description must be a string", param="description")
        fields["description"] = data["description"]
    if "status" in data:
        if not partial or data["status"] not in STATUSES:
            raise ApiError(
                400, f"status can be changed to one of {', '.join(STATUSES)} on an existing endpoint", param="status"
            )
        fields["status"] = data["status"]
    if partial and not fields:
        raise ApiError(400, f"nothing to change; send one of {', '.join(ENDPOINT_FIELDS)}")
    return fields


def public(endpoint: dict[str, Any]) -> dict[str, Any]:
    """The endpoint as listed: the secret is shown once, at creation, never again."""
    return {key: value for key, value in endpoint.items() if key != "secret"}
