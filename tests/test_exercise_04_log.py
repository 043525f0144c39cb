"""Exercise 04, core track (read the log): the morning's log tells one story, and the check reads it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.course.activation_log import activation_morning, gave_up_at
from simulators.course.checking.batch import run_notebook
from tests.exercise_support import course_exercise

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "04_read_the_log.ipynb"


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return course_exercise("ex04_log")


def test_the_morning_loses_one_paying_customer_and_logs_every_step() -> None:
    morning = activation_morning()
    assert morning.never_activated() == ["Grace Hopper"]
    assert "Hedy Lamarr" not in morning.paid, "the declined card is a customer with no account who never paid"
    alan = morning.of("Alan Turing")
    assert sum("failed" in line.what for line in alan if line.step == "delivery") >= 2, "a failure a retry healed"
    assert any(line.step == "provisioning" for line in alan)
    grace = morning.of("Grace Hopper")
    assert [line.what for line in grace if line.step == "delivery"] == ["webhook try 1: succeeded (200)"]
    assert gave_up_at(morning, "Grace Hopper") is not None
    assert all(line.event and line.customer != "?" for line in morning.lines), "every line names event and customer"
    assert str(morning) == str(activation_morning()), "the same log on every run"


def test_the_check_passes_on_the_solution_notebook(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "solutions" / NOTEBOOK, [exercise])
    assert result.ok, str(result)
    assert result.message == "all 7 checks pass"


def test_the_check_says_the_untouched_stub_is_still_blank(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "exercises" / NOTEBOOK, [exercise])
    assert not result.ok and result.status == "fail"
    assert result.message.startswith("the answers are still `...`")
    assert result.hints
