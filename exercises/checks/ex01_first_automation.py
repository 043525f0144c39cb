"""Exercise 01: write a first automation as the lesson's formula, then run it for real.

The learner writes `receipt`, an Automation: when payment_intent.succeeded
happens in payments, send an email through the mailer to the payment's
receipt_email, mentioning the amount, and alert ops@example.com if it fails.
The check reads the formula's parts, asks `validate()`, then installs it in a
live lab: a payment gets its receipt, a payment without an address alerts ops,
and a mailer outage delays the receipt without losing it.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex01_first_automation/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| **When** a payment succeeds (`payment_intent.succeeded`) | the trigger is payment_intent.succeeded | invoice-trigger |
| **in** the payment system | the source system is the payment system | source-is-the-mailer |
| **then** send an email **in** the mailer | the action sends an email through the mailer | a `send_task` step instead |
| **using** the address on the payment as `to` | validate() finds no problems; a paying customer gets one receipt email | invoice-email-field, to-the-customer-id |
| a subject or body that mentions the amount paid | the receipt says how much was paid | no-amount |
| (the same) — in cents, the unit the event's amount is in | the receipt gives the amount in cents, as the event carries it, not as dollars | cents-as-dollars, amount-in-usd, bare-number |
| (the same) — the amount of *each* payment | every receipt says its own payment's amount | hard-coded-amount |
| **and alert** `ops@example.com` | ops@example.com is alerted if it fails | no-alert, alert-typo |
| **if it fails** (no address on a payment) | a payment with no email address alerts ops@example.com | alert sent to the customer's field |
| (the check's story) the mailer goes down for an hour | while the mailer is down, the failure is reported …; once the mailer is back, the delayed receipt arrives | an alert= that is not an address (validate() first) |
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from simulators.course.automations import Automation
from simulators.course.checking import Checklist, exercise, fail

EVENT = "payment_intent.succeeded"
ALERT = "ops@example.com"
BUYER = "grace@example.com"
LATE_BUYER = "alan@example.com"

HINTS = (
    "Read the task's sentence part by part: each part of the formula is one argument of Automation(...).",
    "An automation only runs on the event it names, and can only use data that event carries: look the event"
    " up in TRIGGERS to see its fields, and let validate() tell you what it finds wrong.",
)
DATA_HINTS = (
    "A payment_intent.succeeded event carries the address as data.object.receipt_email and the amount as"
    " data.object.amount.",
    "Each trigger carries its own fields: an invoice has customer_email, a payment has receipt_email."
    ' Print TRIGGERS[("payments", "payment_intent.succeeded")].fields to see them.',
)


@exercise(
    "ex01_first_automation",
    notebook="01_first_automation",
    title="Your first automation",
    needs=["receipt"],
    hints=HINTS,
    timeout=60,
)
def check(ns: dict[str, Any], lab: Any, variant: Any) -> Any:
    receipt = ns["receipt"]
    if receipt is None:
        fail(
            "`receipt` is still None: replace None with your Automation(...), run that cell, then this check again",
            *HINTS,
        )
    if not isinstance(receipt, Automation):
        fail(f"`receipt` should be an Automation(...), not a {type(receipt).__name__}", *HINTS)
    c = Checklist()
    c.expect(
        receipt.source == "payments",
        "the source system is the payment system",
        f"source is {receipt.source!r}",
        hints=('Payments happen in the payment system: source="payments".', HINTS[1]),
    )
    c.expect(
        receipt.when == EVENT,
        f"the trigger is {EVENT}",
        f"the trigger is {receipt.when!r}",
        hints=(
            f'The event that means "a payment succeeded" is {EVENT}.',
            "invoice.paid only happens for subscriptions; a one-off payment sends payment_intent.succeeded.",
        ),
    )
    sends = [step for step in receipt.steps if step.key == "mailer.send_email"]
    c.expect(
        bool(sends),
        "the action sends an email through the mailer",
        f"the steps are {', '.join(step.key for step in receipt.steps) or 'none'}",
        hints=('Step("send_email", "mailer", using={...}).', HINTS[1]),
    )
    c.expect(
        receipt.alert == ALERT,
        f"{ALERT} is alerted if it fails",
        f"alert is {receipt.alert!r}",
        hints=(
            f'Add alert="{ALERT}".',
            "Without an alert person, a failure goes unnoticed: that is the silent failure.",
        ),
    )
    problems = receipt.validate()
    c.require(
        not problems,
        "validate() finds no problems",
        problems[0] if problems else "",
        hints=DATA_HINTS if any("does not carry" in p for p in problems) else HINTS,
    )
    # A copy: the learner's own may already be installed in their notebook's lab.
    live = dataclasses.replace(receipt).install(lab)
    try:
        _run_live(c, live, lab, _amounts(variant))
    finally:
        live.uninstall()
    return c.result()


def _amounts(variant: Any) -> tuple[int, int, int]:
    """The three payments' amounts in cents: the course's, or this learner's own."""
    if not variant.seed:
        return 2000, 1500, 3000
    rng = variant.rng("ex01")
    first, late = rng.sample(range(1200, 9900, 100), 2)
    return first, rng.randrange(1000, 9900, 100), late


