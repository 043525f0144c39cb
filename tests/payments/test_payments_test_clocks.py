"""Stripe's test clocks, driven by the official SDK: a month of billing for one clock's customers in one call."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import stripe

from simulators import Lab
from tests.payments.receiver import Receiver
from tests.payments.stripe_schema import problems

DAY = 86400
START = 1_780_000_000  # a frozen time of the clock's own, months after the lab's


def _raw(lab: Lab, path: str) -> Any:
    """A body as sent, for the schema check (the SDK's objects are not plain JSON)."""
    headers = {"Authorization": f"Bearer {lab.payments.api_key}"}
    return requests.get(lab.payments.url + path, headers=headers, timeout=10).json()


def _advance(sdk: Any, lab: Lab, clock: Any, days: float) -> Any:
    advancing = sdk.test_helpers.TestClock.advance(clock.id, frozen_time=int(clock.frozen_time + days * DAY))
    assert advancing.status == "advancing"
    assert advancing.status_details.advancing.target_frozen_time == int(clock.frozen_time + days * DAY)
    lab.settle()
    ready = sdk.test_helpers.TestClock.retrieve(clock.id)
    assert ready.status == "ready" and ready.frozen_time == int(clock.frozen_time + days * DAY)
    return ready


def test_create_retrieve_list_delete(sdk: Any, lab: Lab, receiver: Receiver) -> None:
    clock = sdk.test_helpers.TestClock.create(frozen_time=START, name="Renewals")
    assert isinstance(clock, stripe.test_helpers.TestClock)
    assert clock.id.startswith("clock_") and clock.object == "test_helpers.test_clock"
    assert (clock.status, clock.frozen_time, clock.name) == ("ready", START, "Renewals")
    assert clock.deletes_after == clock.created + 30 * DAY
    assert sdk.test_helpers.TestClock.retrieve(clock.id).name == "Renewals"
    other = sdk.test_helpers.TestClock.create(frozen_time=START)
    assert [c.id for c in sdk.test_helpers.TestClock.list().data] == [other.id, clock.id]
    customer = sdk.Customer.create(email="ada@example.com", test_clock=clock.id)
    assert customer.test_clock == clock.id and customer.created == START
    deleted = sdk.test_helpers.TestClock.delete(clock.id)
    assert deleted.deleted is True
    assert sdk.Customer.retrieve(customer.id).deleted is True  # a clock takes its customers with it
    assert [c.id for c in sdk.test_helpers.TestClock.list().data] == [other.id]
    _advance(sdk, lab, other, 1)
    lab.settle()
    assert [t for t in receiver.types if t.startswith("test_helpers.")] == [
        "test_helpers.test_clock.created",
        "test_helpers.test_clock.created",
        "test_helpers.test_clock.deleted",
        "test_helpers.test_clock.advancing",
        "test_helpers.test_clock.ready",
    ]


def test_a_month_renews_only_the_clocks_customers(sdk: Any, lab: Lab, receiver: Receiver) -> None:
    clock = sdk.test_helpers.TestClock.create(frozen_time=START)
    on_clock = sdk.Customer.create(email="ada@example.com", test_clock=clock.id)
    off_clock = sdk.Customer.create(email="bo@example.com")
    mine = sdk.Subscription.create(
        customer=on_clock.id, items=[{"price": "price_basic_monthly"}], default_payment_method="pm_card_visa"
    )
    theirs = sdk.Subscription.create(
        customer=off_clock.id, items=[{"price": "price_basic_monthly"}], default_payment_method="pm_card_visa"
    )
    assert mine.created == START and mine.test_clock == clock.id and theirs.test_clock is None
    first_end = mine.current_period_end

    _advance(sdk, lab, clock, 31)
    renewed = sdk.Subscription.retrieve(mine.id)
    assert renewed.current_period_start == first_end and renewed.status == "active"
    invoices = sdk.Invoice.list(subscription=mine.id).data
    assert [i.billing_reason for i in invoices] == ["subscription_cycle", "subscription_create"]
    assert invoices[0].created == first_end and invoices[0].status == "paid" and invoices[0].test_clock == clock.id
    assert problems(_raw(lab, f"/v1/invoices/{invoices[0].id}")) == []
    assert len(sdk.Invoice.list(subscription=theirs.id).data) == 1  # the lab clock did not move
    lab.settle()
    since = receiver.types.index("test_helpers.test_clock.advancing")
    assert receiver.types[since:] == [
        "test_helpers.test_clock.advancing",
        "invoice.upcoming",
        "invoice.created",
        "invoice.finalized",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
        "test_helpers.test_clock.ready",
    ]
    upcoming = next(e.data.object for e in receiver.events if e.type == "invoice.upcoming")
    assert upcoming.amount_due == 1900 and upcoming.next_payment_attempt == first_end and "id" not in upcoming


def test_failed_renewals_are_retried_then_the_subscription_is_canceled(sdk: Any, lab: Lab, receiver: Receiver) -> None:
    clock = sdk.test_helpers.TestClock.create(frozen_time=START)
    customer = sdk.Customer.create(email="ada@example.com", test_clock=clock.id)
    subscription = sdk.Subscription.create(
        customer=customer.id, items=[{"price": "price_basic_monthly"}], default_payment_method="pm_card_visa"
    )
    sdk.Subscription.modify(subscription.id, default_payment_method="pm_card_chargeDeclined")
    end = subscription.current_period_end

    clock = _advance(sdk, lab, clock, 31)
    late = sdk.Subscription.retrieve(subscription.id, expand=["latest_invoice"])
    assert late.status == "past_due"
    assert late.latest_invoice.attempt_count == 1 and late.latest_invoice.next_payment_attempt == end + 3 * DAY
    clock = _advance(sdk, lab, clock, 5)  # day 36: the retries of day 3 and day 5 have failed
    invoice = sdk.Invoice.retrieve(late.latest_invoice.id)
    assert invoice.attempt_count == 3 and invoice.next_payment_attempt == end + 7 * DAY
    _advance(sdk, lab, clock, 3)
    ended = sdk.Subscription.retrieve(subscription.id)
    assert ended.status == "canceled" and ended.canceled_at == end + 7 * DAY
    assert sdk.Invoice.retrieve(invoice.id).next_payment_attempt is None
    lab.settle()
    failures = [e.data.object for e in receiver.events if e.type == "invoice.payment_failed"]
    assert [f.attempt_count for f in failures] == [1, 2, 3, 4]
    assert receiver.types.count("customer.subscription.deleted") == 1


def test_a_late_payment_during_dunning_makes_it_active_again(sdk: Any, lab: Lab) -> None:
    clock = sdk.test_helpers.TestClock.create(frozen_time=START)
    customer = sdk.Customer.create(email="ada@example.com", test_clock=clock.id)
    subscription = sdk.Subscription.create(
        customer=customer.id, items=[{"price": "price_basic_monthly"}], default_payment_method="pm_card_visa"
    )
    sdk.Subscription.modify(subscription.id, default_payment_method="pm_card_chargeDeclined")
    clock = _advance(sdk, lab, clock, 31)
    invoice = sdk.Subscription.retrieve(subscription.id).latest_invoice
    assert sdk.Invoice.pay(invoice, payment_method="pm_card_visa").status == "paid"
    assert sdk.Subscription.retrieve(subscription.id).status == "active"
    _advance(sdk, lab, clock, 10)  # no retries are left on the schedule
    assert sdk.Invoice.retrieve(invoice).attempt_count == 2


def test_trials_on_a_clock_notify_then_charge(sdk: Any, lab: Lab, receiver: Receiver) -> None:
    clock = sdk.test_helpers.TestClock.create(frozen_time=START)
    customer = sdk.Customer.create(
        email="ada@example.com", test_clock=clock.id, invoice_settings={"default_payment_method": "pm_card_visa"}
    )
    trial = sdk.Subscription.create(customer=customer.id, items=[{"price": "price_pro_monthly"}], trial_period_days=14)
    assert trial.status == "trialing" and trial.trial_end == START + 14 * DAY
    assert sdk.Invoice.retrieve(trial.latest_invoice).amount_due == 0
    clock = _advance(sdk, lab, clock, 12)
    lab.settle()
    assert "customer.subscription.trial_will_end" in receiver.types
    notice = next(e for e in receiver.events if e.type == "customer.subscription.trial_will_end")
    assert notice.data.object.trial_end == START + 14 * DAY
    assert sdk.Subscription.retrieve(trial.id).status == "trialing"
    _advance(sdk, lab, clock, 3)
    after = sdk.Subscription.retrieve(trial.id, expand=["latest_invoice"])
    assert after.status == "active" and after.latest_invoice.amount_paid == 4900


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"frozen_time": START}, "frozen_time"),
        ({"frozen_time": START + 3 * 366 * DAY}, "frozen_time"),
        ({}, "frozen_time"),
    ],
)
def test_bad_advances_are_refused(sdk: Any, params: dict[str, Any], param: str) -> None:
    clock = sdk.test_helpers.TestClock.create(frozen_time=START)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        sdk.test_helpers.TestClock.advance(clock.id, **params)
    assert caught.value.http_status == 400 and caught.value.param == param
    assert sdk.test_helpers.TestClock.retrieve(clock.id).status == "ready"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        sdk.Customer.create(email="ada@example.com", test_clock="clock_missing")
    assert missing.value.param == "test_clock" and sdk.Customer.list().data == []
