"""A subscription's timeline: trial notice, upcoming-invoice notice, renewal, dunning retries, cancellation.

Each live subscription has one next step, worked out from its stored fields
(`due()`), so nothing about the timeline lives only in memory:

- `trial_will_end`: 3 days before a trial ends (as Stripe sends it);
- `upcoming`: `invoice.upcoming` 7 days before a renewal (Stripe's "upcoming
  renewal events" setting, fixed here), with the invoice that will be made;
- `renew`: at the period's end a new invoice, charged to the default payment
  method (`invoice.paid`; or `invoice.payment_failed` and `past_due`); a trial
  ending turns `trialing` into `active`; `cancel_at_period_end` cancels instead;
- `retry` (dunning): a failed renewal is charged again 3, 5 and 7 days after
  the first failure (`RETRY_DAYS`), each failure another `invoice.payment_failed`
  with `next_payment_attempt`; after the last one the subscription is canceled
  (`customer.subscription.deleted`), Stripe's default for "if all retries fail".

Which clock moves a subscription along: the lab clock runs the steps of
ordinary subscriptions (`schedule_renewal` puts the next one on it); a
subscription of a customer on a Stripe test clock waits for that test clock to
be advanced (`test_clocks.py` runs its steps in order). Either way a step runs
with `now()` read as the moment it was due, so invoices carry their own dates.
An invoice paid late (`/pay`) brings its subscription back to active.
"""

from __future__ import annotations

from typing import Any

from ..core import PaymentsCore
from . import billing, coupons
from .periods import DAY, add_interval, add_months

TRIAL_NOTICE = 3 * DAY
UPCOMING_NOTICE = 7 * DAY
RETRY_DAYS = (3, 5, 7)
_LIVE = ("active", "past_due", "trialing", "unpaid")


def add_month(timestamp: int) -> int:
    """The same moment one calendar month later (clamped to the month's last day)."""
    return add_months(timestamp, 1)


def next_period_end(subscription: dict[str, Any], start: int) -> int:
    """Where a period starting at `start` ends, by the first item's price interval."""
    recurring = subscription["items"]["data"][0]["price"].get("recurring") or {}
    return add_interval(start, recurring.get("interval", "month"), recurring.get("interval_count", 1))


def due(subscription: dict[str, Any]) -> tuple[int, str] | None:
    """The subscription's next step and when it falls due, or None once it has ended."""
    if subscription["status"] not in _LIVE:
        return None
    end = subscription["current_period_end"]
    steps = [(end, "renew")]
    if subscription["status"] == "trialing" and subscription.get("trial_end") and not subscription.get("_trial_notice"):
        steps.append(
            (max(subscription["trial_end"] - TRIAL_NOTICE, subscription["current_period_start"]), "trial_will_end")
        )
    if subscription.get("_retry_at"):
        steps.append((subscription["_retry_at"], "retry"))
    notice = end - UPCOMING_NOTICE
    if not subscription["cancel_at_period_end"] and subscription.get("_upcoming_for") != end:
        if notice > subscription["current_period_start"]:
            steps.append((notice, "upcoming"))
    return min(steps)


def cancel(pay: PaymentsCore, subscription: dict[str, Any]) -> None:
    now = pay.now()
    subscription.update(status="canceled", canceled_at=now, ended_at=now, cancel_at_period_end=False)
    subscription["_retry_at"] = None
    pay.db["subscription"].replace(subscription)
    pay.emit("customer.subscription.deleted", subscription)


def invoice_paid(pay: PaymentsCore, invoice: dict[str, Any]) -> None:
    """An invoice paid late (`/pay`) brings its incomplete or past-due subscription back to active."""
    if not invoice.get("subscription"):
        return
    subscription = pay.db["subscription"].get(invoice["subscription"])
    if subscription is None or subscription["status"] not in ("incomplete", "past_due", "unpaid"):
        return
    subscription["_retry_at"] = None
    set_status(pay, subscription, "active")
    schedule_renewal(pay, subscription)


def schedule_renewals(pay: PaymentsCore) -> None:
    """Put every live subscription's next step on the clock (at start, and after a restart)."""
    for subscription in pay.db["subscription"].find():
        if subscription["status"] in _LIVE:
            schedule_renewal(pay, subscription)


def schedule_renewal(pay: PaymentsCore, subscription: dict[str, Any]) -> None:
    """Put the next step on the lab clock, unless a test clock moves this subscription."""
    if subscription.get("test_clock"):
        return
    step = due(subscription)
    if step is None:
        return
    when, action = step
    subscription_id = subscription["id"]
    pay.clock.call_at(
        when, lambda: run_step(pay, subscription_id, when, action), name=f"payments: {action} {subscription_id}"
    )


def run_step(pay: PaymentsCore, subscription_id: str, when: int, action: str) -> bool:
    """Run one due step (a clock job, or a test clock's advance); False if it was no longer due."""
    if not pay.alive:
        return False  # stopped: the restart schedules the steps again from the store
    with pay.store.transaction(), pay.frozen_at(when if _on_test_clock(pay, subscription_id) else None):
        subscription = pay.db["subscription"].get(subscription_id)
        if subscription is None or due(subscription) != (when, action):
            return False
        _STEPS[action](pay, subscription)
    schedule_renewal(pay, subscription)
    return True


