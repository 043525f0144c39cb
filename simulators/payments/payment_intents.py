"""PaymentIntents: create (and confirm at once with `confirm=true`), confirm, update, cancel, list.

A test card decides the outcome: `pm_card_visa` succeeds (`payment_intent.succeeded`),
the decline cards answer 402 `card_error` with the PaymentIntent embedded, left
in `requires_payment_method` (`payment_intent.payment_failed`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response

from ..errors import ApiError
from . import cards, charges, customers, httpapi
from .core import PaymentsCore
from .params import Params, merge_metadata

MAX_AMOUNT = 99_999_999
#: Stripe's minimum charge is about 50 cents in the major currencies.
MINIMUM = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "chf": 50}
CANCEL_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
_CURRENCY = re.compile(r"^[a-z]{3}$")
_FIELDS = (
    "amount",
    "currency",
    "customer",
    "payment_method",
    "confirm",
    "description",
    "metadata",
    "receipt_email",
    "capture_method",
)
_IGNORED = (
    "automatic_payment_methods",
    "payment_method_types",
    "off_session",
    "return_url",
    "setup_future_usage",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "confirmation_method",
    "error_on_requires_action",
    "use_stripe_sdk",
    "payment_method_options",
    "shipping",
    "mandate_data",
)
_FINAL = ("succeeded", "canceled")


def init_app(app: Flask, pay: PaymentsCore) -> None:
    @app.post("/v1/payment_intents")
    def create_intent() -> Response:
        p = httpapi.params(_FIELDS, _IGNORED)
        paths = p.expand()
        currency = _currency(p, required=True)
        amount = _amount(p, currency, required=True)
        customer_id = p.string("customer", max_length=200)
        method = p.string("payment_method", max_length=200)
        confirm = p.boolean("confirm") or False
        capture = p.string("capture_method", choices=("automatic", "automatic_async", "manual"))
        if capture == "manual":
            raise ApiError(
                400,
                "hooklab captures payments automatically; capture_method=manual is not supported.",
                param="capture_method",
            )
        description = p.string("description", max_length=1000)
        receipt_email = p.string("receipt_email", max_length=512)
        metadata = merge_metadata({}, p.metadata())
        card = cards.card(method) if method else None
        if confirm and card is None:
            raise ApiError(
                400,
                "You cannot confirm this PaymentIntent because it's missing a payment method. "
                "Pass payment_method, such as pm_card_visa.",
                code="payment_intent_unexpected_state",
                param="payment_method",
            )
        with pay.store.transaction():
            if customer_id is not None:
                customers.live(pay, customer_id, param="customer")
            intent = start(
                pay,
                amount=amount,
                currency=currency,
                customer=customer_id,
                metadata=metadata,
                description=description,
                method=method,
                receipt_email=receipt_email,
                capture_method=capture or "automatic_async",
            )
            declined = _confirm(pay, intent, card) if confirm and card else None
        if declined is not None:
            raise declined
        return pay.render(intent, paths)

    @app.post("/v1/payment_intents/<intent_id>")
    def update_intent(intent_id: str) -> Response:
        p = httpapi.params(tuple(f for f in _FIELDS if f not in ("confirm", "capture_method")), _IGNORED)
        paths = p.expand()
        metadata = p.metadata()
        description = p.string("description", max_length=1000, empty_ok=True)
        receipt_email = p.string("receipt_email", max_length=512, empty_ok=True)
        with pay.store.transaction():
            intent = pay.get("payment_intent", intent_id)
            changes_money = [name for name in ("amount", "currency", "customer", "payment_method") if name in p]
            if changes_money and intent["status"] in _FINAL:
                raise ApiError(
                    400,
                    f"You cannot change {changes_money[0]} of a PaymentIntent with status {intent['status']}.",
                    code="payment_intent_unexpected_state",
                    param=changes_money[0],
                )
            if "currency" in p:
                intent["currency"] = _currency(p, required=True)
            if "amount" in p:
                intent["amount"] = _amount(p, intent["currency"], required=True)
            if "customer" in p:
                customer_id = p.string("customer", max_length=200, required=True)
                customers.live(pay, str(customer_id), param="customer")
                intent["customer"] = customer_id
            if "payment_method" in p:
                method = p.string("payment_method", max_length=200, required=True)
                cards.card(str(method))
                intent["payment_method"] = method
                intent["status"] = "requires_confirmation"
            if "description" in p:
                intent["description"] = description or None
            if "receipt_email" in p:
                intent["receipt_email"] = receipt_email or None
            intent["metadata"] = merge_metadata(intent["metadata"], metadata)
            pay.db["payment_intent"].replace(intent)
        return pay.render(intent, paths)

    @app.post("/v1/payment_intents/<intent_id>/confirm")
    def confirm_intent(intent_id: str) -> Response:
        p = httpapi.params(("payment_method", "receipt_email"), _IGNORED)
        paths = p.expand()
        method = p.string("payment_method", max_length=200)
        with pay.store.transaction():
            intent = pay.get("payment_intent", intent_id)
            if intent["status"] in _FINAL:
                raise ApiError(
                    400,
                    f"You cannot confirm this PaymentIntent because it has a status of {intent['status']}.",
                    code="payment_intent_unexpected_state",
                    payment_intent=pay.public(intent),
                )
            method = method or intent["payment_method"]
            if method is None:
                raise ApiError(
                    400,
                    "You cannot confirm this PaymentIntent because it's missing a payment method. "
                    "Pass payment_method, such as pm_card_visa.",
                    code="payment_intent_unexpected_state",
                    param="payment_method",
                )
            declined = _confirm(pay, intent, cards.card(method))
        if declined is not None:
            raise declined
        return pay.render(intent, paths)

    @app.post("/v1/payment_intents/<intent_id>/cancel")
    def cancel_intent(intent_id: str) -> Response:
        p = httpapi.params(("cancellation_reason",))
        paths = p.expand()
        reason = p.string("cancellation_reason", choices=CANCEL_REASONS)
        with pay.store.transaction():
            intent = pay.get("payment_intent", intent_id)
            if intent["status"] in _FINAL:
                raise ApiError(
                    400,
                    f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}. Only a "
                    "PaymentIntent with one of the following statuses may be canceled: requires_payment_method, "
                    "requires_capture, requires_confirmation, requires_action, processing.",
                    code="payment_intent_unexpected_state",
                )
            intent.update(status="canceled", canceled_at=pay.now(), cancellation_reason=reason)
            pay.db["payment_intent"].replace(intent)
            pay.emit("payment_intent.canceled", intent)
        return pay.render(intent, paths)


def start(
    pay: PaymentsCore,
    *,
    amount: int,
    currency: str,
    customer: str | None,
    metadata: dict[str, str],
    description: str | None,
    method: str | None = None,
    receipt_email: str | None = None,
    capture_method: str = "automatic_async",
) -> dict[str, Any]:
    """Store a new PaymentIntent and emit `payment_intent.created` (inside a transaction)."""
    now = pay.now()
    intent_id = pay.ids.new("pi")
    intent = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": capture_method,
        "client_secret": f"{intent_id}_secret_{pay.ids.token(f'secret:{intent_id}', 24)}",
        "confirmation_method": "automatic",
        "created": now,
        "currency": currency,
        "customer": customer,
        "description": description,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": metadata,
        "payment_method": method,
        "payment_method_types": ["card"],
        "receipt_email": receipt_email,
        "status": "requires_confirmation" if method else "requires_payment_method",
    }
    pay.db["payment_intent"].insert(intent, created=now)
    pay.emit("payment_intent.created", intent)
    return intent


def confirm(pay: PaymentsCore, intent: dict[str, Any], card: cards.Card) -> ApiError | None:
    """Charge the card for an intent (inside a transaction); the 402 to answer on a decline, or None."""
    return _confirm(pay, intent, card)


def _confirm(pay: PaymentsCore, intent: dict[str, Any], card: cards.Card) -> ApiError | None:
    """Charge the card; update the intent and emit its events. Returns the 402 to answer on a decline."""
    made = charges.charge(
        pay,
        amount=intent["amount"],
        currency=intent["currency"],
        customer=intent["customer"],
        card=card,
        payment_intent=intent["id"],
        metadata=intent["metadata"],
        description=intent["description"],
    )
    intent["payment_method"] = card.id
    intent["latest_charge"] = made["id"]
    if made["paid"]:
        intent.update(status="succeeded", amount_received=intent["amount"], last_payment_error=None)
        pay.db["payment_intent"].replace(intent)
        pay.emit("payment_intent.succeeded", intent)
        return None
    intent.update(status="requires_payment_method", last_payment_error=charges.last_payment_error(card, made["id"]))
    pay.db["payment_intent"].replace(intent)
    pay.emit("payment_intent.payment_failed", intent)
    return charges.card_error(
        card,
        charge_id=made["id"],
        payment_intent=pay.public(intent),
        payment_method=card.as_payment_method(intent["customer"], intent["created"]),
    )


def _currency(p: Params, *, required: bool) -> str:
    value = p.string("currency", required=required, max_length=10)
    currency = (value or "").lower()
    if not _CURRENCY.match(currency):
        raise ApiError(
            400,
            f"Invalid currency: {str(value)[:20]!r}. Use a three-letter ISO code in lowercase, such as usd.",
            param="currency",
        )
    return currency


def _amount(p: Params, currency: str, *, required: bool) -> int:
    amount = p.integer("amount", required=required, maximum=MAX_AMOUNT)
    assert amount is not None
    minimum = MINIMUM.get(currency, 1)
    if amount < minimum:
        raise ApiError(
            400,
            f"Amount must be at least {minimum} (the smallest unit of {currency}, e.g. cents); got {amount}.",
            code="amount_too_small",
            param="amount",
        )
    return amount
