"""The webhook handler provisioning runs by default: the case study's naive one.

It does exactly what the company in the case study built, and no more:
activate on a payment, deactivate on a cancellation. No signature check, no
dedupe, no retry, no alert. The learner replaces it step by step.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..learner import WebhookRequest


class Accounts(Protocol):
    """What a handler may do to provisioning's accounts (the system itself is one)."""

    def activate(
        self, customer: str, *, plan: str = "basic", email: str | None = None, event_id: str | None = None
    ) -> dict[str, Any]: ...

    def deactivate(self, customer: str, *, event_id: str | None = None) -> dict[str, Any] | None: ...


#: What provisioning's webhook endpoint listens to: the lab subscribes it to these.
EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "invoice.paid",
    "customer.subscription.created",
    "customer.subscription.deleted",
    "charge.refunded",
)

PAID = ("payment_intent.succeeded", "invoice.paid")
CANCELLED = ("customer.subscription.deleted",)


def plan_of(obj: dict[str, Any]) -> str:
    """The plan a payment is for: its metadata says, else the basic plan."""
    metadata = obj.get("metadata") or {}
    return str(metadata.get("plan") or "basic")


def naive_handler(request: WebhookRequest, provisioning: Accounts) -> Any:
    """Activate on payment, deactivate on cancellation; trust everything."""
    event = request.json
    obj = event["data"]["object"]
    if event["type"] in PAID:
        provisioning.activate(obj["customer"], plan=plan_of(obj), event_id=event["id"])
    elif event["type"] in CANCELLED:
        provisioning.deactivate(obj["customer"], event_id=event["id"])
    return 200
