"""PaymentIntents: create (and confirm at once with `confirm=true`), confirm, update, capture, cancel, list.

A test card decides the outcome: `pm_card_visa` succeeds (`payment_intent.succeeded`),
the decline cards answer 402 `card_error` with the PaymentIntent embedded, left
in `requires_payment_method` (`payment_intent.payment_failed`). A card that asks
for 3-D Secure leaves it in `requires_action`, with a `redirect_to_url` to the
local authentication page (`authentication.py`). With `capture_method=manual` a
good card is only authorized (`requires_capture`, `amount_capturable`) until
`/capture` takes all or part of it, or `/cancel` releases it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response

from ..errors import ApiError
from . import cards, charges, customers
from .core import PaymentsCore, asked
from .http.params import Params, merge_metadata
from .methods import authentication
from .resource import Resource, field

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
    "off_session",
    "return_url",
)
_IGNORED = (
    "automatic_payment_methods",
    "payment_method_types",
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


RESOURCE = Resource(
    kind="payment_intent",
    prefix="pi",
    url="/v1/payment_intents",
    events=(
        "payment_intent.amount_capturable_updated",
        "payment_intent.canceled",
        "payment_intent.created",
        "payment_intent.payment_failed",
        "payment_intent.processing",
        "payment_intent.requires_action",
        "payment_intent.succeeded",
    ),
    filters=(field("customer"),),
    retrieve_ignored=("client_secret",),
)
bp = Blueprint("payment_intents", __name__)


@bp.post("/v1/payment_intents")
def create_intent() -> Response:
    pay, p, paths = asked(_FIELDS, _IGNORED)
    currency = _currency(p, required=True)
    amount = _amount(p, currency, required=True)
    customer_id = p.string("customer", max_length=200)
    method = p.string("payment_method", max_length=200)
    confirm = p.boolean("confirm") or False
    capture = p.string("capture_method", choices=("automatic", "automatic_async", "manual"))
    off_session = p.boolean("off_session")
    if off_session is not None and not confirm:
        raise ApiError(
            400,
            "You can only pass `off_session` when `confirm=true`: confirm the PaymentIntent in the same "
            "request, or pass off_session to POST /v1/payment_intents/{id}/confirm.",
            param="off_session",
        )
    return_url = authentication.return_url(p)
    description = p.string("description", max_length=1000)
    receipt_email = p.string("receipt_email", max_length=512)
    metadata = merge_metadata({}, p.metadata())
    card = cards.card(method, pay=pay) if method else None
    if confirm and card is None:
        raise cards.missing("PaymentIntent")
    with pay.store.transaction():
        if customer_id is not None:
            customers.live(pay, customer_id, param="customer")
        if card is not None:
            _check_owner(card, customer_id)
        intent = start(
            pay,
            amount=amount,
            currency=currency,
            customer=customer_id,
            metadata=metadata,
            description=description,
            method=method,
            receipt_email=receipt_email,
            capture_method=capture or "automatic",
        )
        declined = (
            _confirm(pay, intent, card, off_session=bool(off_session), return_url=return_url)
            if confirm and card
            else None
        )
    if declined is not None:
        raise declined
    return pay.render(intent, paths)


@bp.post("/v1/payment_intents/<intent_id>")
def update_intent(intent_id: str) -> Response:
    pay, p, paths = asked(tuple(f for f in _FIELDS if f not in ("confirm", "off_session", "return_url")), _IGNORED)
    metadata = p.metadata()
    description = p.string("description", max_length=1000, empty_ok=True)
    receipt_email = p.string("receipt_email", max_length=512, empty_ok=True)
    with pay.store.transaction():
        intent = pay.get("payment_intent", intent_id)
        changes_money = [
            name for name in ("amount", "currency", "customer", "payment_method", "capture_method") if name in p
        ]
        if changes_money and intent["status"] in (*_FINAL, "requires_capture", "processing"):
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
            _check_owner(cards.card(str(method), pay=pay), intent["customer"])
            intent.update(payment_method=method, status="requires_confirmation", next_action=None)
        if "capture_method" in p:
            capture = p.string("capture_method", choices=("automatic", "automatic_async", "manual"))
            intent["capture_method"] = "manual" if capture == "manual" else "automatic"
        if "description" in p:
            intent["description"] = description or None
        if "receipt_email" in p:
            intent["receipt_email"] = receipt_email or None
        intent["metadata"] = merge_metadata(intent["metadata"], metadata)
        pay.db["payment_intent"].replace(intent)
    return pay.render(intent, paths)


@bp.post("/v1/payment_intents/<intent_id>/confirm")
def confirm_intent(intent_id: str) -> Response:
    pay, p, paths = asked(("payment_method", "receipt_email", "off_session", "return_url", "capture_method"), _IGNORED)
    method = p.string("payment_method", max_length=200)
    off_session = p.boolean("off_session") or False
    return_url = authentication.return_url(p)
    capture = p.string("capture_method", choices=("automatic", "automatic_async", "manual"))
    receipt_email = p.string("receipt_email", max_length=512)
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
            raise cards.missing("PaymentIntent")
        if intent["status"] == "requires_capture":
            raise ApiError(
                400,
                "This PaymentIntent is already confirmed and waits to be captured: capture or cancel it.",
                code="payment_intent_unexpected_state",
            )
        card = cards.card(method, pay=pay)
        _check_owner(card, intent["customer"])
        if capture is not None:
            intent["capture_method"] = "manual" if capture == "manual" else "automatic"
        if receipt_email:
            intent["receipt_email"] = receipt_email
        declined = _confirm(pay, intent, card, off_session=off_session, return_url=return_url)
    if declined is not None:
        raise declined
    return pay.render(intent, paths)


@bp.post("/v1/payment_intents/<intent_id>/cancel")
def cancel_intent(intent_id: str) -> Response:
    pay, p, paths = asked(("cancellation_reason",))
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
        if intent["status"] == "requires_capture" and intent["latest_charge"]:
            charges.release(pay, pay.get("charge", intent["latest_charge"]))
        intent.update(
            status="canceled",
            canceled_at=pay.now(),
            cancellation_reason=reason,
            amount_capturable=0,
            next_action=None,
        )
        pay.db["payment_intent"].replace(intent)
        pay.emit("payment_intent.canceled", intent)
    return pay.render(intent, paths)


@bp.post("/v1/payment_intents/<intent_id>/capture")
def capture_intent(intent_id: str) -> Response:
    pay, p, paths = asked(
        ("amount_to_capture", "metadata"),
        ("statement_descriptor", "statement_descriptor_suffix", "application_fee_amount", "final_capture"),
    )
    amount = p.integer("amount_to_capture", minimum=1)
    metadata = p.metadata()
    with pay.store.transaction():
        intent = pay.get("payment_intent", intent_id)
        if intent["status"] != "requires_capture":
            raise ApiError(
                400,
                "This PaymentIntent could not be captured because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses may be "
                "captured: requires_capture.",
                code="payment_intent_unexpected_state",
                payment_intent=pay.public(intent),
            )
        if amount is not None and amount > intent["amount_capturable"]:
            raise ApiError(
                400,
                f"The amount_to_capture ({amount}) must be less than or equal to the PaymentIntent's "
                f"amount_capturable ({intent['amount_capturable']}).",
                code="amount_too_large",
                param="amount_to_capture",
            )
        made = charges.capture(pay, pay.get("charge", intent["latest_charge"]), amount, param="amount_to_capture")
        intent.update(
            status="succeeded",
            amount_received=made["amount_captured"],
            amount_capturable=0,
            metadata=merge_metadata(intent["metadata"], metadata),
        )
        pay.db["payment_intent"].replace(intent)
        pay.emit("payment_intent.succeeded", intent)
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
    capture_method: str = "automatic",
    invoice: str | None = None,
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
        # The published schema knows automatic and manual; automatic_async captures as automatic does.
        "capture_method": "manual" if capture_method == "manual" else "automatic",
        "client_secret": f"{intent_id}_secret_{pay.ids.token(f'secret:{intent_id}', 24)}",
        "confirmation_method": "automatic",
        "created": now,
        "currency": currency,
        "customer": customer,
        "description": description,
        # The invoice this intent pays, when an invoice made it (a subscription's, or one sent by hand).
        "invoice": invoice,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": metadata,
        "next_action": None,
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


def _confirm(
    pay: PaymentsCore,
    intent: dict[str, Any],
    card: cards.Card,
    *,
    off_session: bool = False,
    return_url: str | None = None,
) -> ApiError | None:
    """Confirm with a card (inside a transaction): ask for 3-D Secure, or charge. Returns the 402 of a decline."""
    intent.update(payment_method=card.id, last_payment_error=None)
    if card.needs_authentication(off_session):
        if off_session:  # nobody is there to authenticate: the bank declines
            return charge_card(pay, intent, cards.authentication_declined(card))
        authentication.ask(pay, intent, return_url)
        return None
    return charge_card(pay, intent, card)


def charge_card(pay: PaymentsCore, intent: dict[str, Any], card: cards.Card) -> ApiError | None:
    """Charge (or, for manual capture, authorize) the card; update the intent and emit its events."""
    manual = intent["capture_method"] == "manual"
    made = charges.charge(
        pay,
        amount=intent["amount"],
        currency=intent["currency"],
        customer=intent["customer"],
        card=card,
        payment_intent=intent["id"],
        metadata=intent["metadata"],
        description=intent["description"],
        capture=not manual,
        receipt_email=intent["receipt_email"],
    )
    intent.update(payment_method=card.id, latest_charge=made["id"], next_action=None)
    if made["paid"] and manual:
        intent.update(status="requires_capture", amount_capturable=intent["amount"], last_payment_error=None)
        pay.db["payment_intent"].replace(intent)
        pay.emit("payment_intent.amount_capturable_updated", intent)
        return None
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


def authenticated(pay: PaymentsCore, intent: dict[str, Any], approved: bool) -> None:
    """The customer finished 3-D Secure on the authentication page (inside a transaction)."""
    card = cards.card(intent["payment_method"], pay=pay)
    if approved:
        charge_card(pay, intent, card)
        return
    error = authentication.failure(card, "payment_intent_authentication_failure")
    intent.update(status="requires_payment_method", next_action=None, last_payment_error=error)
    pay.db["payment_intent"].replace(intent)
    pay.emit("payment_intent.payment_failed", intent)


def _check_owner(card: cards.Card, customer_id: str | None) -> None:
    """A saved PaymentMethod pays only for the customer it is attached to."""
    owner = (card.stored or {}).get("customer")
    if owner is not None and owner != customer_id:
        raise ApiError(
            400,
            f"The provided PaymentMethod {card.id} is attached to customer {owner}; pass customer={owner} "
            "or a PaymentMethod of this customer.",
            param="payment_method",
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
