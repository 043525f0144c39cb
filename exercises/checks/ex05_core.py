"""Exercise 05, core path: an alert rule written as a spec, and a reconciliation report read back.

No code to write. `ALERT_RULE` says who is told, when, and how often; the check
turns it into the case study's watch job and replays the six-hour outage with
retries switched on, then reads the on-call person's inbox: someone must hear
within fifteen minutes, without being buried in emails, and hear when it is
over. `GIVEN_ACCESS` and `ACCESS_REMOVED` are the names a learner reads off the
nightly reconciliation's reports; the check replays the same run and compares
them with what the reconciliation really did.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex05_alert_rule/ and ex05_report/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| Part A: `"who"`: one person's email address | names one person by email address | a-team-not-a-person, two-people, team-mailbox, two-people-semicolon |
| `"when"`: first failure or sender gives up | says when the first email goes; someone hears within 15 min of the first failed delivery | asap; waits-for-the-sender |
| `"remind every"`: such as 15 min, 2 h, never | says how often to remind; sends at most 6 emails about one six-hour outage | remind-often, remind-every-five-minutes, remind-without-a-unit; reminds-every-look |
| `"all clear"`: True or False | says whether to send an all-clear; says when it is over | all-clear-in-quotes; no-all-clear |
| Fill in the four answers | the rule is filled in | the untouched stub |
| Part B: who was given access (copy the names as the reports write them) | every name is a customer in the reports; GIVEN_ACCESS names the 5 … | misspelt-name; first-report-only, lists-swapped |
| … and who had their access removed | ACCESS_REMOVED names the 4 refunded customers … | one-missing |
| say, in a sentence, why those customers still had access | WHY_REMOVED says in a sentence why they still had access | why-in-one-word, why-without-the-refund, why-restates-the-question, why-blames-the-outage, why-refund-without-the-handler, why-they-never-paid |
"""

from __future__ import annotations

import functools
import re
from datetime import timedelta
from typing import Any

from simulators.course.checking import Checklist, exercise, fail
from simulators.course.checking.reasoning import Idea, Misconception, Reason, one_person_problem
from simulators.course.scenarios import DEFAULT_SEED, WATCH_EVERY, AlertRule, run_case_study
from simulators.lab import Lab

#: The most emails about one six-hour outage that a person still reads.
MOST_EMAILS = 6
#: How soon after the first failed delivery the person must hear.
HEAR_WITHIN = timedelta(minutes=15)
NEVER = timedelta(days=30)

ALERT_HINTS = (
    "Fill in all four answers; the task above the cell says what each may be: who, when the first email goes,"
    " how often to remind, and whether to say when it is over.",
    "An alert is for a person who will act: tell them at the first failure (the sender may retry for days), "
    "remind them rarely enough that they keep reading, and tell them when it is over.",
)
REPORT_HINTS = (
    "Read every report in the cell above: lines that start 'Gave access to' and lines that start 'Removed access "
    "from'. Copy each customer's name into the matching list.",
    "A two-way reconciliation repairs two gaps: people who paid and have no account, and people who have an "
    "account and no payment that still stands.",
)


def _minutes(text: Any) -> timedelta | None:
    """'15 min', '2 h', '90 minutes', '1.5 hours', 'never' → a span (None: not understood)."""
    if not isinstance(text, str):
        return None
    value = text.strip().lower()
    if value in ("never", "no reminders", "none"):
        return NEVER
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(min|mins|minute|minutes|h|hr|hrs|hour|hours)", value)
    if not match:
        return None
    amount = float(match.group(1))
    return timedelta(hours=amount) if match.group(2).startswith("h") else timedelta(minutes=amount)


@functools.cache
def _replay(rule: AlertRule) -> tuple[int, timedelta | None]:
    """The case study's outage, with retries, watched by `rule`: emails sent, and how soon the first one went."""
    run = run_case_study(DEFAULT_SEED, ["retries", "alert"], alert_rule=rule)
    return run.alerts, run.time_to_notice


