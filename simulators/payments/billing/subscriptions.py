"""Subscriptions: create (with a trial or a coupon), update (price changes prorate), cancel now or at period end.

The first invoice is paid at once (a trial's is $0). Its later steps
(renewals, notices, dunning) are in `renewals.py`. Unless told otherwise, a
subscription's metadata carries its plan (`metadata[plan]`), which its
invoices copy, so a handler reading `invoice.paid` knows what was bought.

Proration (`proration_behavior`, default `create_prorations`): changing
`items[0][price]` mid-period credits the unused time of the old price and
charges the rest of the period at the new one, as two invoice items on the next
invoice; `always_invoice` invoices and charges them at once; `none` does neither.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Response

from ...errors import ApiError
from ...jsonapi import envelope
from .. import cards, charges, customers
from ..core import PaymentsCore, asked
from ..http.params import Params, merge_metadata
from ..http.query import Where
from ..resource import Filter, Resource, field
from . import billing, coupons, invoice_items, prices, renewals

STATUSES = ("active", "past_due", "unpaid", "canceled", "incomplete", "incomplete_expired", "trialing", "paused")
PRORATION = ("create_prorations", "always_invoice", "none")
MAX_TRIAL_DAYS = 730
_FIELDS = (
    "customer",
    "items",
    "default_payment_method",
    "metadata",
    "payment_behavior",
    "description",
    "collection_method",
    "cancel_at_period_end",
    "trial_period_days",
    "trial_end",
    "coupon",
    "discounts",
    "proration_behavior",
)
_IGNORED = ("off_session", "payment_settings", "automatic_tax", "billing_cycle_anchor", "trial_settings", "expand")


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


RESOURCE = Resource(
    kind="subscription",
    prefix="sub",
    url="/v1/subscriptions",
    events=(
        "customer.subscription.created",
        "customer.subscription.deleted",
        "customer.subscription.trial_will_end",
        "customer.subscription.updated",
    ),
    filters=(field("customer"), Filter(("status",), status_filter), Filter(("price",), price_filter)),
)
bp = Blueprint("subscriptions", __name__)


@bp.post("/v1/subscriptions")
def create_subscription() -> Response:
    pay, p, paths = asked(tuple(f for f in _FIELDS if f != "proration_behavior"), (*_IGNORED, "proration_behavior"))
    customer_id = p.string("customer", required=True, max_length=200)
    items = _items(pay, p)
    method = p.string("default_payment_method", max_length=200)
    if method:
        cards.card(method, "default_payment_method", pay=pay)
    behavior = p.string("payment_behavior", choices=("allow_incomplete", "default_incomplete", "error_if_incomplete"))
    p.string("collection_method", choices=("charge_automatically",))
    metadata = merge_metadata({}, p.metadata())
    description = p.string("description", max_length=500)
    coupon_id = coupons.from_params(p)
    with pay.store.transaction():
        customer = customers.live(pay, str(customer_id), param="customer")
        with pay.frozen_at(clock_time(pay, customer)):
            trial_end = _trial_end(pay, p, items)
            subscription = start(
                pay,
                customer,
                items,
                method=method,
                metadata=metadata,
                description=description,
                behavior=behavior,
                trial_end=trial_end,
                coupon_id=coupon_id,
            )
    renewals.schedule_renewal(pay, subscription)
    return pay.render(subscription, paths)


@bp.post("/v1/subscriptions/<subscription_id>")
def update_subscription(subscription_id: str) -> Response:
    pay, p, paths = asked(
        (
            "metadata",
            "description",
            "default_payment_method",
            "cancel_at_period_end",
            "items",
            "proration_behavior",
            "coupon",
            "discounts",
            "trial_end",
        ),
        tuple(f for f in _IGNORED if f != "expand") + ("payment_behavior", "proration_date"),
    )
    metadata = p.metadata()
    at_end = p.boolean("cancel_at_period_end")
    method = p.string("default_payment_method", max_length=200)
    if method:
        cards.card(method, "default_payment_method", pay=pay)
    proration = p.string("proration_behavior", choices=PRORATION) or "create_prorations"
    new_items = _items(pay, p) if "items" in p else None
    coupon_id = coupons.from_params(p)
    with pay.store.transaction():
        subscription = pay.get("subscription", subscription_id)
        if subscription["status"] in ("canceled", "incomplete_expired"):
            raise ApiError(
                400,
                f"Subscription {subscription_id} is {subscription['status']}; it cannot be updated.",
                code="resource_missing",
            )
        with pay.frozen_at(clock_time(pay, pay.get("customer", subscription["customer"]))):
            previous = _update(pay, subscription, p, metadata, at_end, method, coupon_id)
            if new_items is not None:
                previous.update(change_items(pay, subscription, new_items, proration))
            if "trial_end" in p:
                previous.update(_end_trial_now(pay, subscription, p))
            if previous:
                pay.db["subscription"].replace(subscription)
                pay.emit("customer.subscription.updated", subscription, previous)
            if new_items is not None and proration == "always_invoice":
                _invoice_prorations(pay, subscription)
    renewals.schedule_renewal(pay, subscription)
    return pay.render(subscription, paths)


@bp.delete("/v1/subscriptions/<subscription_id>")
def cancel_subscription(subscription_id: str) -> Response:
    pay, p, paths = asked(ignored=("invoice_now", "prorate", "cancellation_details"))
    with pay.store.transaction():
        subscription = pay.get("subscription", subscription_id)
        if subscription["status"] == "canceled":
            raise ApiError(400, f"Subscription {subscription_id} is already canceled.", code="subscription_canceled")
        with pay.frozen_at(clock_time(pay, pay.get("customer", subscription["customer"]))):
            renewals.cancel(pay, subscription)
    return pay.render(subscription, paths)


def clock_time(pay: PaymentsCore, customer: dict[str, Any]) -> int | None:
    """The frozen time of the customer's test clock, or None for the lab clock."""
    clock = pay.db["test_clock"].get(customer["test_clock"]) if customer.get("test_clock") else None
    return int(clock["frozen_time"]) if clock else None


