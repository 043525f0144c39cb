"""Invoices as money: drafted from subscription items and pending invoice items, discounted, finalized, charged.

An invoice is charged through a PaymentIntent (`payment_intents.start`), as
Stripe does since 2019: the intent carries the charge, and the invoice records
both. Voiding and marking uncollectible end an open invoice without money.
"""

from __future__ import annotations

from typing import Any

from ...errors import ApiError
from ...jsonapi import envelope
from .. import cards, customers, payment_intents
from ..core import PaymentsCore
from . import coupons

STATUSES = ("draft", "open", "paid", "uncollectible", "void")


def line(
    pay: PaymentsCore,
    *,
    amount: int,
    currency: str,
    description: str,
    period_start: int,
    period_end: int,
    kind: str,
    price: dict[str, Any] | None = None,
    quantity: int | None = None,
    subscription: str | None = None,
    invoice_item: str | None = None,
    proration: bool = False,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One invoice line, in the shape of Stripe's `line_item` (`invoice_item` only on an invoice item's line)."""
    made = {
        "id": pay.ids.new("il"),
        "object": "line_item",
        "amount": amount,
        "amount_excluding_tax": amount,
        "currency": currency,
        "description": description,
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "invoice_item": invoice_item,
        "livemode": False,
        "metadata": dict(metadata or {}),
        "period": {"end": period_end, "start": period_start},
        "price": price,
        "proration": proration,
        "proration_details": {"credited_items": None},
        "quantity": quantity,
        "subscription": subscription,
        "tax_amounts": [],
        "tax_rates": [],
        "type": kind,
    }
    if invoice_item is None:
        del made["invoice_item"]
    return made


def subscription_lines(
    pay: PaymentsCore, subscription: dict[str, Any], period_start: int, period_end: int, *, trial: bool = False
) -> list[dict[str, Any]]:
    """A line per subscription item for one period (free while the subscription is in trial)."""
    found = []
    for item in subscription["items"]["data"]:
        price = item["price"]
        unit = 0 if trial else price["unit_amount"]
        interval = (price.get("recurring") or {}).get("interval", "month")
        label = price.get("nickname") or price["id"]
        what = (
            f"Trial period for {label}"
            if trial
            else f"{item['quantity']} × {label} (at ${unit / 100:.2f} / {interval})"
        )
        found.append(
            line(
                pay,
                amount=unit * item["quantity"],
                currency=price["currency"],
                description=what,
                period_start=period_start,
                period_end=period_end,
                kind="subscription",
                price=price,
                quantity=item["quantity"],
                subscription=subscription["id"],
            )
        )
    return found


def item_lines(pay: PaymentsCore, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A line per invoice item."""
    return [
        line(
            pay,
            amount=item["amount"],
            currency=item["currency"],
            description=item["description"] or "Invoice item",
            period_start=item["period"]["start"],
            period_end=item["period"]["end"],
            kind="invoiceitem",
            price=item["price"],
            quantity=item["quantity"],
            subscription=item["subscription"],
            invoice_item=item["id"],
            proration=item["proration"],
            metadata=item["metadata"],
        )
        for item in items
    ]


def pending_items(pay: PaymentsCore, customer_id: str, subscription_id: str | None = None) -> list[dict[str, Any]]:
    """Invoice items not yet on an invoice, oldest first (for one subscription, or the customer's own)."""
    return [
        item
        for item in pay.db["invoiceitem"].find(customer=customer_id)
        if item.get("invoice") is None
        and not item.get("deleted")
        and (subscription_id is None or item.get("subscription") in (None, subscription_id))
    ]


