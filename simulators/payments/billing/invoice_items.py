"""Invoice items: a charge (or credit) waiting for a customer's next invoice; create, retrieve, update, delete.

An item without `invoice` joins the next invoice drafted for its customer
(a subscription's renewal, or `POST /v1/invoices`); one with `invoice` goes on
that draft at once. Prorations are invoice items too (`proration: true`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ...errors import ApiError
from .. import customers, records
from ..core import PaymentsCore, asked, current
from ..http import httpapi
from ..http.params import Params, merge_metadata
from ..http.query import Where
from ..resource import NOT_DELETED, Filter, Resource, field
from . import billing

_FIELDS = (
    "customer",
    "amount",
    "currency",
    "description",
    "metadata",
    "price",
    "pricing",
    "quantity",
    "invoice",
    "subscription",
    "unit_amount",
    "period",
    "discountable",
)


def new(
    pay: PaymentsCore,
    *,
    customer: dict[str, Any],
    amount: int,
    currency: str,
    description: str | None,
    period: tuple[int, int] | None = None,
    price: dict[str, Any] | None = None,
    quantity: int = 1,
    subscription: str | None = None,
    invoice: str | None = None,
    proration: bool = False,
    metadata: dict[str, str] | None = None,
    discountable: bool = True,
) -> dict[str, Any]:
    """Store an invoice item (inside a transaction); emits `invoiceitem.created`."""
    now = pay.now()
    start, end = period or (now, now)
    item = {
        "id": pay.ids.new("ii"),
        "object": "invoiceitem",
        "amount": amount,
        "currency": currency,
        "customer": customer["id"],
        "date": now,
        "description": description,
        "discountable": discountable and not proration,
        "discounts": [],
        "invoice": invoice,
        "livemode": False,
        "metadata": dict(metadata or {}),
        "period": {"end": end, "start": start},
        "price": price,
        "proration": proration,
        "quantity": quantity,
        "subscription": subscription,
        "tax_rates": [],
        "test_clock": customer.get("test_clock"),
        "unit_amount": amount // quantity if quantity else amount,
        "unit_amount_decimal": str(amount // quantity if quantity else amount),
    }
    pay.db["invoiceitem"].insert(item, created=now)
    pay.emit("invoiceitem.created", item)
    return item


def pending_filter(p: Params, where: Where) -> None:
    """`pending=true`: items not yet on an invoice; `false`: items on one."""
    pending = p.boolean("pending")
    if pending is not None:
        where.raw(f"json_extract(body, '$.invoice') IS {'' if pending else 'NOT '}NULL")


RESOURCE = Resource(
    kind="invoiceitem",
    prefix="ii",
    url="/v1/invoiceitems",
    events=("invoiceitem.created", "invoiceitem.deleted"),
    filters=(NOT_DELETED, field("customer"), field("invoice"), Filter(("pending",), pending_filter)),
)
bp = Blueprint("invoice_items", __name__)


@bp.post("/v1/invoiceitems")
def create_item() -> Response:
    pay, p, paths = asked(_FIELDS, ignored=("tax_rates", "tax_behavior", "tax_code", "discounts"))
    customer_id = p.string("customer", required=True, max_length=200)
    quantity = p.integer("quantity", minimum=1, maximum=10_000) or 1
    price_id = p.string("price", max_length=200)
    amount = p.integer("amount", minimum=-99_999_999, maximum=99_999_999)
    unit = p.integer("unit_amount", minimum=0, maximum=99_999_999)
    given = [
        name for name, value in (("price", price_id), ("amount", amount), ("unit_amount", unit)) if value is not None
    ]
    if len(given) != 1:
        raise ApiError(400, "Give exactly one of price, amount or unit_amount.", param="amount")
    currency = (p.string("currency", max_length=3) or "").lower() or None
    description = p.string("description", max_length=500)
    metadata = merge_metadata({}, p.metadata())
    discountable = p.boolean("discountable")
    with pay.store.transaction():
        customer = customers.live(pay, str(customer_id), param="customer")
        price = None
        if price_id is not None:
            price = pay.public(records.live(pay, "price", price_id, param="price"))
            total, currency = price["unit_amount"] * quantity, price["currency"]
        else:
            if currency is None:
                raise ApiError(400, "Missing required param: currency.", param="currency")
            total = amount if amount is not None else int(unit or 0) * quantity
        invoice_id = p.string("invoice", max_length=200)
        if invoice_id is not None:
            invoice = pay.get("invoice", invoice_id, param="invoice")
            if invoice["status"] != "draft":
                raise ApiError(
                    400, f"Invoice {invoice_id} is {invoice['status']}; add items to a draft only.", param="invoice"
                )
            if invoice["customer"] != customer["id"]:
                raise ApiError(400, f"Invoice {invoice_id} belongs to another customer.", param="invoice")
        subscription_id = p.string("subscription", max_length=200)
        if subscription_id is not None:
            pay.get("subscription", subscription_id, param="subscription")
        item = new(
            pay,
            customer=customer,
            amount=total,
            currency=str(currency),
            description=description or (price.get("nickname") if price else None),
            price=price,
            quantity=quantity,
            subscription=subscription_id,
            invoice=invoice_id,
            metadata=metadata,
            discountable=discountable is not False,
        )
        if invoice_id is not None:
            add_to_draft(pay, pay.get("invoice", invoice_id), item)
    return pay.render(item, paths)


@bp.post("/v1/invoiceitems/<item_id>")
def update_item(item_id: str) -> Response:
    pay, p, paths = asked(("description", "metadata"))
    metadata = p.metadata()
    description = p.string("description", max_length=500, empty_ok=True)
    with pay.store.transaction():
        item = records.live(pay, "invoiceitem", item_id)
        if "description" in p:
            item["description"] = description or None
        item["metadata"] = merge_metadata(item["metadata"], metadata)
        pay.db["invoiceitem"].replace(item)
    return pay.render(item, paths)


@bp.delete("/v1/invoiceitems/<item_id>")
def delete_item(item_id: str) -> Response:
    pay = current()
    httpapi.params()
    with pay.store.transaction():
        item = records.live(pay, "invoiceitem", item_id)
        if item["invoice"] is not None:
            invoice = pay.get("invoice", item["invoice"])
            if invoice["status"] != "draft":
                raise ApiError(400, f"This item is on invoice {invoice['id']}, which is {invoice['status']}.")
        tombstone = records.delete(pay, item, "invoiceitem.deleted")
    return jsonify(tombstone)


def add_to_draft(pay: PaymentsCore, invoice: dict[str, Any], item: dict[str, Any]) -> None:
    """Put an item on a draft invoice and work its totals out again."""
    lines = [*invoice["lines"]["data"], *billing.item_lines(pay, [item])]
    redone = billing.redraft(pay, invoice, lines=lines)
    pay.db["invoice"].replace(redone)
