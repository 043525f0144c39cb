"""Stripe's test cards: their numbers, the `pm_card_*` / `tok_*` shortcuts, and what charging each does.

A card number a client types (`card[number]=4000000000009995`) and a shortcut
(`pm_card_insufficientFunds`, `tok_chargeDeclinedInsufficientFunds`) name the
same test card; a PaymentMethod or token made from a number keeps the card's
outcome. Numbers are checked as Stripe checks them (digits, length, Luhn,
expiry against the lab clock); a valid number that is not a test card is
declined as a live card used in test mode.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from ..errors import ApiError
from ..store import Collection


class Stored(Protocol):
    """Where saved PaymentMethods and tokens live (the payments core; not imported here, which imports this)."""

    @property
    def db(self) -> dict[str, Collection]: ...


#: How a card asks for 3-D Secure: always, or unless it was set up for off-session use first.
ALWAYS = "always"
UNLESS_SET_UP = "unless_set_up"

_BRAND_NAMES = {
    "visa": "Visa",
    "mastercard": "MasterCard",
    "amex": "American Express",
    "discover": "Discover",
    "diners": "Diners Club",
    "jcb": "JCB",
    "unionpay": "UnionPay",
}


@dataclass(frozen=True)
class Card:
    """A test payment method and the outcome of charging it."""

    id: str
    brand: str
    last4: str
    decline_code: str | None = None
    code: str = "card_declined"
    message: str = "Your card was declined."
    funding: str = "credit"
    #: None, ALWAYS or UNLESS_SET_UP: whether confirming needs the customer to authenticate.
    authentication: str | None = None
    #: Whether attaching it to a customer (or a SetupIntent) already fails; 4000000000000341 attaches fine.
    attach_declines: bool = True
    exp_month: int = 12
    exp_year: int = 2034
    #: The test number behind it (the key of NUMBERS).
    number: str = ""
    #: Set up for off-session payments by a SetupIntent (the 4000002500003155 card then needs no authentication).
    set_up: bool = False
    #: The stored PaymentMethod or token, when the card is one.
    stored: dict[str, Any] | None = None

    @property
    def declines(self) -> bool:
        return self.decline_code is not None

    def needs_authentication(self, off_session: bool = False) -> bool:
        if self.authentication == UNLESS_SET_UP:
            return not (self.set_up and off_session)
        return self.authentication == ALWAYS

    def details(self) -> dict[str, Any]:
        """The `card` hash of a PaymentMethod."""
        return {
            "brand": self.brand,
            "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"},
            "country": "US",
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
            "fingerprint": _fingerprint(self.number),
            "funding": self.funding,
            "generated_from": None,
            "last4": self.last4,
            "networks": {"available": [self.brand], "preferred": None},
            "three_d_secure_usage": {"supported": True},
            "wallet": None,
        }

    def charge_details(self) -> dict[str, Any]:
        """The `payment_method_details` of a charge made with it."""
        card = {
            key: value
            for key, value in self.details().items()
            if key in ("brand", "checks", "country", "exp_month", "exp_year", "fingerprint", "funding", "last4")
        }
        return {"card": {**card, "network": self.brand, "three_d_secure": None, "wallet": None}, "type": "card"}

    def source_card(self, card_id: str) -> dict[str, Any]:
        """The `card` object of a token (a legacy source), brand spelled as the Charges API spells it."""
        return {
            "id": card_id,
            "object": "card",
            "address_city": None,
            "address_country": None,
            "address_line1": None,
            "address_line1_check": None,
            "address_line2": None,
            "address_state": None,
            "address_zip": None,
            "address_zip_check": None,
            "brand": _BRAND_NAMES.get(self.brand, self.brand),
            "country": "US",
            "cvc_check": "pass",
            "dynamic_last4": None,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
            "fingerprint": _fingerprint(self.number),
            "funding": self.funding,
            "last4": self.last4,
            "metadata": {},
            "name": None,
            "tokenization_method": None,
        }

    def as_payment_method(self, customer: str | None, created: int) -> dict[str, Any]:
        if self.stored is not None and self.stored.get("object") == "payment_method":
            return {key: value for key, value in self.stored.items() if not key.startswith("_")}
        return payment_method(self, self.id, customer=customer, created=created)


def payment_method(
    card: Card,
    method_id: str,
    *,
    customer: str | None,
    created: int,
    billing_details: dict[str, Any] | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A PaymentMethod document for a card."""
    return {
        "id": method_id,
        "object": "payment_method",
        "billing_details": copy.deepcopy({**EMPTY_BILLING, **(billing_details or {})}),
        "card": card.details(),
        "created": created,
        "customer": customer,
        "livemode": False,
        "metadata": dict(metadata or {}),
        "type": "card",
    }


