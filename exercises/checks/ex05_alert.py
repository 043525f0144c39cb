"""Exercise 05, part 1: the alert rule.

`alert_on_failures(lab, endpoint_id, since)` reads the payment system's delivery
log and emails the named person ON_CALL (kind "alert") once when deliveries to
the endpoint failed after `since`; it stays quiet otherwise and returns how
many failed attempts it found. The check runs it against a live lab whose
endpoint goes down while customers pay, with retries still pending.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex05_alert/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| find the attempts to `endpoint_id` | looks only at deliveries to its own endpoint (endpoint_id) | ignores-the-endpoint |
| … that failed (`outcome`) | emails ON_CALL when deliveries fail (before the sender gives up) | status-codes-only |
| find the attempts … that failed after `since` | does not repeat failures from before `since` (its count in the email goes wrong first) | ignores-since |
| if there are any, send one email | sends one email per look, not one per failure | one-email-per-failure |
| to the person in `ON_CALL` | emails ON_CALL when deliveries fail (before the sender gives up) | alerts-a-list |
| `kind="alert"` | marks it as an alert (kind="alert") | ordinary-email |
| saying how many failed and which events | says what failed: how many, and which events | says-nothing-useful, count-only |
| send nothing when nothing failed | stays quiet when every delivery succeeded | always-sends |
| return the number of failed attempts it found | returns 0 when nothing failed; returns the number of failed attempts it found | counts-events |
"""

from __future__ import annotations

import re

from simulators.course.checking import Checklist, exercise, fail

from .ex05_common import EVENTS, on_call

HINTS = (
    "Print what the delivery log holds for this endpoint (lab.payments.outbox.attempts(endpoint_id=...)): which"
    " of its fields say that an attempt failed, and when?",
    "Alert on the first failed attempt, not when the sender gives up (that can take days). One email per "
    "look, to one named person, saying what failed; nothing at all when nothing failed.",
)


def _names_count(text: str, count: int) -> bool:
    """Whether `text` states `count` as a number of its own (not inside "15 minutes" or an id)."""
    for match in re.finditer(rf"(?<![\w.]){count}(?![\w.])", text):
        if not re.match(r"\s*(min|minute|minutes|h|hour|hours|s|sec|seconds)\b", text[match.end() :]):
            return True
    return False


def _pay(lab, n, email_prefix):  # type: ignore[no-untyped-def]
    for number in range(n):
        customer = lab.payments.create_customer(f"{email_prefix}{number}@example.com")
        lab.payments.pay(customer["id"], 1900, metadata={"plan": "basic"})


