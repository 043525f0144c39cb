"""Plans, Stripe's older API over recurring prices: create, update, delete (list and retrieve in `listing.py`).

A plan is its price (stored once, marked as a plan), shown in the plan shape;
the two change together: creating emits `plan.created` then `price.created`, updating
`plan.updated` then `price.updated`, deleting `plan.deleted` then
`price.deleted`, as Stripe does. A plan id works wherever a price id does
(`items[0][plan]` on a subscription is read as `items[0][price]`). Prices made
with `POST /v1/prices` are not listed as plans here (Stripe lists them too).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ...errors import ApiError
from .. import records
from ..core import PaymentsCore, asked, current
from ..http import httpapi, query
from ..http.expand import expand_list
from ..http.params import Params, merge_metadata
from ..http.query import LIST_PARAMS, Where
from . import prices, products

_INTERVALS = ("day", "week", "month", "year")
_MAX_COUNT = {"day": 365, "week": 52, "month": 12, "year": 1}
_CREATE = (
    "id",
    "amount",
    "amount_decimal",
    "currency",
    "interval",
    "interval_count",
    "product",
    "nickname",
    "metadata",
    "active",
    "trial_period_days",
    "usage_type",
    "billing_scheme",
)
_UPDATE = ("nickname", "metadata", "active", "trial_period_days", "product")


bp = Blueprint("plans", __name__)


@bp.post("/v1/plans")
def create_plan() -> Response:
    pay, p, paths = asked(_CREATE, ignored=("aggregate_usage", "meter", "tiers", "tiers_mode", "transform_usage"))
    currency = prices.currency_of(p, "currency")
    amount = p.integer("amount", minimum=0, maximum=99_999_999)
    if amount is None:
        raise ApiError(400, "Missing required param: amount.", param="amount")
    interval = str(p.string("interval", required=True, choices=_INTERVALS))
    count = p.integer("interval_count", minimum=1, maximum=_MAX_COUNT[interval]) or 1
    p.string("usage_type", choices=("licensed",))
    p.string("billing_scheme", choices=("per_unit",))
    trial_days = p.integer("trial_period_days", minimum=1, maximum=730)
    nickname = p.string("nickname", max_length=200)
    metadata = merge_metadata({}, p.metadata())
    active = p.boolean("active") is not False
    plan_id = p.string("id", max_length=200)
    with pay.store.transaction():
        plan_id = plan_id or pay.ids.new("price")
        # Ids are unique across every kind of object the sandbox stores, not only prices.
        if any(collection.get(plan_id) is not None for collection in pay.db.values()):
            raise ApiError(
                400,
                f"The id {plan_id} is taken: a plan needs a new one.",
                code="resource_already_exists",
                param="id",
            )
        product = _product(pay, p)
        now = pay.now()
        recurring = prices.recurring(interval, count)
        recurring["trial_period_days"] = trial_days
        price = prices.document(
            plan_id,
            created=now,
            currency=currency,
            amount=amount,
            product_id=product["id"],
            recurring=recurring,
            nickname=nickname,
            metadata=metadata,
            active=active,
        )
        price["_plan"] = True
        pay.db["price"].insert(price, created=now)
        plan = view(price)
        pay.emit("plan.created", plan)
        pay.emit("price.created", price)
    return pay.render(plan, paths)


@bp.post("/v1/plans/<plan_id>")
def update_plan(plan_id: str) -> Response:
    pay, p, paths = asked(_UPDATE)
    metadata = p.metadata()
    changes: dict[str, Any] = {}
    if "nickname" in p:
        changes["nickname"] = p.string("nickname", max_length=200, empty_ok=True) or None
    active = p.boolean("active")
    if active is not None:
        changes["active"] = active
    trial_days = p.integer("trial_period_days", minimum=1, maximum=730)
    with pay.store.transaction():
        price = live(pay, plan_id)
        if "product" in p:
            product_id = p.string("product", required=True, max_length=200)
            changes["product"] = products.live(pay, str(product_id), param="product")["id"]
        changes["metadata"] = merge_metadata(price["metadata"], metadata)
        if trial_days is not None:
            changes["recurring"] = {**price["recurring"], "trial_period_days": trial_days}
        before = view(price)
        previous = records.apply(price, changes)
        if previous:
            pay.db["price"].replace(price)
            plan = view(price)
            pay.emit("plan.updated", plan, {name: before[name] for name in plan if plan[name] != before[name]})
            pay.emit("price.updated", price, previous)
    return pay.render(view(price), paths)


@bp.get("/v1/plans")
def list_plans() -> Response:
    pay = current()
    p = httpapi.params((*LIST_PARAMS, "active", "product"))
    where = Where().created(p).missing("deleted").raw("json_extract(body, '$._plan') = 1")
    where.field("product", p.string("product", max_length=200))
    active = p.boolean("active")
    if active is not None:
        where.field("active", int(active))
    body = query.page(pay.db["price"], p, url="/v1/plans", where=where, render=view)
    return jsonify(expand_list(body, p.expand(), pay.lookup))


@bp.get("/v1/plans/<plan_id>")
def retrieve_plan(plan_id: str) -> Response:
    pay = current()
    paths = httpapi.params().expand()
    return pay.render(view(live(pay, plan_id)), paths)


@bp.delete("/v1/plans/<plan_id>")
def delete_plan(plan_id: str) -> Response:
    pay = current()
    httpapi.params()
    with pay.store.transaction():
        price = live(pay, plan_id)
        pay.db["price"].replace({"id": plan_id, "object": "price", "deleted": True})
        pay.emit("plan.deleted", view(price))
        pay.emit("price.deleted", price)
    return jsonify({"id": plan_id, "object": "plan", "deleted": True})


def view(price: dict[str, Any]) -> dict[str, Any]:
    """The plan a plan's price is shown as."""
    recurring = price["recurring"]
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "aggregate_usage": None,
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": price["billing_scheme"],
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring["interval"],
        "interval_count": recurring["interval_count"],
        "livemode": False,
        "metadata": dict(price["metadata"]),
        "nickname": price["nickname"],
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": recurring["trial_period_days"],
        "usage_type": recurring["usage_type"],
    }


def live(pay: PaymentsCore, plan_id: str) -> dict[str, Any]:
    """The price behind a plan, or the 404 Stripe answers for a plan."""
    price = pay.db["price"].get(plan_id) if isinstance(plan_id, str) else None
    if price is None or price.get("deleted") or not price.get("_plan"):
        raise ApiError(404, f"No such plan: {str(plan_id)[:80]!r}", code="resource_missing", param="id")
    return price


def _product(pay: PaymentsCore, p: Params) -> dict[str, Any]:
    """`product=prod_…`, or `product[name]=…` for a new one (emits `product.created`)."""
    given = p.raw("product")
    if given is None or given == "":
        raise ApiError(400, "Missing required param: product (an id, or product[name]=…).", param="product")
    if isinstance(given, dict):
        return products.create(pay, Params(given, products.DATA_FIELDS, prefix="product"))
    return products.live(pay, str(p.string("product", max_length=200)), param="product")