EMPTY_ADDRESS: dict[str, Any] = dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state"))
EMPTY_BILLING: dict[str, Any] = {"address": EMPTY_ADDRESS, "email": None, "name": None, "phone": None}

_GENERIC = ("generic_decline", "card_declined", "Your card was declined.")

#: Stripe's published test numbers: number -> (brand, funding, decline (code triple) or None, authentication).
_NUMBERS: dict[str, tuple[str, str, tuple[str, str, str] | None, str | None]] = {
    "4242424242424242": ("visa", "credit", None, None),
    "4000056655665556": ("visa", "debit", None, None),
    "5555555555554444": ("mastercard", "credit", None, None),
    "2223003122003222": ("mastercard", "credit", None, None),
    "5200828282828210": ("mastercard", "debit", None, None),
    "5105105105105100": ("mastercard", "prepaid", None, None),
    "371449635398431": ("amex", "credit", None, None),
    "378282246310005": ("amex", "credit", None, None),
    "6011111111111117": ("discover", "credit", None, None),
    "6011000990139424": ("discover", "credit", None, None),
    "3056930009020004": ("diners", "credit", None, None),
    "36227206271667": ("diners", "credit", None, None),
    "3566002020360505": ("jcb", "credit", None, None),
    "6200000000000005": ("unionpay", "credit", None, None),
    "4000000000003055": ("visa", "credit", None, None),  # 3-D Secure supported, not required
    "4000000000000002": ("visa", "credit", _GENERIC, None),
    "4000000000000341": ("visa", "credit", _GENERIC, None),  # attaches, then every charge declines
    "4000000000009995": (
        "visa",
        "credit",
        ("insufficient_funds", "card_declined", "Your card has insufficient funds."),
        None,
    ),
    "4000000000009987": ("visa", "credit", ("lost_card", "card_declined", "Your card was declined."), None),
    "4000000000009979": ("visa", "credit", ("stolen_card", "card_declined", "Your card was declined."), None),
    "4000000000000069": ("visa", "credit", ("expired_card", "expired_card", "Your card has expired."), None),
    "4000000000000127": (
        "visa",
        "credit",
        ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
        None,
    ),
    "4000000000000119": (
        "visa",
        "credit",
        (
            "processing_error",
            "processing_error",
            "An error occurred while processing your card. Try again in a little bit.",
        ),
        None,
    ),
    "4100000000000019": ("visa", "credit", ("fraudulent", "card_declined", "Your card was declined."), None),
    "4000002760003184": ("visa", "credit", None, ALWAYS),
    "4000002500003155": ("visa", "credit", None, UNLESS_SET_UP),
    "4000000000003220": ("visa", "credit", None, ALWAYS),
    "4000000000003063": ("visa", "credit", None, ALWAYS),
    "4000008400001629": ("visa", "credit", _GENERIC, ALWAYS),  # authenticates, then declines
}

