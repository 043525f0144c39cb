"""The lesson's case study, "the silent failure", as a seeded scenario on the lab clock.

    result = run_case_study(seed=21)                         # the story as it happened
    fixed = run_case_study(seed=21, fixes=FIXES)             # retries, an alert, a reconciliation
    print(result.summary()); print(fixed.summary())

Customers sign up and pay for about three weeks; the payment system tells
provisioning by webhook and provisioning activates their accounts. On day 21
provisioning is down for a few hours. Five days later the first customer who
paid and never got in writes to support. Each fix is one switch:

- "retries": the payment system retries failed deliveries (policy "stripe")
  instead of trying once (policy "none");
- "alert": every 15 minutes a watch job reads the delivery log; when
  deliveries to provisioning start failing it emails the on-call person once,
  reminds them at most every two hours while the failures go on, and tells
  them when deliveries succeed again (one email a look would be 19 emails in
  six hours: alert fatigue);
- "reconciliation": every night at 02:00 a job compares payments with
  accounts both ways: it activates whoever paid and has no account, removes
  access from whoever has an account and no payment that still stands (a
  refund), and reports both by name.

Provisioning's handler (the company's) activates on a payment and ignores
refunds, so refunded customers keep their access: a second silent failure,
which only the reconciliation's second direction finds.

Every figure in the result is read back from the lab's own data (payments,
accounts, the delivery log, the mailer), never from the scenario's intentions.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from simulators.course.automations import Automation, Step, render_catalogue
from simulators.course.automations.examples import lesson_examples
from simulators.http import lab_request
from simulators.lab import Lab

FIXES = ("retries", "alert", "reconciliation")
#: The named person failures are reported to.
ON_CALL = "dana.ops@example.com"
SUPPORT = "support@example.com"
SYSTEMS = ("mailer", "provisioning", "payments")

DEFAULT_SEED = 11
#: Sign-ups a day, all between 08:00 and 20:00 (people buy while awake).
PER_DAY = 5
OPEN_HOUR, CLOSE_HOUR = 8, 20
#: The outage: day 21 at 10:00 on the lab clock, for six hours.
OUTAGE_DAY = 21
OUTAGE_HOUR = 10
OUTAGE_HOURS = 6.0
#: How long nobody noticed in the story; the run ends then.
UNNOTICED_DAYS = 5
WATCH_EVERY = timedelta(minutes=15)
#: While failures go on, the on-call person hears again at most this often.
REMIND_EVERY = timedelta(hours=2)
RECONCILE_AT_HOUR = 2
#: When the first alert goes out: at the first failed delivery, or when the sender gives up on one.
ALERT_ON = ("first failure", "sender gives up")


@dataclass(frozen=True)
class AlertRule:
    """Who is told, when, and how often: the alert of the lesson's formula, as a spec."""

    person: str = ON_CALL
    #: "first failure" (the first failed delivery) or "sender gives up" (its last retry failed).
    on: str = "first failure"
    #: While failures go on, remind at most this often (WATCH_EVERY: an email every look).
    remind_every: timedelta = REMIND_EVERY
    #: Send one more email when deliveries succeed again.
    all_clear: bool = True

    def __post_init__(self) -> None:
        if self.on not in ALERT_ON:
            raise ValueError(f"on is one of {', '.join(map(repr, ALERT_ON))}, not {self.on!r}")
        if self.remind_every < WATCH_EVERY:
            raise ValueError(f"remind_every is at least {describe_span(WATCH_EVERY)} (the watch looks that often)")

    def describe(self) -> str:
        """The rule in one sentence."""
        when = (
            "at the first failed delivery" if self.on == "first failure" else "when the sender gives up on a delivery"
        )
        often = (
            "again at every look (every 15 min) while failures go on"
            if self.remind_every <= WATCH_EVERY
            else f"again at most every {describe_span(self.remind_every)} while failures go on"
        )
        clear = ", and once more when deliveries succeed again" if self.all_clear else ""
        return f"Email {self.person} {when}, {often}{clear}."


