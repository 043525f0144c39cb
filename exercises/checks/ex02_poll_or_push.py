"""Exercise 02 (core track): read the race's numbers, then choose polling or webhooks for three cases.

The exercise's first cell runs the same fair race as notebook 02 (pollers and a
webhook receiver that hears only payments) and prints its table; the learner
reads three numbers off it, then picks polling or webhooks for three cases and
gives a reason in a sentence. The check compares the readings with the race the
learner ran (`race` in their notebook), and each choice and reason with what
the case needs: a promise of access within a minute, a tool with no webhooks,
and a nightly check that nothing was missed.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex02_poll_or_push/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| Replace each `...` with a number from the table: requests of poll 1 h | you read how many requests hourly polling made | wrong-row |
| … the median delay of poll 3 h, in minutes | you read how long half the payments waited …, in minutes | median-in-hours, median-read-as-hours-and-minutes |
| … the webhooks' requests | you read how many requests the webhooks made | webhooks-counted-per-event |
| 1. access within a minute of paying | case 1 (access within a minute): webhooks | polls-for-fast-access |
| 2. a tool that can only read a list | case 2 (a tool with no webhooks): polling | `case_2 = "webhooks"` |
| 3. make sure no payment was missed | case 3 (a nightly check …): polling | trusts-webhooks-to-report-misses |
| a reason of one sentence (at least six words) that says what decides it | case N: the reason says why | reason-too-short, vague-reason, reason-restates-the-question, reason-long-but-vague, reason-is-the-cost, polling-called-faster |
"""

from __future__ import annotations

import re
from typing import Any

from simulators.course.checking import Checklist, exercise, fail
from simulators.course.checking.reasoning import Idea, Misconception, Reason

