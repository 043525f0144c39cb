"""Saving a card on a customer (a PaymentMethod attached, or a token's card as a source), and spending a token:
shared by every route that saves cards, beneath the customers that hold them."""

from __future__ import annotations

from typing import Any

from ..errors import ApiError
from . import cards
from .cards import Card
from .core import PaymentsCore


def create(
    pay: PaymentsCore,
    card: Card,
    *,
    customer: str | None = None,
    billing: dict[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Store a PaymentMethod for a card (inside a transaction)."""
    now = pay.now()
    doc = cards.payment_method(
        card, pay.ids.new("pm"), customer=customer, created=now, billing_details=billing, metadata=metadata
    )
    doc.update(_number=card.number, _set_up=False)
    pay.db["payment_method"].insert(doc, created=now)
    return doc


def attach(pay: PaymentsCore, card: Card, customer_id: str) -> dict[str, Any]:
    """Save a card to a customer (inside a transaction); emits payment_method.attached. A shortcut is copied first.

    Stripe checks the card with the bank when it is saved, so a card that declines is not saved (a 402),
    except 4000000000000341, which saves and then declines every charge.
    """
    if card.declines and card.attach_declines:
        raise cards.card_error(card)
    doc = card.stored if card.stored is not None and card.stored["object"] == "payment_method" else None
    if doc is None:
        doc = create(pay, card)
    elif doc["customer"] == customer_id:
        return doc
    elif doc["customer"] is not None:
        raise ApiError(
            400,
            f"The payment method you provided ({doc['id']}) has already been attached to a customer "
            f"({doc['customer']}). Detach it first, or create a new PaymentMethod.",
            code="payment_method_unexpected_state",
        )
    doc["customer"] = customer_id
    pay.db["payment_method"].replace(doc)
    pay.emit("payment_method.attached", doc, {"customer": None})
    return doc


def use(pay: PaymentsCore, card: cards.Card, param: str = "source") -> None:
    """Spend a stored token (inside a transaction): a token is good once, as Stripe's are."""
    token = card.stored
    if token is None or token.get("object") != "token":
        return
    if token["used"]:
        raise ApiError(
            400, f"You cannot use a Stripe token more than once: {token['id']}.", code="token_already_used", param=param
        )
    token["used"] = True
    pay.db["token"].replace(token)


def add_source(pay: PaymentsCore, customer: dict[str, Any], token_id: str, *, announce: bool = True) -> dict[str, Any]:
    """Save a token's card on a customer (inside a transaction); the first becomes its default_source.

    Emits `customer.source.created` (and `customer.updated` for a new default); `announce=False` while the
    customer is being created: its `customer.created` shows the source already.
    """
    card = cards.card(token_id, "source", pay=pay)
    if not token_id.startswith("tok_"):
        raise ApiError(400, f"Invalid source: {token_id[:80]!r} is not a card token such as tok_visa.", param="source")
    use(pay, card)
    if card.declines and card.attach_declines:
        raise cards.card_error(card)
    now = pay.now()
    source = {**card.source_card(pay.ids.new("card")), "customer": customer["id"], "_number": card.number}
    pay.db["card"].insert(source, created=now)
    if announce:
        pay.emit("customer.source.created", source)
    if customer.get("default_source") is None:
        previous = {"default_source": None}
        customer["default_source"] = source["id"]
        pay.db["customer"].replace(customer)
        if announce:
            pay.emit("customer.updated", customer, previous)
    return source
