"""Webhook endpoints: where events are delivered, with the secret that signs them.

The `whsec_` secret is shown once, in the answer to create (as Stripe does);
from Python, `lab.payments.provisioning_endpoint["secret"]` and the dict
`add_endpoint()` returns keep it. Each endpoint has a retry policy: the lab's
default unless set (`retry_policy=none|stripe|standard`, or a list of delays
in seconds, as a hooklab extension parameter). The URL must be on this machine:
the lab sends traffic to loopback only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify

from ..errors import ApiError
from ..webhooks import POLICIES, RetryPolicy
from ..webhooks.sender import check_loopback, policy_spec
from .catalogue import API_VERSION
from .core import PaymentsCore, current
from .http import httpapi
from .http.params import Params, merge_metadata
from .resource import Resource

MAX_ENDPOINTS = 16
MAX_DELAYS = 30
MAX_DELAY = 7 * 86400.0
ROLE = "hooklab_role"
_FIELDS = ("url", "enabled_events", "description", "metadata", "api_version", "retry_policy")


RESOURCE = Resource(kind="webhook_endpoint", prefix="we", url="/v1/webhook_endpoints")
bp = Blueprint("webhook_endpoints", __name__)


@bp.post("/v1/webhook_endpoints")
def create_endpoint() -> Response:
    pay = current()
    p = httpapi.params(_FIELDS, ignored=("connect",))
    url = _url(p, required=True)
    enabled = _enabled_events(p, pay.types, required=True)
    description = p.string("description", max_length=5000)
    metadata = {k: v for k, v in (p.metadata() or {}).items() if v}
    api_version = _api_version(p)
    policy = _policy_param(p)
    # The count and the insert in one transaction: counted apart, 24 creates at once left 19 endpoints (review R6).
    with pay.store.transaction():
        if pay.db["webhook_endpoint"].count() >= MAX_ENDPOINTS:
            raise ApiError(400, f"You have reached the maximum of {MAX_ENDPOINTS} webhook endpoints; delete one first.")
        endpoint = create(
            pay, url, enabled, description=description, metadata=metadata, api_version=api_version, policy=policy
        )
    body = pay.public(endpoint)
    body["secret"] = endpoint["secret"]  # shown this once
    return jsonify(body)


@bp.post("/v1/webhook_endpoints/<endpoint_id>")
def update_endpoint(endpoint_id: str) -> Response:
    pay = current()
    p = httpapi.params((*_FIELDS, "disabled"))
    with pay.store.transaction():
        endpoint = pay.get("webhook_endpoint", endpoint_id)
        if "url" in p:
            endpoint["url"] = _url(p, required=True)
        if "enabled_events" in p:
            endpoint["enabled_events"] = _enabled_events(p, pay.types, required=True)
        if "api_version" in p:
            endpoint["api_version"] = _api_version(p)
        if "description" in p:
            endpoint["description"] = p.string("description", max_length=5000, empty_ok=True) or None
        endpoint["metadata"] = merge_metadata(endpoint["metadata"], p.metadata())
        if "retry_policy" in p:
            endpoint["_retry_policy"] = _policy_param(p)
        disabled = p.boolean("disabled")
        if disabled is not None:
            pay.webhooks.set_status(endpoint, "disabled" if disabled else "enabled")
        pay.db["webhook_endpoint"].replace(endpoint)
    return pay.render(endpoint)


@bp.delete("/v1/webhook_endpoints/<endpoint_id>")
def delete_endpoint(endpoint_id: str) -> Response:
    pay = current()
    httpapi.params()
    pay.get("webhook_endpoint", endpoint_id)
    pay.db["webhook_endpoint"].delete(endpoint_id)
    return jsonify({"id": endpoint_id, "object": "webhook_endpoint", "deleted": True})


def create(
    pay: PaymentsCore,
    url: str,
    enabled_events: list[str],
    *,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
    api_version: str = API_VERSION,
    policy: Any = None,
) -> dict[str, Any]:
    """Store a new endpoint with a fresh secret; returns the stored document (secret included)."""
    now = pay.now()
    with pay.store.transaction():
        endpoint_id = pay.ids.new("we")
        endpoint = {
            "id": endpoint_id,
            "object": "webhook_endpoint",
            "api_version": api_version,
            "application": None,
            "created": now,
            "description": description,
            "enabled_events": enabled_events,
            "livemode": False,
            "metadata": metadata or {},
            "secret": pay.webhooks.new_secret(endpoint_id),
            "status": "enabled",
            "url": url,
            "_retry_policy": policy,
        }
        pay.db["webhook_endpoint"].insert(endpoint, created=now)
    return endpoint


def ensure_provisioning(pay: PaymentsCore, url: str, enabled_events: tuple[str, ...]) -> dict[str, Any]:
    """The one endpoint pointing at provisioning: made once, re-pointed when its port changes."""
    with pay.store.transaction():
        for doc in pay.db["webhook_endpoint"].find():
            if doc["metadata"].get(ROLE) == "provisioning":
                if doc["url"] != url:
                    doc["url"] = url
                    pay.db["webhook_endpoint"].replace(doc)
                return doc
        return create(
            pay,
            url,
            list(enabled_events),
            description="provisioning: activates paid customers",
            metadata={ROLE: "provisioning"},
        )


def set_policy(pay: PaymentsCore, endpoint_id: str, policy: Any) -> dict[str, Any]:
    """Store a retry policy on an endpoint (None: follow the lab's default); returns the endpoint as shown."""
    return pay.public(pay.webhooks.set_policy(endpoint_id, policy))


def show(pay: PaymentsCore, doc: dict[str, Any], shown: dict[str, Any]) -> None:
    """An endpoint as the API shows it: no secret (shown once, at creation), its retry policy spelled out."""
    shown.pop("secret", None)
    policy = pay.webhooks.policy_of(doc)
    shown["retry_policy"] = {
        "name": policy.name,
        "delays": list(policy.delays),
        "jitter": policy.jitter,
        "disable_after": policy.disable_after,
        "lab_default": doc.get("_retry_policy") is None,
    }


def _api_version(p: Params) -> str:
    """The version events to this endpoint are made in: the sandbox serves one, so only it is accepted."""
    asked = p.string("api_version", max_length=50)
    if asked is not None and asked != API_VERSION:
        raise ApiError(
            400,
            f"Invalid api_version: {asked!r}. hooklab serves one API version, {API_VERSION}; "
            "leave api_version out or pass that one.",
            param="api_version",
        )
    return API_VERSION


def _policy_param(p: Params) -> Any:
    value = p.raw("retry_policy")
    if value is None or value == "default":
        return None
    if isinstance(value, str):
        if value not in POLICIES:
            raise ApiError(
                400,
                f"Invalid retry_policy: {value[:40]!r}; use {', '.join(POLICIES)}, default, or a list of "
                "delays in seconds (retry_policy[0]=60&retry_policy[1]=300).",
                param="retry_policy",
            )
        return value
    delays = p.items("retry_policy", max_items=MAX_DELAYS) or []
    clean = []
    for index, delay in enumerate(delays):
        seconds = Params({f"retry_policy[{index}]": delay}, (f"retry_policy[{index}]",)).integer(
            f"retry_policy[{index}]", minimum=0, maximum=int(MAX_DELAY)
        )
        clean.append(float(seconds or 0))
    return policy_spec(RetryPolicy.custom(clean))


def _url(p: Params, *, required: bool) -> str:
    url = p.string("url", required=required, max_length=2048)
    assert url is not None
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port is None or 0 < parts.port)
    except ValueError:  # a port out of range, an unclosed "[" of an IPv6 host
        ok = False
    if not ok:
        raise ApiError(
            400,
            f"Invalid URL: {url[:100]!r}. An endpoint URL looks like http://127.0.0.1:8000/webhooks "
            "(the lab delivers to this machine only).",
            param="url",
        )
    return check_loopback(url)


def _enabled_events(p: Params, types: tuple[str, ...], *, required: bool) -> list[str]:
    events = p.strings("enabled_events", max_items=len(types) + 1, max_length=100)
    if not events:
        if required:
            raise ApiError(
                400,
                "Missing required param: enabled_events (a list such as enabled_events[]=* or "
                "enabled_events[0]=payment_intent.succeeded).",
                param="enabled_events",
            )
        return []
    for index, name in enumerate(events):
        if name != "*" and name not in types:
            raise ApiError(
                400,
                f"Invalid enabled_events[{index}]: {name[:60]!r} is not an event type hooklab sends. "
                f"Use * or one of: {', '.join(types)}.",
                param=f"enabled_events[{index}]",
            )
    return list(dict.fromkeys(events))