#: Shortcut names (after `pm_card_` and `tok_`) -> the test number they stand for.
_SHORTCUTS = {
    "visa": "4242424242424242",
    "visa_debit": "4000056655665556",
    "mastercard": "5555555555554444",
    "mastercard_debit": "5200828282828210",
    "mastercard_prepaid": "5105105105105100",
    "amex": "371449635398431",
    "discover": "6011111111111117",
    "diners": "3056930009020004",
    "jcb": "3566002020360505",
    "unionpay": "6200000000000005",
    "chargeDeclined": "4000000000000002",
    "visa_chargeDeclined": "4000000000000002",
    "chargeCustomerFail": "4000000000000341",
    "insufficientFunds": "4000000000009995",
    "chargeDeclinedInsufficientFunds": "4000000000009995",
    "visa_chargeDeclinedInsufficientFunds": "4000000000009995",
    "chargeDeclinedLostCard": "4000000000009987",
    "visa_chargeDeclinedLostCard": "4000000000009987",
    "chargeDeclinedStolenCard": "4000000000009979",
    "visa_chargeDeclinedStolenCard": "4000000000009979",
    "chargeDeclinedExpiredCard": "4000000000000069",
    "visa_chargeDeclinedExpiredCard": "4000000000000069",
    "chargeDeclinedIncorrectCvc": "4000000000000127",
    "visa_chargeDeclinedIncorrectCvc": "4000000000000127",
    "chargeDeclinedProcessingError": "4000000000000119",
    "visa_chargeDeclinedProcessingError": "4000000000000119",
    "chargeDeclinedFraudulent": "4100000000000019",
    "visa_chargeDeclinedFraudulent": "4100000000000019",
    "threeDSecure2Required": "4000000000003220",
    "threeDSecureRequired": "4000000000003063",
    "threeDSecureOptional": "4000000000003055",
    "authenticationRequired": "4000002760003184",
    "authenticationRequiredOnSetup": "4000002500003155",
    "authenticationRequiredChargeDeclined": "4000008400001629",
}


def from_number(number: str, card_id: str = "") -> Card:
    """The test card with this number (call `check_number` first)."""
    brand, funding, decline, authentication = _NUMBERS[number]
    made = Card(
        card_id,
        brand,
        number[-4:],
        funding=funding,
        authentication=authentication,
        attach_declines=number != "4000000000000341",
        number=number,
    )
    if decline is None:
        return made
    decline_code, code, message = decline
    return dataclasses.replace(made, decline_code=decline_code, code=code, message=message)


CARDS: dict[str, Card] = {}
for _name, _number in _SHORTCUTS.items():
    for _prefix in ("pm_card_", "tok_"):
        CARDS[_prefix + _name] = from_number(_number, _prefix + _name)

DECLINING = tuple(name for name, found in CARDS.items() if found.declines and name.startswith("pm_card_"))


def card(payment_method: str, param: str = "payment_method", *, pay: Stored | None = None) -> Card:
    """The test card behind a shortcut, a stored PaymentMethod or token (given `pay`), or a 404."""
    found = CARDS.get(payment_method)
    if found is not None:
        return found
    kind = {"pm": "payment_method", "tok": "token", "card": "card"}.get(payment_method.partition("_")[0])
    doc = pay.db[kind].get(payment_method) if pay is not None and kind is not None else None
    if doc is not None:
        return stored(doc)
    raise ApiError(
        404,
        f"No such PaymentMethod: {payment_method[:80]!r}. hooklab knows Stripe's test methods, such as "
        "pm_card_visa (succeeds), pm_card_chargeDeclined and pm_card_insufficientFunds (decline), "
        "and the PaymentMethods and tokens made with POST /v1/payment_methods and /v1/tokens.",
        code="resource_missing",
        param=param,
    )


def stored(doc: dict[str, Any]) -> Card:
    """The card a stored PaymentMethod, token or card source holds, with its own id and expiry."""
    details = doc.get("card") or doc
    return dataclasses.replace(
        from_number(doc["_number"], doc["id"]),
        exp_month=details["exp_month"],
        exp_year=details["exp_year"],
        set_up=bool(doc.get("_set_up")),
        stored=doc,
    )


def missing(intent_kind: str) -> ApiError:
    """The 400 for confirming a PaymentIntent or SetupIntent that has no payment method."""
    code = "payment_intent_unexpected_state" if intent_kind == "PaymentIntent" else "setup_intent_unexpected_state"
    return ApiError(
        400,
        f"You cannot confirm this {intent_kind} because it's missing a payment method. "
        "Pass payment_method, such as pm_card_visa.",
        code=code,
        param="payment_method",
    )


