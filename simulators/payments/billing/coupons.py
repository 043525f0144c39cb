"""Coupons: create, retrieve, update, list, delete; applied to a subscription or an invoice as a discount.

A coupon takes `percent_off` or `amount_off` (with `currency`) and lasts
`once` (the next invoice), `repeating` (`duration_in_months` of invoices) or
`forever`. Applying one makes a `discount` whose `end` says when it stops.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ...errors import ApiError
from .. import records
from ..core import PaymentsCore, asked, current
from ..http import httpapi
from ..http.params import Params, merge_metadata
from ..resource import NOT_DELETED, Resource
from . import periods

DURATIONS = ("once", "repeating", "forever")
_FIELDS = (
    "id",
    "percent_off",
    "amount_off",
    "currency",
    "duration",
    "duration_in_months",
    "name",
    "metadata",
    "max_redemptions",
    "redeem_by",
)


#: Coupon ids carry no prefix (Stripe makes them like `Z4OV52SU`, or the caller names them): `coupon` stands in.
RESOURCE = Resource(
    kind="coupon",
    prefix="coupon",
    url="/v1/coupons",
    events=("coupon.created", "coupon.deleted", "coupon.updated"),
    filters=(NOT_DELETED,),
)
bp = Blueprint("coupons", __name__)


@bp.post("/v1/coupons")
def create_coupon() -> Response:
    pay, p, paths = asked(_FIELDS, ignored=("applies_to", "currency_options"))
    coupon = _new(pay, p)
    with pay.store.transaction():
        if pay.db["coupon"].get(coupon["id"]) is not None:
            raise ApiError(400, f"Coupon already exists: {coupon['id']}.", code="resource_already_exists", param="id")
        pay.db["coupon"].insert(coupon, created=coupon["created"])
        pay.emit("coupon.created", coupon)
    return pay.render(coupon, paths)


@bp.post("/v1/coupons/<coupon_id>")
def update_coupon(coupon_id: str) -> Response:
    pay, p, paths = asked(("name", "metadata"), ignored=("currency_options",))
    metadata = p.metadata()
    name = p.string("name", max_length=40, empty_ok=True)
    with pay.store.transaction():
        coupon = live(pay, coupon_id)
        previous: dict[str, Any] = {}
        if "name" in p and coupon["name"] != (name or None):
            previous["name"] = coupon["name"]
            coupon["name"] = name or None
        merged = merge_metadata(coupon["metadata"], metadata)
        if merged != coupon["metadata"]:
            previous["metadata"] = coupon["metadata"]
            coupon["metadata"] = merged
        records.save(pay, coupon, previous)
    return pay.render(coupon, paths)


@bp.delete("/v1/coupons/<coupon_id>")
def delete_coupon(coupon_id: str) -> Response:
    pay = current()
    httpapi.params()
    with pay.store.transaction():
        tombstone = records.delete(pay, live(pay, coupon_id), "coupon.deleted")
    return jsonify(tombstone)


def _new(pay: PaymentsCore, p: Params) -> dict[str, Any]:
    percent = p.raw("percent_off")
    amount = p.integer("amount_off", minimum=1, maximum=99_999_999)
    if (percent is None) == (amount is None):
        raise ApiError(400, "Give exactly one of percent_off or amount_off.", param="percent_off")
    percent_off = _percent(percent) if percent is not None else None
    currency = (p.string("currency", max_length=3) or "").lower() or None
    if amount is not None and currency is None:
        raise ApiError(400, "amount_off needs a currency, such as currency=usd.", param="currency")
    duration = p.string("duration", choices=DURATIONS) or "once"
    months = p.integer("duration_in_months", minimum=1, maximum=120)
    if duration == "repeating" and months is None:
        raise ApiError(400, "A repeating coupon needs duration_in_months.", param="duration_in_months")
    if duration != "repeating" and months is not None:
        raise ApiError(400, "duration_in_months only goes with duration=repeating.", param="duration_in_months")
    coupon_id = p.string("id", max_length=200) or pay.ids.token(f"coupon:{pay.store.next_value('coupon')}", 8).upper()
    now = pay.now()
    return {
        "id": coupon_id,
        "object": "coupon",
        "amount_off": amount,
        "created": now,
        "currency": currency if amount is not None else None,
        "duration": duration,
        "duration_in_months": months,
        "livemode": False,
        "max_redemptions": p.integer("max_redemptions", minimum=1),
        "metadata": merge_metadata({}, p.metadata()),
        "name": p.string("name", max_length=40),
        "percent_off": percent_off,
        "redeem_by": p.integer("redeem_by", minimum=now),
        "times_redeemed": 0,
        "valid": True,
    }


def _percent(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApiError(
            400, f"Invalid percent_off: {str(value)[:40]!r}; use a number such as 25.", param="percent_off"
        ) from None
    if not 0 < number <= 100:
        raise ApiError(
            400, f"Invalid percent_off: must be above 0 and at most 100 (got {number:g}).", param="percent_off"
        )
    return number


def from_params(p: Params) -> str | None:
    """The coupon a request applies: `discounts[0][coupon]=…`, or the older `coupon=…`."""
    if p.raw("coupon") is not None:
        return p.string("coupon", max_length=200)
    found = p.items("discounts", max_items=1)
    if not found:
        return None
    if not isinstance(found[0], dict):
        raise ApiError(
            400, "Invalid discounts[0]: expected a hash such as discounts[0][coupon]=SUMMER.", param="discounts[0]"
        )
    inner = Params(found[0], ("coupon",), ignored=("discount", "promotion_code"), prefix="discounts[0]")
    return inner.string("coupon", required=True, max_length=200)


def live(pay: PaymentsCore, coupon_id: str, *, param: str = "id") -> dict[str, Any]:
    return records.live(pay, "coupon", coupon_id, param=param)


def redeem(
    pay: PaymentsCore,
    coupon_id: str,
    *,
    customer: str,
    param: str,
    subscription: str | None = None,
    invoice: str | None = None,
) -> dict[str, Any]:
    """A discount for a coupon, counting the redemption (inside a transaction)."""
    coupon = live(pay, coupon_id, param=param)
    now = pay.now()
    if not coupon["valid"] or (coupon["redeem_by"] and coupon["redeem_by"] < now):
        raise ApiError(400, f"Coupon {coupon_id} is no longer valid.", code="coupon_expired", param=param)
    if coupon["max_redemptions"] and coupon["times_redeemed"] >= coupon["max_redemptions"]:
        raise ApiError(
            400,
            f"Coupon {coupon_id} has been redeemed its maximum number of times.",
            code="coupon_expired",
            param=param,
        )
    coupon["times_redeemed"] += 1
    if coupon["max_redemptions"] and coupon["times_redeemed"] >= coupon["max_redemptions"]:
        coupon["valid"] = False
    pay.db["coupon"].replace(coupon)
    months = coupon["duration_in_months"] if coupon["duration"] == "repeating" else None
    return {
        "id": pay.ids.new("di"),
        "object": "discount",
        "checkout_session": None,
        "coupon": dict(coupon),
        "customer": customer,
        "end": periods.add_months(now, months) if months else None,
        "invoice": invoice,
        "invoice_item": None,
        "promotion_code": None,
        "start": now,
        "subscription": subscription,
    }


def live_discount(pay: PaymentsCore, discount: dict[str, Any] | None) -> dict[str, Any] | None:
    """The discount if it still applies now (a `repeating` one ends after its months)."""
    if discount is None:
        return None
    if discount["end"] is not None and discount["end"] <= pay.now():
        return None
    return discount


def amount_off(discount: dict[str, Any] | None, subtotal: int) -> int:
    """What a discount takes off a subtotal, in cents (never more than the subtotal)."""
    if discount is None or subtotal <= 0:
        return 0
    coupon = discount["coupon"]
    if coupon["percent_off"] is not None:
        return min(subtotal, round(subtotal * float(coupon["percent_off"]) / 100))
    return min(subtotal, int(coupon["amount_off"] or 0))


def after_use(discount: dict[str, Any] | None) -> dict[str, Any] | None:
    """What is left of a discount after an invoice used it: a `once` coupon is spent."""
    if discount is None or discount["coupon"]["duration"] == "once":
        return None
    return discount
