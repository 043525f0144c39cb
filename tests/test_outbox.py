"""The delivery log's state changes and the deliverer's outcomes, against real SQLite and a real loopback server."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request

from simulators.clock import Clock
from simulators.ids import IdFactory
from simulators.server import BackgroundServer
from simulators.store import Store
from simulators.webhooks import Outbox, RetryPolicy, Target
from simulators.webhooks.deliverylog import DeliveryLog, Outcome

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    found = Store(tmp_path / "sender.sqlite3")
    yield found
    found.close()


@pytest.fixture
def clock() -> Iterator[Clock]:
    running = Clock(START)
    yield running
    running.stop()


# -- the delivery log, alone ----------------------------------------------------


def _log(store: Store, clock: Clock, due: list[tuple[str, float]]) -> DeliveryLog:
    return DeliveryLog(
        store, clock, IdFactory(store, seed=1, namespace="t"), knob_rng=random.Random(1), due=lambda *a: due.append(a)
    )


def test_enqueue_writes_one_pending_delivery_per_endpoint_due_now(store: Store, clock: Clock) -> None:
    due: list[tuple[str, float]] = []
    log = _log(store, clock, due)
    made = log.enqueue("evt_1", "form.submitted", b'{"id": "evt_1"}', ["ep_a", "ep_b"])
    rows = log.deliveries()
    assert [r["id"] for r in rows] == made and [r["endpoint_id"] for r in rows] == ["ep_a", "ep_b"]
    assert {r["status"] for r in rows} == {"pending"} and all("payload" not in r for r in rows)
    assert due == [(made[0], clock.time()), (made[1], clock.time())]
    assert log.pending_count("evt_1") == 2 and log.payload("evt_1") == b'{"id": "evt_1"}'
    assert log.payload("evt_other") is None


def test_out_of_order_holds_a_delivery_back(store: Store, clock: Clock) -> None:
    due: list[tuple[str, float]] = []
    log = _log(store, clock, due)
    log.out_of_order_rate = 1.0
    log.enqueue("evt_1", "form.submitted", b"{}", ["ep_a"])
    assert 30 <= due[0][1] - clock.time() <= 600


def test_resend_marks_deliveries_manual_and_due_now(store: Store, clock: Clock) -> None:
    due: list[tuple[str, float]] = []
    log = _log(store, clock, due)
    [first] = log.enqueue("evt_1", "t", b"{}", ["ep_a"])
    row = log.delivery(first)
    assert row is not None
    log.finish(row, "failed", attempts=3)
    clock.advance(minutes=5)
    due.clear()
    assert log.resend("evt_1") == [first]
    again = log.delivery(first)
    assert again is not None and (again["status"], again["manual"], again["attempts"]) == ("pending", 1, 3)
    assert due == [(first, clock.time())]
    assert log.resend("evt_1", "ep_other") == []


def test_recover_failed_resends_only_failed_deliveries_since_a_moment(store: Store, clock: Clock) -> None:
    due: list[tuple[str, float]] = []
    log = _log(store, clock, due)
    [old] = log.enqueue("evt_old", "t", b"{}", ["ep_a"])
    clock.advance(hours=1)
    since = clock.time()
    [failed, ok] = log.enqueue("evt_new", "t", b"{}", ["ep_a", "ep_b"])
    for delivery_id, status in ((old, "failed"), (failed, "failed"), (ok, "succeeded")):
        row = log.delivery(delivery_id)
        assert row is not None
        log.finish(row, status)
    assert log.recover_failed(since, "ep_a") == [failed]
    assert [r["status"] for r in log.deliveries(event_id="evt_old")] == ["failed"]


def test_attempts_and_health_are_recorded_and_forgotten(store: Store, clock: Clock) -> None:
    log = _log(store, clock, [])
    [delivery_id] = log.enqueue("evt_1", "t", b"{}", ["ep_a"])
    row = log.delivery(delivery_id)
    assert row is not None
    assert log.mark_health("ep_a", ok=False) == 0.0
    clock.advance(hours=2)
    assert log.mark_health("ep_a", ok=False) == 7200.0
    log.record(row, "http://127.0.0.1:9/x", Outcome("failed", 503, "HTTP 503", 1.5, "busy"), clock.time() + 60)
    log.retry_at(row, 1, clock.time() + 60)
    [attempt] = log.attempts(event_id="evt_1")
    assert (attempt["number"], attempt["outcome"], attempt["status"], attempt["response"]) == (1, "failed", 503, "busy")
    assert log.health("ep_a")["failures"] == 2
    log.forget_failures("ep_a")
    assert log.health("ep_a") == {"endpoint_id": "ep_a", "failing_since": None, "last_success": None, "failures": 0}
    log.mark_health("ep_a", ok=True)
    assert log.health("ep_a")["last_success"] == clock.time()


# -- the deliverer, against a real receiver -------------------------------------


class _Receiver:
    """A loopback server answering each POST with the next status in `answers` (then 200)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str]]] = []
        self.bodies: list[bytes] = []
        app = Flask(__name__)

        @app.post("/hook")
        def hook() -> Response:
            self.bodies.append(request.get_data())
            status, headers = self.answers.pop(0) if self.answers else (200, {})
            return Response("ok", status=status, headers=headers)

        self.server = BackgroundServer(app, name="receiver").start()
        self.url = self.server.url + "/hook"


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    running = _Receiver()
    yield running
    running.server.stop()


