"""The HTML dashboards, read over real HTTP the way a browser fetches them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from simulators import Lab, dashboards
from simulators.dashboards import layout
from simulators.dashboards import payments as payments_pages
from simulators.service import Service, flask_app
from simulators.webhooks import Outbox, Target, policy_named

HOSTILE = '<script>alert("x")</script>'


class _Page(HTMLParser):
    """The text a person reads and the links they can follow."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.meta_refresh: str | None = None
        self.auto_refresh: str | None = None
        self._chunks: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "meta" and found.get("http-equiv") == "refresh":
            self.meta_refresh = found.get("content")
        if tag == "button" and found.get("id") == "auto-refresh":
            self.auto_refresh = found.get("data-seconds")
        if tag == "a":
            self._href, self._link_text = found.get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        if tag == "a" and self._href is not None:
            self.links.append(("".join(self._link_text).strip(), self._href))
            self._href = None
        if tag in ("td", "th", "li", "p", "h1", "h2", "span", "b"):
            self._chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._chunks.append(data)
        if self._href is not None:
            self._link_text.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self._chunks))

    def link(self, text: str) -> str:
        for label, href in self.links:
            if label == text:
                return href
        raise AssertionError(f"no link {text!r} on the page; links: {self.links}")


#: What a browser sends when it opens a page.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _get(url: str, status: int = 200) -> tuple[_Page, str]:
    response = requests.get(url, headers=BROWSER, timeout=10)
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    return _Page(response.text), response.text


def _event(event_id: str, kind: str, customer: str) -> dict[str, Any]:
    obj = {
        "id": "pi_1",
        "object": "payment_intent",
        "customer": customer,
        "amount": 2000,
        "currency": "usd",
        "metadata": {"plan": "pro"},
    }
    return {"id": event_id, "object": "event", "type": kind, "created": 0, "data": {"object": obj}}


class _Sender(Service):
    """A minimal payment-like sender: event documents, one endpoint, the real outbox."""

    title = "payments"

    def __init__(self, lab: Lab) -> None:
        ctx = lab.context("payments")
        super().__init__(ctx, flask_app(__name__))
        self.events = self.store.collection("event")
        self.endpoints = self.store.collection("webhook_endpoint")
        self.outbox = Outbox(
            self.name,
            self.store,
            self.clock,
            self.ids,
            rng=ctx.random("retries"),
            knob_rng=ctx.random("knobs"),
            sign=lambda *_: {},
            lookup=self._target,
            timeout=1.0,
        )
        dashboards.mount(self, payments_pages)

    def _target(self, endpoint_id: str) -> Target | None:
        endpoint = self.endpoints.get(endpoint_id)
        if endpoint is None:
            return None
        return Target(endpoint_id, endpoint["url"], endpoint["secret"], policy_named("none"))

    def emit(self, event_id: str, kind: str, customer: str) -> None:
        event = {**_event(event_id, kind, customer), "created": self.clock.timestamp()}
        with self.store.transaction():
            self.events.insert(event, created=self.clock.time())
            self.outbox.enqueue(
                event_id,
                kind,
                b'{"id": "%s", "type": "%s", "data": {"object": {"customer": "%s", "metadata": {}}}}'
                % (event_id.encode(), kind.encode(), customer.encode()),
                ["we_1"],
            )


@pytest.fixture
def lab() -> Iterator[Lab]:
    # Every system that is complete in this build (others are being written alongside).
    with Lab(seed=7) as running:
        yield running


@pytest.fixture
def sender(provisioning_lab: Lab) -> Iterator[_Sender]:
    system = _Sender(provisioning_lab)
    system.start()
    system.outbox.start()
    system.endpoints.insert(
        {
            "id": "we_1",
            "object": "webhook_endpoint",
            "url": provisioning_lab.provisioning.webhook_url,
            "enabled_events": ["*"],
            "status": "enabled",
            "secret": "whsec_0123456789abcdefSECRET",
        },
        created=system.clock.time(),
    )
    yield system
    system.outbox.stop()
    system.stop()


# -- provisioning ---------------------------------------------------------------


