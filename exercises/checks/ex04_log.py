"""Exercise 04 (core track): read a morning's log, find who paid and never got an account, and say what a log line holds.

No code to write. The notebook prints the log of a seeded morning (five people
pay; a receiver outage, a declined card and a provisioning outage). The
learner names the customer who paid and has no account (`NEVER_ACTIVATED`),
the step that stopped trying (`STOPPED_TRYING`), when it gave up (`GAVE_UP_AT`)
and what our receiver answered the payment system for that customer's webhook
(`WEBHOOK_ANSWER`); then picks the fields every log line must hold
(`LOG_LINE_MUST_HOLD`). The check runs the same morning and compares each
answer with what the systems really did.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex04_log/):

| Clause | Step | Wrong answer |
|---|---|---|
| name the customer who paid and has no account | names the customer who paid and never got an account | the_declined_card, the_failed_deliveries, two_customers |
| say which step stopped trying for her | says which step stopped trying | blames_the_delivery, blames_provisioning |
| say when it gave up, as hours and minutes | says when our queue gave up | first_failure_time |
| say what our receiver answered her webhook | says what our receiver answered the payment system for that webhook | thinks_the_webhook_failed |
| pick the fields from the list | every field picked is one of the list | (a field name typed differently: described in words) |
| leave out what must stay secret | a log line never holds a secret or a card number | logs_the_card_number |
| hold every field a reader needs | a log line holds the time, step, customer, event id, what happened and the error | no_event_id, no_customer, no_time |
"""

from __future__ import annotations

import functools
import re
import time
from typing import Any

from simulators.course.activation_log import LOG_FIELDS as FIELDS
from simulators.course.activation_log import STEPS, Morning, activation_morning, gave_up_at
from simulators.course.checking import Checklist, exercise, fail

REQUIRED = ("time", "step", "customer", "event id", "what happened", "error")
NEVER_IN_A_LOG = ("card number", "signing secret")
WHY_FIELD = {
    "time": "without the time you cannot put the steps in order or say how long a customer waited",
    "step": "without the step you cannot tell which system to look at",
    "customer": "without the customer you cannot follow one person's payment through the systems",
    "event id": "without the event id you cannot tell a retry of the same payment from a new one",
    "what happened": "without the outcome a line says that something happened, not whether it worked",
    "error": "without the error you know it failed but not why, so not what to fix",
}
HINTS = (
    "Start from the end: which customers have an 'account activated' line? Which of the others has a "
    "'payment succeeded' line? Then read that customer's lines top to bottom.",
    "A webhook answered with 200 was acknowledged: the payment system's part was done, and any retrying "
    "after that was our queue's job. A line that says 'gave up' is where the trying stopped.",
)


@functools.cache
def _morning() -> Morning:
    """The exercise's morning: seeded and on the lab clock, so one run per process is enough."""
    return activation_morning()


def _norm(value: Any) -> str:
    return " ".join(str(value).lower().split()) if isinstance(value, str) else ""


