"""hooklab Lite's runtime on CPython, with sockets and threads forbidden as Pyodide forbids them.

Every test here runs inside `pyodide_limits()`: a lab that opened a socket or
started a thread would fail here as it would fail in the browser.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests
import stripe

from simulators import inprocess
from simulators.inprocess import routes
from simulators.inprocess.clock import InlineClock
from simulators.inprocess.guard import PyodideLimit, pyodide_limits
from simulators.lab import Lab
from simulators.learner import WebhookRequest


@pytest.fixture
def lab() -> Iterator[Lab]:
    with pyodide_limits(), Lab(seed=7) as started:
        yield started


def test_the_guard_forbids_what_pyodide_cannot_do() -> None:
    with pyodide_limits():
        assert inprocess.active()
        with pytest.raises(PyodideLimit, match="socket"):
            socket.create_connection(("127.0.0.1", 9))
        with pytest.raises(PyodideLimit, match="thread"):
            threading.Thread(target=print).start()
    assert not inprocess.active()
    threading.Thread(target=print).start()  # lifted again


def test_the_platform_or_the_setting_chooses_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "emscripten")
    assert inprocess.active()
    monkeypatch.setattr("sys.platform", "linux")
    assert not inprocess.active()
    monkeypatch.setenv(inprocess.ENV, "inprocess")
    assert inprocess.active()


def test_a_lab_starts_with_urls_of_the_usual_shape_and_an_inline_clock(lab: Lab) -> None:
    assert isinstance(lab.clock, InlineClock)
    for name in ("payments", "provisioning", "crm", "mailer"):
        url = lab.system(name).url
        assert url.startswith("http://127.0.0.1:") and url.endswith(lab.system(name).base_path)
        assert routes.owns(url)
    assert len({lab.system(name).port for name in lab.systems} | {lab.control.port}) == 5


def test_the_learners_requests_reach_the_systems_and_their_answers_are_real_responses(lab: Lab) -> None:
    answer = requests.post(lab.crm.url + "/contacts", json={"email": "ada@example.com", "name": "Ada"}, timeout=5)
    assert answer.status_code in (200, 201), answer.text
    listed = requests.get(lab.crm.url + "/contacts", timeout=5)
    assert [c["email"] for c in listed.json()["data"]] == ["ada@example.com"]
    assert listed.headers["Content-Type"].startswith("application/json")
    missing_key = requests.get(lab.crm.url.rsplit("/", 1)[0] + "/contacts", timeout=5)
    assert missing_key.status_code == 404  # the lab's key still guards every path, as behind waitress


def test_the_stripe_sdk_talks_to_the_payment_system(lab: Lab) -> None:
    client = stripe.StripeClient(lab.payments.api_key, base_addresses={"api": lab.payments.url})
    customer = client.v1.customers.create(params={"email": "grace@example.com"})
    assert customer.id.startswith("cus_")
    assert client.v1.customers.retrieve(customer.id).email == "grace@example.com"
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.customers.retrieve("cus_nobody")
    assert raised.value.http_status == 404


def test_webhooks_reach_a_hosted_handler_signed_and_in_order(lab: Lab) -> None:
    received: list[str] = []

    def handler(request: WebhookRequest) -> dict[str, bool]:
        received.append(request.json["type"])
        return {"ok": True}

    endpoint = lab.host(handler, name="hook")
    subscribed = lab.payments.add_endpoint(endpoint.url, ["payment_intent.succeeded"])
    customer = lab.payments.create_customer("ada@example.com", name="Ada")
    lab.payments.pay(customer["id"], 2000)
    assert received == ["payment_intent.succeeded"]
    [attempt] = lab.payments.outbox.attempts(endpoint_id=subscribed["id"])
    assert attempt["outcome"] == "succeeded" and attempt["status"] == 200


def test_a_down_receiver_refuses_and_the_retries_run_when_the_clock_moves(lab: Lab) -> None:
    endpoint = lab.host(lambda request: {"ok": True}, name="flaky")
    subscribed = lab.payments.add_endpoint(endpoint.url, ["payment_intent.succeeded"])
    endpoint.faults.down()
    customer = lab.payments.create_customer("hedy@example.com", name="Hedy")
    lab.payments.pay(customer["id"], 1500)
    [first] = lab.payments.outbox.attempts(endpoint_id=subscribed["id"])
    assert first["outcome"] == "failed" and first["error"] == "connection refused"
    endpoint.faults.up()
    lab.advance(hours=1)
    outcomes = [a["outcome"] for a in lab.payments.outbox.attempts(endpoint_id=subscribed["id"])]
    assert outcomes[0] == "failed" and outcomes[-1] == "succeeded"


def test_a_slow_receiver_does_the_work_but_the_sender_times_out(lab: Lab) -> None:
    calls: list[int] = []
    endpoint = lab.host(lambda request: calls.append(1) or {"ok": True}, name="slow")
    subscribed = lab.payments.add_endpoint(endpoint.url, ["payment_intent.succeeded"])
    endpoint.faults.slow(seconds=lab.delivery_timeout + 5)
    customer = lab.payments.create_customer("alan@example.com", name="Alan")
    lab.payments.pay(customer["id"], 900)
    [attempt] = lab.payments.outbox.attempts(endpoint_id=subscribed["id"])
    assert attempt["outcome"] == "failed" and attempt["error"].startswith("timed out after")
    assert calls == [1], "the handler ran to the end: only its answer came too late"


def test_a_request_after_the_lab_stopped_is_refused_not_sent_out() -> None:
    with pyodide_limits():
        with Lab(seed=7, systems=["crm"]) as lab:
            url = lab.crm.url + "/contacts"
        with pytest.raises(requests.ConnectionError, match="Connection refused"):
            requests.get(url, timeout=5)


def test_other_urls_still_take_requests_own_path(lab: Lab) -> None:
    with pytest.raises(PyodideLimit):  # not a lab URL: requests opens a socket, which the guard refuses
        requests.get("http://127.0.0.1:9/elsewhere", timeout=1)
