"""Subscriptions on the lab clock: monthly renewals, cancellation, and coming back after a late payment.

A renewal runs at each period's end: a new invoice, charged to the default
payment method (`invoice.paid`, or `invoice.payment_failed` and `past_due`).
An invoice paid late brings its subscription back to active.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timezone
from typing import Any

from . import billing, cards
from .core import PaymentsCore


def add_month(timestamp: int) -> int:
    """The same moment one calendar month later (clamped to the month's last day)."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def cancel(pay: PaymentsCore, subscription: dict[str, Any]) -> None:
    now = pay.now()
    subscription.update(status="canceled", canceled_at=now, ended_at=now, cancel_at_period_end=False)
    pay.db["subscription"].replace(subscription)
    pay.emit("customer.subscription.deleted", subscription)


def invoice_paid(pay: PaymentsCore, invoice: dict[str, Any]) -> None:
    """An invoice paid late (`/pay`) brings its incomplete or past-due subscription back to active."""
    if not invoice.get("subscription"):
        return
    subscription = pay.db["subscription"].get(invoice["subscription"])
    if subscription is None or subscription["status"] not in ("incomplete", "past_due", "unpaid"):
        return
    was_incomplete = subscription["status"] == "incomplete"
    set_status(pay, subscription, "active")
    if was_incomplete:  # a past-due one already has its renewal on the clock
        schedule_renewal(pay, subscription)


def schedule_renewals(pay: PaymentsCore) -> None:
    """Put every live subscription's next renewal on the clock (at start, and after a restart)."""
    for subscription in pay.db["subscription"].find():
        if subscription["status"] in ("active", "past_due", "trialing"):
            schedule_renewal(pay, subscription)


def schedule_renewal(pay: PaymentsCore, subscription: dict[str, Any]) -> None:
    due = subscription["current_period_end"]
    subscription_id = subscription["id"]
    pay.clock.call_at(due, lambda: renew(pay, subscription_id, due), name=f"payments: renew {subscription_id}")


def renew(pay: PaymentsCore, subscription_id: str, due: int) -> None:
    """Start the next period: invoice it and charge the default payment method (a clock job)."""
    if not pay.alive:
        return  # stopped: the restart schedules renewals again from the store
    with pay.store.transaction():
        subscription = pay.db["subscription"].get(subscription_id)
        if subscription is None or subscription["status"] == "canceled" or subscription["current_period_end"] != due:
            return
        if subscription["cancel_at_period_end"]:
            cancel(pay, subscription)
            return
        previous = {
            "current_period_start": subscription["current_period_start"],
            "current_period_end": subscription["current_period_end"],
            "status": subscription["status"],
        }
        start, end = due, add_month(due)
        subscription.update(current_period_start=start, current_period_end=end)
        for item in subscription["items"]["data"]:
            item.update(current_period_start=start, current_period_end=end)
        invoice = billing.create(pay, subscription, reason="subscription_cycle", period_start=start, period_end=end)
        subscription["latest_invoice"] = invoice["id"]
        method = billing.payment_method_for(pay, invoice)
        paid = method is not None and billing.attempt(pay, invoice, cards.card(method, pay=pay))["paid"]
        subscription["status"] = "active" if paid else "past_due"
        pay.db["subscription"].replace(subscription)
        pay.emit("customer.subscription.updated", subscription, previous)
    schedule_renewal(pay, subscription)


def set_status(pay: PaymentsCore, subscription: dict[str, Any], status: str) -> None:
    previous = {"status": subscription["status"]}
    subscription["status"] = status
    pay.db["subscription"].replace(subscription)
    if previous["status"] != status:
        pay.emit("customer.subscription.updated", subscription, previous)