@exercise(
    "ex05_alert_rule",
    notebook="05_case_study_silent_failure",
    title="Core: write the alert rule (who, when, how often)",
    needs=["ALERT_RULE"],
    hints=ALERT_HINTS,
    systems=[],
    timeout=120,
)
def check_alert_rule(ns):
    rule = ns["ALERT_RULE"]
    if not isinstance(rule, dict):
        fail(f"ALERT_RULE must stay a dict with four answers, not {type(rule).__name__}", *ALERT_HINTS)
    c = Checklist()
    who, when, often, clear = (rule.get(key) for key in ("who", "when", "remind every", "all clear"))
    c.require(
        bool(who) or bool(when) or bool(often) or clear is not None,
        "the rule is filled in",
        "all four answers are still empty",
        hints=ALERT_HINTS,
    )
    person = one_person_problem(who, "dana.ops@example.com")
    c.expect(
        not person,
        "names one person by email address",
        f"'who': {person}",
        hints=("A team, a channel or a log file is nobody in particular: name one person who will act.", *ALERT_HINTS),
    )
    when = " ".join(when.lower().split()) if isinstance(when, str) else when
    c.expect(
        when in ("first failure", "sender gives up"),
        "says when the first email goes ('first failure' or 'sender gives up')",
        f"'when' is {rule.get('when')!r}: copy one of the two answers, 'first failure' or 'sender gives up'",
        hints=ALERT_HINTS,
    )
    span = _minutes(often)
    c.expect(
        span is not None and span >= WATCH_EVERY,
        "says how often to remind (such as '2 h', or 'never')",
        f"'remind every' is {often!r}: "
        + (
            "the watch looks only every 15 min, so it cannot remind more often: write 15 min or more"
            if span is not None
            else "say the unit too, such as '120 min' or '2 h'"
            if isinstance(often, (int, float)) or str(often).strip().replace(".", "").isdigit()
            else "write a time such as '30 min' or '2 h' (the watch looks every 15 min)"
        ),
        hints=ALERT_HINTS,
    )
    c.expect(
        isinstance(clear, bool),
        "says whether to send an all-clear (True or False)",
        f"'all clear' is {clear!r}"
        + (
            ": write True or False without quotes"
            if str(clear).strip().lower() in ("true", "false", "yes", "no")
            else ""
        ),
        hints=ALERT_HINTS,
    )
    if not c.ok:
        return c.result()
    spec = AlertRule(person=who, on=when, remind_every=span or NEVER, all_clear=clear)
    emails, noticed = _replay(spec)
    c.details.update(emails=emails, time_to_notice=str(noticed))
    heard = noticed is not None and noticed <= HEAR_WITHIN
    c.expect(
        heard,
        "someone hears within 15 min of the first failed delivery",
        "nobody heard during the whole outage: with retries, the sender gives up only after days"
        if noticed is None
        else f"the first email came {noticed} after the first failure",
        hints=("Alert at the 'first failure', not when the sender gives up.", *ALERT_HINTS),
    )
    c.expect(
        emails <= MOST_EMAILS,
        f"sends at most {MOST_EMAILS} emails about one six-hour outage",
        f"your rule sent {emails} emails about the same outage: after a few, a person stops reading them "
        "(alert fatigue)",
        hints=("Remind less often: every 2 h is plenty for an outage that retries are already healing.", *ALERT_HINTS),
    )
    c.expect(
        clear,
        "says when it is over (an all-clear)",
        "without an all-clear the person cannot tell a quiet inbox from an outage that is still going on",
        hints=ALERT_HINTS,
    )
    return c.result()


def _norm(text: Any) -> str:
    return " ".join(str(text).lower().split())


def _answer(ns: dict[str, Any], name: str) -> list[str]:
    value = ns[name]
    if not isinstance(value, (list, tuple, set)) or not all(isinstance(v, str) for v in value):
        fail(f"{name} must be a list of names in quotes, such as ['Ada Lovelace'], not {value!r}", *REPORT_HINTS)
    return [_norm(v) for v in value if v.strip()]


def _matches(answer: list[str], people: dict[str, tuple[str, str]], expected: set[str]) -> tuple[set[str], list[str]]:
    """The customer ids the answer names (by name or email), and the answers that name nobody in `people`.

    Two customers can share a name: a name counts for the one the report is about, if it is one of them.
    """
    named: set[str] = set()
    unknown = []
    for text in answer:
        found = {cid for cid, (name, email) in people.items() if text in (_norm(name), _norm(email))}
        named.update(found & expected or found)
        if not found:
            unknown.append(text)
    return named, unknown