def test_provisioning_dashboard_lists_accounts_and_received_webhooks(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    requests.post(system.webhook_url, json=_event("evt_1", "payment_intent.succeeded", "cus_ada"), timeout=5)
    page, _ = _get(system.url + "/")
    assert "Accounts" in page.text and "cus_ada" in page.text
    assert "payment_intent.succeeded" in page.text and "evt_1" in page.text
    assert "Mon 2 Mar 09:00:00 (day 1)" in page.text  # the lab clock, as people read it
    # It reloads itself, behind a button that pauses it: a meta refresh could not be stopped.
    assert page.meta_refresh is None and page.auto_refresh == str(layout.REFRESH_SECONDS)


def test_a_received_webhook_has_a_detail_page_reached_by_its_relative_link(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    requests.post(system.webhook_url, json=_event("evt_7", "invoice.paid", "cus_bo"), timeout=5)
    page, _ = _get(system.url + "/")
    href = page.link("details")
    assert not href.startswith(("/", "http")), "links inside a system must be relative to survive a proxy prefix"
    detail, _ = _get(urljoin(system.url + "/", href))
    assert "Request body" in detail.text and '"cus_bo"' in detail.text
    back = urljoin(urljoin(system.url + "/", href), detail.link("Back to provisioning"))
    assert back == system.url + "/"


def test_what_customers_typed_is_shown_as_text_never_run(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    requests.post(system.url + "/accounts/activate", json={"customer": HOSTILE, "email": HOSTILE}, timeout=5)
    page, raw = _get(system.url + "/")
    assert HOSTILE not in raw
    assert HOSTILE in page.text


def test_an_unknown_detail_page_is_a_404_page_with_a_way_back(provisioning_lab: Lab) -> None:
    page, _ = _get(provisioning_lab.provisioning.url + "/dashboard/requests/999", status=404)
    assert "has nothing at" in page.text
    page, _ = _get(provisioning_lab.provisioning.url + "/dashboard/" + "%3Cb%3E", status=404)
    assert "<b>" in page.text


def test_an_unknown_detail_page_is_json_for_a_program(provisioning_lab: Lab) -> None:
    # A script (requests sends Accept: */*) gets the lab's JSON error, as at every other unknown URL.
    response = requests.get(provisioning_lab.provisioning.url + "/dashboard/requests/999", timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert "no dashboard page at /dashboard/requests/999" in response.json()["error"]["message"]


def test_a_page_that_fails_to_draw_shows_no_traceback_and_no_file_path(
    provisioning_lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulators.dashboards import provisioning as provisioning_page

    def broken(view: Any) -> tuple[str, str]:
        open("/nowhere/hooklab/accounts.db")  # noqa: SIM115 - raises, naming an absolute path
        return "", ""

    monkeypatch.setattr(provisioning_page, "render", broken)
    page, raw = _get(provisioning_lab.provisioning.url + "/")
    assert "This page could not be drawn" in page.text and "FileNotFoundError" in page.text
    assert "Traceback" not in raw and 'File "' not in raw
    assert "/nowhere/hooklab" not in raw and ".py" not in raw


@pytest.mark.parametrize("depth", [2_000, 60_000])
def test_a_dashboard_survives_a_deeply_nested_body_it_logged(provisioning_lab: Lab, depth: int) -> None:
    system = provisioning_lab.provisioning
    nested = "[" * depth + "]" * depth
    for body in (nested, "[" * depth):  # well formed and cut short, as the log's excerpt cuts it
        response = requests.post(
            system.webhook_url, data=body, headers={"Content-Type": "application/json"}, timeout=10
        )
        assert response.status_code == 400 and response.headers["Content-Type"].startswith("application/json")
    page, raw = _get(system.url + "/")
    assert "This page could not be drawn" not in page.text and "Traceback" not in raw
    for entry in system.requests.entries(path_prefix="/webhooks"):
        detail, raw = _get(system.url + f"/dashboard/requests/{entry['seq']}")
        assert "This page could not be drawn" not in detail.text and "Traceback" not in raw


def test_a_page_that_fails_to_draw_says_what_failed_instead_of_a_500(
    provisioning_lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulators.dashboards import provisioning as provisioning_page

    def broken(view: Any) -> tuple[str, str]:
        raise RuntimeError("the accounts table is <gone>")

    monkeypatch.setattr(provisioning_page, "render", broken)
    page, raw = _get(provisioning_lab.provisioning.url + "/")
    assert "This page could not be drawn" in page.text
    assert "RuntimeError: the accounts table is <gone>" in page.text
    assert "<gone>" not in raw


def test_a_handler_that_raises_shows_as_a_handler_failure(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning

    def crashing(request: Any, provisioning: Any) -> None:
        raise KeyError("customer")

    system.set_handler(crashing)
    requests.post(system.webhook_url, json=_event("evt_2", "payment_intent.succeeded", "cus_x"), timeout=5)
    page, _ = _get(system.url + "/")
    assert "Handler failures" in page.text and "KeyError" in page.text


# -- payments (events, attempts, endpoint health) --------------------------------


def test_payments_dashboard_shows_each_event_and_every_delivery_attempt(provisioning_lab: Lab, sender: _Sender) -> None:
    sender.emit("evt_ok", "payment_intent.succeeded", "cus_ok")
    provisioning_lab.settle()
    provisioning_lab.provisioning.faults.down()
    provisioning_lab.advance(minutes=5)
    sender.emit("evt_lost", "payment_intent.succeeded", "cus_lost")
    provisioning_lab.settle()
    page, raw = _get(sender.url + "/")
    text = page.text
    assert text.index("evt_lost") < text.index("evt_ok"), "events are listed newest first"
    assert "connection refused" in text and "failed" in text
    assert "200" in text and "delivered" in text
    assert "failing since Mon 2 Mar 09:05:00 (day 1), 1 failed attempts" in text
    assert "whsec_0123…" in text and "SECRET" not in raw, "signing secrets are never printed whole"
    assert "20.00 USD" in text


def test_an_event_page_lists_its_attempts_with_status_latency_and_response(
    provisioning_lab: Lab, sender: _Sender
) -> None:
    sender.emit("evt_1", "payment_intent.succeeded", "cus_a")
    provisioning_lab.settle()
    page, _ = _get(sender.url + "/")
    detail, _ = _get(urljoin(sender.url + "/", page.link("evt_1")))
    assert "Delivery attempts" in detail.text
    assert re.search(r"succeeded 200 \d+\.\d ms", detail.text), detail.text
    assert '{"status":200}' in detail.text.replace(" ", "")
    endpoint, _ = _get(urljoin(urljoin(sender.url + "/", page.link("evt_1")), detail.link("we_1")))
    assert "Latest attempts" in endpoint.text and "evt_1" in endpoint.text
    assert "SECRET" not in endpoint.text


def test_payments_dashboard_with_the_real_payment_system(lab: Lab) -> None:
    customer = lab.payments.create_customer("ada@example.com")
    lab.payments.pay(customer["id"], 2000)
    lab.settle()
    page, _ = _get(lab.payments.url + "/")
    assert "payment_intent.succeeded" in page.text
    assert "delivered" in page.text


# -- mailer and CRM ---------------------------------------------------------------


def test_mailer_dashboard_shows_alerts_in_the_inbox(lab: Lab) -> None:
    lab.mailer.route_alerts("ops@example.com")
    lab.raise_alert("payments", "endpoint_disabled", "endpoint we_1 was disabled after 3 days of failures")
    lab.mailer.send("ada@example.com", "Welcome aboard", "Hello " + HOSTILE)
    page, raw = _get(lab.mailer.url + "/")
    assert "Alerts" in page.text and "endpoint we_1 was disabled" in page.text
    assert "Welcome aboard" in page.text and HOSTILE not in raw
    detail, _ = _get(urljoin(lab.mailer.url + "/", page.link("Welcome aboard")))
    assert "ada@example.com" in detail.text and HOSTILE in detail.text


def test_crm_dashboard_shows_form_submissions_and_contacts(lab: Lab) -> None:
    lab.crm.submit_form(name="Grace Hopper", email="grace@example.com", company="Navy")
    lab.crm.submit_form(name="No Email")
    page, _ = _get(lab.crm.url + "/")
    assert "Form submissions" in page.text and "Grace Hopper" in page.text
    assert "missing" in page.text  # the submission without an email is shown as such


def test_every_system_page_draws_without_failing(lab: Lab) -> None:
    for name, system in lab.systems.items():
        page, _ = _get(system.url + "/")
        assert "could not be drawn" not in page.text, f"{name}: {page.text[:400]}"
        assert page.link("overview") == lab.url + "/"


# -- the lab overview -------------------------------------------------------------


def test_overview_links_every_system_and_shows_faults_clock_and_alerts(lab: Lab) -> None:
    lab.provisioning.faults.errors(rate=0.5, status=503)
    lab.provisioning.faults.window("down", lab.clock.now().timestamp() + 3600, hours=6)
    endpoint = lab.host(lambda request: {"ok": True}, name="my_handler")
    requests.post(endpoint.url, json={}, timeout=5)
    lab.raise_alert("payments", "delivery_failed", "gave up on evt_1 <after 3 tries>")
    lab.advance(minutes=30)
    lab.raise_alert("lab", "job_failed", "the nightly job raised")
    page, raw = _get(lab.url + "/")
    for name, system in lab.systems.items():
        assert page.link(name) == f"http://127.0.0.1:{system.port}/hl_{lab.key}/"
    text = page.text
    assert "errors 50% → 503" in text
    assert "down Mon 2 Mar 10:00:00 (day 1) → Mon 2 Mar 16:00:00 (day 1)" in text
    assert "Mon 2 Mar 09:30:00 (day 1)" in text  # the lab clock in the header
    assert "my_handler" in text and endpoint.url in text
    assert text.index("the nightly job raised") < text.index("gave up on evt_1"), "alerts are listed newest first"
    assert "<after 3 tries>" not in raw


def test_overview_shows_a_system_taken_down(provisioning_lab: Lab) -> None:
    provisioning_lab.provisioning.faults.down()
    page, _ = _get(provisioning_lab.url + "/")
    assert "0 of 1 systems up" in page.text
    assert "the payment webhooks are sent here down down none" in page.text  # state, faults now, planned


def test_overview_links_go_through_the_hub_proxy_on_jupyterhub(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    page, _ = _get(lab.url + "/")
    for name, system in lab.systems.items():
        assert page.link(name) == f"/user/ada/proxy/{system.port}/hl_{lab.key}/"
    system_page, _ = _get(lab.provisioning.url + "/")
    assert system_page.link("overview") == f"/user/ada/proxy/{lab.control.port}/hl_{lab.key}/"


def test_times_are_shown_on_the_lab_clock() -> None:
    assert layout.lab_time(0) == "Thu 1 Jan 00:00:00"
    assert layout.lab_time(None) == ""
    assert layout.fault_text({}).count("no faults") == 1
    assert "slow 2 s" in layout.fault_text({"slow": {"seconds": 2.0, "rate": 1.0}})


def test_the_overview_names_no_folder_of_this_machine(provisioning_lab: Lab) -> None:
    page, raw = _get(provisioning_lab.url + "/")
    assert "Your lab" in page.text and str(provisioning_lab.state_dir) not in raw
    assert "a temporary folder" in page.text


def test_lab_pages_may_be_framed_only_by_their_own_origin(provisioning_lab: Lab) -> None:
    # Behind jupyter-server-proxy, JupyterLab shares the pages' origin; any other site is refused a frame.
    browser = {"Accept": "text/html"}
    for url in (
        provisioning_lab.provisioning.url + "/",
        provisioning_lab.provisioning.url + "/dashboard/nothing-here",
        provisioning_lab.control.url + "/",
    ):
        page = requests.get(url, headers=browser, timeout=10)
        assert page.headers["Content-Type"].startswith("text/html"), url
        assert page.headers["X-Frame-Options"] == "SAMEORIGIN", url
        assert page.headers["Content-Security-Policy"] == "frame-ancestors 'self'", url
        assert page.headers["X-Content-Type-Options"] == "nosniff", url
