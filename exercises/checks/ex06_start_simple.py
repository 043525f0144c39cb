"""Exercise 06 (core track): start simple. Pick the smallest first version of an automation, and what to add later.

No code to write. The team asks for one automation with five actions; the
learner picks the first version (`FIRST_VERSION`, letters from the list), the
order to add the rest (`ADD_LATER`), says why the small version comes first
(`WHY_SMALL`), and writes the first line of its documentation
(`DOCUMENTATION`). The check reads the letters against the request: the first
version does what the customer paid for, still tells a person when it fails,
and is one action; the rest come one at a time, each after what it needs.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex06_start_simple/):

| Clause | Step | Wrong answer |
|---|---|---|
| answer with letters from the request | FIRST_VERSION and ADD_LATER are lists of letters from the request | words_not_letters |
| the first version does what the customer paid for | the first version does what the customer paid for | welcome_email_first |
| … and still tells a person when it fails | the first version still tells a person when it fails | no_alert |
| … and is one action | the first version is one action, not a chain | everything_at_once |
| add every other action later, once each | ADD_LATER adds each other action once | forgets_the_sales_email |
| nothing comes before what it needs | each later action comes after what it needs | task_before_contact |
| say why the small version comes first | WHY_SMALL says why the small version comes first | vague_why, why_restates_the_question, why_quicker_to_build, why_long_but_vague |
| write the first line of its documentation: what it does, when, for whom, and why it exists | DOCUMENTATION says what the automation does and why it exists | todo_documentation, documentation_without_why, documentation_of_the_whole_wish, documentation_keywords_only |
"""

from __future__ import annotations

from typing import Any

from simulators.course.checking import Checklist, exercise, fail
from simulators.course.checking.reasoning import Idea, Misconception, Reason, Verdict

#: The team's request, one letter per piece, as the notebook lists it.
PIECES = {
    "A": "open the customer's account in provisioning",
    "B": "send the customer a welcome email",
    "C": "add the customer to the CRM as a contact",
    "D": "create a CRM task for an onboarding call with that contact",
    "E": "email the sales team that a new customer arrived",
    "F": "tell dana.ops@example.com when a step fails",
}
PAID_FOR = "A"
ALERT = "F"
ACTIONS = ("A", "B", "C", "D", "E")
#: Which piece needs which before it: the onboarding task is for the contact.
NEEDS = {"D": "C"}
MIN_WORDS = 8
WHY_SMALL = Reason(
    "WHY_SMALL: a sentence (at least eight words): why start with that small version?",
    ideas=(
        Idea(
            "what a small first version makes easier when something goes wrong (few places to look, easy to test"
            " and fix before adding more)",
            (
                "debug*",
                "test*",
                "troubleshoot*",
                "isolat*",
                "pinpoint*",
                "fix*|repair*",
                "find*|found|spot*|locat*|see|sees|tell*|know*|trac*|pinpoint* ~ problem*|fault*|bug*|error*|issue*|"
                "cause*|culprit|wrong|broke*|fail*|which|where",
                "few|fewer|less|only|two|one ~ place*|part*|thing*|step*|piece*|point* ~ look*|check*|break|fail*|"
                "search*|inspect*|suspect*|wrong",
                "prove*|proven|verify*|confirm*|sure|check* ~ work*|reliabl*",
                "work* ~ reliabl*|first|before",
                "before ~ add*|adding|grow*|build*|next",
                "moving parts",
                "less|fewer ~2 break|fail*|wrong",
            ),
        ),
    ),
    wrong=(
        Misconception(
            ("test* ~2 everything|all|whole ~2 at once|together",),
            "testing everything at once is what the small version avoids: say what one small piece makes easier when"
            " something goes wrong",
        ),
    ),
    beside=(
        Misconception(
            ("quick*|fast*|sooner|cheap*|money|effort|lazy|budget", "less work", "less time", "save* ~1 time"),
            "building it quicker is not the reason: say what a small version makes easier when something goes wrong",
        ),
    ),
    min_words=MIN_WORDS,
)
#: Pieces of the wish the first version does not have: a first line that promises them documents something else.
LATER_WORDS = {
    "B": "welcome",
    "C": "contact",
    "D": "onboarding",
    "E": "sales",
}
DOCUMENTATION = Reason(
    "DOCUMENTATION: the first line of the page that documents the first version, for the colleague who inherits it"
    " in six months: what it does, when, for whom, and why it exists (at least eight words).",
    ideas=(
        Idea(
            "when it runs (when a customer pays)",
            ("pay*|paid|purchas*|buy*|buys|bought|checkout|subscrib*|payment*",),
        ),
        Idea(
            "what it does (opens the customer's account, or gives them access)",
            (
                "account*",
                "access",
                "activat*|provision*|unlock*|login",
                "log|sign in",
            ),
        ),
        Idea(
            "why it exists (so that no customer pays without getting access)",
            (
                "so|because|since|ensur*|guarantee*|otherwise|purpose|reason|goal|nobody|noone|never|without",
                "make|makes sure",
                "in order",
                "no one",
            ),
        ),
        Idea(
            "for whom (the customer who paid)",
            ("customer*|client*|buyer*|user*|subscriber*|member*|people|person|everyone|anyone|they|them|their",),
        ),
    ),
    min_words=MIN_WORDS,
)
HINTS = (
    "Use the letters of the list. The first version is the one action the customer paid for, plus the person "
    "told when it fails; everything else goes to ADD_LATER, in an order where nothing comes before what it needs.",
    "A two-step automation is easier to build, test and debug than a chain: when it breaks there are few places "
    "to look. Once it works reliably, add one step at a time.",
)


