"""What the payment system speaks of: its API version, and the event types and id prefixes of the resources
that do not declare their own yet (a module with a `resource.Resource` says its own; `registry` finds it)."""

from __future__ import annotations

import fnmatch

from .http.version import API_VERSION as API_VERSION  # why this version: see version.py

TYPES = (
    "charge.captured",
    "charge.failed",
    "charge.refund.updated",
    "charge.refunded",
    "charge.succeeded",
    "charge.updated",
    "checkout.session.async_payment_failed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.completed",
    "checkout.session.expired",
    "coupon.created",
    "coupon.deleted",
    "coupon.updated",
    "customer.created",
    "customer.deleted",
    "customer.source.created",
    "customer.subscription.created",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "customer.subscription.updated",
    "customer.updated",
    "invoice.created",
    "invoice.deleted",
    "invoice.finalized",
    "invoice.marked_uncollectible",
    "invoice.paid",
    "invoice.payment_action_required",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "invoice.sent",
    "invoice.upcoming",
    "invoice.updated",
    "invoice.voided",
    "invoiceitem.created",
    "invoiceitem.deleted",
    "payment_intent.amount_capturable_updated",
    "payment_intent.canceled",
    "payment_intent.created",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.succeeded",
    "payment_method.attached",
    "payment_method.detached",
    "payment_method.updated",
    "plan.created",
    "plan.deleted",
    "plan.updated",
    "price.created",
    "price.deleted",
    "price.updated",
    "product.created",
    "product.deleted",
    "product.updated",
    "refund.created",
    "refund.updated",
    "setup_intent.canceled",
    "setup_intent.created",
    "setup_intent.requires_action",
    "setup_intent.setup_failed",
    "setup_intent.succeeded",
    "test_helpers.test_clock.advancing",
    "test_helpers.test_clock.created",
    "test_helpers.test_clock.deleted",
    "test_helpers.test_clock.ready",
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
    "cs": "checkout_session",
    "ii": "invoiceitem",
    "clock": "test_clock",
    "di": "discount",
    #: Coupon ids carry no prefix (Stripe makes them like `Z4OV52SU`, or the caller names them).
    "coupon": "coupon",
    "pm": "payment_method",
    "seti": "setup_intent",
    "tok": "token",
    "card": "card",
}


def type_matches(pattern: str, event_type: str) -> bool:
    """`invoice.*` matches `invoice.paid`; a pattern without `*` matches itself only."""
    return fnmatch.fnmatchcase(event_type, pattern) if "*" in pattern else pattern == event_type
