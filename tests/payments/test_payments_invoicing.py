"""Invoice items, the invoice lifecycle, previews, discounts, trials and proration, driven by the official SDK."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import stripe

from simulators import Lab
from tests.payments.receiver import Receiver
from tests.payments.stripe_schema import problems

DAY = 86400


def _raw(lab: Lab, path: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {lab.payments.api_key}"}
    return requests.get(lab.payments.url + path, params=params, headers=headers, timeout=10).json()


@pytest.fixture
def ada(sdk: Any) -> Any:
    return sdk.Customer.create(
        email="ada@example.com", name="Ada", invoice_settings={"default_payment_method": "pm_card_visa"}
    )


def test_draft_finalize_pay_with_invoice_items(sdk: Any, lab: Lab, receiver: Receiver, ada: Any) -> None:
    setup = sdk.InvoiceItem.create(customer=ada.id, amount=2500, currency="usd", description="Setup")
    hours = sdk.InvoiceItem.create(customer=ada.id, price="price_basic_monthly", quantity=2)
    assert isinstance(setup, stripe.InvoiceItem) and setup.invoice is None and hours.amount == 3800
    assert [i.id for i in sdk.InvoiceItem.list(customer=ada.id, pending=True).data] == [hours.id, setup.id]

    draft = sdk.Invoice.create(customer=ada.id, auto_advance=False, description="March work")
    assert draft.status == "draft" and draft.number is None and draft.total == 6300
    lines = sdk.Invoice.list_lines(draft.id)
    assert [(line.description, line.amount, line.type) for line in lines.data] == [
        ("Setup", 2500, "invoiceitem"),
        ("Basic monthly", 3800, "invoiceitem"),
    ]
    assert lines.url == f"/v1/invoices/{draft.id}/lines"
    assert sdk.InvoiceItem.retrieve(setup.id).invoice == draft.id
    extra = sdk.InvoiceItem.create(customer=ada.id, amount=200, currency="usd", invoice=draft.id)
    assert sdk.Invoice.retrieve(draft.id).total == 6500 and extra.invoice == draft.id

    final = sdk.Invoice.finalize_invoice(draft.id)
    assert final.status == "open" and final.number.startswith("HOOK-") and final.status_transitions.finalized_at
    with pytest.raises(stripe.InvalidRequestError) as late:
        sdk.InvoiceItem.create(customer=ada.id, amount=1, currency="usd", invoice=draft.id)
    assert late.value.param == "invoice"
    paid = sdk.Invoice.pay(draft.id)
    assert paid.status == "paid" and paid.amount_paid == 6500 and paid.amount_remaining == 0
    intent = sdk.PaymentIntent.retrieve(paid.payment_intent)
    assert intent.status == "succeeded" and intent.amount == 6500
    assert sdk.Charge.retrieve(paid.charge).invoice == draft.id
    for body in (_raw(lab, f"/v1/invoices/{draft.id}"), _raw(lab, "/v1/invoices")):
        assert problems(body) == []
    assert all(problems(line, "line_item") == [] for line in _raw(lab, f"/v1/invoices/{draft.id}/lines")["data"])
    lab.settle()
    assert [t for t in receiver.types if t.startswith("invoice")] == [
        "invoiceitem.created",
        "invoiceitem.created",
        "invoice.created",
        "invoiceitem.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ]


def test_void_mark_uncollectible_and_delete(sdk: Any, lab: Lab, receiver: Receiver, ada: Any) -> None:
    def opened() -> Any:
        sdk.InvoiceItem.create(customer=ada.id, amount=1000, currency="usd")
        return sdk.Invoice.finalize_invoice(sdk.Invoice.create(customer=ada.id, auto_advance=False).id)

    voided = sdk.Invoice.void_invoice(opened().id)
    assert voided.status == "void" and voided.status_transitions.voided_at
    bad_debt = sdk.Invoice.mark_uncollectible(opened().id)
    assert bad_debt.status == "uncollectible"
    assert sdk.Invoice.pay(bad_debt.id, paid_out_of_band=True).paid_out_of_band is True
    with pytest.raises(stripe.InvalidRequestError, match="only void an invoice that is open or uncollectible"):
        sdk.Invoice.void_invoice(bad_debt.id)
    item = sdk.InvoiceItem.create(customer=ada.id, amount=700, currency="usd")
    draft = sdk.Invoice.create(customer=ada.id, auto_advance=False)
    assert sdk.Invoice.delete(draft.id).deleted is True
    assert sdk.InvoiceItem.retrieve(item.id).invoice is None  # back to pending
    assert sdk.InvoiceItem.delete(item.id).deleted is True
    lab.settle()
    for kind in ("invoice.voided", "invoice.marked_uncollectible", "invoice.deleted", "invoiceitem.deleted"):
        assert kind in receiver.types


def test_auto_advance_finalizes_and_charges_an_hour_later(sdk: Any, lab: Lab, ada: Any) -> None:
    sdk.InvoiceItem.create(customer=ada.id, amount=4200, currency="usd")
    draft = sdk.Invoice.create(customer=ada.id)
    assert draft.auto_advance is True and draft.status == "draft"
    lab.advance(minutes=59)
    assert sdk.Invoice.retrieve(draft.id).status == "draft"
    lab.advance(minutes=2)
    assert sdk.Invoice.retrieve(draft.id).status == "paid"


def test_upcoming_invoice_preview_shows_the_next_renewal(sdk: Any, lab: Lab, ada: Any) -> None:
    subscription = sdk.Subscription.create(customer=ada.id, items=[{"price": "price_pro_monthly"}])
    sdk.InvoiceItem.create(customer=ada.id, amount=300, currency="usd", description="Extra seat")
    preview = sdk.Invoice.create_preview(customer=ada.id, subscription=subscription.id)
    assert preview.id.startswith("upcoming_in_") and preview.total == 5200
    assert [line.amount for line in preview.lines.data] == [300, 4900]
    assert preview.lines.data[1].period.start == subscription.current_period_end
    assert problems(_raw(lab, "/v1/invoices/upcoming", customer=ada.id)) == []
    assert _raw(lab, "/v1/invoices/upcoming", customer=ada.id)["amount_due"] == 5200
    assert len(sdk.Invoice.list(customer=ada.id).data) == 1  # a preview is never stored
    nobody = sdk.Customer.create(email="bo@example.com")
    with pytest.raises(stripe.InvalidRequestError) as none:
        sdk.Invoice.create_preview(customer=nobody.id)
    assert none.value.http_status == 404 and none.value.code == "invoice_upcoming_none"


@pytest.mark.parametrize(
    ("coupon", "first", "second", "third"),
    [
        ({"percent_off": 50, "duration": "once"}, 950, 1900, 1900),
        ({"amount_off": 400, "currency": "usd", "duration": "repeating", "duration_in_months": 2}, 1500, 1500, 1900),
        ({"percent_off": 10, "duration": "forever"}, 1710, 1710, 1710),
    ],
)
def test_coupons_discount_a_subscriptions_invoices_for_their_duration(
    sdk: Any, lab: Lab, ada: Any, coupon: dict[str, Any], first: int, second: int, third: int
) -> None:
    made = sdk.Coupon.create(**coupon)
    subscription = sdk.Subscription.create(
        customer=ada.id, items=[{"price": "price_basic_monthly"}], discounts=[{"coupon": made.id}]
    )
    if coupon["duration"] == "once":
        assert subscription.discount is None  # spent on the first invoice
    else:
        assert subscription.discount.coupon.id == made.id
    lab.advance(days=31)
    lab.advance(days=30)
    paid = [i.amount_paid for i in reversed(sdk.Invoice.list(subscription=subscription.id).data)]
    assert paid == [first, second, third]
    invoice = sdk.Invoice.list(subscription=subscription.id).data[-1]
    assert invoice.subtotal == 1900 and invoice.total == first
    assert problems(_raw(lab, f"/v1/invoices/{invoice.id}")) == []
    assert sdk.Coupon.retrieve(made.id).times_redeemed == 1


def test_a_coupon_on_a_one_off_invoice(sdk: Any, ada: Any) -> None:
    coupon = sdk.Coupon.create(amount_off=1000, currency="usd")
    sdk.InvoiceItem.create(customer=ada.id, amount=2500, currency="usd")
    invoice = sdk.Invoice.create(customer=ada.id, auto_advance=False, discounts=[{"coupon": coupon.id}])
    assert (invoice.subtotal, invoice.total, invoice.total_discount_amounts[0].amount) == (2500, 1500, 1000)


def test_trial_with_trial_end_then_the_first_charge(sdk: Any, lab: Lab, receiver: Receiver, ada: Any) -> None:
    ends = lab.clock.timestamp() + 5 * DAY
    subscription = sdk.Subscription.create(customer=ada.id, items=[{"price": "price_basic_monthly"}], trial_end=ends)
    assert (
        subscription.status == "trialing" and subscription.trial_end == ends and subscription.current_period_end == ends
    )
    first = sdk.Invoice.retrieve(subscription.latest_invoice)
    assert first.amount_due == 0 and first.status == "paid" and first.payment_intent is None
    lab.advance(days=2, minutes=1)
    assert "customer.subscription.trial_will_end" in receiver.types
    lab.advance(days=3)
    active = sdk.Subscription.retrieve(subscription.id, expand=["latest_invoice"])
    assert active.status == "active" and active.latest_invoice.amount_paid == 1900
    assert active.current_period_start == ends


def test_changing_price_mid_period_prorates_onto_the_next_invoice(sdk: Any, lab: Lab, ada: Any) -> None:
    subscription = sdk.Subscription.create(customer=ada.id, items=[{"price": "price_basic_monthly"}])
    period = subscription.current_period_end - subscription.current_period_start
    lab.advance(seconds=period // 2)
    item = subscription["items"].data[0]
    upgraded = sdk.Subscription.modify(subscription.id, items=[{"id": item.id, "price": "price_pro_monthly"}])
    assert upgraded["items"].data[0].price.id == "price_pro_monthly" and upgraded.metadata["plan"] == "pro"
    credit, charge = sorted(i.amount for i in sdk.InvoiceItem.list(customer=ada.id, pending=True).data)
    assert credit == -950 and charge == 2450  # half a month of each, at the old and the new price
    lab.advance(seconds=period // 2 + 60)
    renewal = sdk.Invoice.list(subscription=subscription.id).data[0]
    assert renewal.billing_reason == "subscription_cycle" and renewal.amount_paid == 4900 + 2450 - 950
    assert sorted(line.proration for line in renewal.lines.data) == [False, True, True]


def test_always_invoice_bills_the_proration_now_and_none_skips_it(sdk: Any, lab: Lab, ada: Any) -> None:
    subscription = sdk.Subscription.create(customer=ada.id, items=[{"price": "price_basic_monthly"}])
    lab.advance(days=10)
    item = subscription["items"].data[0]
    now = sdk.Subscription.modify(
        subscription.id, items=[{"id": item.id, "price": "price_pro_monthly"}], proration_behavior="always_invoice"
    )
    invoice = sdk.Invoice.retrieve(now.latest_invoice)
    assert invoice.billing_reason == "subscription_update" and invoice.status == "paid" and invoice.amount_paid > 0
    back = sdk.Subscription.modify(
        subscription.id, items=[{"id": item.id, "price": "price_basic_monthly"}], proration_behavior="none"
    )
    assert back.latest_invoice == invoice.id and sdk.InvoiceItem.list(customer=ada.id, pending=True).data == []


def test_cancel_at_period_end_ends_it_at_the_renewal(sdk: Any, lab: Lab, receiver: Receiver, ada: Any) -> None:
    subscription = sdk.Subscription.create(customer=ada.id, items=[{"price": "price_basic_monthly"}])
    ending = sdk.Subscription.modify(subscription.id, cancel_at_period_end=True)
    assert ending.cancel_at == subscription.current_period_end and ending.status == "active"
    lab.advance(days=32)
    assert sdk.Subscription.retrieve(subscription.id).status == "canceled"
    assert len(sdk.Invoice.list(subscription=subscription.id).data) == 1
    lab.settle()
    assert "invoice.upcoming" not in receiver.types  # nothing is coming


@pytest.mark.parametrize(
    ("call", "params", "param"),
    [
        ("InvoiceItem", {"amount": 100, "currency": "usd"}, "customer"),
        ("InvoiceItem", {"customer": "CUSTOMER", "currency": "usd"}, "amount"),
        ("InvoiceItem", {"customer": "CUSTOMER", "amount": 100}, "currency"),
        ("InvoiceItem", {"customer": "CUSTOMER", "price": "price_nope"}, "price"),
        ("Invoice", {}, "customer"),
        ("Invoice", {"customer": "CUSTOMER", "discounts": [{"coupon": "NOPE"}]}, "discounts[0][coupon]"),
        (
            "Subscription",
            {"customer": "CUSTOMER", "items": [{"price": "price_basic_monthly"}], "trial_period_days": -1},
            "trial_period_days",
        ),
        (
            "Subscription",
            {"customer": "CUSTOMER", "items": [{"price": "price_basic_monthly"}], "coupon": "NOPE"},
            "coupon",
        ),
    ],
)
def test_bad_input_names_the_parameter_and_writes_nothing(
    sdk: Any, lab: Lab, ada: Any, call: str, params: dict[str, Any], param: str
) -> None:
    params = {k: (ada.id if v == "CUSTOMER" else v) for k, v in params.items()}
    kinds = ("invoiceitem", "invoice", "subscription", "payment_intent")
    before = {kind: len(lab.payments.db[kind].find()) for kind in kinds}
    with pytest.raises(stripe.InvalidRequestError) as caught:
        getattr(sdk, call).create(**params)
    assert caught.value.param == param, caught.value
    assert {kind: len(lab.payments.db[kind].find()) for kind in kinds} == before


def test_paying_an_invoice_twice_with_one_idempotency_key_charges_once(sdk: Any, lab: Lab, ada: Any) -> None:
    sdk.InvoiceItem.create(customer=ada.id, amount=1800, currency="usd")
    invoice = sdk.Invoice.finalize_invoice(sdk.Invoice.create(customer=ada.id, auto_advance=False).id)
    first = sdk.Invoice.pay(invoice.id, idempotency_key="pay-once")
    again = sdk.Invoice.pay(invoice.id, idempotency_key="pay-once")
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert again.charge == first.charge and len(sdk.Charge.list(customer=ada.id).data) == 1
