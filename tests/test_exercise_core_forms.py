"""A right core answer written another way still passes; a slip of form gets a message that names the slip.

Non-programmers write "Payments", "polling.", "24" in quotes, "queue", "Hopper" or "10.16": the reading is
right, only the form differs. Each is the solution with one answer rewritten.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from simulators.course.checking import check
from simulators.course.checking.notebook import notebook_namespace

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = {
    "ex01_formula": "01_formula",
    "ex02_poll_or_push": "02_poll_or_push",
    "ex04_log": "04_read_the_log",
    "ex05_alert_rule": "05_case_study_silent_failure",
    "ex06_map": "06_designing_automations",
}


@functools.cache
def _solved(exercise: str) -> dict[str, Any]:
    return notebook_namespace(ROOT / "solutions" / f"{NOTEBOOKS[exercise]}.ipynb", exercise)


def _with(exercise: str, **answers: Any) -> dict[str, Any]:
    ns = dict(_solved(exercise))
    for name, value in answers.items():
        if isinstance(value, dict) and isinstance(ns.get(name), dict):
            value = {**ns[name], **value}
        ns[name] = value
    return ns


@pytest.mark.parametrize(
    ("exercise", "answers"),
    [
        ("ex01_formula", {"formula": {"source": "Payments", "destination": " CRM", "alert": "Lin@example.com"}}),
        ("ex02_poll_or_push", {"requests_hourly": "24", "median_delay_3h_minutes": 72.0, "case_2": "Polling."}),
        ("ex02_poll_or_push", {"webhook_requests": 24.0, "case_1": "webhook", "median_delay_3h_minutes": "72"}),
        ("ex04_log", {"NEVER_ACTIVATED": "Hopper", "STOPPED_TRYING": "queue", "GAVE_UP_AT": "10.16"}),
        ("ex04_log", {"NEVER_ACTIVATED": "grace", "WEBHOOK_ANSWER": "200", "GAVE_UP_AT": "10:16:03"}),
        ("ex05_alert_rule", {"ALERT_RULE": {"when": "First failure", "remind every": "120 minutes"}}),
        (
            "ex06_map",
            {"CANCELLATION_MAP": {"What if a step fails?": "retry", "Who is told?": "Success.Lead@example.com"}},
        ),
    ],
    ids=[
        "formula-case",
        "numbers-in-quotes",
        "float-and-singular",
        "last-name-queue",
        "first-name-200",
        "case",
        "short",
    ],
)
def test_a_right_answer_written_another_way_passes(exercise: str, answers: dict[str, Any]) -> None:
    result = check(exercise, _with(exercise, **answers))
    assert result.ok, str(result)


@pytest.mark.parametrize(
    ("exercise", "answers", "says"),
    [
        ("ex01_formula", {"formula": {"alert": ["lin@example.com"]}}, "write one address in quotes"),
        ("ex02_poll_or_push", {"median_delay_3h_minutes": 80}, "1.2 h is a decimal, not 1 h 20 min"),
        ("ex02_poll_or_push", {"median_delay_3h_minutes": 1.2}, "that is in hours"),
        ("ex02_poll_or_push", {"median_delay_3h_minutes": 4320}, "that is in seconds"),
        ("ex02_poll_or_push", {"median_delay_3h_minutes": 32}, "the median of the poll 1 h line"),
        ("ex02_poll_or_push", {"requests_hourly": "24 requests"}, "write only the number"),
        ("ex04_log", {"STOPPED_TRYING": "payments"}, "its part ended there"),
        ("ex05_alert_rule", {"ALERT_RULE": {"all clear": "yes"}}, "without quotes"),
        ("ex05_alert_rule", {"ALERT_RULE": {"when": "asap"}}, "copy one of the two answers"),
    ],
    ids=["list", "1h20", "hours", "seconds", "other-row", "words", "payments", "yes", "asap"],
)
def test_a_slip_of_form_is_named_in_the_first_failing_step(exercise: str, answers: dict[str, Any], says: str) -> None:
    result = check(exercise, _with(exercise, **answers))
    assert not result.ok
    first = next(step for step in result.steps if not step.ok)
    assert says in first.message, str(result)
