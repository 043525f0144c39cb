"""Every core free-text answer is judged by meaning: right answers in other words pass, wrong reasons fail by name.

Each item's sound answers are written the ways a learner would: other words, other order, a typo. Its wrong ones
are the kinds that used to pass on one keyword: the question restated, long but vague, the wrong reason.
The whole check runs on the catalogue in tests/wrong_answers/; here each item's judge is asked directly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from exercises.checks import ex02_poll_or_push, ex03_trust, ex05_core, ex06_map, ex06_start_simple
from simulators.course.checking import check
from simulators.course.checking.notebook import notebook_namespace
from simulators.course.checking.reasoning import Reason

ROOT = Path(__file__).resolve().parent.parent
CASES = {case: entry[2] for case, entry in ex02_poll_or_push.CASES.items()}
#: item → (its judge, the exercise notebook that asks it)
ITEMS: dict[str, tuple[Reason, str]] = {
    "reason_1": (CASES["case_1"], "02_poll_or_push"),
    "reason_2": (CASES["case_2"], "02_poll_or_push"),
    "reason_3": (CASES["case_3"], "02_poll_or_push"),
    "WHY_TOO_OLD": (ex03_trust.TOO_OLD, "03_trust"),
    "WHY_REMOVED": (ex05_core.WHY_REMOVED, "05_case_study_silent_failure"),
    "What if data is missing?": (ex06_map.IF_MISSING, "06_designing_automations"),
    "What if a step fails?": (ex06_map.IF_FAILS, "06_designing_automations"),
    "RETRY_WHY": (ex06_map.RETRY_WHY, "06_designing_automations"),
    "WHY_SMALL": (ex06_start_simple.WHY_SMALL, "06_start_simple"),
    "DOCUMENTATION": (ex06_start_simple.DOCUMENTATION, "06_start_simple"),
}

RIGHT = {
    "reason_1": [
        "A webhook arrives the moment the customer pays, while even hourly polling makes half of them wait half an hour.",
        "Webhooks tell us instantly, a poller only finds the payment at its next poll.",
        "Only a webhook is immediate; polling every hour would leave people waiting up to an hour.",
        "Pollers are late by up to their interval, but a webhook is sent as soon as she pays.",
        "Because the webhook comes rigth away when the payment happens.",  # a typo
    ],
    "reason_2": [
        "The tool cannot receive webhooks, and a report once a day only needs one poll each morning.",
        "Polling is the only option since her tool has no way to receive them.",
        "Her tool has to ask for the list itself, and once a day is plenty for a morning report.",
        "The report is daily, so a single request each night is enough and the delay does not matter.",
        "It has no other choice than to fetch the list, which is fine for a report read in the morning.",
        "Because the tool cannot receive webhooks, it has to poll.",
    ],
    "reason_3": [
        "A webhook that never arrived cannot tell you it is missing, so you ask the payment system and compare.",
        "You compare the payment system's own list with what you received, which catches lost webhooks.",
        "A lost webhook is silent, so only asking for every payment shows the gap.",
        "Reconciling against the full list of payments finds the ones whose webhook was dropped.",
        "Without polling you would never know, because nothing arrives for a missing webhook.",
    ],
    "WHY_TOO_OLD": [
        "A signature proves who made a webhook, not when it was sent, so anyone who captured it last week could"
        " send it again and again.",
        "Someone who copied it could replay it to get an account without paying.",
        "If old signatures counted, an attacker could reuse a real webhook forever.",
        "It could be a copy sent a second time by somebody who recorded it last week.",
        "Anybody who intercepted it could resend it whenever they want, and we would open the account twice.",
    ],
    "WHY_REMOVED": [
        "They were refunded, but provisioning's handler only acts on payments and ignores refunds, so their"
        " accounts stayed active.",
        "Provisioning ignores refund events, so after the refund nobody closed the account.",
        "They got their money back, yet nothing in provisioning listens for refunds.",
        "Their payments were refnded and no rule deactivates an account when that happens.",  # a typo
        "The handler only handles successful payments, so a refund never turned their access off.",
    ],
    "What if data is missing?": [
        "no customer id: stop, create no task, and alert the person",
        "stop and tell success.lead@example.com",
        "skip it and alert the lead",
        "create nothing; email success.lead@example.com to look into it",
        "don't make a task, notify the person instead",
    ],
    "What if a step fails?": [
        "answer 503 so the payment system retries later",
        "retry",
        "the sender tries again later",
        "put it in a queue and try again",
        "answer 500 so it is redelivered",
    ],
    "RETRY_WHY": [
        "A cancellation happens once: if it is dropped while the CRM is down, nobody ever calls that customer."
        " Retrying for three days outlasts any ordinary CRM outage.",
        "Without retries the cancellation is lost whenever the CRM is down, and the CRM is usually back within hours.",
        "If we don't retry we lose that customer's call for good; the CRM will come back later and the retry works.",
        "The event is sent only once, so it would be gone; a CRM outage is temporary, so trying again succeeds.",
        "Nobody would call the customer if the one delivery failed, and outages are short, so retries get it"
        " through eventually.",
        "The cancellation would be lost forever, and the CRM is never down for long anyway, so it works.",
    ],
    "WHY_SMALL": [
        "With one action and one alert there are only two places to look when it breaks, so it is easy to test"
        " and fix before the next step is added.",
        "If something breaks there are fewer parts to check, so we find the problem fast.",
        "A small version is easier to debug, and we can see it works reliably before adding more.",
        "We can make sure it works first, then add the welcome email and the rest one by one.",
        "When it fails we know at once which part is to blame, because there is only one.",
        "Small is better because there is less that can break and it is simple.",
        "Building everything at once means nobody knows which part broke, so start small.",
    ],
    "DOCUMENTATION": [
        "When a customer pays for a plan, this opens their account in provisioning at once, and emails"
        " dana.ops@example.com if that fails, so nobody pays without getting access.",
        "Opens the account of every customer who pays, so that they get access straight away; Dana hears if it fails.",
        "When a customer pays for a plan this opens their account so they can log in.",
        "This exists so that no paying customer is left without access: on each payment it activates their account.",
        "After a payment goes through, it gives the customer access to their acount, because that is what they"
        " paid for.",  # a typo
    ],
}

#: item → (a wrong answer, what its message must say)
WRONG = {
    "reason_1": [
        ("Maya promises every new customer access within a minute of paying.", "only repeats the question"),
        ("Webhooks are cheaper because they use fewer requests.", "cost is not what decides case 1"),
        ("Webhooks are the more modern and better choice here.", "does not say how soon"),
        ("Webhooks because the customer wants access as soon as possible.", "does not say how soon"),
    ],
    "reason_2": [
        ("The accountant's tool can only read a list of payments.", "only repeats the question"),
        ("Polling is faster than webhooks for getting her payments.", "polling is not the fast one"),
        ("Webhooks can get lost, so polling is more reliable here.", "whether webhooks get lost"),
    ],
    "reason_3": [
        ("Every night Maya wants to make sure no payment was missed.", "only repeats the question"),
        ("Polling is quicker and cheaper for a nightly job like this.", "speed or cost does not decide case 3"),
        ("Polling is the better and more dependable choice for this job.", "does not say how you find"),
        ("Polling can check things and webhooks cannot check anything at all.", "does not say how you find"),
    ],
    "WHY_TOO_OLD": [
        ("It was signed too long ago, so provisioning must still refuse it.", "only repeats the question"),
        ("The secret could have been rotated since then, so check it again.", "the secret is the right one"),
        ("The fingerprints do not match because the body was changed.", "fingerprints match"),
        ("That payment news is outdated by now and may no longer be true.", "a genuine payment stays genuine"),
        ("Stripe will send it again anyway, so refusing it costs nothing.", "does not send a delivered webhook"),
        ("Anyone could send us a webhook, so we refuse old ones to be safe.", "what someone who copied it"),
    ],
    "WHY_REMOVED": [
        ("They still had access because their access was never removed.", "only repeats the question"),
        ("They were refunded but their webhooks were lost in the outage.", "the refunds' webhooks did arrive"),
        ("They got refunds from the payment system a few days after buying.", "what provisioning did with the refund"),
        ("Their card was declined so they never paid for it at all.", "these customers did pay"),
    ],
    "What if data is missing?": [
        ("email the customer", "nobody knows whom to email"),
        ("create the task anyway", "a task that does not say who cancelled"),
        ("stop", "does not say who hears of it"),
        ("alert the person", "does not say that the flow stops"),
    ],
    "What if a step fails?": [
        ("write it to the log", "does not say that the cancellation is tried again"),
        ("answer 400 and log it", "a 4xx answer tells the payment system not to retry"),
        ("the CRM retries", "the CRM is the one that failed"),
    ],
    "RETRY_WHY": [
        ("The CRM is down sometimes so retries are good to have for safety.", "does not say what would be lost"),
        ("Because the CRM is down, the payment system cannot deliver the cancellation.", "only repeats the question"),
        ("Without retries the cancellation is lost and nobody calls the customer.", "why retrying works"),
        ("just in case", "has 3 words"),
        ("Retries are important because otherwise data could be lost somewhere sometime later.", "why retrying works"),
    ],
    "WHY_SMALL": [
        ("We start with that small version because it is the small version.", "only repeats the question"),
        ("Because it is quicker to build and the customer gets it sooner.", "building it quicker is not the reason"),
        ("Simple is always better than complicated, the lesson says so.", "does not say what a small first version"),
        ("It is easy to test everything at once when all parts are there.", "testing everything at once"),
        ("Because the lesson says to start small and add one step at a time.", "does not say what a small first"),
    ],
    "DOCUMENTATION": [
        ("When a customer pays for a plan, this opens their account.", "does not say why it exists"),
        ("TODO: document this automation properly some day soon.", "does not say when it runs"),
        ("Payments and accounts automation, owned by ops, version one.", "does not say why it exists"),
    ],
}


def _cases(table: dict[str, list]) -> list[tuple[str, object]]:  # type: ignore[type-arg]
    return [(item, answer) for item, answers in table.items() for answer in answers]


@pytest.mark.parametrize(
    ("item", "answer"), _cases(RIGHT), ids=[f"{i}-{n}" for i, a in RIGHT.items() for n in range(len(a))]
)
def test_a_right_answer_in_the_learners_own_words_passes(item: str, answer: str) -> None:
    verdict = ITEMS[item][0].judge(answer, name=item)
    assert verdict.ok, f"{answer!r}: {verdict.message}"


@pytest.mark.parametrize(
    ("item", "wrong"), _cases(WRONG), ids=[f"{i}-{n}" for i, a in WRONG.items() for n in range(len(a))]
)
def test_a_wrong_reason_fails_and_its_message_names_the_mistake(item: str, wrong: tuple[str, str]) -> None:
    answer, says = wrong
    verdict = ITEMS[item][0].judge(answer, name=item)
    assert not verdict.ok, f"{answer!r} passed"
    assert says in verdict.message, verdict.message


def test_every_free_text_item_has_several_right_paraphrases_and_wrong_kinds() -> None:
    assert set(RIGHT) == set(ITEMS) == set(WRONG)
    assert all(len(RIGHT[item]) >= 5 for item in ITEMS)


@pytest.mark.parametrize("item", list(ITEMS))
def test_no_idea_is_evidenced_by_the_questions_own_words(item: str) -> None:
    assert ITEMS[item][0].evidence_in_question() == []


def _prose(notebook: str) -> str:
    cells = json.loads((ROOT / "exercises" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    text = " ".join("".join(cell["source"]) for cell in cells)
    return " ".join(re.sub(r"[*`]", "", text).split())


@pytest.mark.parametrize("item", list(ITEMS))
def test_each_judge_knows_the_question_as_the_notebook_asks_it(item: str) -> None:
    """The question whose words do not count is the notebook's own: its first sentence is there, word for word."""
    reason, notebook = ITEMS[item]
    first = re.split(r"(?<=[.?:])\s", reason.question, maxsplit=1)[0]
    assert first in _prose(notebook), f"{notebook} no longer asks {first!r}"


def test_the_solutions_pass_every_free_text_judge() -> None:
    for notebook, exercise in [
        ("02_poll_or_push", "ex02_poll_or_push"),
        ("03_trust", "ex03_trust"),
        ("06_start_simple", "ex06_start_simple"),
        ("06_designing_automations", "ex06_map"),
    ]:
        result = check(exercise, notebook_namespace(ROOT / "solutions" / f"{notebook}.ipynb", exercise))
        assert result.ok, str(result)
