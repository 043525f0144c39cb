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
| say in a sentence why last week's well-signed webhook is refused | WHY_TOO_OLD says why an old but well-signed webhook is refused | why_without_replay, why_restates_the_rule, why_the_secret_changed, why_the_news_is_stale, why_the_sender_retries |
"""

from __future__ import annotations

from typing import Any

from simulators.course.checking import Checklist, exercise, fail
from simulators.course.checking.reasoning import Idea, Misconception, Reason
from simulators.course.trust import ACT, CHOICES, suspect_deliveries

MIN_WORDS = 8
#: The question WHY_TOO_OLD answers, as the notebook asks it: its own words are no evidence.
WHY_QUESTION = (
    "Delivery D is a real webhook, signed by the payment system with the right secret. In WHY_TOO_OLD, say in a"
    " sentence (at least eight words) why provisioning must still refuse it. refuse: signed too long ago"
)
SEND = "send*|sent|resen*|post*|deliver*|use|used|uses|using|submit*|play*|fire*|forward*|replay*"
COPY = "copie*|copy*|captur*|intercept*|stole|steal*|stolen|record*|sniff*|grab*|eavesdrop*"
WHO = "someone|somebody|anyone|anybody|attacker*|hacker*|thie*|stranger*|whoever|criminal*|fraudster*|scammer*"
TOO_OLD = Reason(
    WHY_QUESTION,
    ideas=(
        Idea(
            "what someone who copied it could do with it next week (send it again)",
            (
                "replay*",
                "resen*",
                "re send*",
                "reus*",
                "re use*",
                "repeat*",
                "twice",
                "second time",
                "more than once",
                "over and over",
                f"{SEND} ~ again|whenever|anytime|forever",
                "again ~ again",
                f"{COPY} ~ {SEND}",
                f"{WHO} ~ could|can|might|would|may ~1 {SEND} ~1 it|this|that|same|copy|old|them",
            ),
        ),
    ),
    wrong=(
        Misconception(
            ("secret* ~ chang*|rotat*|expir*|replac*|differ*|leak*", "old|new|different|expired ~ secret*"),
            "the secret is the right one (the two fingerprints match): the danger is someone sending a genuine"
            " webhook they copied again, later",
        ),
        Misconception(
            (
                "fingerprint* ~ not ~ match*",
                "fingerprint* ~ differ*|wrong|mismatch*",
                "body ~ chang*|alter*|modif*|tamper*",
                "tamper*",
            ),
            "delivery D's fingerprints match, so nobody changed it: say what someone who copied it could do with it",
        ),
        Misconception(
            ("system|stripe|sender ~ retr*|resen*|again",),
            "the payment system does not send a delivered webhook again: the danger is someone else sending a copy"
            " of it",
        ),
        Misconception(
            (
                "out of date",
                "outdated",
                "stale",
                "no longer true|valid|correct",
                "old news",
                "may|might|could have changed",
            ),
            "a genuine payment stays genuine, however old: the danger is someone sending a copy of it again",
        ),
    ),
    min_words=MIN_WORDS,
)
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
    verdict = TOO_OLD.judge(ns["WHY_TOO_OLD"], name="WHY_TOO_OLD")
    c.expect(
        verdict.ok,
        "WHY_TOO_OLD says why an old but well-signed webhook is refused",
        verdict.message,
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
