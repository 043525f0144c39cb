"""Reflection answers: saved as typed, back after a restart, exported with every question."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulators.course.worksheets import (
    QUESTIONS,
    export,
    load_answers,
    question,
    reflection,
    save_answer,
    worksheet_path,
)
from simulators.course.worksheets.export import worksheet_entries

SEED_LESSON = Path("/work/shared/seed/lesson-3-triggers-actions-webhooks.txt")


def test_typing_saves_the_answer_to_the_worksheet_file() -> None:
    box = reflection("q01_failures")
    assert box.answer.value == "" and "Not answered yet" in box.status.value
    box.answer.value = "Invoices sync to the CRM every night."
    saved = json.loads(worksheet_path().read_text())
    assert saved["answers"]["q01_failures"]["answer"] == "Invoices sync to the CRM every night."
    assert saved["answers"]["q01_failures"]["notebook"] == "05_case_study_silent_failure"
    assert "Saved" in box.status.value
    assert [p.name for p in worksheet_path().parent.iterdir()] == ["worksheet.json"]  # no temporary file left behind


def test_a_new_kernel_sees_the_saved_answer(tmp_path: Path) -> None:
    reflection("q01_manual_process").answer.value = "Copying leads from the form into the CRM."
    code = "from simulators.course.worksheets import reflection; print(reflection('q01_manual_process').answer.value)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=dict(os.environ)
    )
    assert done.stdout.strip() == "Copying leads from the form into the CRM."


def test_the_text_repr_does_not_depend_on_the_answer() -> None:
    empty = reflection("q01_failures")
    text = empty._repr_mimebundle_()["text/plain"]
    empty.answer.value = "something personal"
    assert (
        reflection("q01_failures")._repr_mimebundle_()["text/plain"]
        == text
        == "▶ Run this cell to show your answer box (q01_failures)."
    )


def test_answers_to_other_questions_are_kept() -> None:
    save_answer("q01_failures", "one")
    reflection("q01_manual_process").answer.value = "two"
    assert {key: value["answer"] for key, value in load_answers().items()} == {
        "q01_failures": "one",
        "q01_manual_process": "two",
    }


def test_the_file_location_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    box = reflection("q01_failures")
    monkeypatch.setenv("HOOKLAB_WORKSHEET", str(tmp_path / "elsewhere" / "w.json"))
    box.answer.value = "moved"
    assert load_answers(tmp_path / "elsewhere" / "w.json")["q01_failures"]["answer"] == "moved"


def test_a_corrupt_worksheet_file_is_explained() -> None:
    worksheet_path().parent.mkdir(parents=True, exist_ok=True)
    worksheet_path().write_text("{not json")
    with pytest.raises(ValueError, match="is not valid JSON"):
        load_answers()


def test_an_unknown_question_needs_its_text() -> None:
    with pytest.raises(KeyError, match="no reflection question 'q99_x'"):
        reflection("q99_x")
    box = reflection("q99_x", "What did you learn today?", notebook="99_extra")
    box.answer.value = "Retries."
    groups = dict(worksheet_entries())
    assert [entry.answer for entry in groups["99_extra"]] == ["Retries."]


def test_the_question_registry_holds_the_lessons_two_questions_in_our_own_words() -> None:
    ids = [entry.id for entry in QUESTIONS]
    assert len(ids) == len(set(ids))
    assert {"q01_failures", "q01_manual_process"} <= set(ids)
    lesson = SEED_LESSON.read_text() if SEED_LESSON.exists() else ""
    for entry in QUESTIONS:
        assert entry.text.endswith("?")
        assert entry.text not in lesson
    assert question("q01_failures").notebook == "05_case_study_silent_failure"


def test_export_lists_every_question_by_notebook_and_marks_unanswered(tmp_path: Path) -> None:
    save_answer("q01_failures", "Line one\n\nLine <two> & more")
    md_path, html_path = export(tmp_path, ["md", "html"])
    markdown = md_path.read_text()
    assert markdown.count("## 01_triggers_and_actions") == 1
    for entry in QUESTIONS:
        assert entry.text in markdown
    assert f"1 of {len(QUESTIONS)} questions answered." in markdown
    assert "> Line one\n>\n> Line <two> & more" in markdown
    assert markdown.count("**(not answered yet)**") == len(QUESTIONS) - 1
    page = html_path.read_text()
    assert "Line <two>" not in page and "Line &lt;two&gt; &amp; more" in page
    assert page.count("class='unanswered'") == len(QUESTIONS) - 1


def test_export_rejects_unknown_formats(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not pdf"):
        export(tmp_path, ["pdf"])


def test_the_export_button_writes_the_worksheet_in_the_lab(tmp_path: Path) -> None:
    from simulators.course import export_worksheet, reflection

    reflection("q00_let_down").answer.value = "The receipt never came."
    button = export_worksheet(tmp_path)
    assert repr(button) == "▶ Run this cell to show the export button." and not list(tmp_path.iterdir()), (
        "nothing is written before the click"
    )
    button.button.click()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["worksheet.html", "worksheet.md"]
    assert "> The receipt never came." in (tmp_path / "worksheet.md").read_text()
    assert "Exported 1 of" in button.status.value and "worksheet.md" in button.status.value


def test_the_export_button_says_when_it_cannot_write(tmp_path: Path) -> None:
    from simulators.course import export_worksheet

    blocker = tmp_path / "taken"
    blocker.write_text("a file where the folder should be")
    button = export_worksheet(blocker)
    assert button.export() == []
    assert "Could not export" in button.status.value
