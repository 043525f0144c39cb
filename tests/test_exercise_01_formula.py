"""Exercise 01, core track (fill in the formula): passes on the solution, not on the stub or a learner's slips."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.course.checking import run_check
from simulators.course.checking.batch import run_notebook
from simulators.course.checking.notebook import notebook_namespace
from tests.exercise_support import course_exercise, failed_steps, notebook_with_cell

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "01_formula.ipynb"
EXERCISE = "ex01_formula"
RIGHT = {
    "trigger": '"charge.refunded"',
    "source": '"payments"',
    "action": '"create_task"',
    "destination": '"crm"',
    "data": '["data.object.customer", "data.object.amount_refunded"]',
    "alert": '"lin@example.com"',
}


def _formula(**changed: str) -> str:
    slots = {**RIGHT, **changed}
    return "formula = {\n" + "".join(f'    "{k}": {v},\n' for k, v in slots.items()) + "}\n"


WRONG = {
    # Source and destination swapped: the CRM is where the work lands, not where the refund happens.
    "source is the destination": (_formula(source='"crm"'), ["the source is the payment system"]),
    # The paying event instead of the refund.
    "payment instead of refund": (
        _formula(trigger='"payment_intent.succeeded"'),
        ["the trigger is a refund (charge.refunded)"],
    ),
    # A refund carries amount_refunded, not amount.
    "a field the refund does not carry": (
        _formula(data='["data.object.customer", "data.object.amount"]'),
        ["the data says who it is and how much was refunded"],
    ),
    # An email instead of a to-do.
    "email instead of task": (
        _formula(action='"send_email"', destination='"mailer"'),
        ["the action creates a task (a to-do for a person)", "the destination is the CRM"],
    ),
    # Nobody told: the silent failure.
    "no alert": (_formula(alert="None"), ["lin@example.com is alerted if it fails"]),
    "a team name, not a person": (_formula(alert='"billing"'), ["lin@example.com is alerted if it fails"]),
}


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return course_exercise(EXERCISE)


def test_the_check_passes_on_the_solution_notebook(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "solutions" / NOTEBOOK, [exercise])
    assert result.ok, str(result)
    assert result.message == "all 8 checks pass"


def test_the_check_says_the_untouched_stub_is_still_the_template(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "exercises" / NOTEBOOK, [exercise])
    assert not result.ok
    assert result.message.startswith("`formula` is still the template")
    assert result.hints


@pytest.mark.parametrize("wrong", list(WRONG), ids=list(WRONG))
def test_the_check_fails_on_a_learners_slip_and_names_it(exercise, tmp_path: Path, wrong: str) -> None:  # type: ignore[no-untyped-def]
    source, problems = WRONG[wrong]
    path = notebook_with_cell(ROOT / "solutions" / NOTEBOOK, source, tmp_path)
    result = run_check(exercise, notebook_namespace(path, EXERCISE))
    assert not result.ok
    assert failed_steps(result) == problems
    assert result.hints, "a failing check says what to try"


def test_the_destination_may_be_named_with_the_action(exercise, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = notebook_with_cell(
        ROOT / "solutions" / NOTEBOOK, _formula(action='"crm.create_task"', destination='""'), tmp_path
    )
    assert run_check(exercise, notebook_namespace(path, EXERCISE)).ok


def test_a_missing_slot_is_named(exercise, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = notebook_with_cell(ROOT / "solutions" / NOTEBOOK, 'formula = {"trigger": "charge.refunded"}\n', tmp_path)
    result = run_check(exercise, notebook_namespace(path, EXERCISE))
    assert not result.ok and "has no 'source'" in result.message