@dataclass(frozen=True)
class CaseStudy:
    """What one run of the case study left behind, read from the lab's own data."""

    seed: int
    fixes: tuple[str, ...]
    started: datetime
    ended: datetime
    outage_start: datetime
    outage_end: datetime
    #: Customers whose payment succeeded and was not refunded.
    paid: int
    #: Of them, those without an active account at the end: who, paid when, which plan.
    lost: list[dict[str, Any]]
    #: Customers whose payment was refunded and whose account is still active at the end.
    kept_access: list[dict[str, Any]]
    #: Accounts active at the end.
    active: int
    #: When the first delivery to provisioning failed (None: none did).
    first_failure: datetime | None
    #: When a person was first told something was wrong, and how (None: nobody was told).
    noticed_at: datetime | None
    noticed_by: str | None
    #: Delivery attempts to provisioning that failed.
    failed_deliveries: int
    #: Alert emails about failed deliveries the on-call person received.
    alerts: int
    #: Reconciliation reports the on-call person received.
    reports: int
    #: Customers the nightly reconciliation activated.
    repaired: list[str]
    #: Customers the nightly reconciliation took access away from (refunded, still active).
    revoked: list[str]
    #: The longest a paying customer who got access waited for it.
    longest_wait: timedelta
    wall_seconds: float = field(compare=False)

    @property
    def time_to_notice(self) -> timedelta | None:
        """From the first failed delivery to the first person told (None: nobody was)."""
        if self.noticed_at is None or self.first_failure is None:
            return None
        return self.noticed_at - self.first_failure

    @property
    def label(self) -> str:
        return "no fixes (the story)" if not self.fixes else " + ".join(self.fixes)

    def figures(self) -> dict[str, Any]:
        """The before/after measures, in words a table can show."""
        return {
            "fixes": self.label,
            "paid customers": self.paid,
            "paid, no access": len(self.lost),
            "refunded, kept access": len(self.kept_access),
            "failed deliveries": self.failed_deliveries,
            "alert emails": self.alerts,
            "reconciliation reports": self.reports,
            "given access overnight": len(self.repaired),
            "access removed overnight": len(self.revoked),
            "time to notice": describe_span(self.time_to_notice)
            if self.time_to_notice is not None
            else "nobody was told",
            # A customer who never got in did not wait "0 min": say so.
            "longest wait for access": f"never, for {len(self.lost)}"
            if self.lost
            else describe_span(self.longest_wait),
        }

    def summary(self) -> str:
        """One plain sentence per figure that matters."""
        told = (
            f"{self.noticed_by} told someone {describe_span(self.time_to_notice)} after the first delivery failed"
            if self.time_to_notice is not None
            else "nobody was ever told"
        )
        access = f"{len(self.lost)} of them never got access" if self.lost else "every one of them got access"
        kept = (
            f"{len(self.kept_access)} refunded customer{'s' if len(self.kept_access) != 1 else ''} kept access"
            if self.kept_access
            else "no refunded customer kept access"
        )
        return f"{self.paid} customers paid; {access}; {kept}; {self.failed_deliveries} deliveries failed; {told}."


def describe_span(span: timedelta | None) -> str:
    """'5 days 0 h', '3 h 12 min', '2 h', '14 min': a lab duration a person reads at a glance."""
    if span is None:
        return "never"
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def run_case_study(
    seed: int = DEFAULT_SEED,
    fixes: Iterable[str] = (),
    *,
    lab: Lab | None = None,
    per_day: int = PER_DAY,
    outage_hours: float = OUTAGE_HOURS,
    alert_rule: AlertRule | None = None,
) -> CaseStudy:
    """Replay the case study with the given fixes switched on; return its figures.

    Pass a fresh `lab` to keep it afterwards (for a timeline picture); it must
    be unused, and the caller stops it. Otherwise a lab seeded with `seed` is
    started and stopped here. `alert_rule` is the "alert" fix's rule (default:
    `AlertRule()`: the on-call person, at the first failure, reminders every two
    hours, an all-clear).
    """
    asked = set(fixes)
    chosen = tuple(fix for fix in FIXES if fix in asked)
    unknown = sorted(asked - set(FIXES))
    if unknown:
        raise ValueError(f"unknown fix {unknown[0]!r}; the fixes are {', '.join(FIXES)}")
    if not 0 < outage_hours < 24 * UNNOTICED_DAYS:
        raise ValueError(
            f"outage_hours is more than 0 and less than {24 * UNNOTICED_DAYS} (the run ends then), not {outage_hours!r}"
        )
    began = time.perf_counter()
    own = lab is None
    if lab is None:
        lab = Lab(seed=seed, systems=SYSTEMS)
    try:
        return _run(lab, chosen, per_day, outage_hours, began, alert_rule or AlertRule())
    finally:
        if own:
            lab.stop()


