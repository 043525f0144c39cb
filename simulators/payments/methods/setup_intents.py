"""SetupIntents: save a card for later payments (create, retrieve, update, confirm, cancel, list).

Confirming checks the card with the bank: a good card is saved (attached to
the SetupIntent's customer, `payment_method.attached`, then
`setup_intent.succeeded`); a declining one fails (`setup_intent.setup_failed`,
a 402 with the SetupIntent embedded); a 3-D Secure card waits in
`requires_action` for the authentication page. A card set up with
`usage=off_session` (the default) then pays off-session without authenticating
where Stripe's 4000002500003155 card allows it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ...errors import ApiError
from .. import cards, customers, saved_methods
from ..core import PaymentsCore, asked
from ..http.params import Params, merge_metadata
from ..resource import Resource, field
from . import authentication

USAGES = ("off_session", "on_session")
CANCEL_REASONS = ("abandoned", "duplicate", "requested_by_customer")
_CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
_IGNORED = (
    "automatic_payment_methods",
    "payment_method_options",
    "mandate_data",
    "on_behalf_of",
    "single_use",
    "flow_directions",
    "attach_to_self",
    "use_stripe_sdk",
    "payment_method_configuration",
)


RESOURCE = Resource(
    kind="setup_intent",
    prefix="seti",
    url="/v1/setup_intents",
    events=(
        "setup_intent.canceled",
        "setup_intent.created",
        "setup_intent.requires_action",
        "setup_intent.setup_failed",
        "setup_intent.succeeded",
    ),
    filters=(field("customer"), field("payment_method")),
    retrieve_ignored=("client_secret",),
)
bp = Blueprint("setup_intents", __name__)


@bp.post("/v1/setup_intents")
def create_setup_intent() -> Response:
    pay, p, paths = asked(
        (
            "customer",
            "payment_method",
            "confirm",
            "usage",
            "description",
            "metadata",
            "return_url",
            "payment_method_types",
        ),
        _IGNORED,
    )
    customer_id = p.string("customer", max_length=200)
    method = p.string("payment_method", max_length=200)
    confirm = p.boolean("confirm") or False
    usage = p.string("usage", choices=USAGES) or "off_session"
    description = p.string("description", max_length=1000)
    metadata = merge_metadata({}, p.metadata())
    back_to = authentication.return_url(p)
    _card_types_only(p)
    if confirm and method is None:
        raise cards.missing("SetupIntent")
    now = pay.now()
    with pay.store.transaction():
        if customer_id is not None:
            customers.live(pay, customer_id, param="customer")
        card = cards.card(method, pay=pay) if method else None
        intent_id = pay.ids.new("seti")
        intent = {
            "id": intent_id,
            "object": "setup_intent",
            "application": None,
            "cancellation_reason": None,
            "client_secret": f"{intent_id}_secret_{pay.ids.token(f'secret:{intent_id}', 24)}",
            "created": now,
            "customer": customer_id,
            "description": description,
            "last_setup_error": None,
            "latest_attempt": None,
            "livemode": False,
            "mandate": None,
            "metadata": metadata,
            "next_action": None,
            "on_behalf_of": None,
            "payment_method": method,
            "payment_method_options": None,
            "payment_method_types": ["card"],
            "single_use_mandate": None,
            "status": "requires_confirmation" if method else "requires_payment_method",
            "usage": usage,
        }
        pay.db["setup_intent"].insert(intent, created=now)
        pay.emit("setup_intent.created", intent)
        declined = _confirm(pay, intent, card, back_to) if confirm and card is not None else None
    if declined is not None:
        raise declined
    return pay.render(intent, paths)


@bp.post("/v1/setup_intents/<intent_id>")
def update_setup_intent(intent_id: str) -> Response:
    pay, p, paths = asked(("customer", "payment_method", "description", "metadata", "payment_method_types"), _IGNORED)
    _card_types_only(p)
    metadata = p.metadata()
    with pay.store.transaction():
        intent = pay.get("setup_intent", intent_id)
        if intent["status"] in ("succeeded", "canceled"):
            raise ApiError(
                400,
                f"You cannot update this SetupIntent because it has a status of {intent['status']}.",
                code="setup_intent_unexpected_state",
            )
        if "customer" in p:
            customer_id = str(p.string("customer", required=True, max_length=200))
            customers.live(pay, customer_id, param="customer")
            intent["customer"] = customer_id
        if "payment_method" in p:
            method = str(p.string("payment_method", required=True, max_length=200))
            cards.card(method, pay=pay)
            intent.update(payment_method=method, status="requires_confirmation", next_action=None)
        if "description" in p:
            intent["description"] = p.string("description", max_length=1000, empty_ok=True) or None
        intent["metadata"] = merge_metadata(intent["metadata"], metadata)
        pay.db["setup_intent"].replace(intent)
    return pay.render(intent, paths)


@bp.post("/v1/setup_intents/<intent_id>/confirm")
def confirm_setup_intent(intent_id: str) -> Response:
    pay, p, paths = asked(("payment_method", "return_url"), _IGNORED)
    method = p.string("payment_method", max_length=200)
    back_to = authentication.return_url(p)
    with pay.store.transaction():
        intent = pay.get("setup_intent", intent_id)
        if intent["status"] not in _CANCELABLE:
            raise ApiError(
                400,
                f"You cannot confirm this SetupIntent because it has a status of {intent['status']}.",
                code="setup_intent_unexpected_state",
                setup_intent=pay.public(intent),
            )
        method = method or intent["payment_method"]
        if method is None:
            raise cards.missing("SetupIntent")
        declined = _confirm(pay, intent, cards.card(method, pay=pay), back_to)
    if declined is not None:
        raise declined
    return pay.render(intent, paths)


@bp.post("/v1/setup_intents/<intent_id>/cancel")
def cancel_setup_intent(intent_id: str) -> Response:
    pay, p, paths = asked(("cancellation_reason",))
    reason = p.string("cancellation_reason", choices=CANCEL_REASONS)
    with pay.store.transaction():
        intent = pay.get("setup_intent", intent_id)
        if intent["status"] not in _CANCELABLE:
            raise ApiError(
                400,
                f"You cannot cancel this SetupIntent because it has a status of {intent['status']}. Only a "
                "SetupIntent with one of the following statuses may be canceled: "
                f"{', '.join(_CANCELABLE)}.",
                code="setup_intent_unexpected_state",
            )
        intent.update(status="canceled", cancellation_reason=reason, next_action=None)
        pay.db["setup_intent"].replace(intent)
        pay.emit("setup_intent.canceled", intent)
    return pay.render(intent, paths)


def _confirm(pay: PaymentsCore, intent: dict[str, Any], card: cards.Card, back_to: str | None) -> ApiError | None:
    """Check and save the card, or ask for 3-D Secure (inside a transaction). Returns the 402 of a decline."""
    intent.update(payment_method=card.id, last_setup_error=None)
    if card.authentication is not None:  # every 3-D Secure test card asks when it is set up
        authentication.ask(pay, intent, back_to)
        return None
    return _save(pay, intent, card)


def _save(pay: PaymentsCore, intent: dict[str, Any], card: cards.Card) -> ApiError | None:
    if card.declines and card.attach_declines:
        error = {
            "code": card.code,
            "decline_code": card.decline_code,
            "doc_url": f"https://stripe.com/docs/error-codes/{card.code.replace('_', '-')}",
            "message": card.message,
            "payment_method": card.as_payment_method(None, intent["created"]),
            "type": "card_error",
        }
        intent.update(status="requires_payment_method", next_action=None, last_setup_error=error)
        pay.db["setup_intent"].replace(intent)
        pay.emit("setup_intent.setup_failed", intent)
        return ApiError(
            402,
            card.message,
            code=card.code,
            decline_code=card.decline_code,
            doc_url=error["doc_url"],
            setup_intent=pay.public(intent),
        )
    if intent["customer"] is not None:
        saved = saved_methods.attach(pay, card, intent["customer"])
    elif card.stored is None or card.stored["object"] != "payment_method":
        saved = saved_methods.create(pay, card)
    else:
        saved = card.stored
    if intent["usage"] == "off_session" and not saved.get("_set_up"):
        saved["_set_up"] = True
        pay.db["payment_method"].replace(saved)
    intent.update(payment_method=saved["id"], status="succeeded", next_action=None)
    pay.db["setup_intent"].replace(intent)
    pay.emit("setup_intent.succeeded", intent)
    return None


def authenticated(pay: PaymentsCore, intent: dict[str, Any], approved: bool) -> None:
    """The customer finished 3-D Secure on the authentication page (inside a transaction)."""
    card = cards.card(intent["payment_method"], pay=pay)
    if approved:
        _save(pay, intent, card)  # a card that declines after authenticating fails here, as setup_failed
        return
    error = authentication.failure(card, "setup_intent_authentication_failure")
    intent.update(status="requires_payment_method", next_action=None, last_setup_error=error)
    pay.db["setup_intent"].replace(intent)
    pay.emit("setup_intent.setup_failed", intent)


def _card_types_only(p: Params) -> None:
    types = p.strings("payment_method_types", max_items=10, max_length=50)
    if types is not None and types != ["card"]:
        raise ApiError(
            400,
            f"Invalid payment_method_types: hooklab sets up cards only (got {', '.join(types)[:100]}).",
            param="payment_method_types",
        )
