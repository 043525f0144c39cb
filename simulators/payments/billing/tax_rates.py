"""Tax rates: create, update; list and retrieve come from the declaration (`RESOURCE`).

A tax rate is a record here: it is not applied to invoices or Checkout
(`default_tax_rates` and `items[][tax_rates]` are accepted and ignored), so
`percentage` and `inclusive` never change an amount, and never change once
made, as in Stripe.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, Response

from ...errors import ApiError
from .. import records
from ..core import asked
from ..http.params import Params, merge_metadata
from ..resource import Resource, flag

TAX_TYPES = ("gst", "hst", "jct", "pst", "qst", "rst", "sales_tax", "vat")
#: What an update may change (as in Stripe: never the percentage or inclusive).
_MUTABLE = ("display_name", "active", "country", "state", "jurisdiction", "description", "metadata", "tax_type")


RESOURCE = Resource(
    kind="tax_rate",
    prefix="txr",
    url="/v1/tax_rates",
    events=("tax_rate.created", "tax_rate.updated"),
    filters=(flag("active"), flag("inclusive")),
)
bp = Blueprint("tax_rates", __name__)


@bp.post("/v1/tax_rates")
def create_tax_rate() -> Response:
    pay, p, paths = asked(("percentage", "inclusive", *_MUTABLE))
    fields = _fields(p, creating=True)
    inclusive = p.boolean("inclusive")
    if inclusive is None:
        _required("inclusive")
    percentage = _percentage(p.raw("percentage"))
    now = pay.now()
    rate = {
        "id": pay.ids.new("txr"),
        "object": "tax_rate",
        "active": True,
        "country": None,
        "created": now,
        "description": None,
        "jurisdiction": None,
        "livemode": False,
        "metadata": {},
        "state": None,
        "tax_type": None,
        **fields,
        "inclusive": inclusive,
        "percentage": percentage,
    }
    rate["metadata"] = merge_metadata({}, fields.get("metadata"))
    with pay.store.transaction():
        pay.db["tax_rate"].insert(rate, created=now)
        pay.emit("tax_rate.created", rate)
    return pay.render(rate, paths)


@bp.post("/v1/tax_rates/<rate_id>")
def update_tax_rate(rate_id: str) -> Response:
    pay, p, paths = asked(_MUTABLE)
    fields = _fields(p, creating=False)
    with pay.store.transaction():
        rate = pay.get("tax_rate", rate_id)
        if "metadata" in fields:
            fields["metadata"] = merge_metadata(rate["metadata"], fields["metadata"])
        previous = records.apply(rate, fields)
        records.save(pay, rate, previous)
    return pay.render(rate, paths)


def _fields(p: Params, *, creating: bool) -> dict[str, Any]:
    found: dict[str, Any] = {}
    name = p.string("display_name", required=creating, max_length=50)
    if name is not None:
        found["display_name"] = name
    active = p.boolean("active")
    if active is not None:
        found["active"] = active
    for field, limit in (("country", 2), ("state", 2), ("jurisdiction", 50), ("description", 500)):
        if field in p:
            found[field] = p.string(field, max_length=limit, empty_ok=True) or None
    if found.get("country"):
        found["country"] = str(found["country"]).upper()
    if "tax_type" in p:
        found["tax_type"] = p.string("tax_type", choices=(*TAX_TYPES, ""), empty_ok=True) or None
    metadata = p.metadata()
    if metadata is not None:
        found["metadata"] = metadata
    return found


def _required(name: str) -> NoReturn:
    raise ApiError(400, f"Missing required param: {name}.", param=name)


def _percentage(value: Any) -> float:
    if value is None or value == "":
        _required("percentage")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApiError(
            400, f"Invalid percentage: {str(value)[:40]!r}; use a number such as 8.25.", param="percentage"
        ) from None
    if not 0 <= number <= 100:
        raise ApiError(400, f"Invalid percentage: must be from 0 to 100 (got {number:g}).", param="percentage")
    return number
