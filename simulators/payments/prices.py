"""The plans on sale: two products with a monthly price each, there from the start."""

from __future__ import annotations

from typing import Any

from ..clock import to_timestamp
from .core import PaymentsCore

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
