"""Charges (one per payment attempt) and refunds (which emit `charge.refunded`)."""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, Response

from ..errors import ApiError
from . import cards, customers, saved_methods
from .cards import EMPTY_BILLING, Card
from .cards import card_error as card_error  # subscriptions and invoices answer declines with it
from .core import PaymentsCore, asked, current
from .http import httpapi
from .http.params import merge_metadata
from .http.query import LIST_PARAMS, Where
from .resource import Resource, field

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
    capture: bool = True,
    receipt_email: str | None = None,
) -> dict[str, Any]:
    """Charge a test card (call inside a transaction); emits charge.succeeded or charge.failed.

    With `capture=False` the card is only authorized: the charge succeeds uncaptured
    (`captured: false`, `amount_captured: 0`) until `capture()` or `release()`.
    """
    now = pay.now()
    paid = not card.declines
    stored = card.stored or {}
    is_token = stored.get("object") == "token"
    record = {
        "id": pay.ids.new("ch"),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount if paid and capture else 0,
        "amount_refunded": 0,
        "balance_transaction": None,
        "billing_details": copy.deepcopy(stored.get("billing_details") or EMPTY_BILLING),
        "captured": paid and capture,
        "created": now,
        "currency": currency,
        "customer": customer,
        "description": description,
        "disputed": False,
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
        "payment_method": stored["card"]["id"] if is_token else card.id,
        "payment_method_details": card.charge_details(),
        "receipt_email": receipt_email,
        "refunded": False,
        "status": "succeeded" if paid else "failed",
    }
    pay.db["charge"].insert(record, created=now)
    pay.emit("charge.succeeded" if paid else "charge.failed", record)
    return record


def capture(pay: PaymentsCore, record: dict[str, Any], amount: int | None, *, param: str = "amount") -> dict[str, Any]:
    """Capture (part of) an authorized charge (inside a transaction); the rest is released. Emits charge.captured."""
    if record["captured"] or record["status"] != "succeeded" or record["refunded"]:
        state = "has already been captured" if record["captured"] else "cannot be captured"
        raise ApiError(400, f"Charge {record['id']} {state}.", code="charge_already_captured")
    amount = record["amount"] if amount is None else amount
    if amount > record["amount"]:
        raise ApiError(
            400,
            f"The amount to capture ({amount}) must be less than or equal to the amount authorized "
            f"({record['amount']}).",
            code="amount_too_large",
            param=param,
        )
    previous = {key: record[key] for key in ("amount_captured", "amount_refunded", "captured")}
    # Stripe releases what is not captured: it shows as refunded, and the charge is not `refunded` unless all was.
    record.update(captured=True, amount_captured=amount, amount_refunded=record["amount"] - amount)
    pay.db["charge"].replace(record)
    pay.emit("charge.captured", record, previous)
    return record