class _Sender:
    def __init__(self, store: Store, clock: Clock, target: Target) -> None:
        self.target: Target | None = target
        self.gave_up: list[dict[str, Any]] = []
        self.failing: list[tuple[str, str]] = []
        self.outbox = Outbox(
            "test",
            store,
            clock,
            IdFactory(store, seed=1, namespace="t"),
            rng=random.Random(1),
            knob_rng=random.Random(2),
            sign=lambda secret, msg_id, payload, t: {"X-Signed": f"{secret}:{msg_id}"},
            lookup=lambda endpoint_id: self.target,
            timeout=1.0,
            on_give_up=self.gave_up.append,
            on_endpoint_failing=lambda *args: self.failing.append(args),
        )
        self.outbox.start()


def _sender(store: Store, clock: Clock, url: str, delays: tuple[float, ...] = (60.0, 600.0)) -> _Sender:
    return _Sender(store, clock, Target("ep_a", url, "whsec_x", RetryPolicy("test", delays, disable_after=3600)))


def test_a_2xx_succeeds_signed_and_marks_the_endpoint_healthy(store: Store, clock: Clock, receiver: _Receiver) -> None:
    sender = _sender(store, clock, receiver.url)
    sender.outbox.enqueue("evt_1", "t", b'{"id": "evt_1"}', ["ep_a"])
    clock.settle()
    assert receiver.bodies == [b'{"id": "evt_1"}']
    [delivery] = sender.outbox.deliveries()
    assert (delivery["status"], delivery["attempts"]) == ("succeeded", 1)
    assert sender.outbox.health("ep_a")["last_success"] == clock.time()
    sender.outbox.stop()


def test_failures_retry_by_the_policy_then_give_up_once(store: Store, clock: Clock, receiver: _Receiver) -> None:
    receiver.answers = [(503, {"Retry-After": "120"}), (500, {}), (500, {})]
    sender = _sender(store, clock, receiver.url)
    sender.outbox.enqueue("evt_1", "t", b"{}", ["ep_a"])
    clock.advance(hours=1)
    attempts = sender.outbox.attempts()
    assert [a["status"] for a in attempts] == [503, 500, 500]
    gaps = [later["at"] - earlier["at"] for earlier, later in zip(attempts, attempts[1:], strict=False)]
    assert gaps == [120.0, 600.0]  # the receiver's Retry-After beat the policy's 60 s
    assert attempts[-1]["next_attempt_at"] is None
    assert [d["status"] for d in sender.outbox.deliveries()] == ["failed"]
    assert [(g["event_id"], g["attempts"], g["last_error"]) for g in sender.gave_up] == [("evt_1", 3, "HTTP 500")]
    sender.outbox.stop()


def test_a_manual_resend_is_tried_once_and_never_alerts(store: Store, clock: Clock, receiver: _Receiver) -> None:
    receiver.answers = [(500, {}), (500, {})]
    sender = _sender(store, clock, receiver.url, delays=())
    sender.outbox.enqueue("evt_1", "t", b"{}", ["ep_a"])
    clock.settle()
    assert len(sender.gave_up) == 1
    sender.outbox.resend("evt_1")
    clock.advance(hours=1)
    assert len(sender.outbox.attempts()) == 2 and len(sender.gave_up) == 1
    sender.outbox.stop()


def test_410_or_failing_too_long_asks_to_disable_the_endpoint(store: Store, clock: Clock, receiver: _Receiver) -> None:
    receiver.answers = [(410, {})]
    sender = _sender(store, clock, receiver.url)
    sender.outbox.enqueue("evt_1", "t", b"{}", ["ep_a"])
    clock.settle()
    assert sender.failing == [("ep_a", "it answered 410 Gone")]
    sender.outbox.stop()


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        (None, "the endpoint was deleted"),
        (Target("ep_a", "http://127.0.0.1:9/x", "s", RetryPolicy("t"), enabled=False), "the endpoint is disabled"),
        (Target("ep_a", "http://example.com/x", "s", RetryPolicy("t")), "delivers only to this machine"),
    ],
)
def test_a_delivery_nobody_may_receive_is_skipped_not_sent(
    store: Store, clock: Clock, target: Target | None, reason: str
) -> None:
    sender = _sender(store, clock, "http://127.0.0.1:9/x")
    sender.target = target
    sender.outbox.enqueue("evt_1", "t", b"{}", ["ep_a"])
    clock.settle()
    [attempt] = sender.outbox.attempts()
    assert attempt["outcome"] == "skipped" and reason in attempt["error"]
    assert [d["status"] for d in sender.outbox.deliveries()] == ["failed"]
    sender.outbox.stop()


def test_a_stopped_outbox_leaves_deliveries_pending_for_its_restart(
    store: Store, clock: Clock, receiver: _Receiver
) -> None:
    sender = _sender(store, clock, receiver.url)
    sender.outbox.stop()
    sender.outbox.enqueue("evt_1", "t", b"{}", ["ep_a"])
    clock.settle()
    assert receiver.bodies == [] and sender.outbox.deliveries()[0]["status"] == "pending"
    restarted = _sender(store, clock, receiver.url)
    clock.settle()
    assert len(receiver.bodies) == 1 and restarted.outbox.deliveries()[0]["status"] == "succeeded"
    restarted.outbox.stop()


def test_the_duplicates_knob_sends_a_success_again(store: Store, clock: Clock, receiver: _Receiver) -> None:
    sender = _sender(store, clock, receiver.url)
    assert sender.outbox.knobs(duplicates=1.0) == {"duplicates": 1.0, "out_of_order": 0.0}
    sender.outbox.enqueue("evt_1", "t", b"{}", ["ep_a"])
    clock.advance(minutes=5)
    assert len(receiver.bodies) == 2
    assert [d["duplicate_of"] is not None for d in sender.outbox.deliveries()] == [False, True]
    with pytest.raises(ValueError, match="between 0 and 1"):
        sender.outbox.knobs(out_of_order=2)
    sender.outbox.stop()
