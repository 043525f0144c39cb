"""Answer forms: a core learner answers with clicks and words; the check reads the same names code would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulators.course.forms import UNCHOSEN, AnswerForm, choice, choices, number, text
from simulators.course.worksheets.answers import load_answers

FIELDS = [
    choice("formula.trigger", "What starts it?", ["charge.refunded", "customer.created"]),
    choices("formula.data", "What does the action need?", ["data.object.customer", "data.object.amount"]),
    text("reason", "Why, in one sentence?", lines=3),
    number("median_minutes", "How long did half the payments wait?", unit="minutes"),
]


@pytest.fixture(autouse=True)
def worksheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "worksheet.json"
    monkeypatch.setenv("HOOKLAB_WORKSHEET", str(path))
    return path


class Recorder:
    """Stands in for the course's check: notes what it was given."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, exercise_id: str, namespace: Any) -> str:
        self.calls.append({"exercise": exercise_id, **{k: v for k, v in namespace.items() if k != "__builtins__"}})
        return f"checked {exercise_id}"


def _fill(form: AnswerForm) -> None:
    form.controls["formula.trigger"].value = "charge.refunded"
    form.controls["formula.data"].children[0].value = True
    form.controls["reason"].value = "  Lin wants to know at once.  "
    form.controls["median_minutes"].value = "80"


def test_an_untouched_form_leaves_the_stub_where_the_check_reads() -> None:
    ns: dict[str, Any] = {}
    form = AnswerForm("ex_demo", FIELDS, ns, checker=Recorder())
    assert ns == {"formula": {"trigger": ..., "data": ...}, "reason": ..., "median_minutes": ...}
    assert form.controls["formula.trigger"].value == UNCHOSEN
    assert repr(form) == "AnswerForm('ex_demo')"


def test_submit_with_an_empty_answer_names_it_and_runs_no_check() -> None:
    recorder = Recorder()
    form = AnswerForm("ex_demo", FIELDS, {}, checker=recorder)
    _fill(form)
    form.controls["reason"].value = "   "
    form.submit.click()
    assert "Still empty: “Why, in one sentence?”" in form.status.value
    assert recorder.calls == [] and form.verdict.value == ""


def test_a_number_in_another_unit_is_refused_naming_the_unit_asked() -> None:
    recorder = Recorder()
    form = AnswerForm("ex_demo", FIELDS, {}, checker=recorder)
    _fill(form)
    form.controls["median_minutes"].value = "1.3 hours"
    form.submit.click()
    assert "takes a number of minutes, like 80; you typed “1.3 hours”" in form.status.value
    assert recorder.calls == []
    form.controls["median_minutes"].value = "80 minutes"  # the unit asked for, written out: right
    form.submit.click()
    assert recorder.calls[-1]["median_minutes"] == 80


def test_submit_saves_writes_the_answers_and_shows_the_verdict(worksheet: Path) -> None:
    recorder, ns = Recorder(), {}
    form = AnswerForm("ex_demo", FIELDS, ns, notebook="01_formula", checker=recorder)
    _fill(form)
    form.submit.click()
    assert ns["formula"] == {"trigger": "charge.refunded", "data": ["data.object.customer"]}
    assert ns["reason"] == "Lin wants to know at once." and ns["median_minutes"] == 80
    assert recorder.calls[0]["exercise"] == "ex_demo" and recorder.calls[0]["median_minutes"] == 80
    assert form.verdict.value == "checked ex_demo" and "Saved" in form.status.value
    saved = load_answers(worksheet)
    assert saved["ex_demo.formula.data"]["answer"] == "data.object.customer"
    assert saved["ex_demo.reason"] == {
        "answer": "Lin wants to know at once.",
        "question": "Why, in one sentence?",
        "notebook": "01_formula",
    }


def test_after_a_restart_the_form_comes_back_filled_and_the_check_sees_it_before_any_click() -> None:
    first = AnswerForm("ex_demo", FIELDS, {}, checker=Recorder())
    _fill(first)
    first.submit.click()
    fresh: dict[str, Any] = {}  # a new kernel, or `hooklab grade` running the notebook's cells
    again = AnswerForm("ex_demo", FIELDS, fresh, checker=Recorder())
    assert fresh["formula"] == {"trigger": "charge.refunded", "data": ["data.object.customer"]}
    assert fresh["median_minutes"] == 80 and fresh["reason"] == "Lin wants to know at once."
    assert again.controls["formula.data"].children[0].value is True
    assert again.controls["formula.data"].children[1].value is False


def test_two_fields_writing_the_same_answer_are_a_mistake_in_the_exercise() -> None:
    with pytest.raises(ValueError, match="write the same answer"):
        AnswerForm("ex_demo", [text("a", "A?"), text("a", "A again?")], {})


def test_the_formula_exercise_answered_in_a_form_passes_right_and_fails_wrong() -> None:
    slots = [
        text("formula.trigger", "Trigger"),
        text("formula.source", "Source"),
        text("formula.action", "Action"),
        text("formula.destination", "Destination"),
        choices("formula.data", "Data", ["data.object.customer", "data.object.amount_refunded", "data.object.id"]),
        text("formula.alert", "Alert"),
    ]
    right = {
        "formula.trigger": "charge.refunded",
        "formula.source": "payments",
        "formula.action": "create_task",
        "formula.destination": "crm",
        "formula.alert": "lin@example.com",
    }
    for trigger, passes in (("charge.refunded", True), ("customer.created", False)):
        ns: dict[str, Any] = {}
        form = AnswerForm("ex01_formula", slots, ns)
        for name, value in {**right, "formula.trigger": trigger}.items():
            form.controls[name].value = value
        for box in form.controls["formula.data"].children[:2]:
            box.value = True
        result = form.check()
        assert result.ok is passes, str(result)
        assert ("NOT YET" not in form.verdict.value) is passes
