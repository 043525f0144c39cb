"""Prices: the two seeded plans, and create, update (and list, from its `RESOURCE`) for new ones.

A price is one-off (`type: one_time`) or recurring (`recurring[interval]`),
for an existing `product` or a new one made from `product_data`. Its amount
and currency never change once made, as in Stripe; `lookup_key` names it
(`transfer_lookup_key=true` moves a key from another price).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ...clock import to_timestamp
from ...errors import ApiError
from .. import records
from ..core import PaymentsCore, asked
from ..http.params import Params, merge_metadata
from ..http.query import Where
from ..resource import NOT_DELETED, Filter, Resource, field, flag
from . import products

#: Plan name -> its monthly price.
PLANS = {"basic": "price_basic_monthly", "pro": "price_pro_monthly"}
_CATALOGUE = (
    ("basic", "Basic", 1900, "Everything a small team needs to start"),
    ("pro", "Pro", 4900, "More seats, priority support"),
)


def seed(pay: PaymentsCore) -> None:
    """Write the catalogue once; a restart on the same state folder finds it there."""
    created = int(to_timestamp(pay.clock.start))
    with pay.store.transaction():
        for plan, title, amount, blurb in _CATALOGUE:
            product_id, price_id = f"prod_{plan}", PLANS[plan]
            if pay.db["product"].get(product_id) is None:
                pay.db["product"].insert(
                    {
                        "id": product_id,
                        "object": "product",
                        "active": True,
                        "created": created,
                        "default_price": price_id,
                        "description": blurb,
                        "images": [],
                        "livemode": False,
                        "marketing_features": [],
                        "package_dimensions": None,
                        "shippable": None,
                        "statement_descriptor": None,
                        "tax_code": None,
                        "unit_label": None,
                        "url": None,
                        "metadata": {"plan": plan},
                        "name": f"{title} plan",
                        "type": "service",
                        "updated": created,
                    },
                    created=created,
                )
            if pay.db["price"].get(price_id) is None:
                pay.db["price"].insert(
                    {
                        "id": price_id,
                        "object": "price",
                        "active": True,
                        "billing_scheme": "per_unit",
                        "created": created,
                        "currency": "usd",
                        "custom_unit_amount": None,
                        "livemode": False,
                        "lookup_key": f"{plan}_monthly",
                        "metadata": {"plan": plan},
                        "nickname": f"{title} monthly",
                        "product": product_id,
                        "recurring": _recurring("month", 1),
                        "tax_behavior": "unspecified",
                        "tiers_mode": None,
                        "transform_quantity": None,
                        "type": "recurring",
                        "unit_amount": amount,
                        "unit_amount_decimal": str(amount),
                    },
                    created=created,
                )


def plan_of(price: dict[str, Any]) -> str | None:
    return (price.get("metadata") or {}).get("plan")


_INTERVALS = ("day", "week", "month", "year")
#: What an inline `price_data` (a Checkout line item's, a product's `default_price_data`) may give.
PRICE_DATA = ("currency", "unit_amount", "unit_amount_decimal", "product", "product_data", "recurring", "tax_behavior")
_FIELDS = (
    *PRICE_DATA,
    "nickname",
    "lookup_key",
    "transfer_lookup_key",
    "metadata",
    "active",
    "billing_scheme",
)


def _recurring(interval: str, count: int) -> dict[str, Any]:
    return {
        "aggregate_usage": None,
        "interval": interval,
        "interval_count": count,
        "meter": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def _lookup_keys(p: Params, where: Where) -> None:
    keys = p.strings("lookup_keys", max_items=10, max_length=200)
    if keys:
        where.raw("json_extract(body, '$.lookup_key') IN (" + ",".join("?" * len(keys)) + ")", *keys)


RESOURCE = Resource(
    kind="price",
    prefix="price",
    url="/v1/prices",
    events=("price.created", "price.deleted", "price.updated"),
    filters=(
        NOT_DELETED,
        field("product"),
        field("currency", max_length=10),
        field("type", max_length=20),
        flag("active"),
        Filter(("lookup_keys",), _lookup_keys),
    ),
)
bp = Blueprint("prices", __name__)


@bp.post("/v1/products")
def create_product() -> Response:
    pay, p, paths = asked(tuple(f for f in products.FIELDS if f != "default_price"), products.IGNORED)
    price_data = p.mapping("default_price_data")
    with pay.store.transaction():
        product = products.create(pay, p)
        if price_data is not None:
            inner = Params(
                {**price_data, "product": product["id"]},
                PRICE_DATA,
                ignored=("currency_options", "custom_unit_amount"),
                prefix="default_price_data",
            )
            price = new(pay, inner, prefix="default_price_data")
            products.set_default_price(pay, product, price["id"])
    return pay.render(product, paths)


@bp.post("/v1/prices")
def create_price() -> Response:
    pay, p, paths = asked(_FIELDS, ignored=("currency_options", "custom_unit_amount", "tiers", "tiers_mode"))
    with pay.store.transaction():
        price = new(pay, p)
    return pay.render(price, paths)


@bp.post("/v1/prices/<price_id>")
def update_price(price_id: str) -> Response:
    pay, p, paths = asked(
        ("nickname", "lookup_key", "transfer_lookup_key", "metadata", "active", "tax_behavior"),
        ignored=("currency_options",),
    )
    metadata = p.metadata()
    active = p.boolean("active")
    nickname = p.string("nickname", max_length=200, empty_ok=True)
    key = p.string("lookup_key", max_length=200, empty_ok=True)
    with pay.store.transaction():
        price = live(pay, price_id)
        changes: dict[str, Any] = {"metadata": merge_metadata(price["metadata"], metadata)}
        if active is not None:
            changes["active"] = active
        if "nickname" in p:
            changes["nickname"] = nickname or None
        if "lookup_key" in p:
            changes["lookup_key"] = _claim_key(pay, key or None, p.boolean("transfer_lookup_key"), price["id"])
        previous = records.apply(price, changes)
        records.save(pay, price, previous)
    return pay.render(price, paths)


def new(pay: PaymentsCore, p: Params, prefix: str = "") -> dict[str, Any]:
    """Store a price from create parameters, its product too if `product_data` makes one (inside a transaction)."""

    def name(field: str) -> str:
        return f"{prefix}[{field}]" if prefix else field

    currency = currency_of(p, name("currency"))
    amount = p.integer("unit_amount", minimum=0, maximum=99_999_999)
    if amount is None and p.raw("unit_amount_decimal") is not None:
        amount = _decimal_amount(p.raw("unit_amount_decimal"), name("unit_amount_decimal"))
    if amount is None:
        raise ApiError(400, "Missing required param: unit_amount.", param=name("unit_amount"))
    recurring = _recurring_param(p, name("recurring"))
    p.string("billing_scheme", choices=("per_unit",))
    tax_behavior = p.string("tax_behavior", choices=("exclusive", "inclusive", "unspecified")) or "unspecified"
    now = pay.now()
    product_id = p.string("product", max_length=200)
    data = p.mapping("product_data")
    if (product_id is None) == (data is None):
        raise ApiError(400, "Give exactly one of product or product_data.", param=name("product"))
    if product_id is not None:
        product = products.live(pay, product_id, param=name("product"))
    else:
        assert data is not None
        product = products.create(pay, Params(data, products.DATA_FIELDS, prefix=name("product_data")))
    price_id = pay.ids.new("price")
    price = document(
        price_id,
        created=now,
        currency=currency,
        amount=amount,
        product_id=product["id"],
        recurring=recurring,
        nickname=p.string("nickname", max_length=200),
        metadata=merge_metadata({}, p.metadata()),
        active=p.boolean("active") is not False,
    )
    price["lookup_key"] = _claim_key(
        pay, p.string("lookup_key", max_length=200), p.boolean("transfer_lookup_key"), price_id
    )
    price["tax_behavior"] = tax_behavior
    pay.db["price"].insert(price, created=now)
    pay.emit("price.created", price)
    if product["default_price"] is None and data is not None:
        products.set_default_price(pay, product, price_id)
    return price


def currency_of(p: Params, param: str) -> str:
    """The required three-letter `currency`, lower-cased."""
    currency = (p.string("currency", required=True, max_length=3) or "").lower()
    if len(currency) != 3 or not currency.isalpha():
        raise ApiError(400, f"Invalid currency: {currency!r}; use a three-letter code such as usd.", param=param)
    return currency


def document(
    price_id: str,
    *,
    created: int,
    currency: str,
    amount: int,
    product_id: str,
    recurring: dict[str, Any] | None,
    nickname: str | None,
    metadata: dict[str, str],
    active: bool,
) -> dict[str, Any]:
    """A new price as stored (not yet inserted)."""
    return {
        "id": price_id,
        "object": "price",
        "active": active,
        "billing_scheme": "per_unit",
        "created": created,
        "currency": currency,
        "custom_unit_amount": None,
        "livemode": False,
        "lookup_key": None,
        "metadata": metadata,
        "nickname": nickname,
        "product": product_id,
        "recurring": recurring,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
    }


def recurring(interval: str, count: int) -> dict[str, Any]:
    """A price's `recurring` hash."""
    return _recurring(interval, count)


