"""3-D Secure: the `redirect_to_url` next action and the local page where a person completes or fails it.

Stripe sends a customer whose card asks for authentication to their bank's page;
here the payment system serves that page itself, on its own loopback address
(`/hooklab/authenticate/<id>?client_secret=…`): plain HTML, no scripts or outside
assets, two buttons. Completing or failing hands the intent to the function its
kind registered (`init_app(..., finishers)`), then redirects to the `return_url`
with the query Stripe adds (`payment_intent`, `…_client_secret`, `redirect_status`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, request

from ...errors import ApiError
from .. import cards
from ..cards import Card
from ..core import PaymentsCore, current
from ..http.params import Params

PATH = "/hooklab/authenticate"
#: Completes a PaymentIntent or SetupIntent once the customer approved (True) or failed (False) authentication.
Finisher = Callable[[PaymentsCore, dict[str, Any], bool], None]
#: Where the app keeps its finishers by kind (the intents live above this module, so they are handed in).
FINISHERS = "payments.authentication.finishers"
_KINDS = {"pi": "payment_intent", "seti": "setup_intent"}
_CSS = (
    "body{font-family:system-ui,sans-serif;background:#f6f8fa;margin:0;color:#1a1f36}"
    "main{max-width:28rem;margin:4rem auto;background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:2rem}"
    "h1{font-size:1.3rem;margin-top:0}.amount{font-size:1.6rem;font-weight:600}"
    "form{display:inline}button{font-size:1rem;padding:.6rem 1rem;margin:.4rem .4rem 0 0;border-radius:6px;"
    "border:1px solid #8c959f;cursor:pointer}button.ok{background:#1a7f37;color:#fff;border-color:#1a7f37}"
    "button.fail{background:#fff;color:#cf222e;border-color:#cf222e}.note{color:#57606a;font-size:.9rem}"
)


def return_url(p: Params) -> str | None:
    """`return_url`, which must be an http(s) address (it is where the page sends the browser)."""
    url = p.string("return_url", max_length=2000)
    if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise ApiError(400, f"Invalid URL: {url[:100]!r}. return_url must be an http or https URL.", param="return_url")
    return url


def next_action(object_id: str, client_secret: str, back_to: str | None) -> dict[str, Any]:
    """The `next_action` that sends the customer to this system's authentication page."""
    url = f"{request.url_root.rstrip('/')}{PATH}/{object_id}?{urlencode({'client_secret': client_secret})}"
    return {"redirect_to_url": {"return_url": back_to, "url": url}, "type": "redirect_to_url"}


def ask(pay: PaymentsCore, intent: dict[str, Any], back_to: str | None) -> None:
    """Leave a PaymentIntent or SetupIntent waiting for 3-D Secure (inside a transaction); emits `….requires_action`."""
    intent.update(status="requires_action", next_action=next_action(intent["id"], intent["client_secret"], back_to))
    pay.db[intent["object"]].replace(intent)
    pay.emit(f"{intent['object']}.requires_action", intent)


def failure(card: Card, code: str) -> dict[str, Any]:
    """The `last_payment_error` / `last_setup_error` of a failed authentication."""
    return {
        "code": code,
        "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
        "message": "The provided PaymentMethod has failed authentication. You can provide payment_method_data or "
        "a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
        "payment_method": card.as_payment_method(None, 0),
        "type": "invalid_request_error",
    }


bp = Blueprint("authentication", __name__)


def _found(pay: PaymentsCore, object_id: str, secret: str | None) -> dict[str, Any] | None:
    kind = _KINDS.get(object_id.partition("_")[0], "")
    doc = pay.db[kind].get(object_id) if kind in _finishers() else None
    if doc is None or secret is None or doc.get("client_secret") != secret:
        return None
    return doc


@bp.get(f"{PATH}/<object_id>")
def authentication_page(object_id: str) -> Response:
    pay = current()
    doc = _found(pay, object_id, request.args.get("client_secret"))
    if doc is None:
        return _refuse(404, "This authentication link is not valid.")
    if doc["status"] != "requires_action":
        return _refuse(409, f"{object_id} is {doc['status']}; it is not waiting for authentication.")
    return _page("3D Secure authentication", _ask(doc, cards.card(doc["payment_method"], pay=pay)))


@bp.post(f"{PATH}/<object_id>")
def authentication_answer(object_id: str) -> Response:
    pay = current()
    outcome = request.form.get("outcome")
    with pay.store.transaction():
        doc = _found(pay, object_id, request.form.get("client_secret"))
        if doc is None:
            return _refuse(404, "This authentication link is not valid.")
        if outcome not in ("complete", "fail"):
            return _refuse(400, "Answer with outcome=complete or outcome=fail (the page's two buttons).")
        if doc["status"] != "requires_action":
            return _refuse(409, f"{object_id} is {doc['status']}; it is not waiting for authentication.")
        back_to = doc["next_action"]["redirect_to_url"]["return_url"]
        _finishers()[doc["object"]](pay, doc, outcome == "complete")
    status = "succeeded" if doc["status"] in ("succeeded", "requires_capture") else "failed"
    if back_to is None:
        said = "complete" if status == "succeeded" else "failed"
        return _page(f"Authentication {said}", f"<p>{escape(object_id)} is now <b>{escape(doc['status'])}</b>.</p>")
    query = urlencode(
        {
            doc["object"]: object_id,
            f"{doc['object']}_client_secret": doc["client_secret"],
            "redirect_status": status,
        }
    )
    return Response(status=303, headers={"Location": f"{back_to}{'&' if '?' in back_to else '?'}{query}"})


def _finishers() -> Mapping[str, Finisher]:
    finishers: Mapping[str, Finisher] = current_app.extensions[FINISHERS]
    return finishers


def _ask(doc: dict[str, Any], method: Card) -> str:
    card = f"the {method.brand.title()} card ending {method.last4}"
    if doc["object"] == "payment_intent":
        what = (
            f'<p>Pay <span class="amount">{escape(_money(doc["amount"], doc["currency"]))}</span></p>'
            f"<p>with {escape(card)}.</p>"
        )
        if doc.get("description"):
            what += f"<p>For: {escape(doc['description'])}</p>"
    else:
        what = f"<p>Save {escape(card)} for future payments.</p>"
    secret = escape(doc["client_secret"])
    button = (
        '<form method="post"><input type="hidden" name="client_secret" value="{secret}">'
        '<input type="hidden" name="outcome" value="{outcome}"><button class="{css}" type="submit">{label}</button></form>'
    )
    return (
        f"{what}<p class='note'>A test bank page served by hooklab, standing in for your bank's 3D Secure check "
        f"of {escape(doc['id'])}.</p>"
        + button.format(secret=secret, outcome="complete", css="ok", label="Complete authentication")
        + button.format(secret=secret, outcome="fail", css="fail", label="Fail authentication")
    )


def _money(amount: int, currency: str) -> str:
    symbol = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$"}.get(currency, "")
    return f"{symbol}{amount / 100:,.2f} {currency.upper()}"


def _refuse(status: int, message: str) -> Response:
    """An error: a page for a browser, Stripe's JSON error envelope for any other client."""
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return _page("Nothing to authenticate", f"<p>{escape(message)}</p>", status)
    return ApiError(status, message).response()


def _page(title: str, body: str, status: int = 200) -> Response:
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · hooklab</title><style>{_CSS}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return Response(html, status=status, mimetype="text/html")
