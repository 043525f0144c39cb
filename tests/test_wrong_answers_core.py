"""Interim: each wrong answer under tests/wrong_answers/ for the core exercises 03, 04 and 06 fails where it says.

Each notebook's metadata `hooklab_wrong_answer` names the exercise, the step that
must fail first, a piece of that step's message, and the mistake. The course-wide
grader of that folder replaces this module once it lands.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulators.course.checking import run_check
from simulators.course.checking.notebook import notebook_namespace
from tests.exercise_support import course_exercise

FOLDER = Path(__file__).resolve().parent / "wrong_answers"
EXERCISES = ("ex03_trust", "ex04_log", "ex06_start_simple")
CASES = sorted(path for exercise in EXERCISES for path in (FOLDER / exercise).glob("*.ipynb"))


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_each_core_exercise_has_at_least_six_wrong_answers(exercise_id: str) -> None:
    assert len(list((FOLDER / exercise_id).glob("*.ipynb"))) >= 6


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_wrong_answer_fails_first_at_the_step_it_names(path: Path) -> None:
    said = json.loads(path.read_text())["metadata"]["hooklab_wrong_answer"]
    assert said["exercise"] == path.parent.name and said["why"].strip()
    result = run_check(course_exercise(said["exercise"]), notebook_namespace(path, said["exercise"]))
    assert not result.ok and result.status == "fail", str(result)
    first = next(step for step in result.steps if not step.ok)
    assert first.name == said["step"], str(result)
    assert said["says"] in first.message, str(result)
    assert result.hints, "a failing check says what to try"
