"""Charges (one per payment attempt) and refunds (which emit `charge.refunded`)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response

from ..errors import ApiError
from . import httpapi
from .cards import Card
from .core import PaymentsCore
from .params import merge_metadata

REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def charge(
    pay: PaymentsCore,
    *,
    amount: int,
    currency: str,
    customer: str | None,
    card: Card,
    payment_intent: str | None = None,
    invoice: str | None = None,
    metadata: dict[str, str] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """Charge a test card (call inside a transaction); emits charge.succeeded or charge.failed."""
    now = pay.now()
    paid = not card.declines
    record = {
        "id": pay.ids.new("ch"),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount if paid else 0,
        "amount_refunded": 0,
        "balance_transaction": None,
        "captured": paid,
        "created": now,
        "currency": currency,
        "customer": customer,
        "description": description,
        "failure_code": None if paid else card.code,
        "failure_message": None if paid else card.message,
        "invoice": invoice,
        "livemode": False,
        "metadata": dict(metadata or {}),
        "outcome": {
            "network_status": "approved_by_network" if paid else "declined_by_network",
            "reason": card.decline_code,
            "risk_level": "normal",
            "seller_message": "Payment complete."
            if paid
            else "The bank did not return any further details with this decline.",
            "type": "authorized" if paid else "issuer_declined",
        },
        "paid": paid,
        "payment_intent": payment_intent,
        "payment_method": card.id,
        "payment_method_details": {"card": {"brand": card.brand, "last4": card.last4}, "type": "card"},
        "refunded": False,
        "status": "succeeded" if paid else "failed",
    }
    pay.db["charge"].insert(record, created=now)
    pay.emit("charge.succeeded" if paid else "charge.failed", record)
    return record


def card_error(card: Card, *, charge_id: str, **extra: Any) -> ApiError:
    """The 402 a decline answers with (extra: the payment_intent, say)."""
    return ApiError(
        402,
        card.message,
        code=card.code,
        decline_code=card.decline_code,
        charge=charge_id,
        doc_url=f"https://stripe.com/docs/error-codes/{card.code.replace('_', '-')}",
        **extra,
    )


def last_payment_error(card: Card, charge_id: str) -> dict[str, Any]:
    return {
        "charge": charge_id,
        "code": card.code,
        "decline_code": card.decline_code,
        "doc_url": f"https://stripe.com/docs/error-codes/{card.code.replace('_', '-')}",
        "message": card.message,
        "payment_method": card.as_payment_method(None, 0),
        "type": "card_error",
    }


def fully_refunded(pay: PaymentsCore, payment_intent: dict[str, Any]) -> bool:
    charge_id = payment_intent.get("latest_charge")
    found = pay.db["charge"].get(charge_id) if charge_id else None
    return bool(found and found["refunded"])


def refund(
    pay: PaymentsCore,
    record: dict[str, Any],
    amount: int | None,
    *,
    reason: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Refund (part of) a charge; emits refund.created and charge.refunded."""
    if record["status"] != "succeeded":
        raise ApiError(
            400, f"Charge {record['id']} did not succeed, so there is nothing to refund.", code="charge_not_refundable"
        )
    left = record["amount"] - record["amount_refunded"]
    if left <= 0:
        raise ApiError(400, f"Charge {record['id']} has already been refunded.", code="charge_already_refunded")
    amount = left if amount is None else amount
    if amount > left:
        raise ApiError(
            400,
            f"Refund amount ({amount}) is greater than the unrefunded amount on the charge ({left}).",
            code="amount_too_large",
            param="amount",
        )
    now = pay.now()
    with pay.store.transaction():
        made = {
            "id": pay.ids.new("re"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": None,
            "charge": record["id"],
            "created": now,
            "currency": record["currency"],
            "metadata": merge_metadata({}, metadata),
            "payment_intent": record["payment_intent"],
            "reason": reason,
            "status": "succeeded",
        }
        pay.db["refund"].insert(made, created=now)
        pay.emit("refund.created", made)
        previous = {"amount_refunded": record["amount_refunded"], "refunded": record["refunded"]}
        record["amount_refunded"] += amount
        record["refunded"] = record["amount_refunded"] >= record["amount"]
        pay.db["charge"].replace(record)
        pay.emit("charge.refunded", record, previous)
    return made


def init_app(app: Flask, pay: PaymentsCore) -> None:
    @app.post("/v1/refunds")
    def create_refund() -> Response:
        p = httpapi.params(
            ("payment_intent", "charge", "amount", "reason", "metadata"),
            ignored=("refund_application_fee", "reverse_transfer", "instructions_email"),
        )
        paths = p.expand()
        intent_id = p.string("payment_intent", max_length=200)
        charge_id = p.string("charge", max_length=200)
        amount = p.integer("amount", minimum=1)
        reason = p.string("reason", choices=REFUND_REASONS)
        metadata = p.metadata()
        if (intent_id is None) == (charge_id is None):
            raise ApiError(
                400, "Give exactly one of charge or payment_intent: the payment to refund.", param="payment_intent"
            )
        with pay.store.transaction():
            if intent_id is not None:
                intent = pay.get("payment_intent", intent_id, param="payment_intent")
                if intent["status"] != "succeeded" or not intent["latest_charge"]:
                    raise ApiError(
                        400,
                        f"PaymentIntent {intent_id} has status {intent['status']}; only a succeeded "
                        "payment can be refunded.",
                        code="charge_not_refundable",
                        param="payment_intent",
                    )
                record = pay.get("charge", intent["latest_charge"])
            else:
                record = pay.get("charge", str(charge_id), param="charge")
            made = refund(pay, record, amount, reason=reason, metadata=metadata)
        return pay.render(made, paths)