def _run(
    lab: Lab, fixes: tuple[str, ...], per_day: int, outage_hours: float, began: float, rule: AlertRule
) -> CaseStudy:
    if lab.payments.events():
        raise ValueError("run_case_study needs a fresh lab: this one has payments already")
    payments, provisioning = lab.payments, lab.provisioning
    endpoint = payments.provisioning_endpoint
    assert endpoint is not None  # the lab wires payments to provisioning
    payments.set_retry_policy(endpoint["id"], "stripe" if "retries" in fixes else "none")
    start = lab.clock.start
    outage_start = _day(start, OUTAGE_DAY, OUTAGE_HOUR)
    outage_end = outage_start + timedelta(hours=outage_hours)
    end = outage_start + timedelta(days=UNNOTICED_DAYS)
    # The outage is scheduled first so it switches on before anything due at the same moment.
    provisioning.faults.window("down", start=outage_start, end=outage_end)
    day = _day(start, 1, OPEN_HOUR)
    while day < end:
        # `per_day` over the open hours is this many a day at the same pace.
        lab.traffic.schedule(
            per_day=per_day * 24 // (CLOSE_HOUR - OPEN_HOUR),
            days=(CLOSE_HOUR - OPEN_HOUR) / 24,
            decline_rate=0.05,
            cancel_rate=0.04,
            start=day if day > lab.clock.now() else lab.clock.now(),
        )
        day += timedelta(days=1)
    if "alert" in fixes:
        watch = DeliveryWatch(lab, endpoint["id"], rule)
        lab.clock.every(WATCH_EVERY, watch, name="watch: failed deliveries to provisioning")
    if "reconciliation" in fixes:
        nightly = NightlyReconciliation(lab, ON_CALL)
        lab.clock.every(
            timedelta(days=1),
            nightly,
            first=_next_hour(lab.clock.now(), RECONCILE_AT_HOUR),
            name="nightly reconciliation",
        )
    lab.clock.call_at(end, lambda: _complaint(lab), name="a customer writes to support")
    lab.clock.run_until(end)
    return _figures(
        lab,
        fixes,
        outage_start,
        outage_end,
        began,
        repaired=nightly.repaired if "reconciliation" in fixes else [],
        revoked=nightly.revoked if "reconciliation" in fixes else [],
        person=rule.person,
    )


# -- the fixes -------------------------------------------------------------------


