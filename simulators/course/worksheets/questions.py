"""Every reflection question of the course, grouped by the notebook that asks it.

Lesson notebooks add theirs here (at least one per notebook) and show it with
`reflection("q01_failures")`. The worksheet export lists every question in
this registry, answered or not.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    """A reflection question: a stable id, the notebook that asks it, and its text."""

    id: str
    notebook: str
    text: str


QUESTIONS: list[Question] = [
    # The lesson's two reflection questions, in the course's own words. The first
    # is asked where it lands hardest, after the case study; the second in 01,
    # and again in 06 (the same answer box: the learner revises what they wrote).
    Question(
        "q01_failures",
        "05_case_study_silent_failure",
        "Name a few automations that run at your organization today. For each one: if it stopped working,"
        " how would you find out, and how long could it go unnoticed?",
    ),
    Question(
        "q01_manual_process",
        "01_triggers_and_actions",
        "Think of a task people at your organization still do by hand that always follows the same"
        ' "when this happens, do that" rule. What is its trigger, what is the action, and could it be automated?',
    ),
    # 00_welcome and 01_triggers_and_actions
    Question(
        "q00_let_down",
        "00_welcome",
        "Think of a time an automated message or process let you down: an email that never came, an order that"
        " got stuck, an account that was not set up. What was supposed to happen, and how did anyone find out?",
    ),
    Question(
        "q01_your_formula",
        "01_triggers_and_actions",
        "Write one automation from your own work as the formula: when [trigger] happens in [source], then"
        " [action] in [destination], using [data], and alert [person] if it fails. Which part was hardest to fill"
        " in, and who would you ask to fill it?",
    ),
    # 02_polling_vs_webhooks
    Question(
        "q02_poll_or_push",
        "02_polling_vs_webhooks",
        "Pick one integration you use or would like to build. Would you poll or use webhooks? How fresh does"
        " the data need to be, and what would it cost you (money, trust, work) if a change arrived an hour late?",
    ),
    Question(
        "q02_reconcile",
        "02_polling_vs_webhooks",
        "Which records at your organization would you still check on a schedule even if webhooks told you about"
        " every change? How often would you check, and who would look at what the check finds?",
    ),
    # 03_webhook_security
    Question(
        "q03_trust",
        "03_webhook_security",
        "Think of a webhook or form your organization receives from outside. What could someone do if they"
        " sent a fake one? How would you know a request is genuine?",
    ),
    Question(
        "q03_secrets",
        "03_webhook_security",
        "Where would the signing secret for a webhook live in your setup, who could read it, and what would you"
        " do on the day it leaks?",
    ),
    # 05_case_study_silent_failure
    Question(
        "q05_who_finds_out",
        "05_case_study_silent_failure",
        "Pick one automation at your organization that touches customers or money. If it stopped working"
        " tonight, who would find out first: a named person on your team, or a customer? Which would you add"
        " first (a retry, an alert to a person, or a regular reconciliation) and why?",
    ),
    # 06_designing_automations
    Question(
        "q06_map_a_flow",
        "06_designing_automations",
        "Map one automation you would like to build at work with the seven questions: what starts it, what"
        " data it needs, where that data comes from, which system does each step, what happens if data is"
        " missing, what happens if a step fails, and who is told. Which answer were you least sure of?",
    ),
    # 04_reliable_webhook_handling
    Question(
        "q04_twice",
        "04_reliable_webhook_handling",
        "Pick one automation you know. Which of its actions would do harm if it ran twice (an email sent twice,"
        " a card charged twice, an account created twice)? How could that action check first whether it already happened?",
    ),
    Question(
        "q04_trace",
        "04_reliable_webhook_handling",
        'A customer says: "I paid and I still cannot log in." Where would you look first today, and which piece of'
        " information (an id, a time, an email) would let you follow their payment from one system to the next?",
    ),
    # your_tools: the cards that place each habit in Zapier, Make, n8n, HubSpot and Stripe, linked from 06
    Question(
        "q06_your_tools",
        "your_tools",
        "Open the automation tool your organization uses (or the one you would pick). Using the cards, find where"
        " three of the seven habits live in it: verify, acknowledge, retry, log, alert, reconcile, document."
        " Which habit has no home in your tool, and what will you do about it?",
    ),
]


def question(question_id: str) -> Question:
    """The registered question with this id."""
    for entry in QUESTIONS:
        if entry.id == question_id:
            return entry
    known = ", ".join(entry.id for entry in QUESTIONS)
    raise KeyError(f"no reflection question {question_id!r}; the questions are: {known}")


def notebooks() -> list[str]:
    """Notebooks that ask questions, in course order."""
    return sorted({entry.notebook for entry in QUESTIONS})