ASK = (
    'For each case, write "polling" or "webhooks", and a reason of one sentence (at least six words) that says'
    " what decides it."
)
POLL = "poll*|poller*|polling|asking|ask*"
#: Each case: the right choice, the case in a few words, how a sound reason says what decides it, and a nudge.
CASES = {
    "case_1": (
        "webhooks",
        "access within a minute",
        Reason(
            "Maya promises every new customer access within a minute of paying. " + ASK,
            ideas=(
                Idea(
                    "how soon each one tells you of a payment: a webhook at once, a poller only at its next poll",
                    (
                        "at once",
                        "immediate*",
                        "instant*",
                        "right away|now",
                        "straight away",
                        "the moment ~2 pay*|paid|payment*|happen*|she|they|buy*|bought",
                        "as soon as ~2 pay*|paid|payment*|happen*|she|they|buy*|bought",
                        "real time|realtime",
                        "in seconds",
                        "second|seconds ~ later|after",
                        "0 s",
                        "no|zero|without ~ delay*|wait*|lag*",
                        "push*",
                        "when|whenever ~ happen*|pays|paid|payment* ~ arriv*|happen*|sent|send*|come*|tell*|told",
                        "webhook* ~ arriv*|come*|sent|send*|tell*|told|reach*|fire* ~ when|directly|straight",
                        f"{POLL} ~ wait*|late|later|delay*|slow*|lag*|behind|hour*|half",
                        f"{POLL} ~ too long",
                        "wait* ~ next|until|half|hour*",
                        "wait* ~ up to",
                        "every ~ minute*|hour*|10 ~ too|still|slow*|late|wait*|delay*",
                    ),
                ),
            ),
            beside=(
                Misconception(
                    ("cheap*|cost*|fewer|less|save*|efficien*|requests|traffic|load",),
                    "cost is not what decides case 1: say how soon a webhook, and how soon a poller, tells you of"
                    " a payment",
                ),
            ),
        ),
        "Say what makes the choice: how long a poller makes a customer wait, or how a webhook arrives.",
    ),
    "case_2": (
        "polling",
        "a tool with no webhooks",
        Reason(
            "The accountant's tool can only read a list of payments; it cannot receive webhooks. She needs"
            " yesterday's payments in her report by the morning. " + ASK,
            ideas=(
                Idea(
                    "what leaves polling as the way (it is the only way the tool can get them) or why it is soon"
                    " enough (a report once a day needs one poll)",
                    (
                        "only way|option|choice|possibility|method|solution",
                        "only ~ way|option|choice|thing ~ work*|possible|can|left",
                        "no other|choice|alternative",
                        "have|has|must|need* ~ to ~ ask*|poll*|fetch*|pull*|request*|download*|collect*",
                        "must ~ ask*|poll*|fetch*|pull*|request*|download*|collect*",
                        "nothing ~ receive*|listen*|catch*|hear*",
                        "can not ~ listen*|hear*|catch*",
                        "once|one ~ day|night|morning",
                        "daily|nightly|overnight",
                        "one|single ~ poll*|request*|check*",
                        f"{POLL} ~ once",
                        "no|not ~ hurry|rush|urgent|rushed",
                        "not ~ need* ~ fast*|quick*|instant*|immediat*|live|realtime|now",
                        "not ~ need* ~ real time",
                        "not ~ need* ~ right away",
                        "not ~ need* ~ at once",
                        "not ~ need* ~ up to date",
                        "delay*|wait*|late ~ fine|ok|okay|acceptable|matter*|problem",
                        "not ~ matter*",
                        "once|day|daily|morning|night|poll* ~ enough|plenty|suffic*|fine",
                    ),
                ),
            ),
            wrong=(
                Misconception(
                    (
                        f"{POLL} ~ faster|quicker|instant*|sooner|realtime",
                        f"{POLL} ~ real time",
                        "webhook* ~ slower|late|delay*",
                    ),
                    "polling is not the fast one (it is late by up to its interval): say what the accountant's"
                    " tool can and cannot do, or how fresh her report must be",
                ),
            ),
            beside=(
                Misconception(
                    ("webhook* ~ unreliabl*|fail*|lost|lose|miss*|drop*|break*", "reliabl*|safer|safe"),
                    "whether webhooks get lost is not what decides case 2: say what the accountant's tool can and"
                    " cannot do, or how fresh her report must be",
                ),
            ),
        ),
        "Say what makes the choice: what the accounting tool can and cannot do, or how often the report is needed.",
    ),
    "case_3": (
        "polling",
        "a nightly check that no payment was missed",
        Reason(
            "Every night, Maya wants to make sure no payment was missed because a webhook never arrived. " + ASK,
            ideas=(
                Idea(
                    "how you find a payment whose webhook never came: a missing webhook tells you nothing, so you"
                    " ask the payment system for its own list and compare",
                    (
                        "compar*",
                        "reconcil*",
                        "match* ~ against|with|up",
                        "check* ~2 against|every|each|whole|full|list",
                        "check* ~2 all ~1 payment*",
                        "cross check*",
                        "ask* ~ payment|stripe|payments|source|all|every",
                        "full|whole|complete|own|every|all|entire ~ list",
                        "list ~ of|every|all ~ payment*",
                        "source of truth",
                        "go|goes|look*|read*|count* ~ through|over|at ~ every|all|each ~ payment*",
                        "not|never ~ tell*|know*|say*|announc*|report*|notic*|warn*|alert*|see|find",
                        "no way ~ know*|tell*|find*|see",
                        "would not ~ know*|notic*|hear*|see",
                        "silent*|silence",
                        "nothing ~ arriv*|come*|comes|tell*|tells",
                        "not ~ hear*|told ~ about ~ it|one|them",
                    ),
                ),
            ),
            beside=(
                Misconception(
                    ("fast*|quick*|realtime|instant*|cheap*|fewer|cost*|slow*|delay*", "real time"),
                    "speed or cost does not decide case 3: say how you find a payment whose webhook never came",
                ),
            ),
        ),
        "Say what makes the choice: what a webhook cannot tell you about the ones that never arrived.",
    ),
}

HINTS = (
    "Read each number from the table the first cell printed, and write polling or webhooks for each case.",
    "Polling costs one request per poll whether or not anything happened, and is late by up to its interval;"
    " a webhook costs one request per event you subscribed to and arrives at once, if it arrives.",
)