@exercise(
    "ex04_log",
    notebook="04_read_the_log",
    title="Core: read the log",
    needs=["NEVER_ACTIVATED", "STOPPED_TRYING", "GAVE_UP_AT", "WEBHOOK_ANSWER", "LOG_LINE_MUST_HOLD"],
    hints=HINTS,
    systems=[],
    timeout=60,
)
def check(ns: dict[str, Any]) -> Any:
    answers = ["NEVER_ACTIVATED", "STOPPED_TRYING", "GAVE_UP_AT", "WEBHOOK_ANSWER", "LOG_LINE_MUST_HOLD"]
    if all(ns[name] is Ellipsis or ns[name] == [Ellipsis] for name in answers):
        fail("the answers are still `...`: replace each ... with what you read in the log, then run this check", *HINTS)
    morning = _morning()
    [lost] = morning.never_activated()
    names = {line.customer for line in morning.lines}
    c = Checklist()

    named = _norm(ns["NEVER_ACTIVATED"])
    # "Grace Hopper", "grace", or "Hopper": one person either way, if only one customer answers to it.
    match = [name for name in names if named and (_norm(name) == named or named in _norm(name).split())]
    match = match if len(match) == 1 else [name for name in match if _norm(name) == named]
    who = match[0] if match else None
    c.require(
        who == lost,
        "names the customer who paid and never got an account",
        _who_instead(morning, who, ns["NEVER_ACTIVATED"]),
        hints=HINTS,
    )
    lines = morning.of(lost)
    stopped = [line for line in lines if "gave up" in line.what]
    chosen = _norm(ns["STOPPED_TRYING"]).strip(".")
    chosen = "our queue" if chosen in ("queue", "the queue", "our queue", "the our queue") else chosen
    c.expect(
        chosen == stopped[0].step,
        f"says which step stopped trying ({stopped[0].step})",
        f"STOPPED_TRYING is {ns['STOPPED_TRYING']!r}"
        + (
            f": {lost}'s webhook was delivered at the first try, so the payment system had nothing to retry"
            if chosen == "delivery"
            else ": provisioning was down and tried nothing; the step that tried again and again, then gave up,"
            " wrote the 'gave up' line"
            if chosen == "provisioning"
            else ": payments took her money, and its part ended there; read the step of the line that says 'gave up'"
            if chosen == "payments"
            else f": write one of {', '.join(repr(s) for s in STEPS)}, the step whose line says 'gave up'"
        ),
        hints=("Find the line for this customer that says 'gave up': its step column names who stopped.", *HINTS),
    )
    gave_up = gave_up_at(morning, lost)
    assert gave_up is not None  # the morning is built so that the queue gives up on her
    written = _norm(ns["GAVE_UP_AT"]).replace(".", ":").replace("h", ":").removesuffix(" am").strip()
    first_failure = next(line for line in lines if "failed" in line.what)
    c.expect(
        bool(re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", written)) and written[:5].zfill(5) == f"{gave_up:%H:%M}",
        "says when our queue gave up (hours:minutes)",
        f"GAVE_UP_AT is {ns['GAVE_UP_AT']!r}"
        + (
            ": that is the first failed try; the queue tried again several times before it gave up"
            if written[:5].zfill(5) == time.strftime("%H:%M", time.gmtime(first_failure.at))
            else ": write the time of the 'gave up' line, such as '09:45'"
        ),
        hints=("The time is the first column of the line that says 'gave up'.", *HINTS),
    )
    delivered = [line for line in lines if line.step == "delivery"]
    status = re.search(r"\((\d{3})\)", delivered[-1].what)
    answer = ns["WEBHOOK_ANSWER"]
    if isinstance(answer, str) and answer.strip().isdigit():
        answer = int(answer)  # "200" in quotes: the right reading, written as text
    c.expect(
        status is not None and answer == int(status.group(1)) and not isinstance(answer, bool),
        "says what our receiver answered the payment system for that webhook",
        f"WEBHOOK_ANSWER is {ns['WEBHOOK_ANSWER']!r}: "
        + (
            f"that is an answer from another line; read the number in brackets on {lost}'s own 'delivery' line"
            if isinstance(answer, int) and re.search(rf"\({answer}\)", str(morning))
            else f"find {lost}'s 'delivery' line and read the number in brackets"
        ),
        hints=(
            "The answer is the number in brackets on the delivery line: it was acknowledged at once.",
            *HINTS,
        ),
    )
    picked = ns["LOG_LINE_MUST_HOLD"]
    if not isinstance(picked, (list, tuple, set)) or not all(isinstance(p, str) for p in picked):
        picked = []
    picked_norm = {_norm(p) for p in picked}
    unknown = sorted(p for p in picked_norm if p not in FIELDS)
    c.expect(
        not unknown,
        "every field picked is one of the list",
        f"{unknown[0]!r} is not in the list; pick from {', '.join(repr(f) for f in FIELDS)}" if unknown else "",
        hints=("Copy each field's name exactly as the list writes it, in quotes.", *HINTS),
    )
    leaked = [f for f in NEVER_IN_A_LOG if f in picked_norm]
    c.expect(
        not leaked,
        "a log line never holds a secret or a card number",
        f"{leaked[0]!r} must never be written to a log: everyone who can read the log could use it" if leaked else "",
        hints=("Logs are read by many people and kept for months: leave out anything that must stay secret.", *HINTS),
    )
    left_out = [f for f in REQUIRED if f not in picked_norm]
    c.expect(
        not left_out,
        "a log line holds the time, step, customer, event id, what happened and the error",
        f"you left out {left_out[0]!r}: {WHY_FIELD[left_out[0]]}" if left_out else "",
        hints=("Read one line of the log above and name what each column tells you.", *HINTS),
    )
    return c.result()


def _who_instead(morning: Morning, who: str | None, written: Any) -> str:
    if who is None:
        if isinstance(written, (list, tuple, set)):
            return f"NEVER_ACTIVATED is a list, {written!r}: write one name in quotes, such as 'Ada Lovelace'"
        text = _norm(written)
        named = sorted({line.customer for line in morning.lines if _norm(line.customer) in text})
        if len(named) > 1:
            return (
                f"NEVER_ACTIVATED names {len(named)} customers ({' and '.join(named)}): one customer paid and has"
                " no account; name that one alone"
            )
        return f"NEVER_ACTIVATED is {written!r}: nobody in the log is called that; copy the name as the log writes it"
    if who not in morning.paid:
        return f"{who} never paid (the card was declined): no account is the right outcome"
    return f"{who} has an 'account activated' line: the account was opened in the end"