def _run_live(c: Checklist, receipt: Automation, lab: Any, amounts: tuple[int, int, int]) -> None:
    amount, no_address, late_amount = amounts
    customer = lab.payments.create_customer(BUYER, name="Grace Hopper")
    _pay(lab, customer["id"], amount, BUYER)
    lab.settle()
    mails = lab.mailer.inbox(to=BUYER, kind="email")
    c.expect(
        len(mails) == 1,
        "a paying customer gets one receipt email",
        f"{BUYER} got {len(mails)} emails after paying",
        hints=DATA_HINTS if not mails else ("One payment, one email.", HINTS[1]),
    )
    text = " ".join(f"{m.get('subject', '')} {m.get('body', '')}" for m in mails)
    c.expect(
        bool(mails) and str(amount) in text,
        "the receipt says how much was paid",
        f"the email does not mention the amount ({amount})" if mails else "there is no email to read",
        hints=("Put {data.object.amount} in the subject or the body.", DATA_HINTS[1]),
    )

    unit = _unit_slip(text, amount) if mails and str(amount) in text else None
    c.expect(
        bool(mails) and str(amount) in text and unit is None,
        "the receipt gives the amount in cents, as the event carries it, not as dollars",
        unit or "there is no amount to read",
        hints=(
            "Write the unit the event's amount is in: {data.object.amount} cents (4900 cents is $49.00).",
            "A payment's amount is in the currency's smallest unit, cents for dollars: a receipt that puts a $ or"
            " 'dollars' beside it shows the customer a price a hundred times what they paid.",
        ),
    )

    _pay(lab, customer["id"], no_address, None)  # a payment with no address: the step cannot run
    lab.settle()
    alerts = lab.mailer.alerts(to=ALERT)
    c.expect(
        bool(alerts),
        f"a payment with no email address alerts {ALERT}",
        f"{ALERT} got no alert when a receipt could not be sent",
        hints=(f'alert="{ALERT}" sends the alert.', "Without an alert person, a failure goes unnoticed."),
    )

    lab.mailer.faults.window("down", start=lab.clock.now(), hours=1)
    _pay(lab, customer["id"], late_amount, LATE_BUYER)
    lab.settle()
    during = len(lab.mailer.inbox(to=LATE_BUYER))
    raised = [alert for alert in lab.alerts if alert.source == "automation" and ALERT in alert.message]
    lab.advance(hours=3)
    after = lab.mailer.inbox(to=LATE_BUYER, kind="email")
    c.expect(
        during == 0 and bool(raised),
        f"while the mailer is down, the failure is reported for {ALERT}",
        "no alert was raised while the mailer was down",
        hints=HINTS,
    )
    c.expect(
        len(after) == 1,
        "once the mailer is back, the delayed receipt arrives (the payment system retries)",
        f"{LATE_BUYER} got {len(after)} emails three hours later",
        hints=HINTS,
    )
    late_text = " ".join(f"{m.get('subject', '')} {m.get('body', '')}" for m in after)
    c.expect(
        bool(after) and str(late_amount) in late_text,
        "every receipt says its own payment's amount",
        f"{LATE_BUYER} paid {late_amount} and the receipt says {late_text.strip()[:80]!r}: an amount typed into the"
        " text is right for one payment only"
        if after
        else "there is no receipt to read",
        hints=(
            "Put {data.object.amount} in the subject or body, not a number: the event fills it in for each payment.",
            DATA_HINTS[1],
        ),
    )


def _unit_slip(text: str, amount: int) -> str | None:
    """What the receipt's amount wrongly reads as (dollars, or no unit at all), or None when it says cents."""
    number = rf"(?<![\d.,]){amount}(?![\d,])"
    as_dollars = re.search(
        rf"((?:\$|usd|us\$)\s*{number}(?:\.\d+)?|{number}(?:\.\d+)?\s*(?:\$|dollars?\b|usd\b|bucks\b))",
        text,
        re.IGNORECASE,
    )
    if as_dollars:
        return (
            f"the receipt reads {as_dollars.group(0).strip()!r} for a payment of {amount} cents: the customer sees"
            f" ${amount:,} where they paid ${amount / 100:,.2f}"
        )
    if not re.search(rf"{number}\s*(?:cents?\b|¢)", text, re.IGNORECASE):
        return (
            f"the receipt shows the bare number {amount} with no unit: the customer cannot tell {amount} cents"
            f" (${amount / 100:,.2f}) from ${amount:,}"
        )
    return None


def _pay(lab: Any, customer: str, amount: int, receipt_email: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "customer": customer,
        "amount": amount,
        "currency": "usd",
        "payment_method": "pm_card_visa",
        "confirm": True,
    }
    if receipt_email is not None:
        params["receipt_email"] = receipt_email
    return lab.payments.client.post("/v1/payment_intents", **params)