def _on_test_clock(pay: PaymentsCore, subscription_id: str) -> bool:
    found = pay.db["subscription"].get(subscription_id)
    return bool(found and found.get("test_clock"))


def _trial_will_end(pay: PaymentsCore, subscription: dict[str, Any]) -> None:
    subscription["_trial_notice"] = True
    pay.db["subscription"].replace(subscription)
    pay.emit("customer.subscription.trial_will_end", subscription)


def _upcoming(pay: PaymentsCore, subscription: dict[str, Any]) -> None:
    subscription["_upcoming_for"] = subscription["current_period_end"]
    pay.db["subscription"].replace(subscription)
    pay.emit("invoice.upcoming", upcoming_invoice(pay, subscription))


def upcoming_invoice(pay: PaymentsCore, subscription: dict[str, Any]) -> dict[str, Any]:
    """The invoice the next renewal will make, not stored (no id, as Stripe's `invoice.upcoming` shows it)."""
    start = subscription["current_period_end"]
    customer = pay.get("customer", subscription["customer"])
    lines = billing.item_lines(pay, billing.pending_items(pay, customer["id"], subscription["id"]))
    lines += billing.subscription_lines(pay, subscription, start, next_period_end(subscription, start))
    invoice = billing.draft(
        pay,
        customer,
        lines,
        currency=subscription["currency"],
        reason="upcoming",
        period_start=subscription["current_period_start"],
        period_end=start,
        subscription=subscription,
        discount=coupons.live_discount(pay, subscription.get("discount")),
        invoice_id="",
    )
    invoice.pop("id")
    invoice["created"] = invoice["next_payment_attempt"] = start
    invoice["lines"]["url"] = f"/v1/invoices/upcoming/lines?subscription={subscription['id']}"
    return invoice


def _renew(pay: PaymentsCore, subscription: dict[str, Any]) -> None:
    """Start the next period: invoice it and charge the default payment method."""
    if subscription["cancel_at_period_end"]:
        cancel(pay, subscription)
        return
    due_at = subscription["current_period_end"]
    previous = {
        "current_period_start": subscription["current_period_start"],
        "current_period_end": due_at,
        "status": subscription["status"],
    }
    start, end = due_at, next_period_end(subscription, due_at)
    subscription.update(current_period_start=start, current_period_end=end)
    for item in subscription["items"]["data"]:
        item.update(current_period_start=start, current_period_end=end)
    invoice = billing.create(pay, subscription, reason="subscription_cycle", period_start=start, period_end=end)
    subscription["latest_invoice"] = invoice["id"]
    subscription["discount"] = coupons.after_use(coupons.live_discount(pay, subscription.get("discount")))
    paid = invoice["status"] == "paid" or _charge(pay, invoice, retry_at=due_at + RETRY_DAYS[0] * DAY)
    subscription["status"] = "active" if paid else "past_due"
    subscription["_retry_at"] = None if paid else due_at + RETRY_DAYS[0] * DAY
    subscription["_failed_at"] = None if paid else due_at
    subscription["_retries"] = 0
    pay.db["subscription"].replace(subscription)
    pay.emit("customer.subscription.updated", subscription, previous)


def _retry(pay: PaymentsCore, subscription: dict[str, Any]) -> None:
    """Charge a past-due renewal again; after the last retry fails, cancel the subscription."""
    invoice = pay.db["invoice"].get(subscription["latest_invoice"])
    subscription["_retries"] = done = subscription.get("_retries", 0) + 1
    later = subscription["_failed_at"] + RETRY_DAYS[done] * DAY if done < len(RETRY_DAYS) else None
    subscription["_retry_at"] = later
    pay.db["subscription"].replace(subscription)
    if invoice is None or invoice["status"] != "open":
        subscription["_retry_at"] = None
        pay.db["subscription"].replace(subscription)
        return
    if _charge(pay, invoice, retry_at=later):
        subscription["_retry_at"] = None
        set_status(pay, subscription, "active")
    elif later is None:
        cancel(pay, subscription)


def _charge(pay: PaymentsCore, invoice: dict[str, Any], *, retry_at: int | None) -> bool:
    """Charge an open invoice to its default card; a failure says when the next attempt is."""
    card = billing.card_to_charge(pay, invoice)
    invoice["next_payment_attempt"] = retry_at
    if card is None:
        pay.db["invoice"].replace(invoice)
        pay.emit("invoice.payment_failed", invoice)
        return False
    made = billing.attempt(pay, invoice, card)
    return made is not None and bool(made["paid"])


_STEPS = {"trial_will_end": _trial_will_end, "upcoming": _upcoming, "renew": _renew, "retry": _retry}


def set_status(pay: PaymentsCore, subscription: dict[str, Any], status: str) -> None:
    previous = {"status": subscription["status"]}
    subscription["status"] = status
    pay.db["subscription"].replace(subscription)
    if previous["status"] != status:
        pay.emit("customer.subscription.updated", subscription, previous)
