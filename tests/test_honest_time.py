"""tools/honest_time.py: each lesson counted from what a learner meets in it, and README.md's copy current."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools.honest_time import FULL, MINIMUM, ROOT, Counts, Exercise, count, count_core_part, main, stated_minutes

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _lesson(tmp_path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    printed = nbformat.v4.new_output("stream", name="stdout", text="four words printed here\n")
    picture = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    notes = nbformat.v4.new_output("display_data", data={"text/markdown": "two [words](https://example.com)"})
    notebook.cells = [
        nbformat.v4.new_markdown_cell("**Track:** core\n\nOne <b>two</b> [three](glossary.ipynb#x)."),
        nbformat.v4.new_code_cell("lab", outputs=[printed, picture]),
        nbformat.v4.new_markdown_cell("**Try it:** click.\n\n**Try it:** again."),
        nbformat.v4.new_code_cell("reflection('q00_let_down')", outputs=[notes]),
    ]
    path = tmp_path / "00_sample.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_lesson_is_counted_from_its_words_outputs_cells_pictures_try_its_and_reflections(tmp_path: Path) -> None:
    counts = count(_lesson(tmp_path))
    assert counts == Counts(
        words=5 + 6, output_words=4 + 2, code_cells=2, pictures=1, try_its=2, reflections=1, exercises=()
    )


def test_the_minimum_and_the_full_figure_apply_their_rates() -> None:
    counts = Counts(
        words=1800, output_words=200, code_cells=10, pictures=2, try_its=4, reflections=2,
        exercises=(Exercise("ex.ipynb", stated=20, words=300),),
    )  # fmt: skip
    # 2000 words at 200 a minute, 10 cells, 2 pictures at half a minute, 2 reflections at 3, the exercise's 20.
    assert counts.minutes(MINIMUM) == 10 + 10 + 1 + 6 + 20
    # 2000 words at 150 a minute, 10 cells at 1.5, 2 pictures, 4 Try-its at 3, 2 reflections at 5, 20 × 1.25 + 2.
    assert counts.minutes(FULL) == 14 + 15 + 2 + 12 + 10 + 25 + 2


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_every_lesson_counts_its_own_exercise_and_takes_at_least_its_stated_reading(path: Path) -> None:
    counts = count(path)
    assert counts.exercises, f"{path.stem} sends its learner to an exercise on its own track"
    assert counts.minutes(FULL) > counts.minutes(MINIMUM)
    # The stated time counts Markdown, code cells and the exercises; the minimum counts those and more.
    assert counts.minutes(MINIMUM) >= stated_minutes(path) - 2  # type: ignore[operator]


@pytest.mark.parametrize("number", ["03", "04"])
def test_a_developer_lesson_s_core_part_is_its_paragraph_and_its_core_exercise(number: str) -> None:
    [path] = [p for p in LESSONS if p.name.startswith(number)]
    part = count_core_part(path)
    assert part is not None and len(part.exercises) == 1 and part.code_cells == 0
    assert part.minutes(MINIMUM) < count(path).minutes(MINIMUM)


def test_the_readme_holds_the_current_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0, capsys.readouterr().err