def _recurring_param(p: Params, name: str) -> dict[str, Any] | None:
    raw = p.mapping("recurring")
    if raw is None:
        return None
    inner = Params(
        raw,
        ("interval", "interval_count", "usage_type", "trial_period_days"),
        ignored=("aggregate_usage", "meter"),
        prefix=name,
    )
    interval = inner.string("interval", required=True, choices=_INTERVALS)
    count = (
        inner.integer(
            "interval_count", minimum=1, maximum=365 if interval == "day" else 12 if interval == "month" else 52
        )
        or 1
    )
    inner.string("usage_type", choices=("licensed",))
    made = _recurring(str(interval), count)
    made["trial_period_days"] = inner.integer("trial_period_days", minimum=1, maximum=730)
    return made


def _decimal_amount(value: Any, param: str) -> int:
    text = str(value)
    if not text.isdigit() or len(text) > 12:
        raise ApiError(400, f"Invalid {param}: whole cents only here, such as 1900 (got {text[:20]!r}).", param=param)
    return int(text)


def _claim_key(pay: PaymentsCore, key: str | None, transfer: bool | None, price_id: str) -> str | None:
    """A lookup key is unique: taken from its old price with `transfer_lookup_key=true`, refused otherwise."""
    if key is None:
        return None
    for other in pay.db["price"].find(lookup_key=key):
        if other["id"] == price_id:
            continue
        if not transfer:
            raise ApiError(
                400,
                f"A price (`{other['id']}`) already uses that lookup key; pass transfer_lookup_key=true to move it.",
                param="lookup_key",
            )
        other["lookup_key"] = None
        pay.db["price"].replace(other)
        pay.emit("price.updated", other, {"lookup_key": key})
    return key


def live(pay: PaymentsCore, price_id: str, *, param: str = "id") -> dict[str, Any]:
    """A price that exists (a deleted plan's price is gone)."""
    return records.live(pay, "price", price_id, param=param)
