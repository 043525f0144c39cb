"""Webhook delivery: signed, recorded, retried by policy on the virtual clock, disabled, resent."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import stripe

from simulators import Lab, RetryPolicy
from simulators.webhooks.outbox import event_json
from simulators.webhooks.retry import STANDARD, STRIPE
from tests.payments.receiver import Receiver


def _fail(event: Any) -> Any:
    return ({"error": "nope"}, 500)


def test_every_delivery_verifies_with_construct_event(lab: Lab, receiver: Receiver) -> None:
    customer = lab.payments.create_customer("ada@example.com")
    intent = lab.payments.pay(customer["id"], 1900, metadata={"plan": "pro"})
    lab.payments.pay(customer["id"], 1900, payment_method="pm_card_chargeDeclined")
    subscription = lab.payments.subscribe(customer["id"], "basic")
    lab.payments.cancel_subscription(subscription["id"])
    lab.payments.refund(intent["id"])
    lab.settle()
    assert receiver.failures == []
    assert receiver.types == [event["type"] for event in lab.payments.events()]
    assert {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "invoice.paid",
        "customer.subscription.created",
        "customer.subscription.deleted",
        "charge.refunded",
    } <= set(receiver.types)
    succeeded = receiver.events[receiver.types.index("payment_intent.succeeded")]
    assert isinstance(succeeded.data.object, stripe.PaymentIntent) and succeeded.data.object.metadata["plan"] == "pro"
    for body, event in zip(receiver.bodies, receiver.events, strict=True):
        assert body == lab.payments.event_payload(event.id)


def test_signature_fails_with_another_secret(lab: Lab, receiver: Receiver) -> None:
    receiver.secret = "whsec_not_the_right_one"
    lab.payments.pay(None, 1900)
    lab.settle()
    assert receiver.events == [] and receiver.failures
    assert "No signatures found" in receiver.failures[0]


def test_payload_is_the_stored_event_as_sent(lab: Lab, receiver: Receiver) -> None:
    lab.payments.create_customer("ada@example.com")
    lab.settle()
    event = lab.payments.events()[0]
    sent = json.loads(receiver.bodies[0])
    assert sent["id"] == event["id"] and sent["type"] == "customer.created"
    assert sent["pending_webhooks"] == 1  # the receiver; provisioning does not listen to customer.created
    assert receiver.bodies[0] == event_json(sent)


def test_provisioning_endpoint_exists_once_and_receives_its_events(lab: Lab) -> None:
    endpoint = lab.payments.provisioning_endpoint
    assert endpoint is not None and endpoint["url"] == lab.provisioning.webhook_url
    assert endpoint["secret"].startswith("whsec_")
    assert "payment_intent.succeeded" in endpoint["enabled_events"]
    customer = lab.payments.create_customer("ada@example.com")
    lab.payments.pay(customer["id"], 4900, metadata={"plan": "pro"})
    lab.settle()
    [account] = lab.provisioning.accounts()
    assert account["customer"] == customer["id"] and account["plan"] == "pro"
    received = lab.provisioning.received()
    assert [json.loads(r["body"])["type"] for r in received] == ["payment_intent.succeeded"]
    stripe.WebhookSignature.verify_header(
        received[0]["body"], received[0]["headers"]["Stripe-Signature"], endpoint["secret"]
    )


@pytest.mark.parametrize(
    ("setup", "outcome", "error"),
    [
        ("ok", "succeeded", None),
        ("redirect", "failed", "redirect (302) is not success"),
        ("error", "failed", "HTTP 500"),
        ("slow", "failed", "timed out after 1 s"),
        ("down", "failed", "connection refused"),
    ],
)
def test_only_a_2xx_in_time_is_success(bare_lab: Lab, setup: str, outcome: str, error: str | None) -> None:
    lab = bare_lab
    answers = {"ok": None, "redirect": ("moved", 302), "error": ({"boom": True}, 500), "slow": None, "down": None}
    receiver = Receiver(lab, answer=answers[setup])
    receiver.register(enabled_events=("customer.created",), retry_policy="none")
    if setup == "slow":
        receiver.endpoint.faults.slow(seconds=1.5)
    if setup == "down":
        receiver.endpoint.faults.down()
    lab.payments.create_customer("ada@example.com")
    lab.settle()
    [attempt] = lab.payments.outbox.attempts(endpoint_id=receiver.id)
    assert attempt["outcome"] == outcome and attempt["error"] == error
    assert attempt["latency_ms"] >= (1000 if setup == "slow" else 0)
    [delivery] = lab.payments.outbox.deliveries(endpoint_id=receiver.id)
    assert delivery["status"] == outcome
    if outcome == "failed":
        assert [a.kind for a in lab.alerts] == ["delivery_failed"]
    else:
        assert lab.alerts == []


def _attempt_gaps(lab: Lab, endpoint_id: str) -> list[float]:
    times = [a["at"] for a in lab.payments.outbox.attempts(endpoint_id=endpoint_id)]
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


@pytest.mark.parametrize("policy", [STANDARD, STRIPE], ids=lambda p: p.name)
def test_retry_schedule_follows_the_policy(bare_lab: Lab, policy: RetryPolicy) -> None:
    lab = bare_lab
    receiver = Receiver(lab, answer=_fail)
    receiver.register(enabled_events=("customer.created",), retry_policy=policy.name)
    lab.payments.create_customer("ada@example.com")
    lab.advance(days=4)
    gaps = _attempt_gaps(lab, receiver.id)
    assert len(gaps) == len(policy.delays)  # one first attempt, then one retry per delay
    for gap, delay in zip(gaps, policy.delays, strict=True):
        assert delay * (1 - policy.jitter) - 1 <= gap <= delay * (1 + policy.jitter) + 1
    assert lab.payments.outbox.deliveries(endpoint_id=receiver.id)[0]["status"] == "failed"
    assert [a.kind for a in lab.alerts].count("delivery_failed") == 1


def test_no_retry_policy_tries_once(bare_lab: Lab) -> None:
    receiver = Receiver(bare_lab, answer=_fail)
    receiver.register(enabled_events=("customer.created",), retry_policy="none")
    bare_lab.payments.create_customer("ada@example.com")
    bare_lab.advance(days=4)
    assert len(bare_lab.payments.outbox.attempts(endpoint_id=receiver.id)) == 1


def test_custom_schedule_is_exact_and_seeded_schedules_repeat(tmp_path: Any) -> None:
    runs = []
    for _ in range(2):
        with Lab(seed=5, systems=["payments"]) as lab:
            receiver = Receiver(lab, answer=_fail)
            receiver.register(enabled_events=("customer.created",), retry_policy=[10, 20, 30])
            jittered = Receiver(lab, name="jittered", answer=_fail)
            jittered.register(enabled_events=("customer.created",), retry_policy="standard")
            lab.payments.create_customer("ada@example.com")
            lab.advance(days=4)
            assert _attempt_gaps(lab, receiver.id) == [10, 20, 30]
            runs.append([a["at"] for a in lab.payments.outbox.attempts(endpoint_id=jittered.id)])
    assert runs[0] == runs[1]


def test_retry_policy_set_from_python_and_http(bare_lab: Lab) -> None:
    lab = bare_lab
    endpoint = lab.payments.add_endpoint("http://127.0.0.1:9/x")
    assert endpoint["retry_policy"]["name"] == "stripe" and endpoint["retry_policy"]["lab_default"] is True
    shown = lab.payments.set_retry_policy(endpoint["id"], RetryPolicy.custom([5, 50], name="mine"))
    assert shown["retry_policy"]["delays"] == [5.0, 50.0] and shown["retry_policy"]["name"] == "mine"
    over_http = lab.payments.update_endpoint(endpoint["id"], retry_policy="standard")
    assert over_http["retry_policy"]["name"] == "standard"
    reset = lab.payments.update_endpoint(endpoint["id"], retry_policy="default")
    assert reset["retry_policy"]["lab_default"] is True
    bad = requests.post(
        f"{lab.payments.url}/v1/webhook_endpoints/{endpoint['id']}",
        data={"retry_policy": "forever"},
        auth=(lab.payments.api_key, ""),
    )
    assert bad.status_code == 400 and "retry_policy" in bad.json()["error"]["message"]


def test_lab_default_policy_applies(tmp_path: Any) -> None:
    with Lab(seed=3, systems=["payments"], retry_policy="none") as lab:
        receiver = Receiver(lab, answer=_fail)
        receiver.register(enabled_events=("customer.created",))
        lab.payments.create_customer("ada@example.com")
        lab.advance(days=1)
        assert len(lab.payments.outbox.attempts(endpoint_id=receiver.id)) == 1


def test_failing_endpoint_is_disabled_with_an_alert(bare_lab: Lab) -> None:
    lab = bare_lab
    receiver = Receiver(lab, answer=_fail)
    receiver.register(
        enabled_events=("customer.created",),
        retry_policy=RetryPolicy.custom([600] * 10, name="patient", disable_after=3600),
    )
    lab.payments.create_customer("ada@example.com")
    lab.advance(hours=3)
    disabled = [a for a in lab.alerts if a.kind == "endpoint_disabled"]
    assert len(disabled) == 1 and receiver.id in disabled[0].message
    stored = requests.get(
        f"{lab.payments.url}/v1/webhook_endpoints/{receiver.id}", auth=(lab.payments.api_key, "")
    ).json()
    assert stored["status"] == "disabled"
    lab.payments.create_customer("bo@example.com")  # not sent to a disabled endpoint
    lab.settle()
    assert {a["event_id"] for a in lab.payments.outbox.attempts(endpoint_id=receiver.id)} == {
        lab.payments.events()[0]["id"]
    }
    receiver.answer = None
    assert lab.payments.update_endpoint(receiver.id, disabled=False)["status"] == "enabled"


def test_pending_webhooks_and_delivery_success_follow_the_deliveries(bare_lab: Lab) -> None:
    lab = bare_lab
    receiver = Receiver(lab)
    receiver.register(enabled_events=("customer.created",), retry_policy=[60])
    receiver.endpoint.faults.down()
    lab.payments.create_customer("ada@example.com")
    lab.settle()
    event = lab.payments.events()[0]
    assert event["pending_webhooks"] == 1
    pending = lab.payments.client.get("/v1/events", delivery_success=False)
    assert [e["id"] for e in pending["data"]] == [event["id"]]
    assert lab.payments.client.get("/v1/events", delivery_success=True)["data"] == []
    receiver.endpoint.faults.up()
    lab.advance(minutes=2)
    assert lab.payments.events()[0]["pending_webhooks"] == 0
    assert [e["id"] for e in lab.payments.client.get("/v1/events", delivery_success=True)["data"]] == [event["id"]]
    assert len(receiver.events) == 1


def test_retry_endpoint_resends_and_attempts_are_readable_over_http(bare_lab: Lab) -> None:
    lab = bare_lab
    receiver = Receiver(lab, answer=_fail)
    receiver.register(enabled_events=("customer.created",), retry_policy="none")
    lab.payments.create_customer("ada@example.com")
    lab.settle()
    event_id = lab.payments.events()[0]["id"]
    receiver.answer = None
    resent = stripe.StripeClient(lab.payments.api_key, base_addresses={"api": lab.payments.url})
    resent.raw_request("post", f"/v1/events/{event_id}/retry")
    lab.settle()
    attempts = lab.payments.client.get(f"/v1/events/{event_id}/attempts")
    assert [a["outcome"] for a in attempts["data"]] == ["failed", "succeeded"]
    assert attempts["data"][0]["response_status"] == 500 and attempts["data"][0]["response_excerpt"]
    by_endpoint = lab.payments.client.get(
        f"/v1/webhook_endpoints/{receiver.id}/attempts", starting_after=attempts["data"][0]["id"]
    )
    assert [a["outcome"] for a in by_endpoint["data"]] == ["succeeded"]
    assert len(receiver.events) == 1


def test_retry_to_a_new_endpoint_sends_an_old_event(bare_lab: Lab) -> None:
    lab = bare_lab
    lab.payments.create_customer("ada@example.com")
    event_id = lab.payments.events()[0]["id"]
    receiver = Receiver(lab)
    receiver.register()
    lab.payments.client.post(f"/v1/events/{event_id}/retry", webhook_endpoint=receiver.id)
    lab.settle()
    assert [e.id for e in receiver.events] == [event_id]


def test_recover_failed_since_resends_only_failed_ones(bare_lab: Lab) -> None:
    lab = bare_lab
    receiver = Receiver(lab, answer=_fail)
    receiver.register(enabled_events=("customer.created",), retry_policy="none")
    lab.payments.create_customer("early@example.com")
    lab.advance(hours=1)
    since = lab.clock.time()
    lab.payments.create_customer("late@example.com")
    lab.settle()
    receiver.answer = None
    resent = lab.payments.recover_failed(since)
    lab.settle()
    assert len(resent) == 1
    assert [e.data.object.email for e in receiver.events] == ["late@example.com"]
    over_http = lab.payments.client.post("/v1/hooklab/recover_failed", since=0)
    lab.settle()
    assert over_http["count"] == 1
    assert sorted(e.data.object.email for e in receiver.events) == ["early@example.com", "late@example.com"]


def test_duplicates_and_out_of_order_knobs(bare_lab: Lab) -> None:
    lab = bare_lab
    receiver = Receiver(lab)
    receiver.register(enabled_events=("customer.created",))
    assert lab.payments.knobs(duplicates=1.0) == {"duplicates": 1.0, "out_of_order": 0.0}
    for n in range(3):
        lab.payments.create_customer(f"c{n}@example.com")
    lab.advance(minutes=5)
    ids = [e.id for e in receiver.events]
    assert len(ids) == 6 and len(set(ids)) == 3  # every event twice, same id
    lab.payments.knobs(duplicates=0.0, out_of_order=0.5)
    created = [lab.payments.create_customer(f"o{n}@example.com")["id"] for n in range(8)]
    lab.advance(minutes=15)
    arrived = [e.data.object.id for e in receiver.events[6:]]
    assert sorted(arrived) == sorted(created) and arrived != created
    with pytest.raises(ValueError):
        lab.payments.knobs(duplicates=2)
