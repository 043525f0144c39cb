"""A payment system stopped mid-delivery resumes on the same state folder: no event is lost."""

from __future__ import annotations

import json
from pathlib import Path

from simulators import Lab
from simulators.payments import PaymentsSystem


def test_restart_mid_delivery_completes_every_pending_delivery(tmp_path: Path) -> None:
    with Lab(seed=9, state_dir=tmp_path / "state", systems=["provisioning", "payments"]) as lab:
        lab.provisioning.faults.down()  # the case study's outage: deliveries pile up, pending
        customers = [lab.payments.create_customer(f"c{n}@example.com")["id"] for n in range(5)]
        for customer in customers:
            lab.payments.pay(customer, 1900, metadata={"plan": "basic"})
        lab.advance(minutes=3)
        pending = lab.payments.outbox.deliveries(status="pending")
        assert len(pending) == 5 and all(d["attempts"] >= 1 for d in pending)

        lab.payments.stop()  # killed mid-retry: the scheduled retries are dropped with it
        restarted = lab.restart("payments")
        assert isinstance(restarted, PaymentsSystem)
        assert restarted.provisioning_endpoint["id"] == pending[0]["endpoint_id"]
        assert len(restarted.outbox.deliveries(status="pending")) == 5

        lab.provisioning.faults.up()
        lab.advance(hours=2)
        assert restarted.outbox.deliveries(status="pending") == []
        delivered = {
            json.loads(r["body"])["data"]["object"]["customer"]
            for r in lab.provisioning.received()
            if r["status"] == 200
        }
        assert delivered == set(customers)
        assert {a["customer"] for a in lab.provisioning.accounts()} == set(customers)
        assert len(restarted.events(type="payment_intent.succeeded")) == 5


def test_a_new_lab_on_the_same_folder_keeps_events_and_one_provisioning_endpoint(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    with Lab(seed=9, state_dir=folder, systems=["provisioning", "payments"]) as lab:
        lab.provisioning.faults.down()
        customer = lab.payments.create_customer("ada@example.com")
        lab.payments.pay(customer["id"], 4900, metadata={"plan": "pro"})
        lab.settle()
        first_endpoint = lab.payments.provisioning_endpoint
        events = [e["id"] for e in lab.payments.events()]
        subscription = lab.payments.subscribe(customer["id"], "basic")
    with Lab(seed=9, state_dir=folder, systems=["provisioning", "payments"]) as again:
        endpoint = again.payments.provisioning_endpoint
        assert endpoint["id"] == first_endpoint["id"] and endpoint["secret"] == first_endpoint["secret"]
        assert endpoint["url"] == again.provisioning.webhook_url
        assert len(again.payments.endpoints()) == 1
        assert [e["id"] for e in again.payments.events()][: len(events)] == events
        again.advance(hours=1)
        assert again.payments.outbox.deliveries(status="pending") == []
        assert {a["customer"] for a in again.provisioning.accounts()} == {customer["id"]}
        # the renewal of the subscription made before the restart is back on the clock
        again.advance(days=31)
        renewed = [i for i in again.payments.invoices() if i["billing_reason"] == "subscription_cycle"]
        assert [i["subscription"] for i in renewed] == [subscription["id"]] and renewed[0]["status"] == "paid"
