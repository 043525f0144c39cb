"""Exercise 06 (core track): a one-page runbook for the case study's automation, answered in a form.

No code to write. The form (simulators/course/runbook.py) writes `RUNBOOK`, a dict of five answers: why
the automation exists (words), its owner, what the customer sees when it breaks (choices), how we know it
works (ticks), and its last change (a dated line). A choice's wrong options are the case study's
misconceptions, and choosing one fails with that misconception named. The two answers in words are judged
by the parts of the idea they must hold, counting only words the learner added: the question's own words
are no evidence.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex06_runbook/):

| Clause | Step | Wrong answer |
|---|---|---|
| why it exists: what would go wrong without it | says why it exists: who pays, what they get, and that nobody waits for a person | why-without-the-wait, why-repeats-the-question |
| who owns it: one named person | names one owner: a person, not a team or a system | team-mailbox |
| what the customer sees when it breaks | says what the customer sees: paid, and no account | card-declined |
| how we know it works: the alert | knows of a failed delivery from the alert to Dana | nightly-only |
| how we know it works: the nightly check | knows of a missed activation from the nightly check | alert-only |
| tick only what would tell us | trusts nothing that cannot see the failure | complaint-is-the-alarm |
| what changed last: a dated line | dates the last change and says what changed | undated-change |
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from simulators.course.checking import Checklist, exercise, fail
from simulators.course.checking.reasoning import Idea, Reason
from simulators.course.runbook import (
    ALERT,
    CUSTOMER_SEES,
    HOW_WE_KNOW,
    KEYS,
    LABELS,
    NIGHTLY,
    OWNERS,
    find_date,
)

HINTS = (
    "Answer the five questions in the form and press Submit. The case study (notebook 05) has every answer: who "
    "is alerted, what the nightly check does, and what the five customers saw.",
    "A runbook is for the colleague who meets this automation for the first time, on the day it breaks: why it "
    "matters, whom to ask, what customers will report, what tells us, and what changed recently.",
)
#: A sound reason names who pays, what they get, and that nobody waits for a person; only its own words count.
WHY = Reason(
    question=LABELS["why"],
    ideas=(
        Idea("who pays", ("pay*|paid|purchas*|buy*|bought|subscri*|charg*|card*|checkout",)),
        Idea(
            "what they get",
            ("account*|access*|activat*|open*|plan*|product*|service*", "log* in|on", "sign* in", "get* in"),
        ),
        Idea(
            "that nobody has to wait for a person",
            (
                "immediate*|instant*|wait*|hand|manual*|nobody|automatic*|night*|weekend*|morning|delay*|quick*|fast*",
                "at once",
                "right|straight away",
                "as soon",
                "second*|minute*",
                "no one",
                "any hour|time",
                "real time",
                "24 7",
            ),
        ),
    ),
    min_words=5,
)
#: Fewest words of its own a change line holds beside its date.
CHANGE_WORDS = 2
_WORD = re.compile(r"[a-z0-9/']+")


def own_words(answer: str, question: str) -> list[str]:
    """The answer's words that are not the question's: only these count as evidence."""
    asked = set(_WORD.findall(question.lower()))
    return [word for word in _WORD.findall(answer.lower()) if word not in asked]


def _unanswered(value: Any) -> bool:
    return value is Ellipsis or value in ("", None, [])


@exercise(
    "ex06_runbook",
    notebook="06_runbook",
    title="Core: a one-page runbook",
    needs=["RUNBOOK"],
    hints=HINTS,
    systems=[],
    timeout=30,
)
def check(ns: dict[str, Any]) -> Any:
    runbook = ns["RUNBOOK"]
    if not isinstance(runbook, dict):
        fail(f"RUNBOOK must stay the form's dict of five answers, not {type(runbook).__name__}", *HINTS)
    answers = {key: runbook.get(key, ...) for key in KEYS}
    if all(_unanswered(value) for value in answers.values()):
        fail("the runbook is still empty: answer the five questions in the form, then press Submit", *HINTS)
    c = Checklist()
    _words(
        c,
        answers["why"],
        "says why it exists: who pays, what they get, and that nobody waits for a person",
        _why_problem,
        ("Say it for a customer: what did they do, what do they get, and how soon?", *HINTS),
    )
    _choice(
        c,
        answers["owner"],
        OWNERS,
        "names one owner: a person, not a team or a system",
        ("An owner is the one person a colleague calls on the day it breaks.", *HINTS),
    )
    _choice(
        c,
        answers["customer_sees"],
        CUSTOMER_SEES,
        "says what the customer sees: paid, and no account",
        ("Follow one customer of the case study: what did they do, and what could they not do afterwards?", *HINTS),
    )
    ticked = answers["how_we_know"]
    ticked = [] if _unanswered(ticked) else list(ticked) if isinstance(ticked, (list, tuple)) else [ticked]
    know = ("Which of these would tell us, on a Sunday night, without a customer's help?", *HINTS)
    c.expect(
        ALERT in ticked,
        "knows of a failed delivery from the alert to Dana",
        "without the alert, a delivery that fails at 09:00 is found at 02:00 the next night at the earliest: "
        "tick the alert",
        hints=know,
    )
    c.expect(
        NIGHTLY in ticked,
        "knows of a missed activation from the nightly check",
        "the alert hears only of failed deliveries; a payment whose news never arrived, or a customer activated "
        "wrongly, only the nightly comparison of payments with accounts finds: tick it",
        hints=know,
    )
    wrong = [option for option in ticked if option not in (ALERT, NIGHTLY)]
    c.expect(
        not wrong,
        "trusts nothing that cannot see the failure",
        f"“{wrong[0]}”: {HOW_WE_KNOW[wrong[0]]}"
        if wrong and wrong[0] in HOW_WE_KNOW
        else f"“{wrong[0]}” is not one of the form's options"
        if wrong
        else "",
        hints=know,
    )
    _words(
        c,
        answers["last_change"],
        "dates the last change and says what changed",
        _change_problem,
        ("A change line reads like “2026-11-30: added the nightly check at 02:00”.", *HINTS),
    )
    return c.result()


def _words(c: Checklist, value: Any, step: str, problem_of: Callable[[str], str], hints: tuple[str, ...]) -> None:
    """A step judged on words: `problem_of` says what is wrong with them, or nothing."""
    problem = "not answered yet" if _unanswered(value) or not isinstance(value, str) else problem_of(value)
    c.expect(not problem, step, problem, hints=hints)


def _why_problem(why: str) -> str:
    verdict = WHY.judge(why, name=f"“{why}”")
    return "" if verdict.ok else verdict.message


def _change_problem(line: str) -> str:
    found = find_date(line)
    if found is None:
        return f"“{line}” has no date: write the day, such as 2026-11-30"
    written, day = found
    if day is None:
        return f"“{written}” is not a day of the calendar"
    if len(own_words(line.replace(written, " "), LABELS["last_change"])) < CHANGE_WORDS:
        return f"“{line}” gives a date but not what changed, such as “added the alert to Dana”"
    return ""


def _choice(c: Checklist, value: Any, options: dict[str, str], step: str, hints: tuple[str, ...]) -> None:
    if _unanswered(value):
        c.expect(False, step, "not answered yet", hints=hints)
    elif value not in options:
        c.expect(False, step, f"“{value}” is not one of the form's options", hints=hints)
    else:
        c.expect(not options[value], step, f"“{value}”: {options[value]}", hints=hints)