def draft(
    pay: PaymentsCore,
    customer: dict[str, Any],
    lines: list[dict[str, Any]],
    *,
    currency: str,
    reason: str,
    period_start: int,
    period_end: int,
    subscription: dict[str, Any] | None = None,
    discount: dict[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
    description: str | None = None,
    auto_advance: bool = True,
    invoice_id: str | None = None,
) -> dict[str, Any]:
    """An invoice document in Stripe's shape, totals worked out, not stored (a preview is this, unsaved)."""
    now = pay.now()
    invoice_id = invoice_id or pay.ids.new("in")
    for each in lines:
        each["invoice"] = invoice_id
    subtotal = sum(each["amount"] for each in lines)
    off = coupons.amount_off(discount, subtotal)
    if discount is not None and off:
        _spread_discount(lines, discount, off)
    total = subtotal - off
    return {
        "id": invoice_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "hooklab",
        "amount_due": max(total, 0),
        "amount_paid": 0,
        "amount_remaining": max(total, 0),
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": auto_advance,
        "automatic_tax": {"enabled": False, "status": None},
        "billing_reason": reason,
        "charge": None,
        "collection_method": "charge_automatically",
        "created": now,
        "currency": currency,
        "customer": customer["id"],
        "customer_email": customer.get("email"),
        "customer_name": customer.get("name"),
        "default_payment_method": None,
        "default_tax_rates": [],
        "description": description,
        "discount": discount,
        "discounts": [discount["id"]] if discount else [],
        "ending_balance": None,
        "hosted_invoice_url": None,
        "lines": envelope(lines, f"/v1/invoices/{invoice_id}/lines"),
        "livemode": False,
        "metadata": dict(metadata if metadata is not None else (subscription or {}).get("metadata", {})),
        "next_payment_attempt": None,
        "number": None,
        "paid": False,
        "paid_out_of_band": False,
        "payment_intent": None,
        "payment_settings": {"default_mandate": None, "payment_method_options": None, "payment_method_types": None},
        "period_end": period_end,
        "period_start": period_start,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "starting_balance": 0,
        "status": "draft",
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subscription": subscription["id"] if subscription else None,
        "subtotal": subtotal,
        "subtotal_excluding_tax": subtotal,
        "tax": None,
        "test_clock": customer.get("test_clock"),
        "total": total,
        "total_discount_amounts": [{"amount": off, "discount": discount["id"]}] if discount and off else [],
        "total_excluding_tax": total,
        "total_tax_amounts": [],
        "webhooks_delivered_at": None,
    }


def redraft(
    pay: PaymentsCore,
    invoice: dict[str, Any],
    *,
    lines: list[dict[str, Any]] | None = None,
    discount: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A draft worked out again with other lines or another discount, keeping everything else it had."""
    redone = draft(
        pay,
        pay.get("customer", invoice["customer"]),
        invoice["lines"]["data"] if lines is None else lines,
        currency=invoice["currency"],
        reason=invoice["billing_reason"],
        period_start=invoice["period_start"],
        period_end=invoice["period_end"],
        discount=invoice["discount"] if discount is None else discount,
        metadata=invoice["metadata"],
        description=invoice["description"],
        auto_advance=invoice["auto_advance"],
        invoice_id=invoice["id"],
    )
    redone.update(
        created=invoice["created"],
        subscription=invoice["subscription"],
        default_payment_method=invoice["default_payment_method"],
    )
    return redone


def _spread_discount(lines: list[dict[str, Any]], discount: dict[str, Any], off: int) -> None:
    """Share a discount over the discountable lines in proportion, the last line taking the rounding."""
    positive = [each for each in lines if each["discountable"] and each["amount"] > 0]
    base = sum(each["amount"] for each in positive) or 1
    left = off
    for index, each in enumerate(positive):
        share = left if index == len(positive) - 1 else round(off * each["amount"] / base)
        left -= share
        each["discount_amounts"] = [{"amount": share, "discount": discount["id"]}]
        each["discounts"] = [discount["id"]]


def insert(pay: PaymentsCore, invoice: dict[str, Any]) -> dict[str, Any]:
    """Store a drafted invoice, claim its invoice items, emit `invoice.created` (inside a transaction)."""
    pay.db["invoice"].insert(invoice, created=invoice["created"])
    for each in invoice["lines"]["data"]:
        if each.get("invoice_item"):
            item = pay.db["invoiceitem"].get(each["invoice_item"])
            if item is not None:
                item["invoice"] = invoice["id"]
                pay.db["invoiceitem"].replace(item)
    pay.emit("invoice.created", invoice)
    return invoice


def finalize(pay: PaymentsCore, invoice: dict[str, Any]) -> None:
    """Draft → open (an invoice of nothing is paid at once); emits `invoice.finalized`."""
    invoice["status"] = "open"
    invoice["number"] = f"HOOK-{pay.store.next_value('invoice-number'):04d}"
    invoice["status_transitions"]["finalized_at"] = pay.now()
    invoice["ending_balance"] = 0
    pay.db["invoice"].replace(invoice)
    pay.emit("invoice.finalized", invoice)
    if invoice["amount_due"] == 0:
        mark_paid(pay, invoice)


def create(
    pay: PaymentsCore,
    subscription: dict[str, Any],
    *,
    reason: str,
    period_start: int,
    period_end: int,
    invoice_id: str | None = None,
    trial: bool = False,
) -> dict[str, Any]:
    """Draft and finalize a subscription's invoice with its pending items (inside a transaction)."""
    customer = pay.get("customer", subscription["customer"])
    lines = subscription_lines(pay, subscription, period_start, period_end, trial=trial)
    lines += item_lines(pay, pending_items(pay, customer["id"], subscription["id"]))
    invoice = draft(
        pay,
        customer,
        lines,
        currency=subscription["currency"],
        reason=reason,
        period_start=period_start,
        period_end=period_end,
        subscription=subscription,
        discount=coupons.live_discount(pay, subscription.get("discount")),
        invoice_id=invoice_id,
    )
    insert(pay, invoice)
    finalize(pay, invoice)
    return invoice


def mark_paid(pay: PaymentsCore, invoice: dict[str, Any], *, out_of_band: bool = False) -> None:
    invoice.update(status="paid", paid=True, amount_paid=invoice["amount_due"], amount_remaining=0)
    invoice["paid_out_of_band"] = out_of_band
    invoice["next_payment_attempt"] = None
    invoice["status_transitions"]["paid_at"] = pay.now()
    pay.db["invoice"].replace(invoice)
    pay.emit("invoice.paid", invoice)
    pay.emit("invoice.payment_succeeded", invoice)


def attempt(pay: PaymentsCore, invoice: dict[str, Any], card: cards.Card) -> dict[str, Any] | None:
    """Charge the card for an open invoice through a PaymentIntent (inside a transaction); returns the charge.

    None when the card asks for 3-D Secure first: the intent waits in `requires_action` and the invoice
    stays open, as Stripe's does, with `invoice.payment_action_required`.
    """
    intent = pay.db["payment_intent"].get(invoice["payment_intent"]) if invoice["payment_intent"] else None
    if intent is None:
        intent = payment_intents.start(
            pay,
            amount=invoice["amount_due"],
            currency=invoice["currency"],
            customer=invoice["customer"],
            metadata=invoice["metadata"],
            description=f"Invoice {invoice['number']}",
            invoice=invoice["id"],
        )
        invoice["payment_intent"] = intent["id"]
    payment_intents.confirm(pay, intent, card)
    invoice["attempt_count"] += 1
    invoice["attempted"] = True
    if intent["status"] == "requires_action":
        pay.db["invoice"].replace(invoice)
        pay.emit("invoice.payment_action_required", invoice)
        return None
    made = pay.get("charge", intent["latest_charge"])
    made["invoice"] = invoice["id"]
    pay.db["charge"].replace(made)
    invoice["charge"] = made["id"]
    if made["paid"]:
        mark_paid(pay, invoice)
    else:
        pay.db["invoice"].replace(invoice)
        pay.emit("invoice.payment_failed", invoice)
    return made


def end_unpaid(pay: PaymentsCore, invoice: dict[str, Any], status: str) -> None:
    """Open → void or uncollectible; emits `invoice.voided` or `invoice.marked_uncollectible`."""
    field = "voided_at" if status == "void" else "marked_uncollectible_at"
    invoice["status"] = status
    invoice["status_transitions"][field] = pay.now()
    invoice["next_payment_attempt"] = None
    if status == "void":
        invoice["amount_remaining"] = 0
    pay.db["invoice"].replace(invoice)
    pay.emit("invoice.voided" if status == "void" else "invoice.marked_uncollectible", invoice)


def card_to_charge(pay: PaymentsCore, invoice: dict[str, Any]) -> cards.Card | None:
    """The card a clock job charges for an invoice, or None when there is none it can use."""
    method = payment_method_for(pay, invoice)
    if method is None:
        return None
    try:
        return cards.card(method, pay=pay)
    except ApiError:  # a payment method that no longer exists: the attempt fails, as Stripe's would
        return None


def payment_method_for(pay: PaymentsCore, invoice: dict[str, Any], given: str | None = None) -> str | None:
    """The card to charge: the one given, else the subscription's default, else the customer's."""
    if given:
        return given
    if invoice.get("default_payment_method"):
        return str(invoice["default_payment_method"])
    if invoice.get("subscription"):
        subscription = pay.db["subscription"].get(invoice["subscription"])
        if subscription and subscription.get("default_payment_method"):
            return str(subscription["default_payment_method"])
    customer = pay.db["customer"].get(invoice["customer"])
    return customers.default_payment_method(customer) if customer else None
