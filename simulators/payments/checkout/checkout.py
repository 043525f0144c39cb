"""Checkout Sessions: create, retrieve, list, line items, expire; completed on the hosted page (`checkout_page.py`).

A session (mode `payment` or `subscription`) sells its `line_items` (a
`price`, or `price_data` that makes one) on a page this system serves at the
session's `url`. Completing it there charges the card through a PaymentIntent
(payment mode) or starts a subscription (subscription mode), then emits
`checkout.session.completed`. The "bank debit" option (payment mode only)
completes the session `unpaid` and settles `SETTLE_DAYS` lab days later:
`checkout.session.async_payment_succeeded`, or `…async_payment_failed` for
Stripe's failing test account number. An open session past `expires_at` (or
`POST …/expire`) becomes `expired` with `checkout.session.expired`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ...errors import ApiError
from ...jsonapi import envelope
from .. import customers, payment_intents
from ..billing import coupons, prices, renewals, subscriptions
from ..cards import CARDS, Card
from ..core import PaymentsCore, asked, current
from ..http import httpapi
from ..http.params import Params, merge_metadata
from ..resource import Resource, field

URL = "/v1/checkout/sessions"
MIN_LIFETIME, MAX_LIFETIME = 30 * 60, 24 * 3600
SETTLE_DAYS = 4
#: Stripe's test card numbers -> the test payment method each behaves as.
CARD_NUMBERS = {
    "4242424242424242": "pm_card_visa",
    "4000056655665556": "pm_card_visa_debit",
    "5555555555554444": "pm_card_mastercard",
    "378282246310005": "pm_card_amex",
    "6011111111111117": "pm_card_discover",
    "4000000000000002": "pm_card_chargeDeclined",
    "4000000000009995": "pm_card_insufficientFunds",
    "4000000000000069": "pm_card_chargeDeclinedExpiredCard",
    "4000000000000127": "pm_card_chargeDeclinedIncorrectCvc",
    "4000000000000119": "pm_card_chargeDeclinedProcessingError",
}
#: Stripe's US bank account test numbers: one settles, one fails (the account is closed).
BANK_ACCOUNTS = {
    "000123456789": Card("pm_usBankAccount_success", "us_bank_account", "6789"),
    "000111111113": Card(
        "pm_usBankAccount_accountClosed",
        "us_bank_account",
        "1113",
        decline_code="account_closed",
        code="bank_account_unusable",
        message="The customer's bank account has been closed.",
    ),
}
_FIELDS = (
    "mode",
    "line_items",
    "success_url",
    "cancel_url",
    "client_reference_id",
    "customer",
    "customer_email",
    "metadata",
    "expires_at",
    "customer_creation",
    "subscription_data",
    "payment_intent_data",
    "discounts",
)
_IGNORED = (
    "payment_method_types",
    "allow_promotion_codes",
    "billing_address_collection",
    "locale",
    "submit_type",
    "automatic_tax",
    "phone_number_collection",
    "shipping_address_collection",
    "ui_mode",
    "payment_method_collection",
    "consent_collection",
    "custom_text",
    "invoice_creation",
)


def show_url(pay: PaymentsCore, doc: dict[str, Any], shown: dict[str, Any]) -> None:
    """An open session shows the hosted page's address; a finished one shows none."""
    shown["url"] = _page_url(doc["id"]) if doc["status"] == "open" else None


RESOURCE = Resource(
    kind="checkout_session",
    prefix="cs",
    url="/v1/checkout/sessions",
    events=(
        "checkout.session.async_payment_failed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.completed",
        "checkout.session.expired",
    ),
    filters=(
        field("customer"),
        field("payment_intent"),
        field("subscription"),
        field("status", choices=("open", "complete", "expired")),
        field("client_reference_id"),
    ),
)
bp = Blueprint("checkout", __name__)


@bp.post(URL)
def create_session() -> Response:
    pay, p, paths = asked(_FIELDS, _IGNORED)
    with pay.store.transaction():
        session = new(pay, p)
    schedule_expiry(pay, session)
    return pay.render(session, paths)


