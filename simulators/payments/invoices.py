"""Invoices: made by subscriptions (at creation and each renewal), paid at once or with `POST /v1/invoices/{id}/pay`.

Listing and retrieving them is in `listing.py`'s table; drafting and charging in `billing.py`.
"""

from __future__ import annotations

from flask import Flask, Response

from ..errors import ApiError
from . import billing, cards, charges, httpapi, renewals
from .core import PaymentsCore


def init_app(app: Flask, pay: PaymentsCore) -> None:
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
            method = billing.payment_method_for(pay, invoice, given)
            if method is None:
                raise ApiError(
                    400,
                    "This customer has no default payment method; pass payment_method, such as pm_card_visa.",
                    code="invoice_no_customer_payment_method",
                    param="payment_method",
                )
            card = cards.card(method, pay=pay)
            made = billing.attempt(pay, invoice, card)
            if made["paid"]:
                renewals.invoice_paid(pay, invoice)
        if not made["paid"]:
            raise charges.card_error(card, charge_id=made["id"])
        return pay.render(invoice, paths)
