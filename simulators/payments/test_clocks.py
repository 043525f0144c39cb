"""Stripe's test clocks (`/v1/test_helpers/test_clocks`): a frozen time of its own for some customers.

How a test clock maps onto the lab's virtual clock. The lab clock is the one
time every system shares; a test clock is a second, private time that only
its customers (made with `test_clock=clock_…`) and their subscriptions and
invoices live on. Its `frozen_time` is stored, and anything made for those
customers is dated by it (`PaymentsCore.frozen_at`), not by the lab clock.
Their subscriptions are never put on the lab clock's schedule: each one's
next step is worked out from its stored fields (`renewals.due`), so
`POST …/advance` runs, in due order, every step of every subscription on
that clock up to the new `frozen_time` (renewals, `invoice.upcoming`,
`invoice.created/finalized/paid`, `invoice.payment_failed` and the dunning
retries of `renewals.RETRY_DAYS`, trial notices, cancellations) and every bank
debit of their Checkout Sessions that settles by then, each with the time read
as the moment it fell due.

The advance itself runs as a lab clock job, as Stripe runs it in the
background: the answer to `advance` says `status: advancing` (with
`test_helpers.test_clock.advancing`), and once the job has run the clock is
`ready` again (`test_helpers.test_clock.ready`). A job that raises leaves it
`internal_failure`. The lab clock does not move: an advance of a month takes
no lab time at all, and events are created at the lab clock's time, as
Stripe creates them at real time.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify

from ..errors import ApiError
from . import records
from .billing import renewals
from .checkout import checkout
from .core import PaymentsCore, asked, current
from .http import httpapi
from .resource import NOT_DELETED, Resource

log = logging.getLogger("hooklab")

#: Stripe deletes a test clock 30 days after it was made; shown, not enforced.
LIFETIME = 30 * 86400
#: How far one advance may go: Stripe allows two intervals of the shortest subscription; two years here.
MAX_ADVANCE = 2 * 366 * 86400
URL = "/v1/test_helpers/test_clocks"


RESOURCE = Resource(
    kind="test_clock",
    prefix="clock",
    url="/v1/test_helpers/test_clocks",
    events=(
        "test_helpers.test_clock.advancing",
        "test_helpers.test_clock.created",
        "test_helpers.test_clock.deleted",
        "test_helpers.test_clock.ready",
    ),
    filters=(NOT_DELETED,),
)
bp = Blueprint("test_clocks", __name__)


@bp.post(URL)
def create_clock() -> Response:
    pay, p, paths = asked(("frozen_time", "name"))
    frozen = p.integer("frozen_time", required=True, minimum=0, maximum=4_102_444_800)
    name = p.string("name", max_length=300)
    now = pay.now()
    clock: dict[str, Any] = {
        "id": None,
        "object": "test_helpers.test_clock",
        "created": now,
        "deletes_after": now + LIFETIME,
        "frozen_time": frozen,
        "livemode": False,
        "name": name,
        "status": "ready",
        "status_details": {},
    }
    with pay.store.transaction():
        clock["id"] = pay.ids.new("clock")
        pay.db["test_clock"].insert(clock, created=now)
        pay.emit("test_helpers.test_clock.created", clock)
    return pay.render(clock, paths)


@bp.post(f"{URL}/<clock_id>/advance")
def advance_clock(clock_id: str) -> Response:
    pay, p, paths = asked(("frozen_time",))
    with pay.store.transaction():
        clock = live(pay, clock_id)
        target = p.integer("frozen_time", required=True, minimum=0)
        assert target is not None
        if clock["status"] == "advancing":
            raise ApiError(
                400,
                f"Test clock {clock_id} is still advancing; wait until it is ready.",
                code="test_clock_advancing",
            )
        if target <= clock["frozen_time"]:
            raise ApiError(
                400,
                f"The frozen_time must be after the clock's current frozen_time ({clock['frozen_time']}); got {target}.",
                param="frozen_time",
            )
        if target - clock["frozen_time"] > MAX_ADVANCE:
            raise ApiError(400, "Advance a test clock by at most two years at a time.", param="frozen_time")
        clock["status"] = "advancing"
        clock["status_details"] = {"advancing": {"target_frozen_time": target}}
        pay.db["test_clock"].replace(clock)
        pay.emit("test_helpers.test_clock.advancing", clock)
    pay.clock.call_soon(lambda: run_advance(pay, clock_id, target), name=f"payments: advance {clock_id}")
    return pay.render(clock, paths)


@bp.delete(f"{URL}/<clock_id>")
def delete_clock(clock_id: str) -> Response:
    pay = current()
    httpapi.params()
    with pay.store.transaction():
        clock = live(pay, clock_id)
        for customer in pay.db["customer"].find(test_clock=clock_id):
            for subscription in pay.db["subscription"].find(customer=customer["id"]):
                if subscription["status"] != "canceled":
                    renewals.cancel(pay, subscription)
            records.delete(pay, customer, "customer.deleted")
        tombstone = records.delete(pay, clock, "test_helpers.test_clock.deleted")
    return jsonify(tombstone)


def live(pay: PaymentsCore, clock_id: str, *, param: str = "id") -> dict[str, Any]:
    return records.live(pay, "test_clock", clock_id, param=param)


def run_advance(pay: PaymentsCore, clock_id: str, target: int) -> None:
    """Run every step due on the clock up to `target`, in order, then mark it ready (a lab clock job)."""
    if not pay.alive:
        return
    try:
        while (step := next_step(pay, clock_id, target)) is not None:
            (when, action), object_id = step
            _set_frozen(pay, clock_id, when)
            if action == "settle":
                with pay.frozen_at(when):
                    checkout.settle(pay, object_id)
            else:
                renewals.run_step(pay, object_id, when, action)
    except Exception:
        # One broken step must not leave the clock advancing forever: Stripe reports internal_failure.
        log.exception("test clock %s failed to advance", clock_id)
        _finish(pay, clock_id, None, "internal_failure")
        return
    _finish(pay, clock_id, target, "ready")


def next_step(pay: PaymentsCore, clock_id: str, target: int) -> tuple[tuple[int, str], str] | None:
    """The earliest step due by `target` on the clock (a subscription's, or a bank debit settling), with its id."""
    steps = []
    for subscription in pay.db["subscription"].find(test_clock=clock_id):
        step = renewals.due(subscription)
        if step is not None and step[0] <= target:
            steps.append((step, subscription["id"]))
    for customer in pay.db["customer"].find(test_clock=clock_id):
        for session in pay.db["checkout_session"].find(customer=customer["id"], payment_status="unpaid"):
            if session.get("_settles_at") and session["_settles_at"] <= target:
                steps.append(((session["_settles_at"], "settle"), session["id"]))
    return min(steps) if steps else None


def _set_frozen(pay: PaymentsCore, clock_id: str, moment: int) -> None:
    with pay.store.transaction():
        clock = pay.db["test_clock"].get(clock_id)
        if clock is not None and not clock.get("deleted") and clock["frozen_time"] < moment:
            clock["frozen_time"] = moment
            pay.db["test_clock"].replace(clock)


def _finish(pay: PaymentsCore, clock_id: str, target: int | None, status: str) -> None:
    with pay.store.transaction():
        clock = pay.db["test_clock"].get(clock_id)
        if clock is None or clock.get("deleted"):
            return
        if target is not None:
            clock["frozen_time"] = target
        clock.update(status=status, status_details={})
        pay.db["test_clock"].replace(clock)
        if status == "ready":  # a failure is shown in the status alone
            pay.emit("test_helpers.test_clock.ready", clock)


def resume(pay: PaymentsCore) -> None:
    """Finish advances a stop interrupted (after a restart)."""
    for clock in pay.db["test_clock"].find(status="advancing"):
        _resume_one(pay, clock["id"], int(clock["status_details"]["advancing"]["target_frozen_time"]))


def _resume_one(pay: PaymentsCore, clock_id: str, target: int) -> None:
    pay.clock.call_soon(lambda: run_advance(pay, clock_id, target), name=f"payments: advance {clock_id}")
