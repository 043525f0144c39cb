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
    # The lesson's two reflection questions, in the course's own words.
    Question(
        "q01_failures",
        "01_triggers_and_actions",
        "Name a few automations that run at your organization today. For each one: if it stopped working,"
        " how would you find out, and how long could it go unnoticed?",
    ),
    Question(
        "q01_manual_process",
        "01_triggers_and_actions",
        "Think of a task people at your organization still do by hand that always follows the same"
        " \"when this happens, do that\" rule. What is its trigger, and what is the action?",
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
