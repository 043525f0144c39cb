"""The plans on sale: two products with a monthly price each, there from the start."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, Response

from ..clock import to_timestamp
from . import httpapi, listing

if TYPE_CHECKING:
    from .system import PaymentsSystem

#: Plan name -> its monthly price.
PLANS = {"basic": "price_basic_monthly", "pro": "price_pro_monthly"}
_CATALOGUE = (
    ("basic", "Basic", 1900, "Everything a small team needs to start"),
    ("pro", "Pro", 4900, "More seats, priority support"),
)


def seed(pay: PaymentsSystem) -> None:
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
                        "livemode": False,
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
                        "livemode": False,
                        "lookup_key": f"{plan}_monthly",
                        "metadata": {"plan": plan},
                        "nickname": f"{title} monthly",
                        "product": product_id,
                        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
                        "tax_behavior": "unspecified",
                        "type": "recurring",
                        "unit_amount": amount,
                        "unit_amount_decimal": str(amount),
                    },
                    created=created,
                )


def plan_of(price: dict[str, Any]) -> str | None:
    return (price.get("metadata") or {}).get("plan")


def init_app(app: Flask, pay: PaymentsSystem) -> None:
    @app.get("/v1/prices")
    def list_prices() -> Response:
        p = httpapi.params((*listing.LIST_PARAMS, "active", "product", "currency", "type", "lookup_keys"))
        where = listing.Where().created(p).field("product", p.string("product", max_length=200))
        where.field("currency", p.string("currency", max_length=10)).field("type", p.string("type", max_length=20))
        active = p.boolean("active")
        if active is not None:
            where.field("active", int(active))
        keys = p.strings("lookup_keys", max_items=10, max_length=200)
        if keys:
            where.raw("json_extract(body, '$.lookup_key') IN (" + ",".join("?" * len(keys)) + ")", *keys)
        return pay.render_list("price", p, url="/v1/prices", where=where)

    @app.get("/v1/prices/<price_id>")
    def get_price(price_id: str) -> Response:
        return pay.retrieve("price", price_id)

    @app.get("/v1/products")
    def list_products() -> Response:
        p = httpapi.params((*listing.LIST_PARAMS, "active"))
        where = listing.Where().created(p)
        active = p.boolean("active")
        if active is not None:
            where.field("active", int(active))
        return pay.render_list("product", p, url="/v1/products", where=where)

    @app.get("/v1/products/<product_id>")
    def get_product(product_id: str) -> Response:
        return pay.retrieve("product", product_id)
