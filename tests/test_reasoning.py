"""The judge of free-text answers: ideas said in any words, typos forgiven, the question's own words no evidence."""

from __future__ import annotations

import pytest

from simulators.course.checking.reasoning import (
    Idea,
    Misconception,
    Reason,
    addresses,
    find,
    one_person_problem,
    words,
)

REPLAY = Reason(
    "Why must provisioning refuse a webhook signed a week ago, though its signature is right?",
    ideas=(Idea("what someone who copied it could do (send it again)", ("replay*", "send* ~ again")),),
    wrong=(Misconception(("secret* ~ chang*",), "the secret did not change"),),
    beside=(Misconception(("rule*",), "a rule is not a reason"),),
    min_words=5,
)


def test_words_are_lowercase_with_contractions_opened_and_addresses_whole() -> None:
    assert words("It CAN'T tell you; Stripe's list, dana.ops@example.com.") == [
        "it",
        "can",
        "not",
        "tell",
        "you",
        "stripe",
        "list",
        "dana.ops@example.com",
    ]


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("replay*", "it could be replayed", True),
        ("replay*", "it could be relpayed", True),  # two letters swapped
        ("replay*", "it could be replyed", True),  # a letter missing
        ("send* ~ again", "someone sends the same old webhook again", True),
        ("send* ~ again", "send it to us on monday and then on tuesday again", False),  # too far apart
        ("send* ~1 again", "send it again", True),
        ("send* ~1 again", "send the webhook once again", False),
        ("money back", "they got their money back", True),
        ("money back", "back their money", False),  # word order matters inside a phrase
        ("not ~ tell*", "a lost webhook can't tell you", True),
        ("@", "tell dana.ops@example.com", True),
        ("rely", "reply", False),  # short words must match exactly
    ],
)
def test_a_phrase_is_found_in_order_within_its_gaps_and_forgives_one_typo(phrase: str, text: str, found: bool) -> None:
    assert find(phrase, list(words(text))) is found


@pytest.mark.parametrize(
    "answer",
    [
        "Someone who copied it could send it to us again next week.",
        "An attacker could replay the old webhook whenever they like.",
        "Anyone holding a copy could send it agian nxet week.",  # typos
        "Again and again, a copy could be sent: a replay.",  # other order
    ],
)
def test_a_right_answer_in_other_words_passes(answer: str) -> None:
    assert REPLAY.judge(answer, name="WHY").ok


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (None, "WHY is empty"),
        (..., "WHY is empty"),
        (["replay"], "write your answer as a sentence in quotes"),
        ("...", "WHY is empty"),
        ("?!", "WHY has no words yet"),
        ("Too old.", "WHY has 2 words: write a sentence of at least 5 words"),
        ("It is just too old now.", "WHY does not say what someone who copied it could do"),
        ("The secret changed, so they could send it again.", "the secret did not change"),
        ("Because the rule says a week is far too long.", "a rule is not a reason"),
        (
            "Provisioning must refuse a webhook signed a week ago.",
            "WHY only repeats the question: say what someone who copied it could do",
        ),
    ],
)
def test_a_wrong_answer_fails_saying_what_to_change(answer: object, says: str) -> None:
    verdict = REPLAY.judge(answer, name="WHY")
    assert not verdict.ok
    assert says in verdict.message


def test_the_questions_own_words_are_no_evidence() -> None:
    reason = Reason(
        "Why do we send it again when it fails?",
        ideas=(Idea("why retrying helps", ("send* ~ again", "back up")),),
        min_words=3,
    )
    assert reason.evidence_in_question() == ["send* ~ again"], "a phrase the question says is flagged"
    # Copied from the question, three words or more in a row do not count ...
    assert not reason.judge("Because we send it again when it fails.", name="X").ok
    # ... the same idea in the learner's own words does.
    assert reason.judge("Because the CRM comes back up within the hour.", name="X").ok


def test_a_misconception_sinks_an_answer_that_also_holds_the_idea() -> None:
    verdict = REPLAY.judge("The secret changed, and someone could replay it.", name="WHY")
    assert not verdict.ok and "the secret did not change" in verdict.message


def test_a_beside_the_point_reason_is_named_only_when_the_idea_is_missing() -> None:
    assert REPLAY.judge("The rule is there because someone could replay it.", name="WHY").ok
    assert "a rule is not a reason" in REPLAY.judge("The rule is the rule for every webhook.", name="WHY").message


def test_every_address_in_a_text_is_found() -> None:
    assert addresses("dana.ops@example.com;lee@example.org and x") == ["dana.ops@example.com", "lee@example.org"]


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("dana.ops@example.com", ""),
        ("  success.lead@example.com ", ""),
        ("ops@example.com", ""),  # the course's own on-call person
        ("Tell dana.ops@example.com.", ""),
        ("", "write one person's email address"),
        (None, "write one person's email address"),
        ("Dana", "is not an email address"),
        ("the ops team", "is not an email address"),
        ("dana.ops@example.com, lee@example.com", "names 2 addresses"),
        ("dana.ops@example.com;lee@example.com", "names 2 addresses"),
        ("support@example.com", "is a team's mailbox"),
        ("customer.success@example.com", "is a team's mailbox"),
        ("ops-team@example.com", "is a team's mailbox"),
        ("everyone@example.com", "is a team's mailbox"),
    ],
)
def test_one_person_is_one_address_that_is_not_a_teams(answer: object, problem: str) -> None:
    said = one_person_problem(answer, "dana.ops@example.com")
    assert (problem in said) if problem else said == "", said
