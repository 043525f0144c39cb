"""Paying a Checkout Session without a browser: the calls the Stripe CLI's checkout fixtures make.

Stripe's hosted page pays through `POST /v1/payment_pages/{session}/confirm`; the CLI's
`checkout.session.completed` fixture calls it with a test payment method. A bank debit then
settles days later; `POST /v1/test_helpers/checkout/sessions/{session}/async_payment` makes that
happen now, the way Stripe's test helpers move other objects along, so `hooklab trigger` can show
`checkout.session.async_payment_succeeded` and `…_failed` without waiting for the clock.
"""

from __future__ import annotations

from flask import Blueprint, Response

from ...errors import ApiError
from .. import cards
from ..core import asked, current
from ..http import httpapi
from . import checkout

#: The test bank accounts by their payment-method ids (pm_usBankAccount_success settles, …_accountClosed fails).
BANKS = {account.id: account for account in checkout.BANK_ACCOUNTS.values()}


bp = Blueprint("checkout_confirm", __name__)


@bp.post("/v1/payment_pages/<session_id>/confirm")
def confirm_session(session_id: str) -> Response:
    pay, p, paths = asked(("payment_method", "expected_amount", "email", "name"))
    method_id = str(p.string("payment_method", required=True, max_length=200))
    expected = p.integer("expected_amount", minimum=0)
    email = p.string("email", max_length=512) or "trigger@example.com"
    bank = method_id in BANKS
    method = BANKS[method_id] if bank else cards.card(method_id, pay=pay)
    session = pay.get("checkout_session", session_id)
    if expected is not None and expected != session["amount_total"]:
        raise ApiError(
            400,
            f"expected_amount is {expected}, but this session's total is {session['amount_total']}.",
            code="checkout_amount_mismatch",
            param="expected_amount",
        )
    if bank and session["mode"] != "payment":
        raise ApiError(400, "A bank debit pays one-off sessions only; use a card.", param="payment_method")
    try:
        done = checkout.complete(pay, session_id, email=email, name=p.string("name"), method=method, bank=bank)
    except checkout.Declined as declined:
        raise ApiError(402, str(declined), code="card_declined", param="payment_method") from None
    return pay.render(done, paths)


@bp.post("/v1/test_helpers/checkout/sessions/<session_id>/async_payment")
def settle_now(session_id: str) -> Response:
    pay = current()
    paths = httpapi.params().expand()
    session = pay.get("checkout_session", session_id)
    if not checkout.pending_bank_debit(session):
        raise ApiError(
            400,
            f"Checkout session {session_id} has no bank debit waiting to settle; confirm it with "
            "pm_usBankAccount_success or pm_usBankAccount_accountClosed first.",
            code="checkout_session_unexpected_state",
        )
    checkout.settle(pay, session_id)
    return pay.render(pay.get("checkout_session", session_id), paths)
