"""The Python API notebooks use, and the seeded traffic generator."""

from __future__ import annotations

import pytest

from simulators import Lab
from simulators.payments import PaymentsError


def test_python_api_round_trip(lab: Lab) -> None:
    pay = lab.payments
    customer = pay.create_customer("ada@example.com", name="Ada", metadata={"team": "core"})
    ok = pay.pay(customer["id"], 1900, metadata={"plan": "basic"})
    declined = pay.pay(customer["id"], 1900, payment_method="pm_card_insufficientFunds")
    assert ok["status"] == "succeeded"
    assert declined["status"] == "requires_payment_method"
    assert declined["last_payment_error"]["decline_code"] == "insufficient_funds"
    subscription = pay.subscribe(customer["id"], "pro")
    assert subscription["status"] == "active" and subscription["metadata"] == {"plan": "pro"}
    assert pay.cancel_subscription(subscription["id"])["status"] == "canceled"
    refund = pay.refund(ok["id"])
    assert refund["amount"] == 1900
    # the subscription's first invoice was paid through a PaymentIntent of its own, as in Stripe
    invoice_payment = pay.invoices()[0]["payment_intent"]
    assert [p["id"] for p in pay.payments()] == [ok["id"], invoice_payment]
    assert [p["id"] for p in pay.payments(refunded=False)] == [invoice_payment]
    assert [p["id"] for p in pay.payments(refunded=True)] == [ok["id"]]
    assert [p["id"] for p in pay.payments(status="requires_payment_method")] == [declined["id"]]
    assert [e["type"] for e in pay.events(type="customer.subscription.*")] == [
        "customer.subscription.created",
        "customer.subscription.deleted",
    ]
    with pytest.raises(PaymentsError, match="No such customer") as missing:
        pay.pay("cus_nobody", 1900)
    assert missing.value.status == 404
    assert pay.requests.count() > 5  # it all went over HTTP


def test_endpoints_from_python(bare_lab: Lab) -> None:
    pay = bare_lab.payments
    endpoint = pay.add_endpoint("http://127.0.0.1:9/hook", enabled_events=["invoice.paid"], retry_policy="none")
    assert endpoint["secret"].startswith("whsec_") and endpoint["retry_policy"]["name"] == "none"
    assert [e["id"] for e in pay.endpoints()] == [endpoint["id"]] and "secret" not in pay.endpoints()[0]
    assert pay.delete_endpoint(endpoint["id"])["deleted"] is True
    assert pay.endpoints() == []
    assert bare_lab.payments.provisioning_endpoint is None


def test_describe_gives_what_serve_needs(lab: Lab) -> None:
    info = lab.describe()["payments"]
    assert info["url"] == lab.payments.url and info["api_key"] == lab.payments.api_key
    assert info["provisioning_endpoint"]["secret"] == lab.payments.provisioning_endpoint["secret"]


def test_purchase_makes_plausible_seeded_customers() -> None:
    runs = []
    for _ in range(2):
        with Lab(seed=21, systems=["provisioning", "payments"]) as lab:
            intents = lab.traffic.purchase(n=6, decline_rate=0.5)
            lab.settle()
            customers = lab.payments.customers()
            assert len(intents) == 6 and all("@example." in c["email"] and " " in c["name"] for c in customers)
            succeeded = [i for i in intents if i["status"] == "succeeded"]
            assert 0 < len(succeeded) < 6
            assert {i["metadata"]["plan"] for i in intents} <= {"basic", "pro"}
            assert len(lab.provisioning.accounts()) == len(succeeded)
            runs.append([(c["id"], c["email"]) for c in customers] + [(i["id"], i["status"]) for i in intents])
    assert runs[0] == runs[1]
    with Lab(seed=22, systems=["payments"]) as other:
        assert [c["email"] for c in other.payments.customers()] == []
        other.traffic.purchase(n=6)
        assert [c["email"] for c in other.payments.customers()] != [email for _, email in runs[0][:6]]


def test_schedule_spreads_signups_over_the_clock() -> None:
    with Lab(seed=4, systems=["provisioning", "payments"]) as lab:
        summary = lab.traffic.schedule(per_day=12, days=2, decline_rate=0.25, cancel_rate=0.5)
        assert summary["signups"] == 24 and sum(summary["plans"].values()) == 24
        assert lab.payments.customers() == []  # nothing happens until the clock moves
        lab.advance(days=1)
        first_day = len(lab.payments.customers())
        assert 0 < first_day < 24
        lab.advance(days=4)
        assert len(lab.payments.customers()) == 24
        assert len(lab.payments.payments(status="requires_payment_method")) == summary["declines"]
        assert len(lab.payments.refunds()) == summary["cancellations"]
        created = [c["created"] for c in lab.payments.customers()]
        assert created == sorted(created) and len(set(created)) > 20
        assert lab.traffic.errors == []
        for bad in ({"per_day": -1}, {"days": 0}, {"decline_rate": 2}):
            with pytest.raises(ValueError):
                lab.traffic.schedule(**bad)


def test_scheduled_signups_survive_a_payments_outage_as_recorded_errors() -> None:
    with Lab(seed=4, systems=["payments"]) as lab:
        lab.traffic.schedule(per_day=24, days=1)
        lab.payments.faults.window("down", start=lab.clock.time(), hours=6)
        lab.advance(days=1)
        assert lab.traffic.errors and all(e["step"] == "sign_up" for e in lab.traffic.errors)
        assert len(lab.payments.customers()) + len(lab.traffic.errors) == 24
        assert lab.clock.failures == []
