"""The customer portal: `POST /v1/billing_portal/sessions` makes a short-lived link where a customer sees
their subscriptions, as Stripe's hosted portal does (Stripe neither lists nor retrieves these sessions).

This module is the whole resource: its declaration, its route and its page. The portal here shows; it
changes nothing (Stripe's lets a customer cancel or switch plans, configured by a `bpc_` configuration).
"""

from __future__ import annotations

from html import escape
from typing import Any

from flask import Blueprint, Response, request

from ...errors import ApiError
from ..core import PaymentsCore, asked, current
from ..customers import live
from ..methods.authentication import return_url
from ..resource import Resource

RESOURCE = Resource(
    kind="billing_portal_session",
    prefix="bps",
    url="/v1/billing_portal/sessions",
    events=("billing_portal.session.created",),
    listed=False,
)
#: The page's path; its address is in each session's `url`.
PAGE = "/billing_portal"
_LOCALES = ("auto", "en", "en-GB", "fr", "de", "es", "it", "ja", "nl", "pt")

bp = Blueprint("portal_sessions", __name__)


@bp.post(RESOURCE.url)
def create_session() -> Response:
    pay, p, paths = asked(("customer", "return_url", "locale", "configuration"), ignored=("flow_data", "on_behalf_of"))
    customer_id = str(p.string("customer", required=True, max_length=200))
    back_to = return_url(p)
    locale = p.string("locale", choices=_LOCALES)
    configuration = p.string("configuration", max_length=200)
    return pay.render(create(pay, customer_id, back_to, locale, configuration), paths)


def create(
    pay: PaymentsCore, customer_id: str, back_to: str | None, locale: str | None, configuration: str | None
) -> dict[str, Any]:
    """A portal session for a live customer; emits `billing_portal.session.created`."""
    with pay.store.transaction():
        customer = live(pay, customer_id, param="customer")
        session_id = pay.ids.new(RESOURCE.prefix)
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            # One configuration per account, as Stripe makes a default one the first time the portal is used.
            "configuration": configuration or "bpc_" + pay.ids.token("billing_portal_configuration", 24),
            "created": pay.now(),
            "customer": customer["id"],
            "flow": None,
            "livemode": False,
            "locale": locale,
            "on_behalf_of": None,
            "return_url": back_to,
            "url": f"{request.url_root}{PAGE.lstrip('/')}/{session_id}",
        }
        pay.db[RESOURCE.kind].insert(session, created=session["created"])
        pay.emit("billing_portal.session.created", session)
    return session


@bp.get(f"{PAGE}/<session_id>")
def portal_page(session_id: str) -> Response:
    pay = current()
    session = pay.db[RESOURCE.kind].get(session_id)
    if session is None:
        # A page for a browser, Stripe's JSON error for any other client (as the 3-D Secure page answers).
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
            return _html("Nothing here", "<p>This portal link is not valid.</p>", 404)
        return ApiError(404, f"No such billing portal session: {session_id[:80]!r}", code="resource_missing").response()
    customer = pay.db["customer"].get(session["customer"]) or {}
    rows = "".join(
        f"<li>{escape(sub['id'])}: {escape(sub['status'])}</li>"
        for sub in pay.db["subscription"].find(customer=session["customer"])
    )
    back = session["return_url"]
    body = (
        f"<p>{escape(customer.get('email') or customer.get('name') or session['customer'])}</p>"
        f"<h2>Subscriptions</h2><ul>{rows or '<li>none</li>'}</ul>"
        + (f'<p><a href="{escape(back)}">Return</a></p>' if back else "")
    )
    return _html("Your billing", body)


def _html(title: str, body: str, status: int = 200) -> Response:
    page = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)} · hooklab</title></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    response = Response(page, status=status, mimetype="text/html")
    # As Stripe's hosted pages: never inside another site's frame.
    response.headers["X-Frame-Options"] = "DENY"
    return response