def _letters(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return None
    return [v.strip().upper() for v in value]


def _listed(letters: list[str]) -> str:
    return ", ".join(letters) if letters else "nothing"


@exercise(
    "ex06_start_simple",
    notebook="06_start_simple",
    title="Core: start simple",
    needs=["FIRST_VERSION", "ADD_LATER", "WHY_SMALL", "DOCUMENTATION"],
    hints=HINTS,
    systems=[],
    timeout=30,
)
def check(ns: dict[str, Any]) -> Any:
    answers = ("FIRST_VERSION", "ADD_LATER", "WHY_SMALL", "DOCUMENTATION")
    if all(ns[name] is Ellipsis for name in answers):
        fail("the answers are still `...`: replace each ... with your choice, then run this check", *HINTS)
    first, later = _letters(ns["FIRST_VERSION"]), _letters(ns["ADD_LATER"])
    c = Checklist()
    strange = [v for v in (first or []) + (later or []) if v not in PIECES]
    c.require(
        first is not None and later is not None and not strange,
        "FIRST_VERSION and ADD_LATER are lists of letters from the request",
        f"{strange[0]!r} is not one of the letters {', '.join(PIECES)}"
        if strange
        else "write each as a list of letters in quotes, such as ['A', 'B']",
        hints=("Write the letters, such as ['A', 'B'], not the words they stand for.", *HINTS),
    )
    assert first is not None and later is not None
    c.expect(
        PAID_FOR in first,
        "the first version does what the customer paid for (A: open the account)",
        f"your first version is {_listed(first)}: a customer who paid still has no account",
        hints=("What did the customer pay for? Without it, nothing else matters to them.", *HINTS),
    )
    c.expect(
        ALERT in first,
        "the first version still tells a person when it fails (F)",
        "nobody is told when the first version fails: that is how the case study's silent failure began",
        hints=("Even the smallest version names the person who hears of a failure.", *HINTS),
    )
    actions = [v for v in first if v in ACTIONS]
    c.expect(
        len(actions) == 1,
        "the first version is one action, not a chain",
        f"your first version has {len(actions)} actions ({_listed(actions)}): when it breaks, there are "
        f"{len(actions)} places to look"
        if actions
        else "your first version does nothing",
        hints=HINTS,
    )
    rest = [v for v in ACTIONS if v not in first]
    missing = [v for v in rest if v not in later]
    twice = sorted({v for v in later if later.count(v) > 1 or v in first})
    c.expect(
        not missing and not twice,
        "ADD_LATER adds each other action once",
        f"ADD_LATER leaves out {_listed(missing)} ({PIECES[missing[0]]})"
        if missing
        else f"ADD_LATER has {_listed(twice)} again: each piece goes in once",
        hints=HINTS,
    )
    order = [(step, need) for step, need in NEEDS.items() if step in later and need in later]
    wrong = [(step, need) for step, need in order if later.index(step) < later.index(need)]
    c.expect(
        not wrong,
        "each later action comes after what it needs",
        f"{wrong[0][0]} comes before {wrong[0][1]}: the onboarding task needs the contact to exist first"
        if wrong
        else "",
        hints=HINTS,
    )
    doc = ns["DOCUMENTATION"]
    extra = [letter for letter, word in LATER_WORDS.items() if isinstance(doc, str) and word in doc.lower()]
    for name, label, reason, nudge in (
        (
            "WHY_SMALL",
            "WHY_SMALL says why the small version comes first",
            WHY_SMALL,
            "Say what a small first version makes easier when something goes wrong.",
        ),
        (
            "DOCUMENTATION",
            "DOCUMENTATION says what the automation does and why it exists",
            DOCUMENTATION,
            "Write it for the colleague who inherits it: when does it run, what does it do, for whom, and why?",
        ),
    ):
        verdict = reason.judge(ns[name], name=name)
        if verdict.ok and name == "DOCUMENTATION" and extra:
            verdict = Verdict(
                False,
                f"DOCUMENTATION describes {PIECES[extra[0]]} ({extra[0]}), which the first version does not do:"
                " document only what it does",
            )
        c.expect(verdict.ok, label, verdict.message, hints=(nudge, *HINTS))
    return c.result()
