"""Invoices: draft one (`POST /v1/invoices`), edit, finalize, pay, void, mark uncollectible; lines; previews.

Subscriptions make theirs (at creation and each renewal); a draft made here
collects the customer's pending invoice items. With `auto_advance` (the
default) a draft finalizes and is charged one lab hour after it was made, as
Stripe's automatic collection does. A one-off invoice may take
`collection_method=send_invoice` with `days_until_due`: it is never charged by
the lab, `POST …/send` emits `invoice.sent` (no email goes out) and the
customer pays it with `POST …/pay`. Subscriptions charge automatically only.
`GET /v1/invoices/upcoming` and
`POST /v1/invoices/create_preview` answer the next invoice without storing it.
Listing and retrieving come from its `RESOURCE`; money in `billing.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify

from ...errors import ApiError
from ...jsonapi import envelope
from .. import cards, charges, customers, records
from ..core import PaymentsCore, asked, current
from ..http import httpapi
from ..http.params import Params, merge_metadata
from ..http.query import LIST_PARAMS
from ..resource import NOT_DELETED, Filter, Resource, field
from . import billing, coupons, renewals

#: How long a draft with `auto_advance` waits before it is finalized (Stripe: about an hour).
AUTO_FINALIZE_AFTER = 3600
_CREATE = (
    "customer",
    "auto_advance",
    "collection_method",
    "description",
    "metadata",
    "subscription",
    "default_payment_method",
    "pending_invoice_items_behavior",
    "discounts",
    "currency",
    "days_until_due",
)
_CREATE_IGNORED = ("automatic_tax", "payment_settings", "footer", "custom_fields", "rendering", "default_tax_rates")
_UPDATE_IGNORED = (*_CREATE_IGNORED, "days_until_due")
#: Seconds in a day, for `days_until_due`.
_DAY = 86_400
_PREVIEW = ("customer", "subscription", "discounts", "coupon", "subscription_details", "invoice_items")


#: Accepted as Stripe does, and changes nothing here (every invoice is charged automatically).
_COLLECTION_METHOD = Filter(("collection_method",), lambda p, where: None)
RESOURCE = Resource(
    kind="invoice",
    prefix="in",
    url="/v1/invoices",
    events=(
        "invoice.created",
        "invoice.deleted",
        "invoice.finalized",
        "invoice.marked_uncollectible",
        "invoice.paid",
        "invoice.payment_action_required",
        "invoice.payment_failed",
        "invoice.payment_succeeded",
        "invoice.sent",
        "invoice.upcoming",
        "invoice.updated",
        "invoice.voided",
    ),
    filters=(
        NOT_DELETED,
        field("customer"),
        field("subscription"),
        field("status", choices=billing.STATUSES),
        _COLLECTION_METHOD,
    ),
)
bp = Blueprint("invoices", __name__)


@dataclass(frozen=True)
class NewInvoice:
    """What `POST /v1/invoices` asks for, checked."""

    customer: str
    subscription: str | None
    include_pending: bool
    currency: str
    auto_advance: bool
    days_until_due: int | None  # set only for collection_method=send_invoice
    default_payment_method: str | None
    description: str | None
    metadata: dict[str, str]
    coupon: str | None

    @classmethod
    def parse(cls, pay: PaymentsCore, p: Params) -> NewInvoice:
        customer = str(p.string("customer", required=True, max_length=200))
        auto_advance = p.boolean("auto_advance")
        collection = p.string("collection_method", choices=("charge_automatically", "send_invoice"))
        days_until_due = p.integer("days_until_due", minimum=0, maximum=730)
        if collection == "send_invoice" and days_until_due is None:
            raise ApiError(
                400, "An invoice with collection_method=send_invoice needs days_until_due.", param="days_until_due"
            )
        if collection != "send_invoice" and days_until_due is not None:
            raise ApiError(400, "days_until_due only goes with collection_method=send_invoice.", param="days_until_due")
        behavior = p.string("pending_invoice_items_behavior", choices=("include", "exclude")) or "include"
        method = p.string("default_payment_method", max_length=200)
        if method:
            cards.card(method, "default_payment_method", pay=pay)
        return cls(
            customer=customer,
            include_pending=behavior == "include",
            auto_advance=auto_advance is not False,
            days_until_due=days_until_due,
            default_payment_method=method,
            description=p.string("description", max_length=1500),
            metadata=merge_metadata({}, p.metadata()),
            coupon=coupons.from_params(p),
            subscription=p.string("subscription", max_length=200),
            currency=(p.string("currency", max_length=3) or "usd").lower(),
        )


@bp.post("/v1/invoices")
def create_invoice() -> Response:
    pay, p, paths = asked(_CREATE, _CREATE_IGNORED)
    return pay.render(create(pay, NewInvoice.parse(pay, p)), paths)


def create(pay: PaymentsCore, asked: NewInvoice) -> dict[str, Any]:
    """Draft a one-off invoice from the customer's pending items; with auto_advance, finalize it in an hour."""
    with pay.store.transaction():
        customer = customers.live(pay, asked.customer, param="customer")
        subscription = pay.get("subscription", asked.subscription, param="subscription") if asked.subscription else None
        items = billing.pending_items(pay, customer["id"], asked.subscription) if asked.include_pending else []
        now = pay.now()
        invoice = billing.draft(
            pay,
            customer,
            billing.item_lines(pay, items),
            currency=items[0]["currency"] if items else asked.currency,
            reason="manual",
            period_start=now,
            period_end=now,
            subscription=subscription,
            discount=None,
            metadata=asked.metadata,
            description=asked.description,
            auto_advance=asked.auto_advance,
        )
        if asked.coupon is not None:
            _apply_coupon(pay, invoice, asked.coupon)
        invoice["default_payment_method"] = asked.default_payment_method
        if asked.days_until_due is not None:
            invoice["collection_method"] = "send_invoice"
            invoice["due_date"] = now + asked.days_until_due * _DAY
        billing.insert(pay, invoice)
    if invoice["auto_advance"]:
        schedule_finalize(pay, invoice)
    return invoice


