"""The one webhook sender: endpoints, policies, alerts and `emit`, and the loopback rule both systems follow."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests

from simulators import Lab
from simulators.alerts import AlertSink
from simulators.clock import Clock
from simulators.errors import ApiError
from simulators.ids import IdFactory
from simulators.store import Store
from simulators.webhooks import STANDARD_WEBHOOKS, RetryPolicy, WebhookSender, policy_named
from simulators.webhooks.retry import STANDARD, STRIPE
from simulators.webhooks.sender import check_loopback

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[Store, Clock, AlertSink]]:
    store, clock = Store(tmp_path / "s.sqlite3"), Clock(START)
    yield store, clock, AlertSink(clock)
    clock.stop()
    store.close()


@pytest.fixture
def sender(parts: tuple[Store, Clock, AlertSink]) -> WebhookSender:
    store, clock, alerts = parts
    return WebhookSender(
        "crm",
        store,
        clock,
        IdFactory(store, seed=3, namespace="crm"),
        alerts,
        signer=STANDARD_WEBHOOKS,
        default_policy=STANDARD,
        rng=random.Random(1),
        knob_rng=random.Random(2),
        timeout=1.0,
        events_field="events",
    )


def _endpoint(sender: WebhookSender, events: list[str], status: str = "enabled", **extra: Any) -> dict[str, Any]:
    endpoint_id = sender.ids.new("ep")
    doc = {"id": endpoint_id, "url": "http://127.0.0.1:9/x", "events": events, "status": status, **extra}
    doc["secret"] = sender.new_secret(endpoint_id)
    return sender.endpoints.insert(doc, created=0)


def test_subscribed_is_the_enabled_endpoints_listening_oldest_first(sender: WebhookSender) -> None:
    every = _endpoint(sender, ["*"])
    forms = _endpoint(sender, ["form.submitted"])
    _endpoint(sender, ["*"], status="disabled")
    _endpoint(sender, ["task.created"])
    assert sender.subscribed("form.submitted") == [every["id"], forms["id"]]


def test_every_stored_policy_form_reads_back_and_none_means_the_default(sender: WebhookSender) -> None:
    plain = _endpoint(sender, ["*"])
    assert sender.policy_of(plain) is STANDARD
    for given, expected in [
        ("stripe", STRIPE),
        ([5, 50], RetryPolicy.custom([5, 50])),
        (RetryPolicy.custom([1], name="mine", disable_after=60), RetryPolicy("mine", (1.0,), 0.0, 60)),
    ]:
        stored = sender.set_policy(plain["id"], given)  # type: ignore[arg-type]
        assert sender.policy_of(stored) == expected
    assert sender.policy_of(sender.set_policy(plain["id"], None)) is STANDARD
    with pytest.raises(KeyError):
        sender.set_policy("ep_gone", "none")


def test_emit_writes_the_event_and_its_deliveries_or_neither(sender: WebhookSender) -> None:
    _endpoint(sender, ["form.submitted"])
    event = sender.emit("form.submitted", lambda n: {"id": "evt_1", "type": "form.submitted", "n": n}, created=1.0)
    assert event["n"] == 1 and sender.events.get("evt_1") is not None
    assert [d["event_id"] for d in sender.outbox.deliveries()] == ["evt_1"]
    with pytest.raises(RuntimeError), sender.store.transaction():
        sender.emit("form.submitted", lambda n: {"id": "evt_2", "type": "form.submitted"}, created=2.0)
        raise RuntimeError("the change that emitted it failed")
    assert sender.events.get("evt_2") is None and sender.outbox.deliveries(event_id="evt_2") == []


def test_giving_up_and_disabling_raise_alerts_in_one_vocabulary(
    sender: WebhookSender, parts: tuple[Store, Clock, AlertSink]
) -> None:
    endpoint = _endpoint(sender, ["*"])
    delivery = {"event_id": "evt_1", "event_type": "form.submitted", "endpoint_id": endpoint["id"], "attempts": 10}
    sender._gave_up({**delivery, "last_error": "connection refused"})
    sender._endpoint_failing(endpoint["id"], "it answered 410 Gone")
    sender._endpoint_failing(endpoint["id"], "it answered 410 Gone")  # already disabled: no second alert
    gave_up, disabled = parts[2].alerts
    assert (gave_up.kind, disabled.kind) == ("delivery_failed", "endpoint_disabled")
    assert "after 10 attempts; last error: connection refused" in gave_up.message
    assert set(gave_up.details) == {"event_id", "event_type", "endpoint_id", "url", "attempts", "last_error"}
    assert set(disabled.details) == {"endpoint_id", "url", "reason"}
    assert sender.endpoints.get(endpoint["id"])["status"] == "disabled"  # type: ignore[index]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/x", "https://localhost/x", "http://[::1]:9/x"])
def test_loopback_urls_are_accepted(url: str) -> None:
    assert check_loopback(url) == url


@pytest.mark.parametrize("url", ["http://example.com/hook", "http://10.0.0.1/x", "http://[::1/x"])
def test_other_hosts_are_refused_with_a_400_that_says_why(url: str) -> None:
    with pytest.raises(ApiError) as raised:
        check_loopback(url)
    assert raised.value.status == 400 and raised.value.param == "url"


def test_both_senders_refuse_endpoints_off_this_machine() -> None:
    with Lab(seed=5, systems=["payments", "crm"]) as lab:
        paid = requests.post(
            lab.payments.url + "/v1/webhook_endpoints",
            data={"url": "https://example.com/hook", "enabled_events[]": "*"},
            auth=(lab.payments.api_key, ""),
            timeout=5,
        )
        crm = requests.post(lab.crm.url + "/webhook_endpoints", json={"url": "https://example.com/hook"}, timeout=5)
        for answer in (paid, crm):
            assert answer.status_code == 400
            error = answer.json()["error"]
            assert error["param"] == "url" and "only delivers to this machine" in error["message"]
        assert lab.payments.endpoints() == [e for e in lab.payments.endpoints() if "127.0.0.1" in e["url"]]
        assert lab.crm.endpoints() == []


def test_each_system_gets_its_default_policy_once() -> None:
    with Lab(seed=5, systems=["payments", "crm"], retry_policy="none") as lab:
        assert lab.payments.core.webhooks.default_policy == policy_named("none")
        assert lab.crm.webhooks.default_policy == STANDARD  # the CRM follows Standard Webhooks whatever the lab's
