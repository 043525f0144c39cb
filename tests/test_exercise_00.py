"""Exercise 00 (a first payment): the check passes on the solution, and not on the stub or known wrong answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.course.checking import run_check
from simulators.course.checking.batch import run_notebook
from simulators.course.checking.notebook import notebook_namespace
from tests.exercise_support import course_exercise, failed_steps, notebook_with_cell

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "00_first_payment.ipynb"
EXERCISE = "ex00_first_payment"

PREFIX = (
    'def first_payment(lab):\n    customer = lab.payments.create_customer("ada@example.com", name="Ada Lovelace")\n'
)
WRONG = {
    # Opening the account by hand: the action happens, but no trigger caused it.
    "activates without paying": (
        PREFIX + '    return lab.provisioning.activate(customer["id"], plan="pro")\n',
        ["Ada pays through the payment system", "the account was opened once, by the payment's webhook"],
    ),
    "forgets the plan": (
        PREFIX + '    lab.payments.pay(customer["id"], 2000)\n    lab.settle()\n'
        '    return lab.provisioning.account_for(customer["id"])\n',
        ["she gets the pro plan"],
    ),
    "pays a tenth of the price": (
        PREFIX + '    lab.payments.pay(customer["id"], 200, metadata={"plan": "pro"})\n    lab.settle()\n'
        '    return lab.provisioning.account_for(customer["id"])\n',
        ["she pays 2000 cents, once"],
    ),
    "returns the payment, not the account": (
        PREFIX + '    payment = lab.payments.pay(customer["id"], 2000, metadata={"plan": "pro"})\n    lab.settle()\n'
        "    return payment\n",
        ["returns her account from provisioning"],
    ),
}


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return course_exercise(EXERCISE)


def _with_learner_cell(tmp_path: Path, source: str) -> Path:
    return notebook_with_cell(ROOT / "solutions" / NOTEBOOK, source, tmp_path)


def test_the_check_passes_on_the_solution_notebook(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "solutions" / NOTEBOOK, [exercise])
    assert result.ok, str(result)
    assert result.message == "all 10 checks pass"


def test_the_check_calls_the_untouched_stub_a_stub(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "exercises" / NOTEBOOK, [exercise])
    assert not result.ok
    assert result.message.startswith("`first_payment` is still the stub")
    assert "lab.settle()" not in result.hints[0], "the first hint nudges; it never gives the answer"


@pytest.mark.parametrize("wrong", list(WRONG), ids=list(WRONG))
def test_the_check_fails_on_a_known_wrong_answer_and_names_it(exercise, tmp_path: Path, wrong: str) -> None:  # type: ignore[no-untyped-def]
    source, problems = WRONG[wrong]
    result = run_check(exercise, notebook_namespace(_with_learner_cell(tmp_path, source), EXERCISE))
    assert not result.ok
    assert failed_steps(result) == problems
    assert result.hints, "a failing check says what to try"
    assert problems[0] in str(result)


def test_paying_in_dollars_shows_the_payment_systems_own_refusal(exercise, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = PREFIX + '    lab.payments.pay(customer["id"], 20, metadata={"plan": "pro"})\n'
    result = run_check(exercise, notebook_namespace(_with_learner_cell(tmp_path, source), EXERCISE))
    assert not result.ok
    assert result.message.startswith("your code raised PaymentsError: 400")
    assert "in first_payment(), line 3" in result.message


def test_a_missing_customer_is_named_rather_than_a_traceback(exercise, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_check(
        exercise,
        notebook_namespace(_with_learner_cell(tmp_path, "def first_payment(lab):\n    return None\n"), EXERCISE),
    )
    assert not result.ok
    assert "no customer with the email ada@example.com" in result.message