@bp.post("/v1/invoices/<invoice_id>")
def update_invoice(invoice_id: str) -> Response:
    pay, p, paths = asked(("description", "metadata", "auto_advance", "default_payment_method"), _UPDATE_IGNORED)
    metadata = p.metadata()
    auto_advance = p.boolean("auto_advance")
    description = p.string("description", max_length=1500, empty_ok=True)
    method = p.string("default_payment_method", max_length=200)
    if method:
        cards.card(method, "default_payment_method", pay=pay)
    changes: dict[str, Any] = {}
    if "description" in p:
        changes["description"] = description or None
    if auto_advance is not None:
        changes["auto_advance"] = auto_advance
    if method:
        changes["default_payment_method"] = method
    return pay.render(update(pay, invoice_id, changes, metadata), paths)


def update(
    pay: PaymentsCore, invoice_id: str, changes: dict[str, Any], metadata: dict[str, str] | None
) -> dict[str, Any]:
    """Change a draft (an open invoice: its metadata only); emits `invoice.updated` when something changed."""
    with pay.store.transaction():
        invoice = pay.get("invoice", invoice_id)
        if invoice["status"] not in ("draft", "open") or (invoice["status"] == "open" and "description" in changes):
            raise ApiError(
                400,
                f"Invoice {invoice_id} is {invoice['status']}; only metadata can change now.",
                code="invoice_not_editable",
            )
        previous = records.apply(invoice, {"metadata": merge_metadata(invoice["metadata"], metadata), **changes})
        records.save(pay, invoice, previous)
    if previous.get("auto_advance") is False and invoice["status"] == "draft":
        schedule_finalize(pay, invoice)
    return invoice