@bp.post(f"{URL}/<session_id>")
def update_session(session_id: str) -> Response:
    pay, p, paths = asked(("metadata",))
    metadata = p.metadata()
    with pay.store.transaction():
        session = pay.get("checkout_session", session_id)
        session["metadata"] = merge_metadata(session["metadata"], metadata)
        pay.db["checkout_session"].replace(session)
    return pay.render(session, paths)


@bp.get(f"{URL}/<session_id>/line_items")
def session_line_items(session_id: str) -> Response:
    pay = current()
    p = httpapi.params(("limit", "starting_after", "ending_before"))
    session = pay.get("checkout_session", session_id)
    limit = p.integer("limit", minimum=1, maximum=100) or 10
    items = session["_line_items"]
    after = p.string("starting_after", max_length=200)
    ids = [item["id"] for item in items]
    start = ids.index(after) + 1 if after in ids else 0
    window = items[start : start + limit]
    return jsonify(envelope(window, f"{URL}/{session_id}/line_items", has_more=start + limit < len(items)))


@bp.post(f"{URL}/<session_id>/expire")
def expire_session(session_id: str) -> Response:
    pay = current()
    paths = httpapi.params().expand()
    with pay.store.transaction():
        session = pay.get("checkout_session", session_id)
        if session["status"] != "open":
            raise ApiError(
                400,
                f"Only an open Checkout Session can be expired; {session_id} is {session['status']}.",
                code="checkout_session_unexpected_state",
            )
        expire(pay, session)
    return pay.render(session, paths)


def _page_url(session_id: str) -> str:
    try:
        root = request.url_root
    except RuntimeError:  # outside a request (a clock job): the page's path alone
        root = "/"
    return f"{root}checkout/{session_id}"


