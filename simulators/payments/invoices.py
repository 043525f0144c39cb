"""Invoices: made by subscriptions (at creation and each renewal), paid at once or with `POST /v1/invoices/{id}/pay`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, Response

from ..errors import ApiError
from . import cards, charges, customers, httpapi, listing
from .cards import Card

if TYPE_CHECKING:
    from .system import PaymentsSystem

STATUSES = ("draft", "open", "paid", "uncollectible", "void")


def create(
    pay: PaymentsSystem,
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
        "lines": listing.envelope(lines, f"/v1/invoices/{invoice_id}/lines"),
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


def attempt(pay: PaymentsSystem, invoice: dict[str, Any], card: Card) -> dict[str, Any]:
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


def payment_method_for(pay: PaymentsSystem, invoice: dict[str, Any], given: str | None = None) -> str | None:
    """The card to charge: the one given, else the subscription's default, else the customer's."""
    if given:
        return given
    if invoice.get("subscription"):
        subscription = pay.db["subscription"].get(invoice["subscription"])
        if subscription and subscription.get("default_payment_method"):
            return str(subscription["default_payment_method"])
    customer = pay.db["customer"].get(invoice["customer"])
    return customers.default_payment_method(customer) if customer else None


def init_app(app: Flask, pay: PaymentsSystem) -> None:
    from . import subscriptions  # subscriptions import this module

    @app.get("/v1/invoices")
    def list_invoices() -> Response:
        p = httpapi.params((*listing.LIST_PARAMS, "customer", "subscription", "status", "collection_method"))
        where = (
            listing.Where()
            .created(p)
            .field("customer", p.string("customer", max_length=200))
            .field("subscription", p.string("subscription", max_length=200))
            .field("status", p.string("status", choices=STATUSES))
        )
        return pay.render_list("invoice", p, url="/v1/invoices", where=where)

    @app.get("/v1/invoices/<invoice_id>")
    def get_invoice(invoice_id: str) -> Response:
        return pay.retrieve("invoice", invoice_id)

    @app.post("/v1/invoices/<invoice_id>/pay")
    def pay_invoice(invoice_id: str) -> Response:
        p = httpapi.params(
            ("payment_method",), ignored=("off_session", "forgive", "paid_out_of_band", "source", "mandate")
        )
        paths = p.expand()
        given = p.string("payment_method", max_length=200)
        with pay.store.transaction():
            invoice = pay.get("invoice", invoice_id)
            if invoice["status"] == "paid":
                raise ApiError(400, "Invoice is already paid.", code="invoice_unexpected_state")
            if invoice["status"] != "open":
                raise ApiError(
                    400,
                    f"You can only pay an open invoice; this one is {invoice['status']}.",
                    code="invoice_unexpected_state",
                )
            method = payment_method_for(pay, invoice, given)
            if method is None:
                raise ApiError(
                    400,
                    "This customer has no default payment method; pass payment_method, such as pm_card_visa.",
                    code="invoice_no_customer_payment_method",
                    param="payment_method",
                )
            card = cards.card(method)
            made = attempt(pay, invoice, card)
            if made["paid"]:
                subscriptions.invoice_paid(pay, invoice)
        if not made["paid"]:
            raise charges.card_error(card, charge_id=made["id"])
        return pay.render(invoice, paths)