@bp.delete("/v1/invoices/<invoice_id>")
def delete_invoice(invoice_id: str) -> Response:
    httpapi.params()
    return jsonify(delete(current(), invoice_id))


def delete(pay: PaymentsCore, invoice_id: str) -> dict[str, Any]:
    """Delete a draft; its invoice items are pending again, as in Stripe."""
    with pay.store.transaction():
        invoice = _in_state(pay, invoice_id, ("draft",), "delete")
        for each in invoice["lines"]["data"]:
            item = pay.db["invoiceitem"].get(each["invoice_item"]) if each.get("invoice_item") else None
            if item is not None:
                item["invoice"] = None
                pay.db["invoiceitem"].replace(item)
        tombstone = {"id": invoice_id, "object": "invoice", "deleted": True}
        pay.db["invoice"].replace(tombstone)
        pay.emit("invoice.deleted", invoice)
    return tombstone


@bp.post("/v1/invoices/<invoice_id>/finalize")
def finalize_invoice(invoice_id: str) -> Response:
    pay, p, paths = asked(("auto_advance",))
    return pay.render(finalize(pay, invoice_id, p.boolean("auto_advance")), paths)


def finalize(pay: PaymentsCore, invoice_id: str, auto_advance: bool | None) -> dict[str, Any]:
    with pay.store.transaction():
        invoice = _in_state(pay, invoice_id, ("draft",), "finalize")
        if auto_advance is not None:
            invoice["auto_advance"] = auto_advance
        billing.finalize(pay, invoice)
    return invoice


@bp.post("/v1/invoices/<invoice_id>/pay")
def pay_invoice(invoice_id: str) -> Response:
    pay, p, paths = asked(
        ("payment_method", "paid_out_of_band"), ignored=("off_session", "forgive", "source", "mandate")
    )
    given = p.string("payment_method", max_length=200)
    return pay.render(charge(pay, invoice_id, given, out_of_band=p.boolean("paid_out_of_band") or False), paths)


def charge(pay: PaymentsCore, invoice_id: str, given: str | None, *, out_of_band: bool) -> dict[str, Any]:
    """Pay an invoice now (a draft is finalized first): with the card given or the customer's, or out of band."""
    with pay.store.transaction():
        invoice = pay.get("invoice", invoice_id)
        if invoice["status"] == "draft":
            billing.finalize(pay, invoice)
        if invoice["status"] == "paid":
            raise ApiError(400, "Invoice is already paid.", code="invoice_unexpected_state")
        _in_state(pay, invoice_id, ("open", "uncollectible"), "pay")
        if out_of_band:
            billing.mark_paid(pay, invoice, out_of_band=True)
            renewals.invoice_paid(pay, invoice)
            return invoice
        method = billing.payment_method_for(pay, invoice, given)
        if method is None:
            raise ApiError(
                400,
                "This customer has no default payment method; pass payment_method, such as pm_card_visa.",
                code="invoice_no_customer_payment_method",
                param="payment_method",
            )
        card = cards.card(method, pay=pay)
        made = billing.attempt(pay, invoice, card)
        if made is not None and made["paid"]:
            renewals.invoice_paid(pay, invoice)
    if made is None:
        raise ApiError(
            402,
            "This payment requires additional user action before it can be completed: the invoice's "
            f"PaymentIntent {invoice['payment_intent']} waits for 3-D Secure (its next_action).",
            code="invoice_payment_intent_requires_action",
            type="card_error",
            param="payment_method",
        )
    if not made["paid"]:
        raise charges.card_error(card, charge_id=made["id"])
    return invoice


@bp.post("/v1/invoices/<invoice_id>/send")
def send_invoice(invoice_id: str) -> Response:
    pay = current()
    paths = httpapi.params().expand()
    return pay.render(send(pay, invoice_id), paths)


