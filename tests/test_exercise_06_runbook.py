"""Core exercise 06, the one-page runbook: answered in a form, checked for each part a colleague needs.

The solution passes in the confined grader; the untouched form fails and scores as untouched; realistic wrong
answers fail on the step that names the mistake (more live in tests/wrong_answers/ex06_runbook/); right
answers written differently pass; and the form itself saves, checks and restores the answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exercises.checks.ex06_runbook import WHY
from simulators.course.checking import check
from simulators.course.checking.batch import run_notebook
from simulators.course.forms import AnswerForm
from simulators.course.runbook import (
    ALERT,
    AUTOMATION,
    NIGHTLY,
    OWNER,
    QUESTIONS,
    SEES,
    find_date,
    runbook_page,
)
from tests.exercise_support import course_exercise, failed_steps

ROOT = Path(__file__).resolve().parent.parent
RIGHT = {
    "why": "A customer who pays gets their account at once, even at night; nobody opens accounts by hand.",
    "owner": OWNER,
    "customer_sees": SEES,
    "how_we_know": [ALERT, NIGHTLY],
    "last_change": "2026-11-30: added the nightly check at 02:00",
}
WHY_STEP = "says why it exists: who pays, what they get, and that nobody waits for a person"
OWNS = "names one owner: a person, not a team or a system"
SEEN = "says what the customer sees: paid, and no account"
TOLD = "knows of a failed delivery from the alert to Dana"
NIGHT = "knows of a missed activation from the nightly check"
FALSE_COMFORT = "trusts nothing that cannot see the failure"
CHANGED = "dates the last change and says what changed"


def checked(**changes: Any) -> Any:
    return check("ex06_runbook", {"RUNBOOK": {**RIGHT, **changes}})


@pytest.fixture(autouse=True)
def worksheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "worksheet.json"
    monkeypatch.setenv("HOOKLAB_WORKSHEET", str(path))
    return path


def test_the_solution_notebook_passes_in_the_confined_grader() -> None:
    [result] = run_notebook(ROOT / "solutions" / "06_runbook.ipynb", [course_exercise("ex06_runbook")])
    assert result.ok, str(result)
    assert result.message == "all 7 checks pass"


def test_the_untouched_form_fails_saying_so_and_scores_as_untouched() -> None:
    [result] = run_notebook(ROOT / "exercises" / "06_runbook.ipynb", [course_exercise("ex06_runbook")])
    assert result.status == "fail", str(result)
    assert result.message.startswith("the runbook is still empty: answer the five questions in the form")
    assert result.hints and result.details.get("untouched") and result.score == 0.0


@pytest.mark.parametrize(
    ("changes", "step", "says"),
    [
        ({"owner": "Whoever is on call that week"}, OWNS, "'whoever' is nobody by name"),
        ({"owner": "Dana and Marco together"}, OWNS, "two owners each wait for the other"),
        ({"owner": "The payment system, which sends the event"}, OWNS, "a system cannot own anything"),
        ({"customer_sees": "An error message on the checkout page"}, SEEN, "the page says thank you"),
        ({"customer_sees": "Nothing: it all happens behind the scenes"}, SEEN, "they notice first"),
        ({"customer_sees": "They are charged twice when the sender retries"}, SEEN, "never the payment itself"),
        ({"how_we_know": [ALERT, NIGHTLY, "The webhook was sent, so it arrived"]}, FALSE_COMFORT, "sent is not"),
        (
            {"how_we_know": [ALERT, NIGHTLY, "The payment system shows the payment as succeeded"]},
            FALSE_COMFORT,
            "says nothing about the account",
        ),
        ({"how_we_know": ["Someone reads the log now and then"]}, TOLD, "tick the alert"),
        (
            {"why": "To activate the customers who are paying us."},
            WHY_STEP,
            "does not say that nobody has to wait for a person",
        ),
        ({"why": "It gives people their account right away."}, WHY_STEP, "does not say who pays"),
        ({"why": "Why does it exist? What would go wrong without it?"}, WHY_STEP, "repeats the question"),
        ({"last_change": "2026-11-30"}, CHANGED, "gives a date but not what changed"),
        ({"last_change": "2026-13-45: moved the alert to Dana"}, CHANGED, "is not a day of the calendar"),
        ({"last_change": "last week: added the nightly check"}, CHANGED, "has no date"),
        ({"last_change": ...}, CHANGED, "not answered yet"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_a_wrong_answer_fails_on_the_step_that_names_the_mistake(changes: dict[str, Any], step: str, says: str) -> None:
    result = checked(**changes)
    assert not result.ok and failed_steps(result)[0] == step, str(result)
    first = next(s for s in result.steps if not s.ok)
    assert says in first.message, first.message
    assert result.hints


@pytest.mark.parametrize(
    "changes",
    [
        {"why": "So paying customers are activated immediately, without waiting for someone on the team."},
        {"why": "People who buy a plan can log in within seconds, on a weekend too, with no manual step."},
        {"why": "Without it, Ada pays at checkout and waits until someone opens her account by hand."},
        {"why": "Customers get the plan they bought as soon as they pay, in real time."},
        {"how_we_know": [NIGHTLY, ALERT]},
        {"last_change": "30 November 2026: Dana moved the alert to her own address"},
        {"last_change": "Nov 30, 2026 — retries switched on"},
    ],
)
def test_right_answers_written_differently_pass(changes: dict[str, Any]) -> None:
    result = checked(**changes)
    assert result.ok, str(result)


def test_the_check_reads_only_the_learners_own_words_as_evidence() -> None:
    asked = QUESTIONS[0].label
    assert not checked(why=asked).ok
    assert not checked(why=f"{asked} {asked}").ok, "the question twice is still the question"


def test_a_value_not_offered_by_the_form_is_named() -> None:
    result = checked(owner="Dana")
    assert failed_steps(result) == [OWNS] and "“Dana” is not one of the form's options" in str(result)


def test_the_form_saves_checks_and_brings_the_answers_back_after_a_restart() -> None:
    ns: dict[str, Any] = {}
    form = AnswerForm("ex06_runbook", QUESTIONS, ns)
    assert ns["RUNBOOK"] == dict.fromkeys(RIGHT, ...), "untouched: the check reads `...` everywhere"
    form.controls["RUNBOOK.why"].value = RIGHT["why"]
    form.controls["RUNBOOK.owner"].value = OWNER
    form.controls["RUNBOOK.customer_sees"].value = SEES
    for box in form.controls["RUNBOOK.how_we_know"].children:
        box.value = box.description in (ALERT, NIGHTLY)
    form.controls["RUNBOOK.last_change"].value = RIGHT["last_change"]
    result = form.submit.click() or form.result
    assert result.ok, str(result)
    assert "all 7 checks pass" in form.verdict.value and "Saved to your worksheet" in form.status.value
    restarted: dict[str, Any] = {}
    AnswerForm("ex06_runbook", QUESTIONS, restarted)
    assert restarted["RUNBOOK"] == RIGHT
    assert check("ex06_runbook", restarted).ok


def test_the_page_is_the_runbook_with_every_part_and_says_what_is_missing() -> None:
    page = runbook_page({**RIGHT, "last_change": ...})
    assert page.startswith(f"# Runbook: {AUTOMATION.name}\n") and AUTOMATION.describe() in page
    assert f"- **Owner:** {OWNER}" in page and f"- **How we know it works:** {ALERT}; {NIGHTLY}" in page
    assert "- **Last change:** *not answered yet*" in page


def test_the_automation_documented_names_its_owner_and_why() -> None:
    page = AUTOMATION.to_markdown()
    assert f"- **Owner:** {OWNER}" in page and "- **Why it exists:**" in page


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("2026-11-30: x", (2026, 11, 30)),
        ("on 3 Dec 2026 we", (2026, 12, 3)),
        ("December 3, 2026 we", (2026, 12, 3)),
        ("2026-02-30: x", None),
    ],
)
def test_dates_are_read_as_people_write_them(line: str, day: tuple[int, int, int] | None) -> None:
    found = find_date(line)
    assert found is not None and found[1] == day
    assert find_date("yesterday: added retries") is None


def test_no_idea_of_the_reason_is_evidenced_by_the_questions_own_words() -> None:
    assert WHY.evidence_in_question() == []