#: Ways to say a step did not act (on the refund): not/never/nobody ... handled it.
NOT = "not|never|no|nothing|nobody|noone|without|none"
ACTED = (
    "handl*|process*|listen*|react*|act|acts|acted|acting|close*|closing|deactivat*|revok*|cancel*|subscri*|hear|"
    "heard|told|tell*|notic*|catch*|caught|pick*|respond*|rule|automation|step|handler|code|know*|watch*|turn*|shut*"
)
WHY_REMOVED = Reason(
    "Now answer from the reports: who was given access (paid, had no account), and who had their access removed?"
    " Copy the names as the reports write them. Then say, in a sentence, why those customers still had access:"
    " what did they do after paying, and what did provisioning do about it?",
    ideas=(
        Idea(
            "what these customers did after paying (they got their money back: a refund)",
            ("refund*", "money back", "repaid", "reimburs*", "charge* ~ back|revers*", "chargeback*", "pay* ~ back"),
        ),
        Idea(
            "what provisioning did with the refund (its handler only acts on payments and ignores refunds)",
            (
                "ignor*",
                "only ~ act*|handl*|listen*|react*|look*|know*|care*|respond*|process*|open*|activat*|subscri*|"
                "deal*|watch* ~ payment*|pay*|succeed*|succes*|activat*|open*|sign*|purchase*",
                f"{NOT} ~ {ACTED}",
                "missing|lack*|forgot*|forgotten|skip*|dropped ~ handler|rule|step|automation|code|refund*|event*",
                "did|does ~ nothing",
            ),
        ),
    ),
    wrong=(
        Misconception(
            (
                "outage*",
                "was|were|went ~1 down",
                "never|not ~1 arriv*|deliver*|reach*|received|came|sent",
                "webhook*|event*|deliver*|deliveries ~1 lost|fail*|dropped|missed",
            ),
            "the refunds' webhooks did arrive; the outage is the other gap (the people given access). Say what"
            " provisioning's handler does with a refund",
        ),
        Misconception(
            ("never|not|didn ~ pay|paid", "declin*", "payment* ~ fail*"),
            "these customers did pay; then they got their money back. Say what provisioning did with the refund",
        ),
    ),
)


@functools.cache
def _what_the_reconciliation_did() -> tuple[set[str], set[str], dict[str, tuple[str, str]]]:
    """Whom the case study's reconciliation gave access and took it from, and every customer's name and email.

    The run is seeded and the lab clock virtual, so it is the same every time: computed once per process.
    """
    with Lab(seed=DEFAULT_SEED, systems=["mailer", "provisioning", "payments"]) as lab:
        run = run_case_study(lab=lab, fixes=["reconciliation"])
        people = {c["id"]: (c.get("name") or "", c["email"]) for c in lab.payments.customers()}
    return set(run.repaired), set(run.revoked), people


@exercise(
    "ex05_report",
    notebook="05_case_study_silent_failure",
    title="Core: read the reconciliation's reports",
    needs=["GIVEN_ACCESS", "ACCESS_REMOVED", "WHY_REMOVED"],
    hints=REPORT_HINTS,
    systems=[],
    timeout=120,
)
def check_report(ns):
    given, removed = _answer(ns, "GIVEN_ACCESS"), _answer(ns, "ACCESS_REMOVED")
    why = ns["WHY_REMOVED"]
    if not given and not removed:
        fail("GIVEN_ACCESS and ACCESS_REMOVED are still empty: copy the names from the reports above", *REPORT_HINTS)
    repaired, revoked, people = _what_the_reconciliation_did()
    named_given, unknown_given = _matches(given, people, repaired)
    named_removed, unknown_removed = _matches(removed, people, revoked)
    c = Checklist()
    unknown = unknown_given + unknown_removed
    c.expect(
        not unknown,
        "every name is a customer in the reports",
        f"no customer is called {unknown[0]!r}" if unknown else "",
        hints=("Copy the names exactly as the report writes them (or their email addresses).", *REPORT_HINTS),
    )
    for named, expected, label, extra in (
        (named_given, repaired, "GIVEN_ACCESS", "customers who paid and had no account"),
        (named_removed, revoked, "ACCESS_REMOVED", "refunded customers who still had access"),
    ):
        wrong = len(named - expected)
        c.expect(
            named == expected,
            f"{label} names the {len(expected)} {extra}",
            f"you named {len(named & expected)} of them"
            + (f", and {wrong} customer(s) the reports do not put in this list" if wrong else "")
            + " (there is one report a night: read them all)",
            hints=REPORT_HINTS,
        )
    verdict = WHY_REMOVED.judge(why, name="WHY_REMOVED")
    c.expect(
        verdict.ok,
        "WHY_REMOVED says in a sentence why they still had access",
        verdict.message,
        hints=(
            "What did these customers do after paying, and what did provisioning's handler do with that event?",
            REPORT_HINTS[1],
        ),
    )
    return c.result()
