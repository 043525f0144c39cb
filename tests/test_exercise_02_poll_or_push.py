"""Exercise 02, core track (read the race, choose): passes on the solution, not on the stub or a learner's slips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulators.course.checking import run_check
from simulators.course.checking.batch import run_notebook
from simulators.course.checking.notebook import notebook_namespace
from tests.exercise_support import course_exercise, failed_steps

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "02_poll_or_push.ipynb"
EXERCISE = "ex02_poll_or_push"


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return course_exercise(EXERCISE)


@pytest.fixture(scope="module")
def solved(exercise) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The solution's namespace: the race ran once, the answers are in."""
    return notebook_namespace(ROOT / "solutions" / NOTEBOOK, EXERCISE)


WRONG: dict[str, tuple[dict[str, Any], list[str]]] = {
    # Polling every minute "is fast enough": a request a minute, all day.
    "polling for the one-minute promise": (
        {"case_1": "polling", "reason_1": "Polling every minute is fast enough for a minute promise."},
        ["case 1 (access within a minute): webhooks", "case 1: the reason says why"],
    ),
    "a reason that is not one": ({"reason_1": "Because it is better."}, ["case 1: the reason says why"]),
    "a long reason that says nothing": (
        {"reason_2": "I think this is the one that I would pick here."},
        ["case 2: the reason says why"],
    ),
    "webhooks for the nightly check": (
        {"case_3": "webhooks", "reason_3": "Webhooks tell us about every payment, so nothing is missed."},
        ["case 3 (a nightly check that no payment was missed): polling", "case 3: the reason says why"],
    ),
    "the ten-minute line instead of the hourly one": (
        {"requests_hourly": 144},
        ["you read how many requests hourly polling made"],
    ),
    "the median in hours": (
        {"median_delay_3h_minutes": 1.2},
        ["you read how long half the payments waited with polling every 3 hours, in minutes"],
    ),
    "the unfair race's webhook count": ({"webhook_requests": 96}, ["you read how many requests the webhooks made"]),
}


def test_the_check_passes_on_the_solution_notebook(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "solutions" / NOTEBOOK, [exercise])
    assert result.ok, str(result)
    assert result.message == "all 9 checks pass"


def test_the_check_says_the_untouched_stub_is_still_blank(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "exercises" / NOTEBOOK, [exercise])
    assert not result.ok
    assert result.message.startswith("the answers are still `...`")


@pytest.mark.parametrize("wrong", list(WRONG), ids=list(WRONG))
def test_the_check_fails_on_a_learners_slip_and_names_it(exercise, solved, wrong: str) -> None:  # type: ignore[no-untyped-def]
    changed, problems = WRONG[wrong]
    result = run_check(exercise, {**solved, **changed})
    assert not result.ok
    assert failed_steps(result) == problems
    assert result.hints


def test_hours_for_minutes_is_named(exercise, solved) -> None:  # type: ignore[no-untyped-def]
    result = run_check(exercise, {**solved, "median_delay_3h_minutes": 1.2})
    assert "that is in hours" in result.message