class DeliveryWatch:
    """Tell a person when deliveries to one endpoint start failing, remind them sparingly, and say when it is over.

    One email a look (every 15 minutes) is what a watch does first; in a
    six-hour outage that is a couple of dozen emails that all say the same
    thing, and a person soon stops reading them (alert fatigue). So the watch
    keeps one incident open: the first email opens it, a reminder goes out at
    most every `rule.remind_every` while failures go on, and one all-clear
    closes it when a delivery succeeds again.
    """

    def __init__(self, lab: Lab, endpoint_id: str, rule: AlertRule | str = ON_CALL) -> None:
        self.lab, self.endpoint_id = lab, endpoint_id
        self.rule = rule if isinstance(rule, AlertRule) else AlertRule(person=rule)
        self.person = self.rule.person
        self.since = lab.clock.time()
        #: The open incident: when it began, when the last email went, failures counted so far.
        self.opened: float | None = None
        self.last_sent = 0.0
        self.failures = 0
        self.emails = 0

    def __call__(self) -> None:
        now = self.lab.clock.time()
        rows = self.lab.payments.outbox.attempts(endpoint_id=self.endpoint_id, after=self.since, until=now)
        self.since = now
        failed = [row for row in rows if row["outcome"] == "failed"]
        if self.rule.on == "sender gives up":
            failed = [row for row in failed if row["next_attempt_at"] is None]
        succeeded = [row for row in rows if row["outcome"] == "succeeded"]
        if failed:
            self.failures += len(failed)
            if self.opened is None:
                self.opened = now
                self._send(
                    "Webhook deliveries to provisioning are failing",
                    f"{len(failed)} deliver{'y' if len(failed) == 1 else 'ies'} failed in the last "
                    f"{describe_span(WATCH_EVERY)}. Last error: {failed[-1]['error']}.\n"
                    "Customers who paid may be waiting for their accounts.\n"
                    f"You will hear again at most every {describe_span(self.rule.remind_every)} while this goes on,"
                    " and when deliveries succeed again.",
                    now,
                )
            elif now - self.last_sent >= self.rule.remind_every.total_seconds():
                self._send(
                    "Still failing: webhook deliveries to provisioning",
                    f"{self.failures} deliveries have failed since {_clock(self.opened)}. "
                    f"Last error: {failed[-1]['error']}.",
                    now,
                )
        elif succeeded and self.opened is not None:
            if self.rule.all_clear:
                self._send(
                    "Resolved: webhook deliveries to provisioning succeed again",
                    f"From {_clock(self.opened)} to {_clock(now)}, {self.failures} deliveries failed. "
                    "They succeed again now. Check tomorrow's reconciliation report for anyone still missing.",
                    now,
                )
            self.opened, self.failures = None, 0

    def _send(self, subject: str, body: str, now: float) -> None:
        self.lab.mailer.send(self.person, subject, body, kind="alert", tags=["deliveries"])
        self.last_sent = now
        self.emails += 1