@exercise(
    "ex02_poll_or_push",
    notebook="02_poll_or_push",
    title="Poll or push? Read the race, then choose",
    needs=[
        "race",
        "requests_hourly",
        "median_delay_3h_minutes",
        "webhook_requests",
        *CASES,
        *(f"reason_{n}" for n in (1, 2, 3)),
    ],
    hints=HINTS,
    timeout=30,
)
def check(ns: dict[str, Any]) -> Any:
    answers = ["requests_hourly", "median_delay_3h_minutes", "webhook_requests", *CASES]
    if all(ns[name] is Ellipsis for name in answers):
        fail(
            "the answers are still `...`: replace each ... with what you read or chose, run the cell, then this check",
            *HINTS,
        )
    results = {result.label: result for result in ns["race"].results()}
    hourly, rare, hooks = results.get("poll 1 h"), results.get("poll 3 h"), results.get("webhooks")
    if hourly is None or rare is None or hooks is None:
        fail(
            "the race in the first cell has changed: run the first cell again as it is, then your cell and this check",
            *HINTS,
        )

    c = Checklist()
    c.expect(
        _number(ns["requests_hourly"]) == hourly.requests,
        "you read how many requests hourly polling made",
        f"you wrote {ns['requests_hourly']!r}; "
        + (
            "write only the number, without words"
            if _number(ns["requests_hourly"]) is None and ns["requests_hourly"] is not Ellipsis
            else f"the table's poll 1 h line says {hourly.requests}" + _other_row(ns["requests_hourly"], results)
        ),
        hints=("Find the line that starts with poll 1 h and read its requests.", HINTS[1]),
    )
    median = rare.percentile(0.5) / 60
    written = _number(ns["median_delay_3h_minutes"])
    c.expect(
        written is not None and _near(written, median),
        "you read how long half the payments waited with polling every 3 hours, in minutes",
        f"you wrote {ns['median_delay_3h_minutes']!r}" + _median_slip(written, median, results),
        hints=(
            "The poll 3 h line gives the median in hours: multiply by 60 for minutes.",
            "The median is the middle delay: half the payments waited longer, half less.",
        ),
    )
    c.expect(
        _number(ns["webhook_requests"]) == hooks.requests,
        "you read how many requests the webhooks made",
        f"you wrote {ns['webhook_requests']!r}; "
        + (
            "write only the number, without words"
            if _number(ns["webhook_requests"]) is None and ns["webhook_requests"] is not Ellipsis
            else f"the table's webhooks line says {hooks.requests}"
        ),
        hints=("Find the line that starts with webhooks and read its requests.", HINTS[1]),
    )
    for number, (case, (right, story, reasons, nudge)) in enumerate(CASES.items(), 1):
        chosen = _choice(ns[case])
        c.expect(
            chosen == right,
            f"case {number} ({story}): {right}",
            f"you chose {ns[case]!r}",
            hints=(nudge, HINTS[1]),
        )
        verdict = reasons.judge(ns[f"reason_{number}"], name=f"reason_{number}")
        c.expect(
            verdict.ok,
            f"case {number}: the reason says why",
            verdict.message,
            hints=(
                nudge,
                "A reason names what the case needs (how fresh, what the other system can do, what could"
                " be missed) and how polling or webhooks meet it.",
            ),
        )
    return c.result()


def _choice(value: Any) -> str:
    text = value.strip().strip(".!\"'").strip().lower() if isinstance(value, str) else ""
    if re.fullmatch(r"(web ?hooks?|push)", text):
        return "webhooks"
    if re.fullmatch(r"(poll|polling|pull)", text):
        return "polling"
    return text


def _number(value: Any) -> float | None:
    """A number as written: 72, 72.0 or "72" (quotes are a slip of form, not of reading)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def _near(written: float, minutes: float) -> bool:
    return abs(written - minutes) <= max(6, 0.1 * minutes)


def _median_slip(written: float | None, median: float, results: dict[str, Any]) -> str:
    """What the learner's median most likely is instead: hours, seconds, 1.2 h read as 1 h 20 min, another row."""
    hours = round(median / 60, 1)  # as the table prints it
    if written is None:
        return f": write the number of minutes, such as {round(median)}, not words or units"
    if _near(written * 60, median):
        return f": that is in hours; the question asks for minutes ({hours:g} h is {hours:g} × 60 minutes)"
    whole = int(hours)
    if round((hours - whole) * 100) and abs(written - (whole * 60 + round((hours - whole) * 100))) < 0.5:
        return (
            f": {hours:g} h is a decimal, not {whole} h {round((hours - whole) * 100)} min; in minutes it is"
            f" {hours:g} × 60"
        )
    if _near(written / 60, median):
        return ": that is in seconds; the question asks for minutes"
    for label, result in results.items():
        if label != "poll 3 h" and result.delays and _near(written, result.percentile(0.5) / 60):
            return f": that is the median of the {label} line; the question asks about poll 3 h"
    return ": read the median on the poll 3 h line and turn it into minutes"


def _other_row(value: Any, results: dict[str, Any]) -> str:
    for label, result in results.items():
        if value == result.requests and label != "poll 1 h":
            return f" ({value} is the {label} line)"
    return ""