def authentication_declined(card: Card) -> Card:
    """The decline a card needing 3-D Secure meets where no one can authenticate (off-session, Charges API)."""
    return dataclasses.replace(
        card,
        decline_code="authentication_required",
        code="authentication_required",
        message="Your card was declined. This transaction requires authentication.",
    )


def check_number(fields: dict[str, Any], now: float, *, prefix: str = "card") -> Card:
    """Check `card[number]`, `card[exp_month]`, `card[exp_year]`, `card[cvc]` as Stripe does; the card, or a 402."""
    number = _text(fields.get("number"), f"{prefix}[number]").replace(" ", "")
    if not number:
        raise ApiError(400, f"Missing required param: {prefix}[number].", param=f"{prefix}[number]")
    if not number.isdigit() or not 12 <= len(number) <= 19:
        raise _card_error("invalid_number", "Your card number is not a valid credit card number.", f"{prefix}[number]")
    if not luhn(number):
        raise _card_error("incorrect_number", "Your card number is incorrect.", f"{prefix}[number]")
    month = _whole(fields.get("exp_month"), f"{prefix}[exp_month]")
    year = _whole(fields.get("exp_year"), f"{prefix}[exp_year]")
    if year < 100:
        year += 2000
    today = datetime.fromtimestamp(now, tz=timezone.utc)
    if not 1 <= month <= 12:
        raise _card_error("invalid_expiry_month", "Your card's expiration month is invalid.", f"{prefix}[exp_month]")
    if not today.year <= year <= today.year + 50:
        raise _card_error("invalid_expiry_year", "Your card's expiration year is invalid.", f"{prefix}[exp_year]")
    if (year, month) < (today.year, today.month):
        raise _card_error("invalid_expiry_month", "Your card's expiration month is invalid.", f"{prefix}[exp_month]")
    cvc = fields.get("cvc")
    if cvc is not None and cvc != "":
        digits = 4 if number.startswith(("34", "37")) else 3
        if not isinstance(cvc, str) or not cvc.isdigit() or len(cvc) not in (3, digits):
            raise _card_error("invalid_cvc", "Your card's security code is invalid.", f"{prefix}[cvc]")
    if number not in _NUMBERS:
        raise ApiError(
            402,
            "Your card was declined. Your request was in test mode, but used a non test (live) card. "
            "Use one of Stripe's test cards, such as 4242424242424242.",
            code="card_declined",
            decline_code="test_mode_live_card",
            param=f"{prefix}[number]",
        )
    return dataclasses.replace(from_number(number), exp_month=month, exp_year=year)


def card_error(card: Card, *, charge_id: str | None = None, **extra: Any) -> ApiError:
    """The 402 a decline answers with (extra: the payment_intent, say); no charge when the card was only checked."""
    fields: dict[str, Any] = {"decline_code": card.decline_code}
    if charge_id is not None:
        fields["charge"] = charge_id
    fields["doc_url"] = f"https://stripe.com/docs/error-codes/{card.code.replace('_', '-')}"
    return ApiError(402, card.message, code=card.code, **fields, **extra)


def luhn(number: str) -> bool:
    """Whether the digits pass the Luhn check every card number carries."""
    total = 0
    for index, digit in enumerate(int(d) for d in reversed(number)):
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _card_error(code: str, message: str, param: str) -> ApiError:
    return ApiError(402, message, code=code, param=param, type="card_error")


def _text(value: Any, param: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(400, f"Invalid {param}: expected a string.", param=param)
    return value


def _whole(value: Any, param: str) -> int:
    if value is None or value == "":
        raise ApiError(400, f"Missing required param: {param}.", param=param)
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).isdigit() or len(str(value)) > 4:
        raise ApiError(400, f"Invalid integer: {str(value)[:20]!r} (param {param}).", param=param)
    return int(value)


def _fingerprint(number: str) -> str:
    # Stable per number, as Stripe's fingerprints are per card.
    return hashlib.sha256(f"hooklab-card:{number}".encode()).hexdigest()[:16]
