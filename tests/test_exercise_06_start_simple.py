"""Exercise 06, core track (start simple): the first version, what comes later, why, and its first line of docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exercises.checks.ex06_start_simple import PIECES
from simulators.course.checking.batch import run_notebook
from tests.exercise_support import course_exercise

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "06_start_simple.ipynb"


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return course_exercise("ex06_start_simple")


@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_the_notebook_lists_the_pieces_the_check_reads(folder: str) -> None:
    cells = json.loads((ROOT / folder / NOTEBOOK).read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for letter, piece in PIECES.items():
        assert f"| {letter} | {piece} |" in text, f"{folder}/{NOTEBOOK} lists {letter}: {piece}"


def test_the_check_passes_on_the_solution_notebook(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "solutions" / NOTEBOOK, [exercise])
    assert result.ok, str(result)
    assert result.message == "all 8 checks pass"


def test_the_check_says_the_untouched_stub_is_still_blank(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "exercises" / NOTEBOOK, [exercise])
    assert not result.ok and result.status == "fail"
    assert result.message.startswith("the answers are still `...`")
    assert result.hints