def _clock(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%a %H:%M")


class NightlyReconciliation:
    """Compare payments with accounts both ways, repair both gaps, and report them by name.

    Paid and no account: activate. An active account and no payment that still
    stands (the money was refunded): take the access away.
    """

    def __init__(self, lab: Lab, person: str) -> None:
        self.lab, self.person = lab, person
        self.repaired: list[str] = []
        self.revoked: list[str] = []

    def __call__(self) -> None:
        # The payments are read once a night (activating an account changes none of them); the
        # customers' names only on a night with something to report, which most nights are not.
        standing = self.lab.payments.payments(status="succeeded", refunded=False)
        missing = missing_accounts(self.lab, standing)
        names = customer_names(self.lab) if missing else {}
        fixed: list[str] = []
        removed: list[str] = []
        failed: list[str] = []
        for customer, payment in missing.items():
            plan = (payment.get("metadata") or {}).get("plan", "basic")
            if self._post("activate", {"customer": customer, "plan": plan, "event": payment["id"]}, failed, names):
                fixed.append(customer)
        unpaid = unpaid_accounts(self.lab, standing)
        if unpaid and not names:
            names = customer_names(self.lab)
        for customer, refund in unpaid.items():
            if self._post("deactivate", {"customer": customer, "event": refund["id"]}, failed, names):
                removed.append(customer)
        self.repaired.extend(fixed)
        self.revoked.extend(removed)
        if not fixed and not removed and not failed:
            return
        day = self.lab.clock.now().strftime("%A %d %B")
        body = "".join(f"Gave access to {names.get(c, c)}: paid, but had no account.\n" for c in fixed)
        body += "".join(
            f"Removed access from {names.get(c, c)}: refunded, but the account was active.\n" for c in removed
        )
        body += "".join(f"Could not reach provisioning for {who}; will try again tomorrow.\n" for who in failed)
        self.lab.mailer.send(
            self.person,
            f"Reconciliation {day}: {len(fixed)} given access, {len(removed)} access removed",
            body,
            kind="alert",
            tags=["reconciliation"],
        )

    def _post(self, action: str, body: dict[str, Any], failed: list[str], names: dict[str, str]) -> bool:
        who = names.get(body["customer"], body["customer"])
        try:
            response = lab_request("POST", f"{self.lab.provisioning.url}/accounts/{action}", timeout=5, json=body)
        except requests.RequestException as exc:
            failed.append(f"{who} ({type(exc).__name__})")
            return False
        if not response.ok:
            failed.append(f"{who} (HTTP {response.status_code})")
        return response.ok


def customer_names(lab: Lab) -> dict[str, str]:
    """Customer id → 'Name (email)', the way a person reads a report."""
    return {
        c["id"]: f"{c['name']} ({c['email']})" if c.get("name") else str(c.get("email") or c["id"])
        for c in lab.payments.customers()
    }


def missing_accounts(lab: Lab, standing: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Customer → their latest good payment, for every customer who paid and has no active account.

    `standing`: the succeeded, unrefunded payments, if the caller has just read them.
    """
    active = {account["customer"] for account in lab.provisioning.accounts(status="active")}
    if standing is None:
        standing = lab.payments.payments(status="succeeded", refunded=False)
    paid: dict[str, dict[str, Any]] = {}
    for payment in standing:
        if payment.get("customer"):
            paid[payment["customer"]] = payment
    return {customer: payment for customer, payment in paid.items() if customer not in active}


def unpaid_accounts(lab: Lab, standing: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Customer → their refunded payment, for every active account whose customer has no payment that stands.

    `standing`: the succeeded, unrefunded payments, if the caller has just read them.
    """
    if standing is None:
        standing = lab.payments.payments(status="succeeded", refunded=False)
    paying = {p["customer"] for p in standing if p.get("customer")}
    refunded = {p["customer"]: p for p in lab.payments.payments(status="succeeded", refunded=True) if p.get("customer")}
    return {
        account["customer"]: refunded[account["customer"]]
        for account in lab.provisioning.accounts(status="active")
        if account["customer"] not in paying and account["customer"] in refunded
    }


def _complaint(lab: Lab) -> None:
    missing = missing_accounts(lab)
    if not missing:
        return
    customer, payment = next(iter(missing.items()))
    email = next((c["email"] for c in lab.payments.customers() if c["id"] == customer), customer)
    paid_on = datetime.fromtimestamp(payment["created"], tz=timezone.utc).strftime("%A %d %B")
    lab.mailer.send(
        SUPPORT,
        "I paid but I still can't log in",
        f"Hello, I paid for the {(payment.get('metadata') or {}).get('plan', 'basic')} plan on {paid_on} "
        f"and never received access. Can you help?\n{email}",
        sender=email if "@" in email else None,
        tags=["complaint"],
    )


# -- reading the figures back ----------------------------------------------------------


def _figures(
    lab: Lab,
    fixes: tuple[str, ...],
    outage_start: datetime,
    outage_end: datetime,
    began: float,
    *,
    repaired: list[str],
    revoked: list[str],
    person: str,
) -> CaseStudy:
    payments, provisioning = lab.payments, lab.provisioning
    endpoint_id = payments.provisioning_endpoint["id"]  # type: ignore[index]
    good = payments.payments(status="succeeded", refunded=False)
    first_paid: dict[str, dict[str, Any]] = {}
    for payment in good:
        first_paid.setdefault(payment["customer"], payment)
    accounts = {account["customer"]: account for account in provisioning.accounts()}
    emails = {customer["id"]: customer["email"] for customer in payments.customers()}
    names = {customer["id"]: customer.get("name") for customer in payments.customers()}
    # Each customer's first activation, from one read of them all (not one query per customer).
    activated: dict[str, float] = {}
    for activation in provisioning.activations():
        customer = activation["customer"]
        activated[customer] = min(activation["at"], activated.get(customer, activation["at"]))
    lost, waits = [], []
    for customer, payment in first_paid.items():
        account = accounts.get(customer)
        if account is None or account["status"] != "active":
            lost.append(
                {
                    "customer": customer,
                    "name": names.get(customer),
                    "email": emails.get(customer),
                    "plan": (payment.get("metadata") or {}).get("plan"),
                    "amount": payment["amount"],
                    "paid_at": datetime.fromtimestamp(payment["created"], tz=timezone.utc),
                }
            )
            continue
        waits.append(max(0, activated[customer] - payment["created"]))
    kept = [
        {
            "customer": refund["customer"],
            "name": names.get(refund["customer"]),
            "email": emails.get(refund["customer"]),
            "amount": refund["amount"],
            "paid_at": datetime.fromtimestamp(refund["created"], tz=timezone.utc),
        }
        for refund in unpaid_accounts(lab, good).values()
    ]
    start_ts = outage_start.timestamp()
    told = [
        m for m in lab.mailer.inbox() if m["created"] >= start_ts and (m["kind"] == "alert" or "complaint" in m["tags"])
    ]
    noticed = told[0] if told else None
    failed = payments.outbox.store.one(
        "SELECT COUNT(*) AS n, MIN(at) AS first FROM attempts WHERE endpoint_id = ? AND outcome = 'failed'",
        (endpoint_id,),
    )
    return CaseStudy(
        seed=lab.seed,
        fixes=fixes,
        started=lab.clock.start,
        ended=lab.clock.now(),
        outage_start=outage_start,
        outage_end=outage_end,
        paid=len(first_paid),
        lost=lost,
        kept_access=kept,
        active=len(provisioning.accounts(status="active")),
        first_failure=datetime.fromtimestamp(failed["first"], tz=timezone.utc) if failed and failed["first"] else None,
        noticed_at=datetime.fromtimestamp(noticed["created"], tz=timezone.utc) if noticed else None,
        noticed_by=_who_told(noticed) if noticed else None,
        failed_deliveries=int(failed["n"]) if failed else 0,
        alerts=sum("deliveries" in m["tags"] for m in lab.mailer.alerts(to=person)),
        reports=sum("reconciliation" in m["tags"] for m in lab.mailer.alerts(to=person)),
        repaired=list(repaired),
        revoked=list(revoked),
        longest_wait=timedelta(seconds=max(waits, default=0)),
        wall_seconds=round(time.perf_counter() - began, 3),
    )


def _who_told(message: dict[str, Any]) -> str:
    if "complaint" in message["tags"]:
        return "a customer's complaint"
    if "reconciliation" in message["tags"]:
        return "the nightly reconciliation"
    return "an alert email"


def _day(start: datetime, day: int, hour: int) -> datetime:
    """Day `day` of the run (day 1 is the first) at `hour`:00."""
    return (start + timedelta(days=day - 1)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _next_hour(now: datetime, hour: int) -> datetime:
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


# -- the course's automations, documented -----------------------------------------------

CATALOGUE = "docs/automations.md"


def case_study_automation(alert: str | None = ON_CALL) -> Any:
    """The case study's flow written as the lesson's formula: a payment activates an account."""
    return Automation(
        "Activate paying customers",
        when="payment_intent.succeeded",
        source="payments",
        then=Step(
            "activate", "provisioning", using={"customer": "data.object.customer", "plan": "data.object.metadata.plan"}
        ),
        alert=alert,
        why="A customer who pays expects to get in at once, at any hour; without it someone on the team would "
        "open every account by hand, and a customer who pays at night would wait until morning.",
        owner=f"Dana (operations), {ON_CALL}",
        description="The case study's automation. Every payment that succeeds gives the customer their account. "
        "Around it run the fixes of notebook 05: the sender retries failed deliveries; a watch job "
        "emails the on-call person within fifteen minutes of the first failed delivery, reminds them "
        "at most every two hours while failures go on, and says when they stop; and a nightly "
        "reconciliation at 02:00 compares payments with accounts both ways, activating anyone who "
        "paid and has no account and removing access from anyone refunded who still has it.",
    )


def course_automations() -> list[Any]:
    """Every automation the course builds, in the order the notebooks meet them."""
    return [*lesson_examples(), case_study_automation()]


def render_course_catalogue() -> str:
    """docs/automations.md as it should read: one Markdown page for every automation in the course."""
    return render_catalogue(course_automations(), title="hooklab's automations")


def write_course_catalogue(root: str | None = None) -> str:
    """Regenerate docs/automations.md (under `root`, default the current folder); return its path."""
    path = Path(root or ".") / CATALOGUE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_course_catalogue(), encoding="utf-8")
    return str(path)
