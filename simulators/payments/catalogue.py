"""What the payment system speaks of: its API version, its event types and its id prefixes."""

from __future__ import annotations

import fnmatch

from .version import API_VERSION as API_VERSION  # why this version: see version.py

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

#: Id prefix -> the kind of object (the collection) it names.
PREFIXES = {
    "cus": "customer",
    "pi": "payment_intent",
    "ch": "charge",
    "re": "refund",
    "price": "price",
    "prod": "product",
    "sub": "subscription",
    "in": "invoice",
    "we": "webhook_endpoint",
    "evt": "event",
}


def type_matches(pattern: str, event_type: str) -> bool:
    """`invoice.*` matches `invoice.paid`; a pattern without `*` matches itself only."""
    return fnmatch.fnmatchcase(event_type, pattern) if "*" in pattern else pattern == event_type
