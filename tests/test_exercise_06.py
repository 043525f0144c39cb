"""Exercise 06 both ways, and the course's generated automation documentation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulators.course.checking import check
from simulators.course.checking.notebook import Cell, notebook_namespace, read_cells, run_cells
from simulators.course.scenarios import CATALOGUE, course_automations, render_course_catalogue

ROOT = Path(__file__).resolve().parent.parent
NAME = "06_designing_automations.ipynb"
SOLUTION = ROOT / "solutions" / NAME
EXERCISE = ROOT / "exercises" / NAME


def solved(*changes: tuple[str, str]) -> dict[str, Any]:
    """The solution's namespace, its spec cell edited by (old, new) replacements: a wrong answer."""
    source = next(cell.source for cell in read_cells(SOLUTION) if "NEW_LEAD = Automation(" in cell.source)
    for old, new in changes:
        assert old in source, f"the wrong answer's edit {old!r} does not apply to the solution"
        source = source.replace(old, new)
    ns = notebook_namespace(SOLUTION, "ex06_design")
    run_cells([Cell(100, source, ("exercise",))], ns)
    return ns


def names_problem(result: Any, problem: str) -> bool:
    return problem in result.message or any(problem in step.name and not step.ok for step in result.steps)


def test_the_solution_passes() -> None:
    result = check("ex06_design", solved())
    assert result.ok, str(result)


def test_the_untouched_stub_fails_saying_what_the_spec_lacks() -> None:
    result = check("ex06_design", notebook_namespace(EXERCISE, "ex06_design"))
    assert not result.ok
    assert (
        "NEW_LEAD is ready (validate() finds no problems)" in result.message and "no one is alerted" in result.message
    )
    assert "has no steps" in result.message
    # The stub already names both triggers: no step may pass on it, or an untouched exercise earns partial credit.
    assert not any(step.ok for step in result.steps) and result.score == 0, str(result)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            [('alert="success.lead@example.com",', "alert=None,")],
            "CANCELLATION is ready (validate() finds no problems) — no one is alerted",
        ),
        (
            [
                (
                    '"title": "Retention call: {data.object.customer} cancelled"',
                    '"title": "Call {data.object.customer_email}"',
                )
            ],
            "which a customer.subscription.deleted event does not carry",
        ),
        (
            [('when="customer.subscription.deleted"', 'when="customer.subscription.created"')],
            "this flow starts on 'customer.subscription.deleted'",
        ),
        (
            [
                (
                    """        Step("send_email", "mailer", using={"to": "data.email", "subject": "Welcome, {data.name|there}!",""",
                    """        Step("send_email", "mailer", using={"to": "marketing@example.com", "subject": "New lead {data.name|there}",""",
                )
            ],
            "the lead gets one welcome email",
        ),
        (
            [
                ('"title": "Retention call: {data.object.customer} cancelled"', '"title": "Retention call"'),
                ('"Subscription {data.object.id} was cancelled.', '"A subscription was cancelled.'),
            ],
            "the task says which customer cancelled",
        ),
        (
            [
                (
                    '    description="Every lead from the website\'s contact form lands in the CRM and hears from us at once.",\n',
                    "",
                )
            ],
            "NEW_LEAD explains why it exists",
        ),
        (
            [
                (
                    "Every lead from the website's contact form lands in the CRM and hears from us at once.",
                    "x",
                )
            ],
            "NEW_LEAD explains why it exists",
        ),
        (
            [
                (
                    "Customer success calls everyone who cancels, while the reason is still fresh.",
                    "TODO: write this",
                )
            ],
            "CANCELLATION explains why it exists",
        ),
    ],
    ids=[
        "no-alert",
        "data-not-carried",
        "wrong-trigger",
        "welcome-goes-to-marketing",
        "task-without-customer",
        "no-description",
        "placeholder-description",
        "todo-description",
    ],
)
def test_wrong_designs_fail_naming_the_problem(changes: list[tuple[str, str]], problem: str) -> None:
    result = check("ex06_design", solved(*changes))
    assert not result.ok
    assert names_problem(result, problem), str(result)
    assert result.hints


def test_the_catalogue_documents_every_automation_of_the_course_and_is_current() -> None:
    written = (ROOT / CATALOGUE).read_text(encoding="utf-8")
    assert written == render_course_catalogue(), (
        f"{CATALOGUE} is out of date: regenerate it with "
        "`.venv/bin/python -c 'from simulators.course.scenarios import write_course_catalogue; write_course_catalogue()'`"
    )
    for automation in course_automations():
        assert f"## {automation.name}" in written
        assert automation.describe() in written
        assert automation.validate() == []  # every course automation names a person and reads only what it gets
    for section in ("### Trigger", "### Steps", "### When it fails", "### Who is alerted", "### How to test it"):
        assert written.count(section) == len(course_automations())


# -- the core path: the seven-question map and a retry policy, checked -------------------------


def mapped(**answers: str) -> dict[str, Any]:
    """The solution's map namespace, with some answers (or RETRY_POLICY / RETRY_WHY) replaced: a wrong answer."""
    ns = notebook_namespace(SOLUTION, "ex06_map")
    for key, value in answers.items():
        if key in ("RETRY_POLICY", "RETRY_WHY"):
            ns[key] = value
        else:
            ns["CANCELLATION_MAP"] = {**ns["CANCELLATION_MAP"], key.replace("_", " ") + "?": value}
    return ns


def test_the_solved_map_passes() -> None:
    result = check("ex06_map", mapped())
    assert result.ok, str(result)


def test_the_untouched_map_fails_saying_it_is_empty() -> None:
    result = check("ex06_map", notebook_namespace(EXERCISE, "ex06_map"))
    assert not result.ok and "the map is still empty" in result.message
    assert result.hints


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"What event starts it": "a new form submission in the CRM"}, "starts on a cancelled subscription"),
        ({"What data is required": "their email and phone number"}, "needs the customer"),
        ({"Which system does each step": "the mailer sends an email"}, "the CRM creates the retention task"),
        ({"What if a step fails": "it fails and we move on"}, "a failing step is tried again"),
        ({"Who is told": "the customer success team"}, "names one person to tell"),
        ({"What if data is missing": "?"}, "answers every question"),
        ({"RETRY_POLICY": "none"}, "chooses a retry policy that tries again"),
        ({"RETRY_POLICY": "forever"}, "chooses a retry policy that tries again"),
        ({"RETRY_WHY": "it is better"}, "says why"),
    ],
    ids=["wrong-trigger", "no-customer", "wrong-system", "no-retry", "a-team", "blank", "none", "unknown", "no-why"],
)
def test_wrong_maps_fail_naming_the_problem(answers: dict[str, str], problem: str) -> None:
    result = check("ex06_map", mapped(**answers))
    assert not result.ok
    assert names_problem(result, problem), str(result)
    assert result.hints