def send(pay: PaymentsCore, invoice_id: str) -> dict[str, Any]:
    """Send an open `send_invoice` invoice to its customer; emits `invoice.sent` (no email leaves the lab)."""
    with pay.store.transaction():
        invoice = _in_state(pay, invoice_id, ("open",), "send")
        if invoice["collection_method"] != "send_invoice":
            raise ApiError(
                400,
                f"You can only send an invoice whose collection_method is send_invoice; {invoice_id} is "
                "charged automatically.",
                code="invoice_unexpected_state",
                param="collection_method",
            )
        pay.emit("invoice.sent", invoice)
    return invoice


@bp.post("/v1/invoices/<invoice_id>/void")
def void_invoice(invoice_id: str) -> Response:
    pay = current()
    paths = httpapi.params().expand()
    return pay.render(end_unpaid(pay, invoice_id, ("open", "uncollectible"), "void"), paths)


@bp.post("/v1/invoices/<invoice_id>/mark_uncollectible")
def mark_uncollectible(invoice_id: str) -> Response:
    pay = current()
    paths = httpapi.params().expand()
    return pay.render(end_unpaid(pay, invoice_id, ("open",), "uncollectible"), paths)


def end_unpaid(pay: PaymentsCore, invoice_id: str, states: tuple[str, ...], status: str) -> dict[str, Any]:
    """Void an open or uncollectible invoice, or mark an open one uncollectible."""
    with pay.store.transaction():
        invoice = _in_state(pay, invoice_id, states, "void" if status == "void" else "mark uncollectible")
        billing.end_unpaid(pay, invoice, status)
    return invoice


@bp.get("/v1/invoices/<invoice_id>/lines")
def invoice_lines(invoice_id: str) -> Response:
    p = httpapi.params(LIST_PARAMS)
    invoice = current().get("invoice", invoice_id)
    return jsonify(_page(invoice["lines"]["data"], p, f"/v1/invoices/{invoice_id}/lines"))


@bp.get("/v1/invoices/upcoming")
def upcoming_invoice() -> Response:
    p = httpapi.params(_PREVIEW, ignored=("automatic_tax", "customer_details", "schedule"))
    return jsonify(preview(current(), p))


@bp.post("/v1/invoices/create_preview")
def create_preview() -> Response:
    p = httpapi.params(_PREVIEW, ignored=("automatic_tax", "customer_details", "schedule", "currency", "preview_mode"))
    return jsonify(preview(current(), p))


def _apply_coupon(pay: PaymentsCore, invoice: dict[str, Any], coupon_id: str) -> None:
    discount = coupons.redeem(
        pay, coupon_id, customer=invoice["customer"], param="discounts[0][coupon]", invoice=invoice["id"]
    )
    redone = billing.redraft(pay, invoice, discount=discount)
    invoice.update(redone)


def _in_state(pay: PaymentsCore, invoice_id: str, states: tuple[str, ...], verb: str) -> dict[str, Any]:
    invoice = pay.get("invoice", invoice_id)
    if invoice.get("deleted") or invoice["status"] not in states:
        status = "deleted" if invoice.get("deleted") else invoice["status"]
        raise ApiError(
            400,
            f"You can only {verb} an invoice that is {' or '.join(states)}; {invoice_id} is {status}.",
            code="invoice_unexpected_state",
        )
    return invoice


def _page(data: list[dict[str, Any]], p: Params, url: str) -> dict[str, Any]:
    limit = p.integer("limit", minimum=1, maximum=100) or 10
    after, before = p.string("starting_after", max_length=200), p.string("ending_before", max_length=200)
    ids = [each["id"] for each in data]
    start = ids.index(after) + 1 if after in ids else 0
    stop = ids.index(before) if before in ids else len(data)
    chosen = data[start:stop]
    window = chosen[-limit:] if before in ids else chosen[:limit]
    return {**envelope(window, url), "has_more": len(chosen) > len(window)}


