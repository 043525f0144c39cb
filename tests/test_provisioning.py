"""The provisioning system and the case study's naive webhook handler."""

from __future__ import annotations

import requests

from simulators import Lab


def _event(event_id: str, kind: str, customer: str, plan: str | None = "pro") -> dict:
    obj = {"id": "pi_1", "object": "payment_intent", "customer": customer, "metadata": {"plan": plan} if plan else {}}
    return {"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}


def test_the_naive_handler_activates_paying_customers_and_deactivates_cancellations(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    assert (
        requests.post(
            system.webhook_url, json=_event("evt_1", "payment_intent.succeeded", "cus_a"), timeout=5
        ).status_code
        == 200
    )
    requests.post(system.webhook_url, json=_event("evt_2", "invoice.paid", "cus_b", plan=None), timeout=5)
    requests.post(system.webhook_url, json=_event("evt_3", "payment_intent.payment_failed", "cus_c"), timeout=5)
    assert {(a["customer"], a["plan"], a["status"]) for a in system.accounts()} == {
        ("cus_a", "pro", "active"),
        ("cus_b", "basic", "active"),
    }
    requests.post(system.webhook_url, json=_event("evt_4", "customer.subscription.deleted", "cus_a"), timeout=5)
    assert system.account_for("cus_a")["status"] == "inactive"
    assert [a["customer"] for a in system.accounts(status="active")] == ["cus_b"]


def test_the_naive_handler_does_the_work_twice_for_a_duplicate_delivery(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    for _ in range(2):
        requests.post(system.webhook_url, json=_event("evt_same", "payment_intent.succeeded", "cus_a"), timeout=5)
    assert len(system.accounts()) == 1
    assert [a["event"] for a in system.activations("cus_a")] == ["evt_same", "evt_same"]
    assert system.account_for("cus_a")["activations"] == 2


def test_the_naive_handler_trusts_a_forged_event(provisioning_lab: Lab) -> None:
    # no signature check: anyone who knows the URL gets an account
    system = provisioning_lab.provisioning
    requests.post(
        system.webhook_url, json=_event("evt_forged", "payment_intent.succeeded", "cus_freeloader"), timeout=5
    )
    assert system.account_for("cus_freeloader")["status"] == "active"


def test_every_delivery_received_is_logged_with_time_body_and_status(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    requests.post(system.webhook_url, json=_event("evt_1", "payment_intent.succeeded", "cus_a"), timeout=5)
    requests.post(system.webhook_url, data="not json", timeout=5)
    first, second = system.received()
    assert first["status"] == 200 and '"evt_1"' in first["body"] and first["at"] == provisioning_lab.clock.time()
    assert second["status"] == 500  # the naive handler crashes on junk: that is the point of the lesson
    assert system.failures and "TypeError" in system.failures[0].error
    listed = requests.get(system.url + "/webhooks/received", timeout=5).json()
    assert listed["count"] == 2


def test_a_learner_handler_replaces_the_naive_one(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    seen: set[str] = set()

    def idempotent(request, provisioning):
        event = request.json
        if event["id"] in seen:
            return 200
        seen.add(event["id"])
        provisioning.activate(event["data"]["object"]["customer"], event_id=event["id"])
        return 200

    system.set_handler(idempotent)
    for _ in range(3):
        requests.post(system.webhook_url, json=_event("evt_once", "payment_intent.succeeded", "cus_a"), timeout=5)
    assert len(system.activations("cus_a")) == 1
    system.reset_handler()
    requests.post(system.webhook_url, json=_event("evt_once", "payment_intent.succeeded", "cus_a"), timeout=5)
    assert len(system.activations("cus_a")) == 2


def test_accounts_api_lists_filters_and_activates(provisioning_lab: Lab) -> None:
    url = provisioning_lab.provisioning.url
    requests.post(
        url + "/accounts/activate", json={"customer": "cus_a", "plan": "pro", "email": "a@example.com"}, timeout=5
    )
    requests.post(url + "/accounts/activate", json={"customer": "cus_b"}, timeout=5)
    requests.post(url + "/accounts/deactivate", json={"customer": "cus_b"}, timeout=5)
    assert [
        a["customer"] for a in requests.get(url + "/accounts", params={"status": "active"}, timeout=5).json()["data"]
    ] == ["cus_a"]
    assert requests.get(url + "/accounts", params={"plan": "basic"}, timeout=5).json()["count"] == 1
    account = requests.get(url + "/accounts", params={"customer": "cus_a"}, timeout=5).json()["data"][0]
    assert requests.get(url + f"/accounts/{account['id']}", timeout=5).json()["email"] == "a@example.com"
    assert requests.post(url + "/accounts/deactivate", json={"customer": "cus_nobody"}, timeout=5).status_code == 404