def start(
    pay: PaymentsCore,
    customer: dict[str, Any],
    items: list[dict[str, Any]],
    *,
    method: str | None,
    metadata: dict[str, str],
    description: str | None = None,
    behavior: str | None = None,
    trial_end: int | None = None,
    coupon_id: str | None = None,
) -> dict[str, Any]:
    """Make a subscription and its first invoice, charged unless in trial (inside a transaction)."""
    if not metadata and prices.plan_of(items[0]["price"]):
        metadata = {"plan": str(prices.plan_of(items[0]["price"]))}
    charge_with = method or customers.default_payment_method(customer)
    charge_now = behavior != "default_incomplete" and trial_end is None
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
    subscription = _new(pay, customer, items, method, metadata, description, trial_end)
    if coupon_id is not None:
        subscription["discount"] = coupons.redeem(
            pay, coupon_id, customer=customer["id"], subscription=subscription["id"], param="coupon"
        )
    # The card's outcome is known in advance, so the created event already shows the status it ends in.
    if trial_end is not None:
        subscription["status"] = "trialing"
    else:
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
        trial=trial_end is not None,
    )
    if card is not None and invoice["status"] == "open":
        billing.attempt(pay, invoice, card)
        if card.declines and behavior == "error_if_incomplete":
            raise charges.card_error(card, charge_id=str(invoice["charge"]))  # rolls the whole subscription back
    if invoice["status"] == "paid" and subscription["discount"] is not None:
        subscription["discount"] = coupons.after_use(subscription["discount"])
        pay.db["subscription"].replace(subscription)
    return subscription


