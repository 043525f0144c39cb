"""Exercise 06's runbook: the automation it documents, the form's questions, and the page the answers make.

The runbook is for the case study's automation, "Activate paying customers". Each choice's wrong options
are the misconceptions the case study met, and each carries the sentence a check says when it is chosen.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from simulators.course.forms import Field, choice, choices, text
from simulators.course.scenarios import ON_CALL, case_study_automation

AUTOMATION = case_study_automation()

#: The owner: one person with a name, and each wrong option's misconception.
OWNER = f"Dana (operations), {ON_CALL}"
OWNERS = {
    OWNER: "",
    "The operations team, ops@example.com": "a team mailbox is read by everyone, so by no one in particular: "
    "name the one person who answers for it",
    "Whoever is on call that week": "'whoever' is nobody by name: on the week it breaks, each thinks it is "
    "another's turn",
    "The payment system, which sends the event": "a system cannot own anything: it will not notice that it "
    "stopped, nor fix itself",
    "Dana and Marco together": "two owners each wait for the other: name one",
}

#: What the customer sees when it breaks.
SEES = "Their payment goes through, but they cannot log in: no account was opened"
CUSTOMER_SEES = {
    SEES: "",
    "Their card is declined at checkout": "the payment succeeded: what breaks is the news of it reaching "
    "provisioning, after the customer paid",
    "An error message on the checkout page": "the checkout page only takes the payment, and it went through: "
    "the page says thank you",
    "Nothing: it all happens behind the scenes": "the customer paid and cannot get in: they notice first, "
    "usually before you do",
    "They are charged twice when the sender retries": "a retry sends the news of the payment again, never the "
    "payment itself",
}

#: How we know it works: the two right options, and what each wrong one misses.
ALERT = "An email to Dana within 15 minutes of the first failed delivery (the alert)"
NIGHTLY = "The nightly check at 02:00 that compares payments with accounts (the reconciliation)"
HOW_WE_KNOW = {
    ALERT: "",
    NIGHTLY: "",
    "A customer writes to support": "a complaint is how the case study found out, days late: it is what "
    "happens when nothing else works",
    "The payment system shows the payment as succeeded": "the payment succeeding says nothing about the "
    "account: that is exactly the failure",
    "The webhook was sent, so it arrived": "sent is not received: the case study's deliveries were sent and failed",
    "Someone reads the log now and then": "nobody reads a log on a Sunday night: a log explains a failure, "
    "it does not announce one",
}

QUESTIONS: list[Field] = [
    text(
        "RUNBOOK.why",
        "1. Why does it exist? What would go wrong without it?",
        lines=3,
        placeholder="In a sentence or two, for a colleague who has never seen it…",
    ),
    choice("RUNBOOK.owner", "2. Who owns it?", OWNERS),
    choice("RUNBOOK.customer_sees", "3. When it breaks, what does the customer see?", CUSTOMER_SEES),
    choices("RUNBOOK.how_we_know", "4. How do we know it works? Tick every one that would tell us.", HOW_WE_KNOW),
    text(
        "RUNBOOK.last_change",
        "5. What changed last? One line: the date, then what changed.",
        placeholder="2026-11-30: …",
    ),
]
#: The answers' keys, in the form's order.
KEYS = tuple(field.name.split(".", 1)[1] for field in QUESTIONS)
LABELS = {field.name.split(".", 1)[1]: field.label for field in QUESTIONS}

_DATE = re.compile(
    r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"  # 2026-11-30
    r"|\b(\d{1,2}) (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* (\d{4})\b"  # 30 November 2026
    r"|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* (\d{1,2}),? (\d{4})\b",  # November 30, 2026
    re.IGNORECASE,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def find_date(line: str) -> tuple[str, tuple[int, int, int] | None] | None:
    """The first date written in `line` and its (year, month, day), None as the triple when no such day exists."""
    found = _DATE.search(line)
    if not found:
        return None
    g = found.groups()
    if g[0]:
        year, month, day = int(g[0]), int(g[1]), int(g[2])
    elif g[3]:
        year, month, day = int(g[5]), _MONTHS.index(g[4][:3].lower()) + 1, int(g[3])
    else:
        year, month, day = int(g[8]), _MONTHS.index(g[6][:3].lower()) + 1, int(g[7])
    try:
        date(year, month, day)
    except ValueError:
        return found.group(0), None
    return found.group(0), (year, month, day)


def runbook_page(answers: dict[str, Any]) -> str:
    """The one-page runbook the answers make, in Markdown (unanswered parts say so)."""

    def said(key: str) -> str:
        value = answers.get(key, ...)
        if value is ... or value in ("", [], None):
            return "*not answered yet*"
        return "; ".join(value) if isinstance(value, list) else str(value)

    return "\n".join(
        [
            f"# Runbook: {AUTOMATION.name}",
            "",
            f"> {AUTOMATION.describe()}",
            "",
            f"- **Why it exists:** {said('why')}",
            f"- **Owner:** {said('owner')}",
            f"- **If it breaks, the customer sees:** {said('customer_sees')}",
            f"- **How we know it works:** {said('how_we_know')}",
            f"- **Last change:** {said('last_change')}",
        ]
    )


# The names a notebook imports from `simulators.course`, where a bare QUESTIONS or AUTOMATION would be unclear.
RUNBOOK_AUTOMATION = AUTOMATION
RUNBOOK_QUESTIONS = QUESTIONS
