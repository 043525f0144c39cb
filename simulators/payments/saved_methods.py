"""Saving a card as a PaymentMethod, and attaching one to a customer: shared by every route that saves cards."""

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
