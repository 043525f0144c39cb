"""The lesson's payment automations, end to end against the payment system's Stripe-signed webhooks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from simulators import Lab
from simulators.course.automations import Automation, Step
from simulators.course.automations.examples import confirm_paid_invoices, retain_cancelled_customers

SYSTEMS = ["mailer", "crm", "provisioning", "payments"]


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=8, systems=SYSTEMS) as running:
        yield running


def test_a_paid_invoice_gets_a_confirmation_email(lab: Lab) -> None:
    automation = confirm_paid_invoices().install(lab)
    customer = lab.payments.create_customer("ada@example.com", name="Ada")
    lab.payments.subscribe(customer["id"], "price_basic_monthly")
    lab.settle()
    [run] = automation.runs()
    assert run["outcome"] == "succeeded" and run["type"] == "invoice.paid", run
    [email] = lab.mailer.inbox(to="ada@example.com")
    invoice = lab.payments.events(type="invoice.paid")[0]["data"]["object"]
    assert email["subject"] == f"Payment received for invoice {invoice['id']}"
    assert f"{invoice['amount_paid']} cents" in email["body"]
    assert lab.mailer.alerts() == []


def test_a_cancelled_subscription_becomes_a_retention_task(lab: Lab) -> None:
    automation = retain_cancelled_customers().install(lab)
    customer = lab.payments.create_customer("ada@example.com")
    subscription = lab.payments.subscribe(customer["id"], "price_basic_monthly")
    lab.payments.cancel_subscription(subscription["id"])
    lab.settle()
    [run] = automation.runs()
    assert run["outcome"] == "succeeded" and run["type"] == "customer.subscription.deleted"
    [task] = lab.crm.tasks(status="open")
    assert task["title"] == f"Retention call: {customer['id']} cancelled"
    assert subscription["id"] in task["notes"]


def test_a_payment_activates_an_account_and_an_outage_is_alerted(lab: Lab) -> None:
    automation = Automation(
        "Activate on payment",
        when="payment_intent.succeeded",
        source="payments",
        then=Step(
            "provisioning.activate", using={"customer": "data.object.customer", "plan": "data.object.metadata.plan"}
        ),
        alert="ops@example.com",
    ).install(lab)
    lab.provisioning.faults.down()
    customer = lab.payments.create_customer("ada@example.com")
    lab.payments.pay(customer["id"], 2000, metadata={"plan": "pro"})
    lab.settle()
    failed = [run for run in automation.runs() if run["outcome"] == "failed"]
    assert failed and "unreachable" in failed[0]["error"] and failed[0]["will_retry"] is True
    [alert] = lab.mailer.alerts(to="ops@example.com")
    assert "Activate on payment" in alert["subject"]
    lab.provisioning.faults.up()
    lab.advance(hours=1)
    assert automation.runs()[-1]["outcome"] == "succeeded"
    assert [(a["plan"], a["status"]) for a in lab.provisioning.accounts(customer=customer["id"])] == [("pro", "active")]


def test_a_payment_delivery_with_a_bad_stripe_signature_is_refused(lab: Lab) -> None:
    automation = confirm_paid_invoices().install(lab)
    answer = requests.post(
        automation.url,
        data=b'{"id": "evt_fake", "type": "invoice.paid"}',
        headers={"Stripe-Signature": "t=1,v1=00", "Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert automation.runs()[0]["outcome"] == "rejected"
    assert lab.mailer.inbox(kind="email") == []