@exercise(
    "ex05_alert",
    notebook="05_case_study_silent_failure",
    title="The alert rule",
    needs=["ON_CALL", "alert_on_failures"],
    hints=HINTS,
    systems=["mailer", "payments"],
    seed=51,
    timeout=90,
)
def check(ns, lab, variant):
    person = on_call(ns)
    if person is None:
        fail(
            f"ON_CALL must be the email address of the person to alert, not {ns.get('ON_CALL')!r}",
            'Name one person, such as ON_CALL = "dana.ops@example.com".',
            HINTS[1],
        )
    rule = ns["alert_on_failures"]
    receiver = lab.host(lambda request: None, name="shop")
    endpoint = lab.payments.add_endpoint(receiver.url, EVENTS, retry_policy="stripe")
    endpoint_id = endpoint["id"]
    c = Checklist()

    # All is well at the learner's endpoint: nothing to say, although another team's endpoint is down.
    partner = lab.host(lambda request: None, name="partner")
    partner_id = lab.payments.add_endpoint(partner.url, EVENTS, retry_policy="stripe")["id"]
    partner.faults.down()
    quiet_since = lab.clock.time()
    _pay(lab, 3, "happy")
    lab.settle()
    lab.advance(minutes=15)
    found = rule(lab, endpoint_id, quiet_since)
    mails = lab.mailer.inbox()
    elsewhere = [a for a in lab.payments.outbox.attempts(endpoint_id=partner_id) if a["outcome"] == "failed"]
    said = " ".join(f"{m['subject']} {m['body']}" for m in mails)
    # Evidence that it read the other endpoint's failures: it counted some, or named their events.
    counted_elsewhere = type(found) is int and found > 0
    named_elsewhere = any(a["event_id"] in said for a in elsewhere)
    c.require(
        not (counted_elsewhere or named_elsewhere),
        "looks only at deliveries to its own endpoint (endpoint_id)",
        f"only another endpoint's deliveries failed ({len(elsewhere)} attempts), and it "
        + ("reported them" if named_elsewhere else f"counted {found}")
        + " as this endpoint's failures",
        hints=(
            "Ask the log for this endpoint's attempts only: lab.payments.outbox.attempts(endpoint_id=endpoint_id).",
            "The payment system delivers to many endpoints; an alert about someone else's is noise to this person.",
        ),
    )
    partner.faults.up()
    c.require(
        not mails,
        "stays quiet when every delivery succeeded",
        f"it sent {len(mails)} message(s) although no delivery failed",
        hints=(
            "Send only when you found failed attempts.",
            "An alert that fires when nothing is wrong teaches people to ignore it.",
        ),
    )
    c.expect(found == 0, "returns 0 when nothing failed", f"it returned {found!r}")

    # The endpoint goes down while two customers pay; the sender keeps retrying.
    trouble_since = lab.clock.time()
    receiver.faults.down()
    _pay(lab, variant.rng("ex05_alert").randint(2, 5) if variant.seed else 2, "unlucky")
    lab.settle()
    lab.advance(minutes=15)
    failed = [
        a
        for a in lab.payments.outbox.attempts(endpoint_id=endpoint_id)
        if a["outcome"] == "failed" and a["at"] > trouble_since
    ]
    found = rule(lab, endpoint_id, trouble_since)
    alerts = [m for m in lab.mailer.inbox() if m["created"] >= trouble_since]
    to_person = [m for m in alerts if m["to"] == person]
    c.require(
        bool(to_person),
        f"emails {person} when deliveries fail (before the sender gives up)",
        f"{len(failed)} attempts failed in the last 15 minutes and no email reached {person}"
        + (f" (it went to {alerts[0]['to']})" if alerts else "")
        + (
            ": the endpoint could not be reached, so those attempts have no HTTP status; their outcome is 'failed'"
            if not alerts and failed and all(a["status"] is None for a in failed)
            else ""
        ),
        hints=HINTS,
    )
    c.expect(
        len(alerts) == 1,
        "sends one email per look, not one per failure",
        f"it sent {len(alerts)} emails for {len(failed)} failed attempts",
        hints=(
            "Collect the failures first, then send a single email about all of them.",
            "Fifty emails in an hour get filtered; one that says 'fifty deliveries failed' gets read.",
        ),
    )
    c.expect(
        all(m["kind"] == "alert" for m in to_person),
        'marks it as an alert (kind="alert")',
        f"the email was sent with kind={to_person[0]['kind']!r}" if to_person else "",
        hints=('Pass kind="alert" to lab.mailer.send.', "Alerts and ordinary email go to different places."),
    )
    events = {a["event_id"] for a in failed}
    text = " ".join(m["subject"] + " " + m["body"] for m in to_person)
    counted, named = _names_count(text, len(failed)), all(event in text for event in events)
    if not counted and not named:
        seen = "the email names neither the number of failures nor the event ids" + (
            f" (the {len(failed)} in it is a time, not the count)" if str(len(failed)) in text else ""
        )
    elif not counted:
        seen = f"the email does not say how many attempts failed ({len(failed)})"
    else:
        seen = f"the email names {sum(event in text for event in events)} of the {len(events)} events that failed"
    c.expect(
        counted and named,
        "says what failed: how many, and which events",
        seen,
        hints=(
            "Put the number of failed attempts and the ids of their events in the subject or body.",
            "The person must be able to act on the alert without digging.",
        ),
    )
    c.expect(
        found == len(failed),
        "returns the number of failed attempts it found",
        f"it returned {found!r}; the log shows {len(failed)}",
    )

    # Nothing new since the last look: no repeat of old news.
    again_since = lab.clock.time()
    receiver.faults.up()
    before = len(lab.mailer.inbox())
    rule(lab, endpoint_id, again_since)
    repeated = len(lab.mailer.inbox()) - before
    c.expect(
        repeated == 0,
        "does not repeat failures from before `since`",
        f"it sent {repeated} more email(s) about failures it had already reported",
        hints=("Keep only attempts with a['at'] > since.", "Each look reports what is new since the last one."),
    )
    return c.result()
