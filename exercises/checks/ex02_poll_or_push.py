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
| … the median delay of poll 3 h, in minutes | you read how long half the payments waited …, in minutes | median-in-hours |
| … the webhooks' requests | you read how many requests the webhooks made | webhooks-counted-per-event |
| 1. access within a minute of paying | case 1 (access within a minute): webhooks | polls-for-fast-access |
| 2. a tool that can only read a list | case 2 (a tool with no webhooks): polling | `case_2 = "webhooks"` |
| 3. make sure no payment was missed | case 3 (a nightly check …): polling | trusts-webhooks-to-report-misses |
| a reason of one sentence (at least six words) that says what decides it | case N: the reason says why | reason-too-short, vague-reason |
"""

from __future__ import annotations

import re
from typing import Any

from simulators.course.checking import Checklist, exercise, fail

CASES = {
    "case_1": (
        "webhooks",
        "access within a minute",
        (
            "minute",
            "second",
            "instant",
            "immediate",
            "at once",
            "right away",
            "real time",
            "real-time",
            "0 s",
            "delay",
            "wait",
            "late",
            "fast",
            "quick",
            "straight away",
            "the moment",
        ),
        "Say what makes the choice: how long a poller makes a customer wait, or how a webhook arrives.",
    ),
    "case_2": (
        "polling",
        "a tool with no webhooks",
        (
            "no webhook",
            "not send",
            "doesn't send",
            "does not send",
            "cannot",
            "can't",
            "no way",
            "only",
            "once a day",
            "once",
            "morning",
            "schedule",
            "daily",
            "night",
            "doesn't offer",
            "does not offer",
            "offer",
        ),
        "Say what makes the choice: what the accounting tool can and cannot do, or how often the report is needed.",
    ),
    "case_3": (
        "polling",
        "a nightly check that no payment was missed",
        (
            "miss",
            "lost",
            "lose",
            "down",
            "reconcil",
            "compar",
            "check",
            "source of truth",
            "deliver",
            "fail",
            "never arrive",
            "didn't arrive",
            "did not arrive",
        ),
        "Say what makes the choice: what a webhook cannot tell you about the ones that never arrived.",
    ),
}
MIN_WORDS = 6

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
        ns["requests_hourly"] == hourly.requests,
        "you read how many requests hourly polling made",
        f"you wrote {ns['requests_hourly']!r}; the table's poll 1 h line says {hourly.requests}"
        + _other_row(ns["requests_hourly"], results),
        hints=("Find the line that starts with poll 1 h and read its requests.", HINTS[1]),
    )
    median = rare.percentile(0.5) / 60
    written = ns["median_delay_3h_minutes"]
    hours_instead = isinstance(written, (int, float)) and abs(written * 60 - median) <= max(6, 0.1 * median)
    c.expect(
        isinstance(written, (int, float))
        and not isinstance(written, bool)
        and abs(written - median) <= max(6, 0.1 * median),
        "you read how long half the payments waited with polling every 3 hours, in minutes",
        f"you wrote {written!r}" + (": that is in hours; the question asks for minutes" if hours_instead else ""),
        hints=(
            "The poll 3 h line gives the median in hours: multiply by 60 for minutes.",
            "The median is the middle delay: half the payments waited longer, half less.",
        ),
    )
    c.expect(
        ns["webhook_requests"] == hooks.requests,
        "you read how many requests the webhooks made",
        f"you wrote {ns['webhook_requests']!r}; the table's webhooks line says {hooks.requests}",
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
        reason = ns[f"reason_{number}"]
        words = len(reason.split()) if isinstance(reason, str) else 0
        sound = isinstance(reason, str) and any(word in reason.lower() for word in reasons)
        c.expect(
            words >= MIN_WORDS and sound,
            f"case {number}: the reason says why",
            "the reason is missing"
            if not words
            else f"the reason has {words} words"
            if words < MIN_WORDS
            else "the reason does not say what decides the case",
            hints=(
                nudge,
                "A reason names what the case needs (how fresh, what the other system can do, what could"
                " be missed) and how polling or webhooks meet it.",
            ),
        )
    return c.result()


def _choice(value: Any) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if re.fullmatch(r"(web ?hooks?|push)", text):
        return "webhooks"
    if re.fullmatch(r"(poll|polling|pull)", text):
        return "polling"
    return text


def _other_row(value: Any, results: dict[str, Any]) -> str:
    for label, result in results.items():
        if value == result.requests and label != "poll 1 h":
            return f" ({value} is the {label} line)"
    return ""