def _new(
    pay: PaymentsCore,
    customer: dict[str, Any],
    items: list[dict[str, Any]],
    method: str | None,
    metadata: dict[str, str],
    description: str | None,
    trial_end: int | None,
) -> dict[str, Any]:
    now = pay.now()
    subscription_id = pay.ids.new("sub")
    draft = {"items": {"data": [{"price": items[0]["price"]}]}}
    end = trial_end if trial_end is not None else renewals.next_period_end(draft, now)
    data = [
        {
            "id": pay.ids.new("si"),
            "object": "subscription_item",
            "billing_thresholds": None,
            "created": now,
            "current_period_end": end,
            "current_period_start": now,
            "discounts": [],
            "metadata": {},
            "price": item["price"],
            "quantity": item["quantity"],
            "subscription": subscription_id,
            "tax_rates": [],
        }
        for item in items
    ]
    return {
        "id": subscription_id,
        "object": "subscription",
        "application_fee_percent": None,
        "automatic_tax": {"enabled": False, "liability": None},
        "billing_cycle_anchor": end if trial_end is not None else now,
        "billing_thresholds": None,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically",
        "created": now,
        "currency": items[0]["price"]["currency"],
        "current_period_end": end,
        "current_period_start": now,
        "customer": customer["id"],
        "days_until_due": None,
        "default_payment_method": method,
        "default_source": None,
        "default_tax_rates": [],
        "description": description,
        "discount": None,
        "ended_at": None,
        "items": envelope(data, f"/v1/subscription_items?subscription={subscription_id}"),
        "latest_invoice": None,
        "livemode": False,
        "metadata": metadata,
        "next_pending_invoice_item_invoice": None,
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "schedule": None,
        "start_date": now,
        "status": "incomplete",
        "test_clock": customer.get("test_clock"),
        "transfer_data": None,
        "trial_end": trial_end,
        "trial_start": now if trial_end is not None else None,
    }


def _update(
    pay: PaymentsCore,
    subscription: dict[str, Any],
    p: Params,
    metadata: dict[str, str] | None,
    at_end: bool | None,
    method: str | None,
    coupon_id: str | None,
) -> dict[str, Any]:
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
        previous["cancel_at"] = subscription["cancel_at"]
        subscription["cancel_at_period_end"] = at_end
        subscription["cancel_at"] = subscription["current_period_end"] if at_end else None
    if coupon_id is not None:
        previous["discount"] = subscription["discount"]
        subscription["discount"] = coupons.redeem(
            pay, coupon_id, customer=subscription["customer"], subscription=subscription["id"], param="coupon"
        )
    return previous


def change_items(
    pay: PaymentsCore, subscription: dict[str, Any], new_items: list[dict[str, Any]], proration: str
) -> dict[str, Any]:
    """Move the subscription's first item to a new price (and quantity), prorating the rest of the period."""
    item = subscription["items"]["data"][0]
    old_price, old_quantity = item["price"], item["quantity"]
    new_price, new_quantity = new_items[0]["price"], new_items[0]["quantity"]
    if new_price["id"] == old_price["id"] and new_quantity == old_quantity:
        return {}
    if new_price["currency"] != subscription["currency"]:
        raise ApiError(400, "The new price must be in the subscription's currency.", param="items[0][price]")
    if not new_price.get("recurring"):
        raise ApiError(
            400, f"Price {new_price['id']} is one-off; a subscription needs a recurring price.", param="items[0][price]"
        )
    previous = {"items": envelope([dict(each) for each in subscription["items"]["data"]], subscription["items"]["url"])}
    now = pay.now()
    start, end = subscription["current_period_start"], subscription["current_period_end"]
    if proration != "none" and subscription["status"] != "trialing" and start < now < end:
        fraction = (end - now) / (end - start)
        customer = pay.get("customer", subscription["customer"])
        for price, quantity, sign, words in (
            (old_price, old_quantity, -1, "Unused time on"),
            (new_price, new_quantity, 1, "Remaining time on"),
        ):
            label = price.get("nickname") or price["id"]
            invoice_items.new(
                pay,
                customer=customer,
                amount=sign * round(price["unit_amount"] * quantity * fraction),
                currency=subscription["currency"],
                description=f"{words} {quantity} × {label} after {_date(now)}",
                period=(now, end),
                price=price,
                quantity=quantity,
                subscription=subscription["id"],
                proration=True,
            )
    item.update(price=new_price, quantity=new_quantity)
    if prices.plan_of(new_price) and subscription["metadata"].get("plan"):
        subscription["metadata"]["plan"] = str(prices.plan_of(new_price))
    return previous


