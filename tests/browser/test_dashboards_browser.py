"""Each dashboard in a real headless Chromium, against a live lab: what a person would see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from simulators import Lab


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11) as running:
        yield running


def _event(event_id: str, customer: str) -> dict[str, Any]:
    obj = {"id": "pi_1", "object": "payment_intent", "customer": customer, "metadata": {"plan": "pro"}}
    return {"id": event_id, "object": "event", "type": "payment_intent.succeeded", "data": {"object": obj}}


def test_overview_shows_systems_faults_and_alerts_and_links_to_each_dashboard(lab: Lab, page: Any, snap: Any) -> None:
    lab.provisioning.faults.errors(rate=0.25, status=503)
    lab.provisioning.faults.window("down", lab.clock.time() + 86400, hours=6)
    lab.host(lambda request: {"received": True}, name="my_handler")
    lab.raise_alert("payments", "delivery_failed", "gave up delivering evt_1 to provisioning after 1 attempt")
    page.goto(lab.url + "/")
    assert page.title() == "lab overview · hooklab"
    systems = page.locator("section", has_text="Systems")
    for name in lab.systems:
        assert systems.get_by_role("link", name=name, exact=True).is_visible()
    assert page.get_by_text("errors 25% → 503").is_visible()
    assert page.get_by_text("gave up delivering evt_1").is_visible()
    assert page.get_by_text("my_handler").is_visible()
    snap("overview")
    systems.get_by_role("link", name="provisioning", exact=True).click()
    page.wait_for_url(lab.provisioning.url + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Provisioning")


def test_provisioning_dashboard_shows_the_account_a_webhook_created(lab: Lab, page: Any, snap: Any) -> None:
    system = lab.provisioning
    requests.post(system.webhook_url, json=_event("evt_1", "cus_ada"), timeout=5)
    requests.post(system.webhook_url, data="not json", headers={"Content-Type": "text/plain"}, timeout=5)
    page.goto(system.url + "/")
    accounts = page.locator("section", has_text="Accounts").first
    assert accounts.get_by_text("cus_ada").is_visible()
    assert accounts.get_by_text("active", exact=True).is_visible()
    received = page.locator("section", has_text="Webhooks received")
    assert received.get_by_text("payment_intent.succeeded").is_visible()
    snap("provisioning")
    received.get_by_role("link", name="details").last.click()
    assert page.get_by_text("Request body").is_visible()
    assert page.get_by_text('"cus_ada"').first.is_visible()
    snap("provisioning-webhook-detail")


def test_payments_dashboard_shows_an_event_and_a_failed_attempt_after_a_fault(lab: Lab, page: Any, snap: Any) -> None:
    customer = lab.payments.create_customer("ada@example.com", name="Ada Lovelace")
    lab.payments.pay(customer["id"], 2000, metadata={"plan": "pro"})
    lab.settle()
    lab.provisioning.faults.down()
    lab.advance(minutes=10)
    other = lab.payments.create_customer("bo@example.com", name="Bo")
    lab.payments.pay(other["id"], 900, metadata={"plan": "basic"})
    lab.settle()
    page.goto(lab.payments.url + "/")
    events = page.locator("section", has_text="Events").last
    assert events.get_by_text("payment_intent.succeeded").first.is_visible()
    assert events.get_by_text("connection refused").first.is_visible()
    snap("payments")
    first_row = events.locator("tbody tr").first
    assert "connection refused" in first_row.inner_text(), "the newest event (after the fault) comes first"
    first_row.get_by_role("link").first.click()
    assert page.get_by_text("Delivery attempts").is_visible()
    snap("payments-event-detail")


def test_mailer_inbox_shows_an_alert(lab: Lab, page: Any, snap: Any) -> None:
    lab.mailer.route_alerts("ops@example.com")
    lab.mailer.send("ada@example.com", "Welcome to Acme", "Your account is ready.")
    lab.raise_alert("payments", "endpoint_disabled", "webhook endpoint we_1 was disabled: it failed for 3 days")
    page.goto(lab.mailer.url + "/")
    alerts = page.locator("section", has_text="Alerts").first
    assert alerts.get_by_text("endpoint_disabled").first.is_visible()
    assert page.get_by_role("link", name="Welcome to Acme").is_visible()
    snap("mailer")
    alerts.get_by_role("link").first.click()
    assert page.get_by_text("webhook endpoint we_1 was disabled").first.is_visible()
    snap("mailer-alert")


def test_crm_dashboard_shows_a_form_submission(lab: Lab, page: Any, snap: Any) -> None:
    lab.crm.submit_form(name="Grace Hopper", email="grace@example.com", company="Navy", message="Call me")
    lab.crm.submit_form(name="Anonymous")
    lab.settle()
    page.goto(lab.crm.url + "/")
    submissions = page.locator("section", has_text="Form submissions")
    assert submissions.get_by_text("Grace Hopper").first.is_visible()
    assert submissions.get_by_text("missing", exact=True).is_visible()
    snap("crm")


def test_the_auto_refresh_can_be_paused_and_resumed(lab: Lab, page: Any) -> None:
    page.goto(lab.provisioning.url + "/")
    button = page.locator("#auto-refresh")
    assert button.inner_text().startswith("Pause auto-refresh") and button.get_attribute("aria-pressed") == "false"
    page.evaluate("window.stillTheSamePage = true")
    page.wait_for_function("() => window.stillTheSamePage === undefined", timeout=15_000)  # it reloaded itself
    button.click()
    assert button.inner_text() == "Resume auto-refresh" and button.get_attribute("aria-pressed") == "true"
    page.evaluate("window.stillTheSamePage = true")
    page.wait_for_timeout(4_500)  # longer than the reload interval
    assert page.evaluate("window.stillTheSamePage") is True, "a paused page does not reload"
    page.reload()
    assert page.locator("#auto-refresh").inner_text() == "Resume auto-refresh", "the choice holds when it comes back"
    page.locator("#auto-refresh").click()
    page.evaluate("window.stillTheSamePage = true")
    page.wait_for_function("() => window.stillTheSamePage === undefined", timeout=15_000)
