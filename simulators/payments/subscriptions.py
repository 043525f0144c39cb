"""Subscriptions: create (the first invoice is paid at once), update, cancel with DELETE, renew monthly.

Renewals run on the lab clock at each period's end (`renewals.py`). Unless told otherwise, a subscription's metadata carries its
plan (`metadata[plan]`), which its invoices copy, so a handler reading
`invoice.paid` knows what was bought.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response

from ..errors import ApiError
from ..jsonapi import envelope
from . import billing, cards, charges, customers, httpapi, prices, renewals
from .core import PaymentsCore
from .params import Params, merge_metadata
from .query import Where

STATUSES = ("active", "past_due", "unpaid", "canceled", "incomplete", "incomplete_expired", "trialing", "paused")
_FIELDS = (
    "customer",
    "items",
    "default_payment_method",
    "metadata",
    "payment_behavior",
    "description",
    "collection_method",
    "cancel_at_period_end",
)
_IGNORED = ("proration_behavior", "off_session", "payment_settings", "automatic_tax", "billing_cycle_anchor")


def init_app(app: Flask, pay: PaymentsCore) -> None:
    @app.post("/v1/subscriptions")
    def create_subscription() -> Response:
        p = httpapi.params(_FIELDS, _IGNORED)
        paths = p.expand()
        customer_id = p.string("customer", required=True, max_length=200)
        items = _items(pay, p)
        method = p.string("default_payment_method", max_length=200)
        if method:
            cards.card(method, "default_payment_method", pay=pay)
        behavior = p.string(
            "payment_behavior", choices=("allow_incomplete", "default_incomplete", "error_if_incomplete")
        )
        p.string("collection_method", choices=("charge_automatically",))
        metadata = merge_metadata({}, p.metadata())
        if not metadata and prices.plan_of(items[0]["price"]):
            metadata = {"plan": str(prices.plan_of(items[0]["price"]))}
        description = p.string("description", max_length=500)
        with pay.store.transaction():
            customer = customers.live(pay, str(customer_id), param="customer")
            charge_with = method or customers.default_payment_method(customer)
            charge_now = behavior != "default_incomplete"
            if charge_with is None and charge_now:
                raise ApiError(
                    400,
                    "This customer has no attached payment source or default payment method. Pass "
                    "default_payment_method (such as pm_card_visa), or payment_behavior=default_incomplete "
                    "and pay the invoice later.",
                    code="resource_missing",
                    param="default_payment_method",
                )
            card = cards.card(charge_with, pay=pay) if charge_with and charge_now else None
            subscription = _new(pay, customer, items, method, metadata, description)
            # The card's outcome is known in advance, so the created event already shows the status it ends in.
            subscription["status"] = "active" if card is not None and not card.declines else "incomplete"
            subscription["latest_invoice"] = invoice_id = pay.ids.new("in")
            pay.db["subscription"].insert(subscription, created=subscription["created"])
            pay.emit("customer.subscription.created", subscription)
            invoice = billing.create(
                pay,
                subscription,
                invoice_id=invoice_id,
                reason="subscription_create",
                period_start=subscription["current_period_start"],
                period_end=subscription["current_period_end"],
            )
            if card is not None:
                billing.attempt(pay, invoice, card)
                if card.declines and behavior == "error_if_incomplete":
                    raise charges.card_error(
                        card, charge_id=str(invoice["charge"])
                    )  # rolls the whole subscription back
        if subscription["status"] == "active":
            renewals.schedule_renewal(pay, subscription)
        return pay.render(subscription, paths)

    @app.post("/v1/subscriptions/<subscription_id>")
    def update_subscription(subscription_id: str) -> Response:
        p = httpapi.params(("metadata", "description", "default_payment_method", "cancel_at_period_end"), _IGNORED)
        paths = p.expand()
        metadata = p.metadata()
        at_end = p.boolean("cancel_at_period_end")
        method = p.string("default_payment_method", max_length=200)
        if method:
            cards.card(method, "default_payment_method", pay=pay)
        with pay.store.transaction():
            subscription = pay.get("subscription", subscription_id)
            if subscription["status"] == "canceled":
                raise ApiError(
                    400,
                    f"Subscription {subscription_id} is canceled; a canceled subscription cannot be updated.",
                    code="resource_missing",
                )
            previous: dict[str, Any] = {}
            merged = merge_metadata(subscription["metadata"], metadata)
            if merged != subscription["metadata"]:
                previous["metadata"] = subscription["metadata"]
                subscription["metadata"] = merged
            if "description" in p:
                previous["description"] = subscription["description"]
                subscription["description"] = p.string("description", max_length=500, empty_ok=True) or None
            if method and method != subscription["default_payment_method"]:
                previous["default_payment_method"] = subscription["default_payment_method"]
                subscription["default_payment_method"] = method
            if at_end is not None and at_end != subscription["cancel_at_period_end"]:
                previous["cancel_at_period_end"] = subscription["cancel_at_period_end"]
                subscription["cancel_at_period_end"] = at_end
                subscription["cancel_at"] = subscription["current_period_end"] if at_end else None
            if previous:
                pay.db["subscription"].replace(subscription)
                pay.emit("customer.subscription.updated", subscription, previous)
        return pay.render(subscription, paths)

    @app.delete("/v1/subscriptions/<subscription_id>")
    def cancel_subscription(subscription_id: str) -> Response:
        p = httpapi.params(ignored=("invoice_now", "prorate", "cancellation_details"))
        paths = p.expand()
        with pay.store.transaction():
            subscription = pay.get("subscription", subscription_id)
            if subscription["status"] == "canceled":
                raise ApiError(
                    400, f"Subscription {subscription_id} is already canceled.", code="subscription_canceled"
                )
            renewals.cancel(pay, subscription)
        return pay.render(subscription, paths)


def _new(
    pay: PaymentsCore,
    customer: dict[str, Any],
    items: list[dict[str, Any]],
    method: str | None,
    metadata: dict[str, str],
    description: str | None,
) -> dict[str, Any]:
    now = pay.now()
    end = renewals.add_month(now)
    subscription_id = pay.ids.new("sub")
    data = [
        {
            "id": pay.ids.new("si"),
            "object": "subscription_item",
            "created": now,
            "current_period_end": end,
            "current_period_start": now,
            "metadata": {},
            "price": item["price"],
            "quantity": item["quantity"],
            "subscription": subscription_id,
        }
        for item in items
    ]
    return {
        "id": subscription_id,
        "object": "subscription",
        "billing_cycle_anchor": now,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "collection_method": "charge_automatically",
        "created": now,
        "currency": items[0]["price"]["currency"],
        "current_period_end": end,
        "current_period_start": now,
        "customer": customer["id"],
        "default_payment_method": method,
        "description": description,
        "ended_at": None,
        "items": envelope(data, f"/v1/subscription_items?subscription={subscription_id}"),
        "latest_invoice": None,
        "livemode": False,
        "metadata": metadata,
        "start_date": now,
        "status": "incomplete",
    }


def _items(pay: PaymentsCore, p: Params) -> list[dict[str, Any]]:
    raw = p.items("items", max_items=20)
    if not raw:
        raise ApiError(
            400, "Missing required param: items (such as items[0][price]=price_basic_monthly).", param="items"
        )
    found: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        name = f"items[{index}]"
        if not isinstance(item, dict):
            raise ApiError(
                400, f"Invalid {name}: expected a hash such as {name}[price]=price_basic_monthly.", param=name
            )
        inner = Params(item, ("price", "quantity", "metadata"), prefix=name)
        price_id = inner.string("price", required=True, max_length=200)
        price = pay.get("price", str(price_id), param=f"{name}[price]")
        quantity = inner.integer("quantity", minimum=1, maximum=10_000) or 1
        found.append({"price": pay.public(price), "quantity": quantity})
    currencies = {item["price"]["currency"] for item in found}
    if len(currencies) > 1:
        raise ApiError(400, "All items of a subscription must be in one currency.", param="items")
    return found


def status_filter(p: Params, where: Where) -> None:
    """`status`: one status, `all`, or `ended`; by default every subscription but the canceled ones."""
    status = p.string("status", choices=(*STATUSES, "all", "ended"))
    if status is None:
        where.raw("json_extract(body, '$.status') != 'canceled'")
    elif status == "ended":
        where.raw("json_extract(body, '$.status') IN ('canceled', 'incomplete_expired')")
    elif status != "all":
        where.field("status", status)


def price_filter(p: Params, where: Where) -> None:
    """`price`: subscriptions with an item at that price."""
    price = p.string("price", max_length=200)
    if price:
        where.raw(
            "EXISTS (SELECT 1 FROM json_each(json_extract(body, '$.items.data')) AS item"
            " WHERE json_extract(item.value, '$.price.id') = ?)",
            price,
        )
