"""Products: update and delete, and the store side of create (list and retrieve come from its `RESOURCE`).

A product with prices cannot be deleted, as in Stripe: archive it with
`active=false` instead. `POST /v1/products` is served by `prices.py`, since
`default_price_data` makes the product's first price in the same request.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ...errors import ApiError
from .. import records
from ..core import PaymentsCore, asked, current
from ..http import httpapi
from ..http.params import Params, merge_metadata
from ..resource import NOT_DELETED, Resource, flag

DATA_FIELDS = ("name", "active", "metadata", "statement_descriptor", "tax_code", "unit_label", "id")
FIELDS = (*DATA_FIELDS, "description", "images", "url", "shippable", "default_price_data", "default_price")
IGNORED = ("package_dimensions", "features", "marketing_features", "type")


RESOURCE = Resource(
    kind="product",
    prefix="prod",
    url="/v1/products",
    events=("product.created", "product.deleted", "product.updated"),
    filters=(NOT_DELETED, flag("active")),
)
bp = Blueprint("products", __name__)


@bp.post("/v1/products/<product_id>")
def update_product(product_id: str) -> Response:
    pay, p, paths = asked(tuple(f for f in FIELDS if f not in ("id", "default_price_data")), IGNORED)
    fields = _fields(p, creating=False)
    with pay.store.transaction():
        product = live(pay, product_id)
        if "default_price" in p:
            default = p.string("default_price", max_length=200, empty_ok=True) or None
            if default is not None:
                price = records.live(pay, "price", default, param="default_price")
                if price["product"] != product_id:
                    raise ApiError(400, f"Price {default} belongs to another product.", param="default_price")
            fields["default_price"] = default
        if "metadata" in fields:
            fields["metadata"] = merge_metadata(product["metadata"], fields["metadata"])
        previous = records.apply(product, fields)
        if previous:
            product["updated"] = pay.now()
            pay.db["product"].replace(product)
            pay.emit("product.updated", product, previous)
    return pay.render(product, paths)


@bp.delete("/v1/products/<product_id>")
def delete_product(product_id: str) -> Response:
    pay = current()
    httpapi.params()
    with pay.store.transaction():
        product = live(pay, product_id)
        if pay.db["price"].find(product=product_id):
            raise ApiError(
                400,
                "This product cannot be deleted because it has one or more prices; archive it with active=false.",
                code="resource_in_use",
            )
        tombstone = records.delete(pay, product, "product.deleted")
    return jsonify(tombstone)


def create(pay: PaymentsCore, p: Params) -> dict[str, Any]:
    """Store a product from create parameters (inside a transaction); emits `product.created`."""
    fields = _fields(p, creating=True)
    product_id = p.string("id", max_length=200) or pay.ids.new("prod")
    if pay.db["product"].get(product_id) is not None:
        raise ApiError(400, f"Product already exists: {product_id}.", code="resource_already_exists", param="id")
    now = pay.now()
    product = {
        "id": product_id,
        "object": "product",
        "active": True,
        "created": now,
        "default_price": None,
        "description": None,
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": {},
        "name": "",
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": None,
        "updated": now,
        "url": None,
    }
    product.update(fields)
    product["metadata"] = merge_metadata({}, fields.get("metadata"))
    pay.db["product"].insert(product, created=now)
    pay.emit("product.created", product)
    return product


def _fields(p: Params, *, creating: bool) -> dict[str, Any]:
    found: dict[str, Any] = {}
    name = p.string("name", required=creating, max_length=250)
    if name is not None:
        found["name"] = name
    active = p.boolean("active")
    if active is not None:
        found["active"] = active
    shippable = p.boolean("shippable")
    if shippable is not None:
        found["shippable"] = shippable
    for field, limit in (("description", 40000), ("statement_descriptor", 22), ("unit_label", 12), ("url", 5000)):
        if field in p:
            found[field] = p.string(field, max_length=limit, empty_ok=True) or None
    if "tax_code" in p:
        found["tax_code"] = p.string("tax_code", max_length=200, empty_ok=True) or None
    images = p.strings("images", max_items=8, max_length=2048)
    if images is not None:
        found["images"] = images
    metadata = p.metadata()
    if metadata is not None:
        found["metadata"] = metadata
    return found


def live(pay: PaymentsCore, product_id: str, *, param: str = "id") -> dict[str, Any]:
    return records.live(pay, "product", product_id, param=param)


def set_default_price(pay: PaymentsCore, product: dict[str, Any], price_id: str) -> None:
    previous = {"default_price": product["default_price"]}
    product["default_price"] = price_id
    pay.db["product"].replace(product)
    pay.emit("product.updated", product, previous)
