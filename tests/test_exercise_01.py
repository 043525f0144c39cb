"""Exercise 01 (a first automation): the check passes on the solution, and not on the stub or known wrong answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators import Lab
from simulators.course.checking import check, run_check
from simulators.course.checking.batch import run_notebook
from simulators.course.checking.notebook import notebook_namespace
from tests.exercise_support import course_exercise, failed_steps, notebook_with_cell

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "01_first_automation.ipynb"
EXERCISE = "ex01_first_automation"


def _spec(
    when: str = "payment_intent.succeeded",
    to: str = "data.object.receipt_email",
    alert: str | None = '"ops@example.com"',
    subject: str = "Your receipt: {data.object.amount} cents",
) -> str:
    return (
        f'receipt = Automation("Send payment receipts", when="{when}", source="payments",\n'
        f'    then=Step("send_email", "mailer", using={{"to": "{to}", "subject": "{subject}"}}),\n'
        f"    alert={alert})\n"
    )


WRONG = {
    # Nobody hears of a failure: the silent failure in one missing argument.
    "no alert person": (
        _spec(alert="None"),
        ["ops@example.com is alerted if it fails", "validate() finds no problems"],
    ),
    # invoice.paid carries customer_email; a payment event does not.
    "data the trigger does not carry": (_spec(to="data.object.customer_email"), ["validate() finds no problems"]),
    # A sound automation on the wrong event: it never fires for a one-off payment.
    "wrong trigger event": (
        _spec(
            when="invoice.paid",
            to="data.object.customer_email",
            subject="Your receipt: {data.object.amount_paid} cents",
        ),
        [
            "the trigger is payment_intent.succeeded",
            "a paying customer gets one receipt email",
            "the receipt says how much was paid",
            "the receipt gives the amount in cents, as the event carries it, not as dollars",
            "a payment with no email address alerts ops@example.com",
            "while the mailer is down, the failure is reported for ops@example.com",
            "once the mailer is back, the delayed receipt arrives (the payment system retries)",
            "every receipt says its own payment's amount",
        ],
    ),
    "receipt without the amount": (
        _spec(subject="Thank you for your payment"),
        [
            "the receipt says how much was paid",
            "the receipt gives the amount in cents, as the event carries it, not as dollars",
            "every receipt says its own payment's amount",
        ],
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
    assert result.message == "all 12 checks pass"


def test_the_check_says_the_untouched_stub_is_still_none(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "exercises" / NOTEBOOK, [exercise])
    assert not result.ok
    assert result.message.startswith("`receipt` is still None")
    assert result.score == 0, "an untouched exercise earns no partial credit"


@pytest.mark.parametrize("wrong", list(WRONG), ids=list(WRONG))
def test_the_check_fails_on_a_known_wrong_answer_and_names_it(exercise, tmp_path: Path, wrong: str) -> None:  # type: ignore[no-untyped-def]
    source, problems = WRONG[wrong]
    result = run_check(exercise, notebook_namespace(_with_learner_cell(tmp_path, source), EXERCISE))
    assert not result.ok
    assert failed_steps(result) == problems
    assert result.hints, "a failing check says what to try"


def test_a_path_the_trigger_lacks_is_named_with_the_fields_it_has(exercise, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_check(
        exercise, notebook_namespace(_with_learner_cell(tmp_path, _spec(to="data.object.customer_email")), EXERCISE)
    )
    assert "reads data.object.customer_email, which a payment_intent.succeeded event does not carry" in result.message
    assert "data.object.receipt_email" in result.hints[0]


def test_something_other_than_an_automation_is_named(exercise, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_check(
        exercise, notebook_namespace(_with_learner_cell(tmp_path, 'receipt = "send a receipt"\n'), EXERCISE)
    )
    assert not result.ok and result.message == "`receipt` should be an Automation(...), not a str"


def test_the_check_leaves_the_learners_own_installation_alone(exercise, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ns = notebook_namespace(ROOT / "solutions" / NOTEBOOK, EXERCISE)
    with Lab(seed=3, systems=["mailer", "payments"]) as lab:
        ns["receipt"].install(lab)  # as a learner would, trying it in their own lab first
        assert check(EXERCISE, ns).ok
        assert ns["receipt"].installed and ns["receipt"].url.startswith("http://127.0.0.1:")
