"""What the three checks of exercise 05 share: the learner's integration, wired into a lab.

The integration is the learner's four pieces: `receive(request, lab)` behind an
endpoint of its own, the sender's `RETRY_POLICY`, `alert_on_failures(lab,
endpoint_id, since)` run every fifteen minutes on the lab clock, and
`reconcile(lab)` run every night at 02:00.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from simulators.learner import call
from simulators.mailer.messages import looks_like_address

WATCH_EVERY = 15 * 60
RECONCILE_HOUR = 2
#: What the learner's endpoint listens to: payments, declines and refunds.
EVENTS = ["payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded"]


def on_call(ns: Mapping[str, Any]) -> str | None:
    """The learner's named person, if it is an email address."""
    person = ns.get("ON_CALL")
    return person if looks_like_address(person) else None


def alert_job(lab: Any, rule: Any, endpoint_id: str, failures: list[str]) -> Any:
    """A clock job that calls the learner's rule with the time of its previous look."""
    state = {"since": float(lab.clock.time())}

    def watch() -> None:
        now = float(lab.clock.time())
        # Learner code: what it raised is recorded for the verdict and never kills the lab.
        outcome = call(rule, lab, endpoint_id, state["since"], where="alert_on_failures", now=lab.clock.now)
        if outcome.failure is not None:
            failures.append(f"alert_on_failures raised {outcome.failure.error}")
        state["since"] = now

    return watch


def reconcile_job(lab: Any, reconcile: Any, failures: list[str]) -> Any:
    """A clock job that runs the learner's reconciliation."""

    def nightly() -> None:
        outcome = call(reconcile, lab, where="reconcile", now=lab.clock.now)  # learner code, as above
        if outcome.failure is not None:
            failures.append(f"reconcile raised {outcome.failure.error}")

    return nightly


def next_hour(lab: Any, hour: int) -> datetime:
    now = lab.clock.now()
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def clock_text(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%a %H:%M")


def paid_customers(lab: Any) -> dict[str, dict[str, Any]]:
    """Customer → their latest payment that succeeded and was not refunded."""
    return {p["customer"]: p for p in lab.payments.payments(status="succeeded", refunded=False) if p.get("customer")}


def ever_paid(lab: Any) -> set[str]:
    """Customers with any payment that succeeded (refunded later or not)."""
    return {p["customer"] for p in lab.payments.payments(status="succeeded") if p.get("customer")}
