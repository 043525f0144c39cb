"""Every wrong-answer notebook under tests/wrong_answers/ fails its check on the step it names.

A wrong-answer notebook is a copy of an exercise notebook whose learner cells hold
a realistic mistake, with metadata `hooklab_wrong_answer`: {"exercise", "step"
(the step that must fail first; empty where the mistake is a crash), "says" (a part
of that step's message telling the learner what to change), "why"}. Each is graded
as `hooklab check EXERCISE --path FILE` grades it (the notebook's cells in a fresh
namespace, then the check), in the course's own scene, in this process: one worker
per notebook would cost more time in interpreters than in checks.
"""

from __future__ import annotations

import inspect
import json
import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from simulators.course.checking import load_checks, registry, run_check
from simulators.course.checking.notebook import notebook_namespace
from simulators.course.checking.variant import Variant

FOLDER = Path(__file__).resolve().parent / "wrong_answers"
NOTEBOOKS = sorted(FOLDER.glob("*/*.ipynb"))
KEYS = ("exercise", "step", "says", "why")
#: Fewest wrong answers an exercise of the course keeps.
AT_LEAST = 6
#: A wrong answer's slug as a clause table names it: words joined by - or _.
SLUG = re.compile(r"(?<![\w.`])[a-z0-9]+(?:[-_][a-z0-9]+)+(?![\w.`(])")


def claim(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8"))["metadata"]["hooklab_wrong_answer"]


def grade(path: Path, exercise_id: str) -> Any:
    load_checks()
    exercise = registry.get(exercise_id)
    return run_check(exercise, partial(notebook_namespace, path, exercise_id), variant=Variant())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_a_wrong_answer_fails_first_on_the_step_it_names(path: Path) -> None:
    said = claim(path)
    assert set(KEYS) <= set(said) and said["says"] and said["why"], f"{path.name}: metadata needs {KEYS}"
    assert path.parent.name == said["exercise"], "a wrong answer lives in its exercise's folder"
    result = grade(path, said["exercise"])
    report = result.as_dict()
    if not said["step"]:  # a crash: shown apart, and never an attempt
        assert result.status == "error", str(result)
        assert not result.counts_as_attempt
        assert said["says"] in result.message, str(result)
        return
    assert result.status == "fail", str(result)
    assert report["first_failure"] == said["step"], str(result)
    first = next(step for step in result.steps if not step.ok)
    assert said["says"] in first.message, f"{first.message!r} does not say {said['says']!r}"
    assert result.hints, "a failing check says what to try"


def test_every_course_exercise_keeps_enough_wrong_answers() -> None:
    load_checks()
    counts = {entry.id: 0 for entry in registry.all()}
    for path in NOTEBOOKS:
        counts[claim(path)["exercise"]] = counts.get(claim(path)["exercise"], 0) + 1
    short = {exercise: n for exercise, n in counts.items() if n < AT_LEAST}
    assert not short, f"exercises with fewer than {AT_LEAST} wrong answers: {short}"


def test_every_check_maps_its_clauses_to_steps_and_wrong_answers() -> None:
    """Each check's docstring tables its instructions' clauses; every slug it names is a wrong answer that exists."""
    load_checks()
    for entry in registry.all():
        doc = (inspect.getmodule(entry.fn).__doc__ or "").splitlines()  # type: ignore[union-attr]
        header = next((i for i, line in enumerate(doc) if line.startswith("| Clause | Step | Wrong answer |")), None)
        assert header is not None, f"{entry.id}: its check module's docstring has no clause table"
        rows = [line for line in doc[header + 2 :] if line.startswith("|")]
        assert len(rows) >= 5, f"{entry.id}: only {len(rows)} clauses in its table"
        named = {slug for row in rows for slug in SLUG.findall(row.rstrip("|").rsplit("|", 1)[1])}
        # A module that registers several exercises (ex05_core) tables them together.
        folders = [FOLDER / other.id for other in registry.all() if other.fn.__module__ == entry.fn.__module__]
        missing = sorted(slug for slug in named if not any((folder / f"{slug}.ipynb").exists() for folder in folders))
        assert not missing, f"{entry.id}: its table names wrong answers that do not exist: {missing}"
