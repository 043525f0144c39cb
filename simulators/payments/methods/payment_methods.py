"""PaymentMethods: create from a test card number, retrieve, update, attach, detach, list.

`POST /v1/payment_methods` with `type=card` and `card[number]`… checks the number
as Stripe does (`cards.check_number`) and keeps the test card's outcome, so a
PaymentMethod made from 4000000000009995 declines for insufficient funds when
charged. Attaching a shortcut (`pm_card_visa`) saves a new PaymentMethod for
the customer, as Stripe does; attaching a card that declines fails.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ...errors import ApiError
from .. import cards, customers, records, saved_methods
from ..cards import EMPTY_ADDRESS, Card
from ..core import PaymentsCore, asked, current
from ..http import httpapi
from ..http.params import Params, merge_metadata
from ..http.query import LIST_PARAMS, Where
from ..resource import Resource

_ADDRESS_FIELDS = tuple(EMPTY_ADDRESS)
_BILLING_FIELDS = ("address", "email", "name", "phone")
_CARD_FIELDS = ("number", "exp_month", "exp_year", "cvc", "token")


def billing_details(p: Params) -> dict[str, Any] | None:
    """`billing_details[name]=…`, `billing_details[address][city]=…`: the fields given (empty clears)."""
    given = p.mapping("billing_details")
    if given is None:
        return None
    inner = Params(given, _BILLING_FIELDS, prefix="billing_details")
    found: dict[str, Any] = {}
    for name in ("email", "name", "phone"):
        if name in inner:
            found[name] = inner.string(name, max_length=500, empty_ok=True) or None
    address = inner.mapping("address")
    if address is not None:
        lines = Params(address, _ADDRESS_FIELDS, prefix="billing_details[address]")
        found["address"] = {name: lines.string(name, max_length=500) for name in _ADDRESS_FIELDS}
    return found


RESOURCE = Resource(
    kind="payment_method",
    prefix="pm",
    url="/v1/payment_methods",
    events=("payment_method.attached", "payment_method.detached", "payment_method.updated"),
    listed=False,
)
bp = Blueprint("payment_methods", __name__)


@bp.post("/v1/payment_methods")
def create_payment_method() -> Response:
    pay, p, paths = asked(("type", "card", "billing_details", "metadata"), ("allow_redisplay", "radar_options"))
    kind = str(p.string("type", required=True, max_length=50))
    if kind != "card":
        raise ApiError(
            400, f"Invalid type: {kind[:50]!r}. hooklab makes PaymentMethods of type card only.", param="type"
        )
    given = p.mapping("card")
    if given is None:
        raise ApiError(400, "Missing required param: card.", param="card")
    fields = Params(given, _CARD_FIELDS, prefix="card")
    if "token" in fields:
        card = cards.card(str(fields.string("token", required=True, max_length=200)), "card[token]", pay=pay)
        if not card.id.startswith("tok_"):
            raise ApiError(400, "card[token] must be a token made with POST /v1/tokens.", param="card[token]")
    else:
        card = cards.check_number(given, pay.clock.time())
    billing = billing_details(p)
    metadata = merge_metadata({}, p.metadata())
    with pay.store.transaction():
        doc = saved_methods.create(pay, card, billing=billing, metadata=metadata)
    return pay.render(doc, paths)


@bp.get("/v1/payment_methods/<method_id>")
def retrieve_payment_method(method_id: str) -> Response:
    pay = current()
    p = httpapi.params()
    card = cards.card(method_id, "id", pay=pay)
    if card.stored is None:
        return _render_shortcut(pay, card, p)
    return pay.render(pay.get("payment_method", method_id), p.expand())


@bp.post("/v1/payment_methods/<method_id>")
def update_payment_method(method_id: str) -> Response:
    pay, p, paths = asked(("billing_details", "metadata", "card"), ("allow_redisplay",))
    billing = billing_details(p)
    metadata = p.metadata()
    expiry = Params(p.mapping("card") or {}, ("exp_month", "exp_year"), prefix="card")
    month = expiry.integer("exp_month", minimum=1, maximum=12)
    year = expiry.integer("exp_year", minimum=2000, maximum=2100)
    with pay.store.transaction():
        doc = pay.get("payment_method", method_id)
        if doc["customer"] is None:
            raise ApiError(
                400,
                "You must save this PaymentMethod to a customer before you can update it "
                "(POST /v1/payment_methods/{id}/attach).",
                code="payment_method_unexpected_state",
            )
        previous: dict[str, Any] = {}
        if billing:
            merged = {**doc["billing_details"], **billing}
            if merged != doc["billing_details"]:
                previous["billing_details"] = doc["billing_details"]
                doc["billing_details"] = merged
        new_metadata = merge_metadata(doc["metadata"], metadata)
        if new_metadata != doc["metadata"]:
            previous["metadata"] = doc["metadata"]
            doc["metadata"] = new_metadata
        expires = {"exp_month": month, "exp_year": year}
        if any(value is not None and doc["card"][key] != value for key, value in expires.items()):
            previous["card"] = dict(doc["card"])
            doc["card"].update({key: value for key, value in expires.items() if value is not None})
        records.save(pay, doc, previous)
    return pay.render(doc, paths)


@bp.post("/v1/payment_methods/<method_id>/attach")
def attach_payment_method(method_id: str) -> Response:
    pay, p, paths = asked(("customer",))
    customer_id = str(p.string("customer", required=True, max_length=200))
    with pay.store.transaction():
        card = cards.card(method_id, "id", pay=pay)
        customers.live(pay, customer_id, param="customer")
        if card.stored is not None and card.stored["object"] != "payment_method":
            raise ApiError(400, f"{method_id} is a token, not a PaymentMethod.", param="id")
        doc = saved_methods.attach(pay, card, customer_id)
    return pay.render(doc, paths)


@bp.post("/v1/payment_methods/<method_id>/detach")
def detach_payment_method(method_id: str) -> Response:
    pay, p, paths = asked()
    with pay.store.transaction():
        doc = pay.get("payment_method", method_id)
        owner = doc["customer"]
        if owner is None:
            raise ApiError(
                400,
                "The payment method you provided is not attached to a customer so detachment is impossible.",
                code="payment_method_unexpected_state",
            )
        doc["customer"] = None
        pay.db["payment_method"].replace(doc)
        customer = pay.db["customer"].get(owner)
        if customer is not None and customers.default_payment_method(customer) == method_id:
            previous = {"invoice_settings": dict(customer["invoice_settings"])}
            customer["invoice_settings"] = {**customer["invoice_settings"], "default_payment_method": None}
            pay.db["customer"].replace(customer)
            pay.emit("customer.updated", customer, previous)
        pay.emit("payment_method.detached", doc, {"customer": owner})
    return pay.render(doc, paths)


@bp.get("/v1/payment_methods")
def list_payment_methods() -> Response:
    pay = current()
    p = httpapi.params((*LIST_PARAMS, "customer", "type"))
    customer_id = p.string("customer", max_length=200)
    if customer_id is not None:
        customers.live(pay, customer_id, param="customer")
    return _list(pay, p, "/v1/payment_methods", customer_id)


@bp.get("/v1/customers/<customer_id>/payment_methods")
def list_customer_payment_methods(customer_id: str) -> Response:
    pay = current()
    p = httpapi.params((*LIST_PARAMS, "type"), ("allow_redisplay",))
    customers.live(pay, customer_id)
    return _list(pay, p, f"/v1/customers/{customer_id}/payment_methods", customer_id)


@bp.get("/v1/customers/<customer_id>/payment_methods/<method_id>")
def retrieve_customer_payment_method(customer_id: str, method_id: str) -> Response:
    pay = current()
    p = httpapi.params()
    customers.live(pay, customer_id)
    doc = pay.get("payment_method", method_id)
    if doc["customer"] != customer_id:
        raise ApiError(404, f"No such PaymentMethod: {method_id!r} on customer {customer_id}", code="resource_missing")
    return pay.render(doc, p.expand())


def _list(pay: PaymentsCore, p: Params, url: str, customer_id: str | None) -> Response:
    kind = p.string("type", max_length=50)
    if kind is not None and kind != "card":
        raise ApiError(400, f"Invalid type: {kind[:50]!r}. hooklab has PaymentMethods of type card only.", param="type")
    where = Where().created(p).field("customer", customer_id)
    return pay.render_list("payment_method", p, url=url, where=where)


def _render_shortcut(pay: PaymentsCore, card: Card, p: Params) -> Response:
    found = pay.lookup(card.id)
    assert found is not None  # every shortcut is known to the lookup
    return pay.render(found, p.expand())
