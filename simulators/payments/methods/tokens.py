"""Card tokens and card sources: the Charges API's older way to keep a card.

`POST /v1/tokens` makes a token from a test card number (the `tok_*` shortcuts
name ready-made ones); a token is good for one charge, or for saving its card
on a customer as a source (`POST /v1/customers/{id}/sources`, or `source=` on
customer create), which becomes the customer's `default_source`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ...clock import to_timestamp
from ...errors import ApiError
from .. import cards, saved_methods
from ..core import PaymentsCore, asked, current
from ..http import httpapi
from ..http.params import Params
from ..http.query import LIST_PARAMS, Where

_CARD_FIELDS = (
    "number",
    "exp_month",
    "exp_year",
    "cvc",
    "name",
    "address_line1",
    "address_line2",
    "address_city",
    "address_state",
    "address_zip",
    "address_country",
    "currency",
)


bp = Blueprint("tokens", __name__)


@bp.post("/v1/customers/<customer_id>/sources")
def create_source(customer_id: str) -> Response:
    pay, p, paths = asked(("source", "metadata"), ("validate",))
    token_id = str(p.string("source", required=True, max_length=200))
    with pay.store.transaction():
        customer = _live_customer(pay, customer_id)
        source = saved_methods.add_source(pay, customer, token_id)
    return pay.render(source, paths)


@bp.get("/v1/customers/<customer_id>/sources")
def list_sources(customer_id: str) -> Response:
    pay = current()
    p = httpapi.params((*LIST_PARAMS, "object"))
    p.string("object", choices=("card",))
    _live_customer(pay, customer_id)
    where = Where().created(p).field("customer", customer_id)
    return pay.render_list("card", p, url=f"/v1/customers/{customer_id}/sources", where=where)


@bp.post("/v1/tokens")
def create_token() -> Response:
    pay, p, paths = asked(("card",), ("customer",))
    given = p.mapping("card")
    if given is None:
        raise ApiError(400, "Missing required param: card (hooklab makes card tokens only).", param="card")
    fields = Params(given, _CARD_FIELDS, prefix="card")
    card = cards.check_number(given, pay.clock.time())
    name = fields.string("name", max_length=200)
    now = pay.now()
    with pay.store.transaction():
        token_id = pay.ids.new("tok")
        source = card.source_card(pay.ids.new("card"))
        source["name"] = name
        for field in ("address_line1", "address_line2", "address_city", "address_state", "address_zip"):
            source[field] = fields.string(field, max_length=200)
        source["address_country"] = fields.string("address_country", max_length=2)
        token = {
            "id": token_id,
            "object": "token",
            "card": source,
            "client_ip": None,
            "created": now,
            "livemode": False,
            "type": "card",
            "used": False,
            "_number": card.number,
        }
        pay.db["token"].insert(token, created=now)
    return pay.render(token, paths)


@bp.get("/v1/tokens/<token_id>")
def retrieve_token(token_id: str) -> Response:
    pay = current()
    p = httpapi.params()
    shortcut = cards.CARDS.get(token_id)
    if shortcut is not None and token_id.startswith("tok_"):
        token = {
            "id": token_id,
            "object": "token",
            "card": shortcut.source_card("card_" + token_id.removeprefix("tok_")),
            "client_ip": None,
            "created": int(to_timestamp(pay.clock.start)),
            "livemode": False,
            "type": "card",
            "used": False,
        }
        return pay.render(token, p.expand())
    return pay.render(pay.get("token", token_id), p.expand())


def _live_customer(pay: PaymentsCore, customer_id: str) -> dict[str, Any]:
    customer = pay.get("customer", customer_id)
    if customer.get("deleted"):
        raise ApiError(404, f"No such customer: {customer_id!r} (it was deleted)", code="resource_missing", param="id")
    return customer
