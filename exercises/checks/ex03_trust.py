"""Exercise 03 (core track): five webhook deliveries at the door; act on each, or refuse it and say why.

No code to write. The notebook prints five deliveries as cards (what each
says, when it was signed, the fingerprint in its header and the one our secret
makes of its body); `DECISIONS` gives one of four answers per delivery, and
`WHY_TOO_OLD` says in a sentence why a correctly signed webhook from last week
is refused. The check asks the lab's own verifier (`verify_stripe`) about each
delivery and compares: nothing here is hard-coded but the pile itself.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex03_trust/):

| Clause | Step | Wrong answer |
|---|---|---|
| give each delivery one of the four answers | every answer is one of the four choices | own_words |
| act on a delivery that is genuine, welcome news or not | acts on every genuine delivery | refuses_the_refund, refuses_everything |
| refuse what the verifier refuses: changed, unsigned, replayed | refuses every delivery the lab's verifier refuses | trusts_everything, accepts_the_replay |
| name the reason a changed delivery is refused | delivery A: the reason is the one the verifier gives | changed_called_too_old |
| name the reason an unsigned delivery is refused | delivery C: the reason is the one the verifier gives | unsigned_called_changed |
| say in a sentence why last week's well-signed webhook is refused | WHY_TOO_OLD says why an old but well-signed webhook is refused | why_without_replay |
"""

from __future__ import annotations

from typing import Any

from simulators.course.checking import Checklist, exercise, fail
from simulators.course.trust import ACT, CHOICES, suspect_deliveries

MIN_WORDS = 8
REPLAY_WORDS = ("again", "replay", "captur", "copied", "copy", "resen", "re-sen", "reuse", "twice", "someone else")
HINTS = (
    "Look at each card in turn: is there a signature at all? Do the two fingerprints match? "
    "Was it signed within the last five minutes before it arrived?",
    "A receiver acts only on a webhook whose fingerprint, made with the secret only the payment system and you "
    "share, matches its exact body, and that was signed moments ago. Whether the news is welcome does not matter.",
)


def _norm(value: Any) -> str:
    return " ".join(value.lower().split()) if isinstance(value, str) else ""


def _labels(labels: list[str]) -> str:
    return " and ".join(labels) if len(labels) <= 2 else ", ".join(labels[:-1]) + " and " + labels[-1]


@exercise(
    "ex03_trust",
    notebook="03_trust",
    title="Core: which webhooks to act on?",
    needs=["DECISIONS", "WHY_TOO_OLD"],
    hints=HINTS,
    systems=[],
    timeout=30,
)
def check(ns: dict[str, Any]) -> Any:
    pile = suspect_deliveries()
    decisions = ns["DECISIONS"]
    if not isinstance(decisions, dict):
        fail(f"DECISIONS must stay a dict with one answer per delivery, not {type(decisions).__name__}", *HINTS)
    missing = [label for label in pile.labels if label not in decisions]
    if missing:
        fail(f"DECISIONS has no answer for {_labels(missing)}: keep the five letters as they are", *HINTS)
    if all(decisions[label] is Ellipsis for label in pile.labels):
        fail("DECISIONS is still `...`: replace each ... with one of the four answers, then run this check", *HINTS)
    said = {label: _norm(decisions[label]) for label in pile.labels}
    truth = pile.verdicts()

    c = Checklist()
    strange = [label for label in pile.labels if said[label] not in CHOICES]
    c.require(
        not strange,
        "every answer is one of the four choices",
        f"{_labels(strange)}: {decisions[strange[0]]!r} is not one of "
        + ", ".join(repr(choice) for choice in CHOICES)
        + " (copy one, quotes included)"
        if strange
        else "",
        hints=("Copy the answers exactly as the list above the cell writes them.", *HINTS),
    )
    genuine = [label for label in pile.labels if truth[label] == ACT]
    refused = [label for label in genuine if said[label] != ACT]
    c.expect(
        not refused,
        f"acts on every genuine delivery ({_labels(genuine)})",
        f"you refuse {_labels(refused)}, but the lab's verifier accepts it: the fingerprints match and it was signed"
        " moments before it arrived"
        + (
            " (a refund is unwelcome news, but genuine)"
            if any("refunded" in d.says for d in _pick(pile, refused))
            else ""
        ),
        hints=HINTS,
    )
    forged = [label for label in pile.labels if truth[label] != ACT]
    trusted = [label for label in forged if said[label] == ACT]
    c.expect(
        not trusted,
        f"refuses every delivery the lab's verifier refuses ({_labels(forged)})",
        f"you would act on {_labels(trusted)}: "
        + "; ".join(f"{label} is {truth[label].removeprefix('refuse: ')}" for label in trusted),
        hints=HINTS,
    )
    for label in forged:
        c.expect(
            said[label] == truth[label] or said[label] == ACT,
            f"delivery {label}: the reason is the one the verifier gives ({truth[label].removeprefix('refuse: ')})",
            f"you wrote {decisions[label]!r}; look again at delivery {label}'s card",
            hints=(_nudge(truth[label]), *HINTS),
        )
    why = ns["WHY_TOO_OLD"]
    words = len(why.split()) if isinstance(why, str) else 0
    c.expect(
        words >= MIN_WORDS and any(word in _norm(why) for word in REPLAY_WORDS),
        "WHY_TOO_OLD says why an old but well-signed webhook is refused",
        "WHY_TOO_OLD is empty"
        if not words
        else f"WHY_TOO_OLD has {words} words: write a sentence of at least {MIN_WORDS}"
        if words < MIN_WORDS
        else "WHY_TOO_OLD does not say what someone could do with a webhook they captured",
        hints=(
            "A signature proves who made a webhook, not when it was sent to you: what could someone who copied "
            "one genuine webhook do with it next week?",
            *HINTS,
        ),
    )
    return c.result()


def _pick(pile: Any, labels: list[str]) -> list[Any]:
    return [delivery for delivery in pile.deliveries if delivery.label in labels]


def _nudge(truth: str) -> str:
    if "fingerprint" in truth:
        return "There is a signature, but the fingerprint our secret makes of this body is not the one in the header."
    if "too long" in truth:
        return "The fingerprints match: look at when it was signed, and when it arrived."
    return "There is no signature header at all, so nothing proves who sent it."