def new(pay: PaymentsCore, p: Params) -> dict[str, Any]:
    """Store a session from create parameters (inside a transaction)."""
    mode = str(p.string("mode", required=True, choices=("payment", "subscription")))
    success_url = _url(p, "success_url", required=True)
    cancel_url = _url(p, "cancel_url", required=False)
    customer_id = p.string("customer", max_length=200)
    email = p.string("customer_email", max_length=512)
    if customer_id and email:
        raise ApiError(400, "Give customer or customer_email, not both.", param="customer_email")
    if email and ("@" not in email or any(ch.isspace() for ch in email)):
        raise ApiError(400, f"Invalid email address: {email[:100]}", code="email_invalid", param="customer_email")
    customer = customers.live(pay, customer_id, param="customer") if customer_id else None
    now = pay.now()
    expires_at = p.integer("expires_at", minimum=now + MIN_LIFETIME, maximum=now + MAX_LIFETIME) or now + MAX_LIFETIME
    creation = p.string("customer_creation", choices=("if_required", "always"))
    if creation and mode == "subscription":
        raise ApiError(400, "customer_creation only goes with mode=payment.", param="customer_creation")
    trial_days, subscription_metadata = _subscription_data(p, mode)
    intent_metadata = _intent_data(p, mode)
    session_id = pay.ids.new("cs_test", 40)
    items = _line_items(pay, p, mode, session_id)
    currency = items[0]["currency"]
    subtotal = sum(item["amount_subtotal"] for item in items)
    coupon_id = coupons.from_params(p)
    discount = (
        coupons.redeem(pay, coupon_id, customer=customer_id or "", param="discounts[0][coupon]") if coupon_id else None
    )
    off = coupons.amount_off(discount, subtotal)
    session = {
        "id": session_id,
        "object": "checkout.session",
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": subtotal,
        "amount_total": subtotal - off,
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": cancel_url,
        "client_reference_id": p.string("client_reference_id", max_length=200),
        "client_secret": None,
        "collected_information": None,
        "consent": None,
        "consent_collection": None,
        "created": now,
        "currency": currency,
        "currency_conversion": None,
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": customer_id,
        "customer_creation": (creation or "if_required") if mode == "payment" else None,
        "customer_details": None,
        "customer_email": email,
        "discounts": [{"coupon": coupon_id, "promotion_code": None}] if coupon_id else [],
        "expires_at": expires_at,
        "invoice": None,
        "invoice_creation": {"enabled": False, "invoice_data": None} if mode == "payment" else None,
        "livemode": False,
        "locale": None,
        "metadata": merge_metadata({}, p.metadata()),
        "mode": mode,
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "always",
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card", "us_bank_account"] if mode == "payment" else ["card"],
        "payment_status": "unpaid",
        "phone_number_collection": {"enabled": False},
        "recovered_from": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_details": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": None,
        "subscription": None,
        "success_url": success_url,
        "total_details": {"amount_discount": off, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": None,
        "_line_items": items,
        "_discount": discount,
        "_trial_days": trial_days,
        "_subscription_metadata": subscription_metadata,
        "_intent_metadata": intent_metadata,
        "_last_error": None,
    }
    if customer is not None:
        session["customer_email"] = customer.get("email")
    pay.db["checkout_session"].insert(session, created=now)
    return session


def _url(p: Params, name: str, *, required: bool) -> str | None:
    value = p.string(name, required=required, max_length=5000)
    if value is not None and not value.startswith(("http://", "https://")):
        raise ApiError(
            400, f"Invalid {name}: use an absolute http:// or https:// URL (got {value[:60]!r}).", param=name
        )
    return value


def _line_items(pay: PaymentsCore, p: Params, mode: str, session_id: str) -> list[dict[str, Any]]:
    raw = p.items("line_items", max_items=100)
    if not raw:
        raise ApiError(
            400,
            "Missing required param: line_items (such as line_items[0][price]=price_basic_monthly).",
            param="line_items",
        )
    found = []
    for index, item in enumerate(raw):
        name = f"line_items[{index}]"
        if not isinstance(item, dict):
            raise ApiError(
                400, f"Invalid {name}: expected a hash such as {name}[price]=price_basic_monthly.", param=name
            )
        inner = Params(
            item, ("price", "price_data", "quantity"), ignored=("adjustable_quantity", "tax_rates"), prefix=name
        )
        quantity = inner.integer("quantity", minimum=1, maximum=999_999)
        if quantity is None:
            raise ApiError(400, f"Missing required param: {name}[quantity].", param=f"{name}[quantity]")
        price_id = inner.string("price", max_length=200)
        data = inner.mapping("price_data")
        if (price_id is None) == (data is None):
            raise ApiError(400, f"Give exactly one of {name}[price] or {name}[price_data].", param=f"{name}[price]")
        if price_id is not None:
            price = pay.public(prices.live(pay, price_id, param=f"{name}[price]"))
        else:
            assert data is not None
            price = pay.public(
                prices.new(
                    pay, Params(data, prices.PRICE_DATA, prefix=f"{name}[price_data]"), prefix=f"{name}[price_data]"
                )
            )
        if not price["active"]:
            raise ApiError(400, f"Price {price['id']} is archived (active=false).", param=f"{name}[price]")
        if mode == "payment" and price["recurring"]:
            raise ApiError(
                400,
                f"{name} has a recurring price; in payment mode use one-off prices, or use mode=subscription.",
                param=f"{name}[price]",
            )
        if mode == "subscription" and not price["recurring"] and index == 0:
            raise ApiError(400, f"{name}: subscription mode needs a recurring price.", param=f"{name}[price]")
        product = pay.db["product"].get(price["product"]) or {}
        amount = price["unit_amount"] * quantity
        found.append(
            {
                "id": f"li_{pay.ids.token(f'{session_id}:{index}', 24)}",
                "object": "item",
                "amount_discount": 0,
                "amount_subtotal": amount,
                "amount_tax": 0,
                "amount_total": amount,
                "currency": price["currency"],
                "description": product.get("name") or price.get("nickname") or price["id"],
                "price": price,
                "quantity": quantity,
            }
        )
    if len({item["currency"] for item in found}) > 1:
        raise ApiError(400, "All line items of a session must be in one currency.", param="line_items")
    return found


def _subscription_data(p: Params, mode: str) -> tuple[int | None, dict[str, str]]:
    raw = p.mapping("subscription_data")
    if raw is None:
        return None, {}
    if mode != "subscription":
        raise ApiError(400, "subscription_data only goes with mode=subscription.", param="subscription_data")
    inner = Params(
        raw, ("trial_period_days", "metadata", "description"), ignored=("trial_settings",), prefix="subscription_data"
    )
    return inner.integer("trial_period_days", minimum=1, maximum=730), merge_metadata({}, inner.metadata())


def _intent_data(p: Params, mode: str) -> dict[str, str]:
    raw = p.mapping("payment_intent_data")
    if raw is None:
        return {}
    if mode != "payment":
        raise ApiError(400, "payment_intent_data only goes with mode=payment.", param="payment_intent_data")
    inner = Params(
        raw,
        ("metadata", "description"),
        ignored=("capture_method", "setup_future_usage", "receipt_email"),
        prefix="payment_intent_data",
    )
    return merge_metadata({}, inner.metadata())


def expire(pay: PaymentsCore, session: dict[str, Any]) -> None:
    session["status"] = "expired"
    pay.db["checkout_session"].replace(session)
    pay.emit("checkout.session.expired", session)


def schedule_expiry(pay: PaymentsCore, session: dict[str, Any]) -> None:
    session_id = session["id"]
    pay.clock.call_at(
        session["expires_at"], lambda: _expire_if_open(pay, session_id), name=f"payments: expire {session_id}"
    )


def _expire_if_open(pay: PaymentsCore, session_id: str) -> None:
    if not pay.alive:
        return
    with pay.store.transaction():
        session = pay.db["checkout_session"].get(session_id)
        if session is not None and session["status"] == "open":
            expire(pay, session)


def schedule_all(pay: PaymentsCore) -> None:
    """Put open sessions' expiry and unsettled bank debits back on the clock (at start, after a restart)."""
    for session in pay.db["checkout_session"].find(status="open"):
        schedule_expiry(pay, session)
    for session in pay.db["checkout_session"].find(status="complete", payment_status="unpaid"):
        if session.get("_settles_at"):
            _schedule_settlement(pay, session)


# -- completing a session (the hosted page calls these) ----------------------


class Declined(Exception):
    """The card was declined: the page says so and lets the person try again."""


def card_for(number: str) -> Card:
    """The test card a typed card number stands for, or a refusal naming the problem."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if not digits:
        raise Declined("Enter a card number, such as 4242 4242 4242 4242.")
    method = CARD_NUMBERS.get(digits)
    if method is None:
        raise Declined(
            "Your card was declined. This is a test page: use a test card such as 4242 4242 4242 4242 "
            "(succeeds) or 4000 0000 0000 0002 (is declined)."
        )
    return CARDS[method]


def bank_for(number: str) -> Card:
    digits = "".join(ch for ch in number if ch.isdigit())
    found = BANK_ACCOUNTS.get(digits)
    if found is None:
        raise Declined("Use a test account number: 000123456789 (settles) or 000111111113 (fails: account closed).")
    return found


def complete(
    pay: PaymentsCore, session_id: str, *, email: str, name: str | None, method: Card, bank: bool
) -> dict[str, Any]:
    """Pay for a session with a test card or bank account; raises `Declined` (after recording the attempt)."""
    declined: str | None = None
    with pay.store.transaction():
        session = pay.get("checkout_session", session_id)
        if session["status"] != "open":
            raise Declined(f"This checkout session is {session['status']}.")
        customer = _customer(pay, session, email, name)
        session["customer_details"] = {
            "address": None,
            "email": email,
            "name": name,
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        }
        if session["mode"] == "payment":
            declined = _pay(pay, session, customer, method, bank)
        else:
            if method.declines:
                declined = method.message
            else:
                _subscribe(pay, session, customer, method)
        if declined is None:
            session["status"] = "complete"
            session["customer"] = customer["id"] if customer else None
            pay.db["checkout_session"].replace(session)
            pay.emit("checkout.session.completed", session)
        else:
            session["_last_error"] = declined
            pay.db["checkout_session"].replace(session)
    if declined is not None:
        raise Declined(declined)
    if bank:
        _schedule_settlement(pay, session)
    if session["subscription"]:
        renewals.schedule_renewal(pay, pay.get("subscription", session["subscription"]))
    return session


def _customer(pay: PaymentsCore, session: dict[str, Any], email: str, name: str | None) -> dict[str, Any] | None:
    if session["customer"]:
        return customers.live(pay, session["customer"], param="customer")
    if session["mode"] == "payment" and session["customer_creation"] != "always":
        return None
    return customers.create(pay, {"email": email, "name": name})


def _pay(
    pay: PaymentsCore, session: dict[str, Any], customer: dict[str, Any] | None, method: Card, bank: bool
) -> str | None:
    intent = pay.db["payment_intent"].get(session["payment_intent"]) if session["payment_intent"] else None
    if intent is None:
        intent = payment_intents.start(
            pay,
            amount=session["amount_total"],
            currency=session["currency"],
            customer=customer["id"] if customer else None,
            metadata=dict(session["_intent_metadata"]),
            description=None,
        )
        session["payment_intent"] = intent["id"]
    if bank:
        intent.update(status="processing", payment_method=method.id, payment_method_types=["us_bank_account"])
        pay.db["payment_intent"].replace(intent)
        pay.emit("payment_intent.processing", intent)
        session["_bank"] = method.id
        session["_settles_at"] = pay.now() + SETTLE_DAYS * 86400
        return None
    error = payment_intents.confirm(pay, intent, method)
    if error is not None:
        return method.message
    session["payment_status"] = "paid"
    return None


def _subscribe(pay: PaymentsCore, session: dict[str, Any], customer: dict[str, Any] | None, method: Card) -> None:
    assert customer is not None
    items = [
        {"price": item["price"], "quantity": item["quantity"]}
        for item in session["_line_items"]
        if item["price"]["recurring"]
    ]
    days = session["_trial_days"]
    subscription = subscriptions.start(
        pay,
        customer,
        items,
        method=method.id,
        metadata=dict(session["_subscription_metadata"]),
        trial_end=pay.now() + days * 86400 if days else None,
        coupon_id=session["discounts"][0]["coupon"] if session["discounts"] else None,
    )
    session["subscription"] = subscription["id"]
    session["invoice"] = subscription["latest_invoice"]
    session["payment_status"] = "no_payment_required" if days else "paid"


def _schedule_settlement(pay: PaymentsCore, session: dict[str, Any]) -> None:
    """Settle on the lab clock, or on the customer's test clock when it is advanced (see test_clocks.py)."""
    if settles_on_clock(pay, session) is not None:
        return
    session_id = session["id"]
    pay.clock.call_at(session["_settles_at"], lambda: settle(pay, session_id), name=f"payments: settle {session_id}")


def settles_on_clock(pay: PaymentsCore, session: dict[str, Any]) -> str | None:
    """The test clock whose advance settles this session's bank debit, if its customer lives on one."""
    customer = pay.db["customer"].get(session["customer"]) if session.get("customer") else None
    return customer.get("test_clock") if customer else None


def pending_bank_debit(session: dict[str, Any] | None) -> bool:
    """Whether a session's bank debit is still waiting for its outcome."""
    return bool(
        session and session["payment_status"] == "unpaid" and session.get("_bank") and not session.get("_bank_settled")
    )


def settle(pay: PaymentsCore, session_id: str) -> None:
    """A bank debit's outcome arrives: the payment succeeds or fails, and the session says so (a clock job)."""
    if not pay.alive:
        return
    with pay.store.transaction():
        session = pay.db["checkout_session"].get(session_id)
        if session is None or not pending_bank_debit(session):
            return  # settled already (by the test helper, before its clock job came)
        intent = pay.get("payment_intent", session["payment_intent"])
        account = next(card for card in BANK_ACCOUNTS.values() if card.id == session["_bank"])
        failed = payment_intents.confirm(pay, intent, account) is not None
        session["_settles_at"] = None
        session["_bank_settled"] = True
        session["payment_status"] = "unpaid" if failed else "paid"
        pay.db["checkout_session"].replace(session)
        pay.emit(f"checkout.session.async_payment_{'failed' if failed else 'succeeded'}", session)