def _invoice_prorations(pay: PaymentsCore, subscription: dict[str, Any]) -> None:
    """`always_invoice`: bill the prorations now, on an invoice of their own, and charge it."""
    customer = pay.get("customer", subscription["customer"])
    items = [i for i in billing.pending_items(pay, customer["id"], subscription["id"]) if i["proration"]]
    if not items:
        return
    now = pay.now()
    invoice = billing.draft(
        pay,
        customer,
        billing.item_lines(pay, items),
        currency=subscription["currency"],
        reason="subscription_update",
        period_start=now,
        period_end=now,
        subscription=subscription,
    )
    billing.insert(pay, invoice)
    billing.finalize(pay, invoice)
    card = billing.card_to_charge(pay, invoice)
    if invoice["status"] == "open" and card is not None:
        billing.attempt(pay, invoice, card)
    subscription["latest_invoice"] = invoice["id"]
    pay.db["subscription"].replace(subscription)


def _end_trial_now(pay: PaymentsCore, subscription: dict[str, Any], p: Params) -> dict[str, Any]:
    """`trial_end`: move the trial's end (a timestamp), or `now` to end it at the next renewal step."""
    if subscription["status"] != "trialing":
        raise ApiError(400, "Only a subscription in trial has a trial_end to change.", param="trial_end")
    value = p.raw("trial_end")
    moment = (
        pay.now()
        if value == "now"
        else p.integer("trial_end", minimum=pay.now() + 1, maximum=pay.now() + MAX_TRIAL_DAYS * 86400)
    )
    previous = {"trial_end": subscription["trial_end"], "current_period_end": subscription["current_period_end"]}
    subscription.update(trial_end=moment, current_period_end=moment, billing_cycle_anchor=moment)
    for item in subscription["items"]["data"]:
        item["current_period_end"] = moment
    return previous


def _date(moment: int) -> str:
    return datetime.fromtimestamp(moment, tz=timezone.utc).strftime("%d %b %Y")


def _trial_end(pay: PaymentsCore, p: Params, items: list[dict[str, Any]]) -> int | None:
    """When a new subscription's trial ends: `trial_end` (a timestamp), `trial_period_days`, or the price's."""
    now = pay.now()
    days = p.integer("trial_period_days", minimum=0, maximum=MAX_TRIAL_DAYS)
    if p.raw("trial_end") == "now":
        return None
    end = p.integer("trial_end", minimum=now + 3600, maximum=now + MAX_TRIAL_DAYS * 86400)
    if end is not None and days is not None:
        raise ApiError(400, "Give one of trial_end or trial_period_days, not both.", param="trial_end")
    if end is not None:
        return end
    if days is None:
        days = (items[0]["price"].get("recurring") or {}).get("trial_period_days")
    return now + days * 86400 if days else None


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
        inner = Params(
            item, ("price", "plan", "quantity", "metadata"), ignored=("id", "price_data", "tax_rates"), prefix=name
        )
        # A plan shares its price's id (plans.py), so `items[0][plan]` names the price.
        field = "plan" if "plan" in inner and "price" not in inner else "price"
        price_id = inner.string(field, required=True, max_length=200)
        price = prices.live(pay, str(price_id), param=f"{name}[{field}]")
        if not price.get("active", True):
            raise ApiError(
                400, f"Price {price_id} is archived (active=false); it cannot be subscribed to.", param=f"{name}[price]"
            )
        if not price.get("recurring"):
            raise ApiError(
                400,
                f"Price {price_id} is one-off; a subscription needs a recurring price (recurring[interval]=month).",
                param=f"{name}[price]",
            )
        quantity = inner.integer("quantity", minimum=1, maximum=10_000) or 1
        found.append({"price": pay.public(price), "quantity": quantity})
    currencies = {item["price"]["currency"] for item in found}
    if len(currencies) > 1:
        raise ApiError(400, "All items of a subscription must be in one currency.", param="items")
    return found
