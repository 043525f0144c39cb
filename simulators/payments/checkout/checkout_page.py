"""The hosted checkout page: a person types an email and a test card (or bank account), and is sent on.

`GET /checkout/<id>` shows the session's items and a form; posting it pays
(`checkout.complete`) and redirects to the session's `success_url`, with
`{CHECKOUT_SESSION_ID}` filled in. A decline shows the page again with the
reason. Every link and the form's target are relative, and nothing is loaded
from elsewhere, so the page works behind a path-prefixed proxy
(jupyter-server-proxy's `/proxy/PORT/`) and offline. Everything shown is
HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from flask import Blueprint, Response, request

from ...errors import ApiError
from ..core import current
from . import checkout

SESSION_ID = "{CHECKOUT_SESSION_ID}"
_STYLE = """
body{font-family:system-ui,sans-serif;background:#f6f8fa;margin:0;color:#1a1f36}
main{max-width:440px;margin:2rem auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}table{width:100%;border-collapse:collapse;margin-bottom:1rem}
td{padding:.3rem 0}td.amount{text-align:right}tr.total td{border-top:1px solid #ddd;font-weight:bold}
label{display:block;margin:.6rem 0 .2rem;font-size:.9rem}input[type=text],input[type=email]{width:100%;padding:.5rem;box-sizing:border-box}
fieldset{border:1px solid #ddd;border-radius:6px;margin:.8rem 0}button{margin-top:1rem;width:100%;padding:.7rem;
background:#635bff;color:#fff;border:0;border-radius:6px;font-size:1rem}.error{background:#fde8e8;color:#9b1c1c;padding:.6rem;
border-radius:6px}.note{font-size:.8rem;color:#555}
"""


bp = Blueprint("checkout_page", __name__)


@bp.get("/checkout/<session_id>")
def show_page(session_id: str) -> Response:
    pay = current()
    session = pay.db["checkout_session"].get(session_id)
    if session is None:
        return _missing(session_id)
    return _page(session)


@bp.post("/checkout/<session_id>")
def submit_page(session_id: str) -> Response:
    pay = current()
    session = pay.db["checkout_session"].get(session_id)
    if session is None:
        return _missing(session_id)
    if session["status"] != "open":  # paid already, or expired: nothing more to pay here
        status = 410 if session["status"] == "expired" else 409
        if not _browser():
            return ApiError(status, _CLOSED[session["status"]], code="checkout_session_closed").response()
        return _page(session, status=status)
    form = request.form
    email = form.get("email", "").strip()
    name = form.get("name", "").strip() or None
    bank = form.get("method") == "bank"
    try:
        if "@" not in email or any(ch.isspace() for ch in email) or len(email) > 512:
            raise checkout.Declined("Enter your email address, such as ada@example.com.")
        if bank and session["mode"] != "payment":
            raise checkout.Declined("Bank debit is only offered for one-off payments here; use a card.")
        method = (
            checkout.bank_for(form.get("account_number", ""))
            if bank
            else checkout.card_for(form.get("card_number", ""))
        )
        done = checkout.complete(pay, session_id, email=email, name=name, method=method, bank=bank)
    except checkout.Declined as declined:
        if not _browser():
            return ApiError(402, str(declined), code="card_declined").response()
        fresh = pay.db["checkout_session"].get(session_id) or session
        return _page(fresh, error=str(declined), typed=form, status=402)
    return Response(status=303, headers={"Location": str(done["success_url"]).replace(SESSION_ID, session_id)})


@bp.get("/checkout/done")
def done_page() -> Response:
    """Where `lab.payments.checkout()` sends people by default, when there is no shop to return to."""
    shown = escape(request.args.get("session_id", ""))
    return _html("Payment complete", f"<p>Thank you! Your payment went through.</p><p class='note'>Session {shown}</p>")


def _money(cents: int, currency: str) -> str:
    return f"${cents / 100:,.2f}" if currency == "usd" else f"{cents / 100:,.2f} {escape(currency.upper())}"


def _page(session: dict[str, Any], *, error: str | None = None, typed: Any = None, status: int = 200) -> Response:
    typed = typed or {}
    currency = session["currency"]
    rows = "".join(
        f"<tr><td>{escape(str(item['description']))} × {item['quantity']}{_interval(item)}</td>"
        f"<td class='amount'>{_money(item['amount_total'], currency)}</td></tr>"
        for item in session["_line_items"]
    )
    if session["total_details"]["amount_discount"]:
        rows += f"<tr><td>Discount</td><td class='amount'>−{_money(session['total_details']['amount_discount'], currency)}</td></tr>"
    rows += f"<tr class='total'><td>Total due today</td><td class='amount' id='total'>{_money(session['amount_total'], currency)}</td></tr>"
    summary = f"<table>{rows}</table>"
    cancel = session.get("cancel_url")
    back = f"<p><a id='cancel' href='{escape(cancel, quote=True)}'>← Cancel and go back</a></p>" if cancel else ""
    if session["status"] != "open":
        words = _CLOSED
        gone = 410 if session["status"] == "expired" else status
        return _html("Checkout", f"{summary}<p id='status'>{words.get(session['status'], '')}</p>{back}", gone)
    email = typed.get("email") or session.get("customer_email") or ""
    bank = session["mode"] == "payment"
    choose = (
        "<fieldset><legend>Pay with</legend>"
        f"<label><input type='radio' name='method' value='card' {'checked' if typed.get('method') != 'bank' else ''}> Card</label>"
        f"<label><input type='radio' name='method' value='bank' id='method-bank' {'checked' if typed.get('method') == 'bank' else ''}>"
        " US bank account (settles in a few days)</label></fieldset>"
        if bank
        else "<input type='hidden' name='method' value='card'>"
    )
    bank_fields = (
        "<label for='account_number'>Bank account number</label>"
        f"<input type='text' id='account_number' name='account_number' inputmode='numeric' value='{escape(typed.get('account_number', ''), quote=True)}'>"
        "<p class='note'>Test accounts: 000123456789 settles, 000111111113 fails.</p>"
        if bank
        else ""
    )
    problem = f"<p class='error' id='error' role='alert'>{escape(error)}</p>" if error else ""
    body = f"""{summary}{problem}
<form method="post" action="">
<label for="email">Email</label>
<input type="email" id="email" name="email" required value="{escape(email, quote=True)}">
<label for="name">Name on card</label>
<input type="text" id="name" name="name" value="{escape(typed.get("name", ""), quote=True)}">
{choose}
<label for="card_number">Card number</label>
<input type="text" id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242">
<label for="expiry">Expiry (MM / YY)</label><input type="text" id="expiry" name="expiry" placeholder="12 / 34">
<label for="cvc">CVC</label><input type="text" id="cvc" name="cvc" placeholder="123">
<p class="note">Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.</p>
{bank_fields}
<button type="submit" id="pay">{"Subscribe" if session["mode"] == "subscription" else "Pay"} {_money(session["amount_total"], currency)}</button>
</form>{back}"""
    return _html("Checkout", body, status)


def _interval(item: dict[str, Any]) -> str:
    recurring = item["price"].get("recurring")
    return f" (per {escape(recurring['interval'])})" if recurring else ""


#: What a closed session's page says, and the JSON error says to any other client.
_CLOSED = {"complete": "This checkout is already complete.", "expired": "This checkout session has expired."}


def _browser() -> bool:
    """Whether the client asked for a page (a browser does); any other client gets Stripe's JSON errors."""
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def _missing(session_id: str) -> Response:
    message = f"No such checkout session: {session_id[:80]!r}."
    if not _browser():
        return ApiError(404, message, code="resource_missing", param="id").response()
    return _html("Checkout not found", "<p>There is no checkout session with this id.</p>", 404)


def _html(title: str, body: str, status: int = 200) -> Response:
    page = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)} · hooklab</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1><p class='note'>Test mode: no real money moves.</p>{body}</main></body></html>"
    )
    answer = Response(page, status=status, mimetype="text/html")
    # Stripe's hosted Checkout refuses to be framed: a page that takes card details must not sit inside
    # another site's frame, where that site could draw over it (review C1).
    answer.headers["X-Frame-Options"] = "DENY"
    answer.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    answer.headers["X-Content-Type-Options"] = "nosniff"
    return answer
