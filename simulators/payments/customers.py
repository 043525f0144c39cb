"""Customers: create, retrieve, update, list and delete (a deleted customer reads as `deleted: true`).

`tax_id_data` on create records the customer's tax ids. Since API version
2020-08-27 a customer shows them only when asked, `expand[]=tax_ids` (or
`data.tax_ids` on a list), as the list Stripe includes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response, g, jsonify

from ..errors import ApiError
from . import cards, records, saved_methods
from .core import PaymentsCore, asked, current
from .http import httpapi
from .http.params import Params, merge_metadata
from .resource import NOT_DELETED, Resource, field

_FIELDS = ("email", "name", "description", "phone", "metadata", "payment_method", "invoice_settings")
#: The tax id types of the published 2020-08-27 schema.
TAX_ID_TYPES = (
    "ae_trn", "au_abn", "au_arn", "bg_uic", "br_cnpj", "br_cpf", "ca_bn", "ca_gst_hst", "ca_pst_bc", "ca_pst_mb",
    "ca_pst_sk", "ca_qst", "ch_vat", "cl_tin", "es_cif", "eu_vat", "gb_vat", "ge_vat", "hk_br", "hu_tin", "id_npwp",
    "il_vat", "in_gst", "is_vat", "jp_cn", "jp_rn", "kr_brn", "li_uid", "mx_rfc", "my_frp", "my_itn", "my_sst",
    "no_vat", "nz_gst", "ru_inn", "ru_kpp", "sa_vat", "sg_gst", "sg_uen", "si_tin", "th_vat", "tw_vat", "ua_vat",
    "us_ein", "za_vat",
)  # fmt: skip
MAX_TAX_IDS = 5
_IGNORED = (
    "address",
    "shipping",
    "preferred_locales",
    "tax_exempt",
    "invoice_prefix",
    "tax",
    "next_invoice_sequence",
    "balance",
)
#: Accepted on create only, as Stripe does; kept with the customer (tax IDs are not shown unless expanded).
_CREATE_ONLY = ("tax_id_data", "source")


RESOURCE = Resource(
    kind="customer",
    prefix="cus",
    url="/v1/customers",
    events=("customer.created", "customer.deleted", "customer.source.created", "customer.updated"),
    filters=(NOT_DELETED, field("email", max_length=512)),
)
bp = Blueprint("customers", __name__)


@bp.post("/v1/customers")
def create_customer() -> Response:
    pay, p, paths = asked((*_FIELDS, "test_clock", *_CREATE_ONLY), _IGNORED)
    fields = _fields(p, pay)
    tax_ids = _tax_id_data(p)
    source = p.string("source", max_length=200)
    clock_id = p.string("test_clock", max_length=200)
    with pay.store.transaction():
        clock = _test_clock(pay, clock_id)
        with pay.frozen_at(clock["frozen_time"] if clock else None):  # a clock's customer is dated by it
            customer = create(pay, fields, test_clock=clock["id"] if clock else None, tax_ids=tax_ids, source=source)
    return pay.render(customer, paths)


@bp.post("/v1/customers/<customer_id>")
def update_customer(customer_id: str) -> Response:
    pay, p, paths = asked(_FIELDS, _IGNORED)
    fields = _fields(p, pay)
    with pay.store.transaction():
        customer = live(pay, customer_id)
        previous: dict[str, Any] = {}
        for name in ("email", "name", "description", "phone"):
            if name in p and customer[name] != fields.get(name):
                previous[name] = customer[name]
                customer[name] = fields.get(name)
        if "metadata" in fields:
            merged = merge_metadata(customer["metadata"], fields["metadata"])
            if merged != customer["metadata"]:
                previous["metadata"] = customer["metadata"]
                customer["metadata"] = merged
        if "default_payment_method" in fields:
            settings = customer["invoice_settings"]
            if settings["default_payment_method"] != fields["default_payment_method"]:
                previous["invoice_settings"] = dict(settings)
                customer["invoice_settings"] = {
                    **settings,
                    "default_payment_method": fields["default_payment_method"],
                }
        records.save(pay, customer, previous)
    return pay.render(customer, paths)


@bp.delete("/v1/customers/<customer_id>")
def delete_customer(customer_id: str) -> Response:
    pay = current()
    httpapi.params()
    with pay.store.transaction():
        customer = live(pay, customer_id)
        tombstone = {"id": customer_id, "object": "customer", "deleted": True}
        pay.db["customer"].replace(tombstone)
        pay.emit("customer.deleted", customer)
    return jsonify(tombstone)


def create(
    pay: PaymentsCore,
    fields: dict[str, Any],
    *,
    test_clock: str | None = None,
    tax_ids: Sequence[tuple[str, str]] = (),
    source: str | None = None,
) -> dict[str, Any]:
    """Store a new customer from its fields (email, name, …) and emit `customer.created` (inside a transaction)."""
    now = pay.now()
    customer: dict[str, Any] = {
        "id": pay.ids.new("cus"),
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": now,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": fields.get("description"),
        "discount": None,
        "email": fields.get("email"),
        "invoice_prefix": None,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": fields.get("default_payment_method"),
            "footer": None,
        },
        "livemode": False,
        "metadata": merge_metadata({}, fields.get("metadata")),
        "name": fields.get("name"),
        "next_invoice_sequence": 1,
        "phone": fields.get("phone"),
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": test_clock,
    }
    # Stripe's prefix for the customer's invoice numbers: letters and digits, from the id here.
    customer["invoice_prefix"] = customer["id"].removeprefix("cus_")[:8].upper()
    customer["_tax_ids"] = [_tax_id(pay.ids.new("txi"), customer["id"], now, kind, value) for kind, value in tax_ids]
    pay.db["customer"].insert(customer, created=now)
    if source is not None:  # a token's card saved as the customer's default source
        saved_methods.add_source(pay, customer, source, announce=False)
    pay.emit("customer.created", customer)
    card = fields.get("card")
    if card is not None and card.stored is not None:  # a saved PaymentMethod is attached, as Stripe does
        saved_methods.attach(pay, card, customer["id"])
    return customer


def _tax_id_data(p: Params) -> list[tuple[str, str]]:
    """`tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=DE123456789`: checked (type, value) pairs."""
    found = []
    for index, item in enumerate(p.items("tax_id_data", max_items=MAX_TAX_IDS) or []):
        name = f"tax_id_data[{index}]"
        if not isinstance(item, dict):
            raise ApiError(400, f"Invalid {name}: expected a hash with type and value.", param=name)
        Params(item, ("type", "value"), prefix=name)  # refuses a key it does not know, by its full name
        inner = Params({f"{name}[{key}]": value for key, value in item.items()}, (f"{name}[type]", f"{name}[value]"))
        kind = inner.string(f"{name}[type]", required=True, choices=TAX_ID_TYPES)
        value = inner.string(f"{name}[value]", required=True, max_length=100)
        assert kind is not None and value is not None
        found.append((kind, value))
    return found


def _tax_id(tax_id: str, customer_id: str, now: int, kind: str, value: str) -> dict[str, Any]:
    country = value[:2].upper() if kind == "eu_vat" else kind.partition("_")[0].upper()
    return {
        "id": tax_id,
        "object": "tax_id",
        "country": country,
        "created": now,
        "customer": customer_id,
        "livemode": False,
        "type": kind,
        "value": value,
        # Stripe checks EU VAT numbers against VIES, later; the sandbox never does.
        "verification": {
            "status": "pending" if kind == "eu_vat" else "unavailable",
            "verified_address": None,
            "verified_name": None,
        },
    }


def show_tax_ids(pay: PaymentsCore, doc: dict[str, Any], shown: dict[str, Any]) -> None:
    """Add the `tax_ids` list when this request expands it (`tax_ids`, or `data.tax_ids` on a list)."""
    try:
        asked = (g.get("params") or {}).get("expand")
    except RuntimeError:  # outside a request (an event made by a clock job): never expanded
        return
    paths = [asked] if isinstance(asked, str) else asked if isinstance(asked, list) else []
    if "tax_ids" in paths or "data.tax_ids" in paths:
        shown["tax_ids"] = {
            "object": "list",
            "data": [dict(tax_id) for tax_id in doc.get("_tax_ids", [])],
            "has_more": False,
            "url": f"/v1/customers/{doc['id']}/tax_ids",
        }


def live(pay: PaymentsCore, customer_id: str, *, param: str = "id") -> dict[str, Any]:
    """A customer that has not been deleted, or a 404."""
    customer = pay.get("customer", customer_id, param=param)
    if customer.get("deleted"):
        raise ApiError(404, f"No such customer: {customer_id!r} (it was deleted)", code="resource_missing", param=param)
    return customer


def _test_clock(pay: PaymentsCore, clock_id: str | None) -> dict[str, Any] | None:
    """The Stripe test clock a new customer lives on (see test_clocks.py), checked to exist."""
    if clock_id is None:
        return None
    return records.live(pay, "test_clock", clock_id, param="test_clock")


def default_payment_method(customer: dict[str, Any]) -> str | None:
    return (customer.get("invoice_settings") or {}).get("default_payment_method")


def _fields(p: Params, pay: PaymentsCore) -> dict[str, Any]:
    found: dict[str, Any] = {}
    email = p.string("email", max_length=512, empty_ok=True)
    if email:
        if "@" not in email or any(ch.isspace() for ch in email):
            raise ApiError(400, f"Invalid email address: {email[:100]}", code="email_invalid", param="email")
    if "email" in p:
        found["email"] = email or None
    for name, limit in (("name", 256), ("description", 5000), ("phone", 20)):
        if name in p:
            found[name] = p.string(name, max_length=limit, empty_ok=True) or None
    metadata = p.metadata()
    if metadata is not None:
        found["metadata"] = metadata
    method = p.string("payment_method", max_length=200)
    if method is not None:
        found["card"] = cards.card(method, pay=pay)
    settings = p.mapping("invoice_settings")
    if settings is not None:
        inner = Params(
            settings,
            ("default_payment_method", "custom_fields", "footer", "rendering_options"),
            prefix="invoice_settings",
        )
        default = inner.string("default_payment_method", max_length=200, empty_ok=True)
        if default:
            cards.card(default, "invoice_settings[default_payment_method]", pay=pay)
        if "default_payment_method" in inner:
            found["default_payment_method"] = default or None
    return found
