"""Invoices as money: a subscription's invoice drafted and finalized, then charged to a card."""

from __future__ import annotations

from typing import Any

from ..jsonapi import envelope
from . import charges, customers
from .cards import Card
from .core import PaymentsCore

STATUSES = ("draft", "open", "paid", "uncollectible", "void")


def create(
    pay: PaymentsCore,
    subscription: dict[str, Any],
    *,
    reason: str,
    period_start: int,
    period_end: int,
    invoice_id: str | None = None,
) -> dict[str, Any]:
    """Draft and finalize a subscription's invoice (call inside a transaction); emits created and finalized."""
    now = pay.now()
    customer = pay.get("customer", subscription["customer"])
    invoice_id = invoice_id or pay.ids.new("in")
    lines = []
    for item in subscription["items"]["data"]:
        price = item["price"]
        amount = price["unit_amount"] * item["quantity"]
        lines.append(
            {
                "id": pay.ids.new("il"),
                "object": "line_item",
                "amount": amount,
                "currency": price["currency"],
                "description": f"{item['quantity']} × {price.get('nickname') or price['id']} (at ${price['unit_amount'] / 100:.2f} / month)",
                "metadata": {},
                "period": {"end": period_end, "start": period_start},
                "price": price,
                "quantity": item["quantity"],
                "subscription": subscription["id"],
                "type": "subscription",
            }
        )
    total = sum(line["amount"] for line in lines)
    invoice = {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": total,
        "amount_paid": 0,
        "amount_remaining": total,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": True,
        "billing_reason": reason,
        "charge": None,
        "collection_method": "charge_automatically",
        "created": now,
        "currency": subscription["currency"],
        "customer": subscription["customer"],
        "customer_email": customer.get("email"),
        "customer_name": customer.get("name"),
        "description": None,
        "hosted_invoice_url": None,
        "lines": envelope(lines, f"/v1/invoices/{invoice_id}/lines"),
        "livemode": False,
        "metadata": dict(subscription["metadata"]),
        "number": f"HOOK-{pay.store.next_value('invoice-number'):04d}",
        "paid": False,
        "payment_intent": None,
        "period_end": period_end,
        "period_start": period_start,
        "status": "draft",
        "status_transitions": {"finalized_at": None, "paid_at": None, "voided_at": None},
        "subscription": subscription["id"],
        "subtotal": total,
        "total": total,
    }
    pay.db["invoice"].insert(invoice, created=now)
    pay.emit("invoice.created", invoice)
    invoice["status"] = "open"
    invoice["status_transitions"]["finalized_at"] = now
    pay.db["invoice"].replace(invoice)
    pay.emit("invoice.finalized", invoice)
    return invoice


def attempt(pay: PaymentsCore, invoice: dict[str, Any], card: Card) -> dict[str, Any]:
    """Charge the card for an open invoice (inside a transaction); returns the charge."""
    made = charges.charge(
        pay,
        amount=invoice["amount_due"],
        currency=invoice["currency"],
        customer=invoice["customer"],
        card=card,
        invoice=invoice["id"],
        metadata=invoice["metadata"],
        description=f"Invoice {invoice['number']}",
    )
    invoice["attempt_count"] += 1
    invoice["attempted"] = True
    invoice["charge"] = made["id"]
    if made["paid"]:
        invoice.update(status="paid", paid=True, amount_paid=invoice["amount_due"], amount_remaining=0)
        invoice["status_transitions"]["paid_at"] = pay.now()
        pay.db["invoice"].replace(invoice)
        pay.emit("invoice.paid", invoice)
        pay.emit("invoice.payment_succeeded", invoice)
    else:
        pay.db["invoice"].replace(invoice)
        pay.emit("invoice.payment_failed", invoice)
    return made


def payment_method_for(pay: PaymentsCore, invoice: dict[str, Any], given: str | None = None) -> str | None:
    """The card to charge: the one given, else the subscription's default, else the customer's."""
    if given:
        return given
    if invoice.get("subscription"):
        subscription = pay.db["subscription"].get(invoice["subscription"])
        if subscription and subscription.get("default_payment_method"):
            return str(subscription["default_payment_method"])
    customer = pay.db["customer"].get(invoice["customer"])
    return customers.default_payment_method(customer) if customer else None
