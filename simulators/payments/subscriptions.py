"""Subscriptions: create (the first invoice is paid at once), update, cancel with DELETE, renew monthly.

Renewals run on the lab clock at each period's end: a new invoice, charged to
the default payment method (`invoice.paid`, or `invoice.payment_failed` and
`past_due`). Unless told otherwise, a subscription's metadata carries its
plan (`metadata[plan]`), which its invoices copy, so a handler reading
`invoice.paid` knows what was bought.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from flask import Flask, Response

from ..errors import ApiError
from . import cards, charges, customers, httpapi, invoices, listing, prices
from .params import Params, merge_metadata

if TYPE_CHECKING:
    from .system import PaymentsSystem

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


def add_month(timestamp: int) -> int:
    """The same moment one calendar month later (clamped to the month's last day)."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def init_app(app: Flask, pay: PaymentsSystem) -> None:
    @app.post("/v1/subscriptions")
    def create_subscription() -> Response:
        p = httpapi.params(_FIELDS, _IGNORED)
        paths = p.expand()
        customer_id = p.string("customer", required=True, max_length=200)
        items = _items(pay, p)
        method = p.string("default_payment_method", max_length=200)
        if method:
            cards.card(method, "default_payment_method")
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
            card = cards.card(charge_with) if charge_with and charge_now else None
            subscription = _new(pay, customer, items, method, metadata, description)
            # The card's outcome is known in advance, so the created event already shows the status it ends in.
            subscription["status"] = "active" if card is not None and not card.declines else "incomplete"
            subscription["latest_invoice"] = invoice_id = pay.ids.new("in")
            pay.db["subscription"].insert(subscription, created=subscription["created"])
            pay.emit("customer.subscription.created", subscription)
            invoice = invoices.create(
                pay,
                subscription,
                invoice_id=invoice_id,
                reason="subscription_create",
                period_start=subscription["current_period_start"],
                period_end=subscription["current_period_end"],
            )
            if card is not None:
                invoices.attempt(pay, invoice, card)
                if card.declines and behavior == "error_if_incomplete":
                    raise charges.card_error(
                        card, charge_id=str(invoice["charge"])
                    )  # rolls the whole subscription back
        if subscription["status"] == "active":
            schedule_renewal(pay, subscription)
        return pay.render(subscription, paths)

    @app.get("/v1/subscriptions")
    def list_subscriptions() -> Response:
        p = httpapi.params((*listing.LIST_PARAMS, "customer", "price", "status"))
        where = listing.Where().created(p).field("customer", p.string("customer", max_length=200))
        status = p.string("status", choices=(*STATUSES, "all", "ended"))
        if status is None:
            where.raw("json_extract(body, '$.status') != 'canceled'")
        elif status == "ended":
            where.raw("json_extract(body, '$.status') IN ('canceled', 'incomplete_expired')")
        elif status != "all":
            where.field("status", status)
        price = p.string("price", max_length=200)
        if price:
            where.raw(
                "EXISTS (SELECT 1 FROM json_each(json_extract(body, '$.items.data')) AS item"
                " WHERE json_extract(item.value, '$.price.id') = ?)",
                price,
            )
        return pay.render_list("subscription", p, url="/v1/subscriptions", where=where)

    @app.get("/v1/subscriptions/<subscription_id>")
    def get_subscription(subscription_id: str) -> Response:
        return pay.retrieve("subscription", subscription_id)

    @app.post("/v1/subscriptions/<subscription_id>")
    def update_subscription(subscription_id: str) -> Response:
        p = httpapi.params(("metadata", "description", "default_payment_method", "cancel_at_period_end"), _IGNORED)
        paths = p.expand()
        metadata = p.metadata()
        at_end = p.boolean("cancel_at_period_end")
        method = p.string("default_payment_method", max_length=200)
        if method:
            cards.card(method, "default_payment_method")
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
            cancel(pay, subscription)
        return pay.render(subscription, paths)


def cancel(pay: PaymentsSystem, subscription: dict[str, Any]) -> None:
    now = pay.now()
    subscription.update(status="canceled", canceled_at=now, ended_at=now, cancel_at_period_end=False)
    pay.db["subscription"].replace(subscription)
    pay.emit("customer.subscription.deleted", subscription)


def invoice_paid(pay: PaymentsSystem, invoice: dict[str, Any]) -> None:
    """An invoice paid late (`/pay`) brings its incomplete or past-due subscription back to active."""
    if not invoice.get("subscription"):
        return
    subscription = pay.db["subscription"].get(invoice["subscription"])
    if subscription is None or subscription["status"] not in ("incomplete", "past_due", "unpaid"):
        return
    was_incomplete = subscription["status"] == "incomplete"
    _set_status(pay, subscription, "active")
    if was_incomplete:  # a past-due one already has its renewal on the clock
        schedule_renewal(pay, subscription)


def schedule_renewals(pay: PaymentsSystem) -> None:
    """Put every live subscription's next renewal on the clock (at start, and after a restart)."""
    for subscription in pay.db["subscription"].find():
        if subscription["status"] in ("active", "past_due", "trialing"):
            schedule_renewal(pay, subscription)


def schedule_renewal(pay: PaymentsSystem, subscription: dict[str, Any]) -> None:
    due = subscription["current_period_end"]
    subscription_id = subscription["id"]
    pay.clock.call_at(due, lambda: renew(pay, subscription_id, due), name=f"payments: renew {subscription_id}")


def renew(pay: PaymentsSystem, subscription_id: str, due: int) -> None:
    """Start the next period: invoice it and charge the default payment method (a clock job)."""
    if not pay._alive:
        return  # stopped: the restart schedules renewals again from the store
    with pay.store.transaction():
        subscription = pay.db["subscription"].get(subscription_id)
        if subscription is None or subscription["status"] == "canceled" or subscription["current_period_end"] != due:
            return
        if subscription["cancel_at_period_end"]:
            cancel(pay, subscription)
            return
        previous = {
            "current_period_start": subscription["current_period_start"],
            "current_period_end": subscription["current_period_end"],
            "status": subscription["status"],
        }
        start, end = due, add_month(due)
        subscription.update(current_period_start=start, current_period_end=end)
        for item in subscription["items"]["data"]:
            item.update(current_period_start=start, current_period_end=end)
        invoice = invoices.create(pay, subscription, reason="subscription_cycle", period_start=start, period_end=end)
        subscription["latest_invoice"] = invoice["id"]
        method = invoices.payment_method_for(pay, invoice)
        paid = method is not None and invoices.attempt(pay, invoice, cards.card(method))["paid"]
        subscription["status"] = "active" if paid else "past_due"
        pay.db["subscription"].replace(subscription)
        pay.emit("customer.subscription.updated", subscription, previous)
    schedule_renewal(pay, subscription)


def _set_status(pay: PaymentsSystem, subscription: dict[str, Any], status: str) -> None:
    previous = {"status": subscription["status"]}
    subscription["status"] = status
    pay.db["subscription"].replace(subscription)
    if previous["status"] != status:
        pay.emit("customer.subscription.updated", subscription, previous)


def _new(
    pay: PaymentsSystem,
    customer: dict[str, Any],
    items: list[dict[str, Any]],
    method: str | None,
    metadata: dict[str, str],
    description: str | None,
) -> dict[str, Any]:
    now = pay.now()
    end = add_month(now)
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
        "items": listing.envelope(data, f"/v1/subscription_items?subscription={subscription_id}"),
        "latest_invoice": None,
        "livemode": False,
        "metadata": metadata,
        "start_date": now,
        "status": "incomplete",
    }


def _items(pay: PaymentsSystem, p: Params) -> list[dict[str, Any]]:
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