def release(pay: PaymentsCore, record: dict[str, Any]) -> None:
    """Release an uncaptured authorization (a canceled PaymentIntent); emits charge.refunded."""
    previous = {"amount_refunded": record["amount_refunded"], "refunded": record["refunded"]}
    record.update(amount_refunded=record["amount"], refunded=True)
    pay.db["charge"].replace(record)
    pay.emit("charge.refunded", record, previous)


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
    if not record["captured"]:
        raise ApiError(
            400,
            f"Charge {record['id']} is not captured yet: capture it, or cancel its PaymentIntent to release it.",
            code="charge_not_refundable",
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


_CHARGE_IGNORED = ("statement_descriptor", "statement_descriptor_suffix", "shipping", "transfer_group", "on_behalf_of")


RESOURCES = (
    Resource(
        kind="charge",
        prefix="ch",
        url="/v1/charges",
        events=(
            "charge.captured",
            "charge.failed",
            "charge.refund.updated",
            "charge.refunded",
            "charge.succeeded",
            "charge.updated",
        ),
        filters=(field("customer"), field("payment_intent")),
    ),
    Resource(
        kind="refund",
        prefix="re",
        url="/v1/refunds",
        events=("refund.created", "refund.updated"),
        filters=(field("charge"), field("payment_intent")),
    ),
)
bp = Blueprint("charges", __name__)


def show_refunds(pay: PaymentsCore, doc: dict[str, Any], shown: dict[str, Any]) -> None:
    """A charge shows its refunds, as a list of its own."""
    found = pay.db["refund"].find(True, charge=doc["id"])
    shown["refunds"] = {
        "object": "list",
        "data": [pay.public(item) for item in found],
        "has_more": False,
        "total_count": len(found),
        "url": f"/v1/charges/{doc['id']}/refunds",
    }


@bp.post("/v1/charges")
def create_charge() -> Response:
    pay, p, paths = asked(
        ("amount", "currency", "source", "customer", "capture", "description", "metadata", "receipt_email"),
        _CHARGE_IGNORED,
    )
    currency = (p.string("currency", required=True, max_length=10) or "").lower()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        raise ApiError(400, f"Invalid currency: {currency[:20]!r}. Use a code such as usd.", param="currency")
    amount = p.integer("amount", required=True, minimum=50, maximum=99_999_999)
    source = p.string("source", max_length=200)
    customer_id = p.string("customer", max_length=200)
    capture_now = p.boolean("capture")
    description = p.string("description", max_length=1000)
    receipt_email = p.string("receipt_email", max_length=512)
    metadata = merge_metadata({}, p.metadata())
    if source is None and customer_id is None:
        raise ApiError(400, "Must provide source or customer.", param="source")
    with pay.store.transaction():
        customer = customers.live(pay, customer_id, param="customer") if customer_id else None
        if source is None:
            assert customer is not None
            source = customer.get("default_source") or customers.default_payment_method(customer)
            if source is None:
                raise ApiError(402, "Cannot charge a customer that has no active card", code="missing", param="card")
        card = cards.card(source, "source", pay=pay)
        saved_methods.use(pay, card)
        if card.needs_authentication():
            card = cards.authentication_declined(card)
        made = charge(
            pay,
            amount=int(amount or 0),
            currency=currency,
            customer=customer_id,
            card=card,
            metadata=metadata,
            description=description,
            capture=capture_now is not False,
            receipt_email=receipt_email,
        )
    if not made["paid"]:
        raise card_error(card, charge_id=made["id"])
    return pay.render(made, paths)


@bp.post("/v1/charges/<charge_id>/capture")
def capture_charge(charge_id: str) -> Response:
    pay, p, paths = asked(("amount", "receipt_email"), ("statement_descriptor", "statement_descriptor_suffix"))
    amount = p.integer("amount", minimum=1)
    receipt_email = p.string("receipt_email", max_length=512)
    with pay.store.transaction():
        record = pay.get("charge", charge_id)
        if record["payment_intent"]:
            raise ApiError(
                400,
                f"Charge {charge_id} belongs to PaymentIntent {record['payment_intent']}: capture it with "
                f"POST /v1/payment_intents/{record['payment_intent']}/capture.",
                code="charge_not_capturable",
            )
        if receipt_email:
            record["receipt_email"] = receipt_email
        capture(pay, record, amount)
    return pay.render(record, paths)


@bp.get("/v1/charges/<charge_id>/refunds")
def list_charge_refunds(charge_id: str) -> Response:
    pay = current()
    p = httpapi.params(LIST_PARAMS)
    pay.get("charge", charge_id)
    where = Where().created(p).field("charge", charge_id)
    return pay.render_list("refund", p, url=f"/v1/charges/{charge_id}/refunds", where=where)


@bp.get("/v1/charges/<charge_id>/refunds/<refund_id>")
def retrieve_charge_refund(charge_id: str, refund_id: str) -> Response:
    pay = current()
    p = httpapi.params()
    pay.get("charge", charge_id)
    made = pay.get("refund", refund_id)
    if made["charge"] != charge_id:
        raise ApiError(404, f"No such refund: {refund_id!r} on charge {charge_id}", code="resource_missing")
    return pay.render(made, p.expand())


@bp.post("/v1/charges/<charge_id>")
def update_charge(charge_id: str) -> Response:
    pay, p, paths = asked(("description", "metadata", "receipt_email"), ("shipping", "fraud_details", "transfer_group"))
    changes = {
        name: p.string(name, max_length=limit, empty_ok=True) or None
        for name, limit in (("description", 1000), ("receipt_email", 512))
        if name in p
    }
    metadata = p.metadata()
    with pay.store.transaction():
        record = pay.get("charge", charge_id)
        previous = {name: record[name] for name, value in changes.items() if record[name] != value}
        merged = merge_metadata(record["metadata"], metadata)
        if merged != record["metadata"]:
            previous["metadata"] = record["metadata"]
        if previous:
            record.update(changes, metadata=merged)
            pay.db["charge"].replace(record)
            pay.emit("charge.updated", record, previous)
    return pay.render(record, paths)


@bp.post("/v1/refunds")
def create_refund() -> Response:
    pay, p, paths = asked(
        ("payment_intent", "charge", "amount", "reason", "metadata"),
        ignored=("refund_application_fee", "reverse_transfer", "instructions_email"),
    )
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


@bp.post("/v1/refunds/<refund_id>")
def update_refund(refund_id: str) -> Response:
    """Change a refund's metadata; emits `charge.refund.updated` then `refund.updated` (API 2020-08-27)."""
    pay, p, paths = asked(("metadata",))
    metadata = p.metadata()
    with pay.store.transaction():
        made = pay.get("refund", refund_id)
        merged = merge_metadata(made["metadata"], metadata)
        if merged != made["metadata"]:
            previous = {"metadata": made["metadata"]}
            made["metadata"] = merged
            pay.db["refund"].replace(made)
            pay.emit("charge.refund.updated", made, previous)
            pay.emit("refund.updated", made, previous)
    return pay.render(made, paths)
