"""Stripe's test payment methods: which succeed, which decline, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ApiError


@dataclass(frozen=True)
class Card:
    """A test payment method and the outcome of charging it."""

    id: str
    brand: str
    last4: str
    decline_code: str | None = None
    code: str = "card_declined"
    message: str = "Your card was declined."

    @property
    def declines(self) -> bool:
        return self.decline_code is not None

    def as_payment_method(self, customer: str | None, created: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "payment_method",
            "billing_details": {"email": None, "name": None},
            "card": {"brand": self.brand, "last4": self.last4, "exp_month": 12, "exp_year": 2034, "funding": "credit"},
            "created": created,
            "customer": customer,
            "livemode": False,
            "metadata": {},
            "type": "card",
        }


_SUCCEED = [
    Card("pm_card_visa", "visa", "4242"),
    Card("pm_card_visa_debit", "visa", "5556"),
    Card("pm_card_mastercard", "mastercard", "4444"),
    Card("pm_card_amex", "amex", "8431"),
    Card("pm_card_discover", "discover", "1117"),
]

_DECLINE = [
    (
        ("pm_card_chargeDeclined", "pm_card_visa_chargeDeclined"),
        "0002",
        "generic_decline",
        "card_declined",
        "Your card was declined.",
    ),
    (
        (
            "pm_card_insufficientFunds",
            "pm_card_chargeDeclinedInsufficientFunds",
            "pm_card_visa_chargeDeclinedInsufficientFunds",
        ),
        "9995",
        "insufficient_funds",
        "card_declined",
        "Your card has insufficient funds.",
    ),
    (
        ("pm_card_chargeDeclinedExpiredCard", "pm_card_visa_chargeDeclinedExpiredCard"),
        "0069",
        "expired_card",
        "expired_card",
        "Your card has expired.",
    ),
    (
        ("pm_card_chargeDeclinedIncorrectCvc", "pm_card_visa_chargeDeclinedIncorrectCvc"),
        "0127",
        "incorrect_cvc",
        "incorrect_cvc",
        "Your card's security code is incorrect.",
    ),
    (
        ("pm_card_chargeDeclinedProcessingError", "pm_card_visa_chargeDeclinedProcessingError"),
        "0119",
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
    (
        ("pm_card_chargeDeclinedLostCard", "pm_card_visa_chargeDeclinedLostCard"),
        "9987",
        "lost_card",
        "card_declined",
        "Your card was declined.",
    ),
    (
        ("pm_card_chargeDeclinedStolenCard", "pm_card_visa_chargeDeclinedStolenCard"),
        "9979",
        "stolen_card",
        "card_declined",
        "Your card was declined.",
    ),
    (
        ("pm_card_chargeDeclinedFraudulent", "pm_card_visa_chargeDeclinedFraudulent"),
        "0019",
        "fraudulent",
        "card_declined",
        "Your card was declined.",
    ),
]

CARDS: dict[str, Card] = {card.id: card for card in _SUCCEED}
for _names, _last4, _decline, _code, _message in _DECLINE:
    for _name in _names:
        CARDS[_name] = Card(_name, "visa", _last4, _decline, _code, _message)

DECLINING = tuple(name for name, card in CARDS.items() if card.declines)


def card(payment_method: str, param: str = "payment_method") -> Card:
    """The test card behind a payment method id, or a 404 listing the ones that exist."""
    found = CARDS.get(payment_method)
    if found is None:
        raise ApiError(
            404,
            f"No such PaymentMethod: {payment_method[:80]!r}. hooklab knows Stripe's test methods, such as "
            "pm_card_visa (succeeds), pm_card_chargeDeclined and pm_card_insufficientFunds (decline).",
            code="resource_missing",
            param=param,
        )
    return found
