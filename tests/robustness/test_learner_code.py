"""Learner code that raises, hangs or answers nonsense inside the lab: the lab survives and says what happened."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from simulators import Lab
from simulators.learner import WebhookRequest


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=31, systems=["provisioning", "payments"]) as running:
        yield running


def _still_serving(lab: Lab) -> None:
    assert lab.payments.create_customer("alive@example.com")["id"].startswith("cus_")
    assert requests.get(lab.provisioning.url + "/accounts", timeout=10).status_code == 200


def test_a_handler_that_raises_answers_500_with_the_error_and_is_recorded(lab: Lab) -> None:
    def broken(request: WebhookRequest) -> Any:
        return request.json["missing"]  # KeyError on any event

    endpoint = lab.host(broken, name="broken")
    response = requests.post(endpoint.url + "/hook", json={"id": "evt_1"}, timeout=10)
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["type"] == "handler_error"
    assert "KeyError" in error["message"] and "missing" in error["message"]
    assert len(endpoint.failures) == 1 and "KeyError" in endpoint.failures[0].traceback
    logged = endpoint.received()[-1]
    assert logged["status"] == 500 and "KeyError" in logged["error"]
    _still_serving(lab)


@pytest.mark.parametrize(
    "garbage",
    [object(), 3.5, True, 1000, 42, 100, 101, ("body", 700), ("a", "b"), {1, 2}, b"bytes", (x for x in "gen")],
    ids=[
        "object",
        "float",
        "bool",
        "status-1000",
        "status-42",
        "status-100",
        "status-101",
        "tuple-bad-status",
        "tuple-of-strings",
        "set",
        "bytes",
        "generator",
    ],
)
def test_a_handler_that_returns_garbage_answers_500_saying_what_it_returned(lab: Lab, garbage: Any) -> None:
    endpoint = lab.host(lambda request: garbage, name="garbage")
    response = requests.post(endpoint.url, json={"id": "evt_1"}, timeout=10)
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["type"] == "handler_bad_return" and "your handler returned" in error["message"]
    assert endpoint.failures and "returned" in endpoint.failures[-1].error
    _still_serving(lab)


def test_a_hanging_receiver_times_out_is_retried_and_the_lab_keeps_answering(lab: Lab) -> None:
    release = threading.Event()
    calls: list[str] = []

    def hangs(request: WebhookRequest) -> None:
        calls.append(request.json["id"])
        if len(calls) == 1:
            release.wait(30)  # the first delivery never answers in time

    endpoint = lab.host(hangs, name="hangs")
    registered = lab.payments.add_endpoint(endpoint.url, enabled_events=["payment_intent.succeeded"])
    try:
        intent = lab.payments.pay(None, 1900)
        lab.settle()
        _still_serving(lab)
        first = lab.payments.outbox.attempts(endpoint_id=registered["id"])
        assert [a["outcome"] for a in first] == ["failed"]
        assert "timed out" in first[0]["error"] and first[0]["next_attempt_at"] is not None
    finally:
        release.set()
    lab.advance(hours=1)
    outcomes = [a["outcome"] for a in lab.payments.outbox.attempts(endpoint_id=registered["id"])]
    assert outcomes == ["failed", "succeeded"]
    assert lab.payments.events("payment_intent.succeeded")[0]["data"]["object"]["id"] == intent["id"]


def test_a_failing_provisioning_handler_is_recorded_retried_and_recovers_once_fixed(lab: Lab) -> None:
    def broken(request: WebhookRequest, provisioning: Any) -> Any:
        raise RuntimeError("database is locked")

    lab.provisioning.set_handler(broken)
    customer = lab.payments.create_customer("bo@example.com")
    lab.payments.pay(customer["id"], 1900, metadata={"plan": "pro"})
    lab.settle()
    assert lab.provisioning.failures and "database is locked" in lab.provisioning.failures[0].error
    assert lab.provisioning.accounts() == []
    lab.provisioning.reset_handler()
    lab.advance(hours=2)
    assert [a["customer"] for a in lab.provisioning.accounts(status="active")] == [customer["id"]]


def test_a_clock_job_that_raises_is_reported_and_later_jobs_still_run(lab: Lab) -> None:
    ran: list[str] = []
    lab.clock.call_later(60, lambda: 1 / 0, name="learner job")
    lab.clock.call_later(120, lambda: ran.append("after"), name="next job")
    lab.advance(minutes=5)
    assert ran == ["after"]
    assert lab.clock.failures[-1].name == "learner job" and "ZeroDivisionError" in lab.clock.failures[-1].error
    assert any(alert.kind == "job_failed" and "learner job" in alert.message for alert in lab.alerts)


def test_a_clock_job_that_hangs_is_named_when_the_lab_cannot_settle(lab: Lab) -> None:
    release = threading.Event()
    lab.clock.call_soon(lambda: release.wait(30), name="learner poller that never returns")
    try:
        with pytest.raises(TimeoutError, match="learner poller that never returns"):
            lab.settle(timeout=0.5)
    finally:
        release.set()
    lab.settle()
    _still_serving(lab)


def test_learner_call_is_the_one_boundary() -> None:
    from datetime import datetime, timezone

    from simulators import learner

    def now() -> datetime:
        return datetime(2026, 3, 2, tzinfo=timezone.utc)

    assert learner.call(lambda a, b: a + b, 2, 3, where="sum", now=now).value == 5
    raised = learner.call(lambda: {}["missing"], where="lookup", now=now)
    assert not raised.ok and isinstance(raised.exception, KeyError)
    assert raised.failure is not None and raised.failure.error == "KeyError: 'missing'"
    assert "Traceback" in raised.failure.traceback and raised.failure.where == "lookup"
    exited = learner.call(exit, 2, where="quits", now=now)
    assert isinstance(exited.exception, SystemExit) and exited.failure is not None

    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # the learner stopping a cell must still stop it
        learner.call(interrupted, where="cell", now=now)