def preview(pay: PaymentsCore, p: Params) -> dict[str, Any]:
    """The next invoice for a customer (or one subscription), worked out and not stored."""
    customer_id = p.string("customer", max_length=200)
    subscription_id = p.string("subscription", max_length=200)
    coupon_id = coupons.from_params(p)
    if customer_id is None and subscription_id is None:
        raise ApiError(400, "Missing required param: customer (or subscription).", param="customer")
    subscription = pay.get("subscription", subscription_id, param="subscription") if subscription_id else None
    customer = customers.live(pay, customer_id or str((subscription or {}).get("customer")), param="customer")
    if subscription is None:
        live = [s for s in pay.db["subscription"].find(customer=customer["id"]) if s["status"] != "canceled"]
        subscription = live[0] if live else None
    with pay.frozen_at(_clock_time(pay, customer)):
        items = billing.pending_items(pay, customer["id"], subscription["id"] if subscription else None)
        if subscription is None and not items:
            raise ApiError(404, f"No upcoming invoices for customer: {customer['id']}", code="invoice_upcoming_none")
        lines = billing.item_lines(pay, items)
        if subscription is not None and not subscription["cancel_at_period_end"]:
            start = subscription["current_period_end"]
            lines += billing.subscription_lines(pay, subscription, start, renewals.next_period_end(subscription, start))
        discount = coupons.live_discount(pay, (subscription or {}).get("discount"))
        if coupon_id is not None:
            coupon = coupons.live(pay, coupon_id, param="discounts[0][coupon]")
            discount = {"id": "di_preview", "object": "discount", "coupon": coupon, "end": None, "start": pay.now()}
        currency = subscription["currency"] if subscription else items[0]["currency"]
        start = subscription["current_period_start"] if subscription else pay.now()
        end = subscription["current_period_end"] if subscription else pay.now()
        invoice = billing.draft(
            pay,
            customer,
            lines,
            currency=currency,
            reason="upcoming" if subscription else "manual",
            period_start=start,
            period_end=end,
            subscription=subscription,
            discount=discount,
            invoice_id=_preview_id(pay),
        )
    invoice["created"] = end
    invoice["next_payment_attempt"] = end if subscription else None
    return pay.public(invoice)


def _preview_id(pay: PaymentsCore) -> str:
    return "upcoming_in_" + pay.ids.token(f"preview:{pay.store.next_value('preview')}", 14)


def _clock_time(pay: PaymentsCore, customer: dict[str, Any]) -> int | None:
    clock_id = customer.get("test_clock")
    clock = pay.db["test_clock"].get(clock_id) if clock_id else None
    return int(clock["frozen_time"]) if clock else None


def schedule_finalize(pay: PaymentsCore, invoice: dict[str, Any]) -> None:
    """Finalize and charge a draft with `auto_advance` an hour after it was made (a lab clock job)."""
    invoice_id = invoice["id"]
    due = invoice["created"] + AUTO_FINALIZE_AFTER
    pay.clock.call_at(
        max(due, pay.clock.timestamp()), lambda: auto_advance(pay, invoice_id), name=f"payments: finalize {invoice_id}"
    )


def schedule_drafts(pay: PaymentsCore) -> None:
    """Put every waiting draft back on the clock (after a restart)."""
    for invoice in pay.db["invoice"].find(status="draft"):
        if invoice.get("auto_advance"):
            schedule_finalize(pay, invoice)


def auto_advance(pay: PaymentsCore, invoice_id: str) -> None:
    if not pay.alive:
        return
    with pay.store.transaction():
        invoice = pay.db["invoice"].get(invoice_id)
        if invoice is None or invoice.get("status") != "draft" or not invoice.get("auto_advance"):
            return
        billing.finalize(pay, invoice)
        # A send_invoice invoice waits for its customer to pay; only the others are charged.
        if invoice["status"] == "open" and invoice["collection_method"] == "charge_automatically":
            card = billing.card_to_charge(pay, invoice)
            made = billing.attempt(pay, invoice, card) if card is not None else None
            if made is not None and made["paid"]:
                renewals.invoice_paid(pay, invoice)
