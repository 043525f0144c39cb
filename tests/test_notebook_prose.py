"""Course notebooks: the shape every lesson promises, and numbers that come from the lab.

Every number the prose quotes must appear in an output of a code cell above it
(story numbers such as "three weeks" are written in words). Headings, code
spans, links and list markers are not quotes. Nor are a notebook's `**Time:**`
line and 00's course map: their minutes are estimates, which
tests/test_course_shape.py holds to at least the honest time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: The reference page of where each habit lives in Zapier, Make, n8n, HubSpot and Stripe; it asks a question too.
TOOL_CARDS = ROOT / "notebooks" / "your_tools.ipynb"
ALL_NOTEBOOKS = LESSONS + sorted((ROOT / "exercises").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))

_CODE_SPAN = re.compile(r"`[^`]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_LIST_MARKER = re.compile(r"^\s*\d+[.)]\s", re.MULTILINE)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _output_text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append("".join(output["text"]))
        for key in ("text/plain", "text/markdown", "text/html"):
            value = output.get("data", {}).get(key)
            if value:
                parts.append("".join(value))
    return "\n".join(parts)


def _quoted_numbers(markdown: str) -> list[str]:
    if re.search(r"^## .*Course map\s*$", markdown, re.MULTILINE):
        return []
    lines = [line for line in markdown.splitlines() if not line.lstrip().startswith("#") and "**Time:**" not in line]
    text = _LIST_MARKER.sub(" ", _LINK_TARGET.sub("]", _CODE_SPAN.sub(" ", "\n".join(lines))))
    return [match.replace(",", "") for match in _NUMBER.findall(text)]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_numbers_in_the_prose_come_from_outputs_above(path: Path) -> None:
    seen = ""
    unexplained = []
    for index, cell in enumerate(_cells(path)):
        if cell["cell_type"] == "code":
            seen += "\n" + _output_text(cell).replace(",", "")
        elif cell["cell_type"] == "markdown":
            for number in _quoted_numbers(_source(cell)):
                if not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", seen):
                    unexplained.append(f"cell {index}: {number}")
    assert not unexplained, f"numbers in the prose that no output above shows: {unexplained}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_each_lesson_starts_a_seeded_lab_and_ends_with_a_recap_and_reflection(path: Path) -> None:
    cells = _cells(path)
    code = "\n".join(_source(c) for c in cells if c["cell_type"] == "code")
    prose = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown").lower()
    assert re.search(r"Lab\(seed=\d+", code), "a lesson starts its own seeded lab"
    assert "lab.stop()" in _source([c for c in cells if c["cell_type"] == "code"][-1]), "the last cell stops the lab"
    assert "## key points" in prose or "takeaway" in prose, "a recap with the key points"
    assert "reflection(" in code, "reflection questions with answer boxes"
    assert "you will be able to" in prose, "the objectives up front"


def test_there_are_seven_lessons_in_order() -> None:
    assert [p.name[:2] for p in LESSONS] == ["00", "01", "02", "03", "04", "05", "06"]


def test_every_reflection_question_is_registered_and_asked() -> None:
    from simulators.course.worksheets.questions import QUESTIONS

    registered = {q.id: q.notebook for q in QUESTIONS}
    asked: dict[str, set[str]] = {}
    for path in [*LESSONS, TOOL_CARDS]:
        code = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "code")
        for qid in re.findall(r"reflection\(\s*[\"'](q\w+)[\"']", code):
            asked.setdefault(qid, set()).add(path.stem)
    assert set(asked) <= set(registered), f"asked but not registered: {set(asked) - set(registered)}"
    assert set(registered) <= set(asked), f"registered but never asked: {set(registered) - set(asked)}"
    for qid, notebook in registered.items():
        assert notebook in asked[qid], f"{qid} is filed under {notebook} but asked in {sorted(asked[qid])}"
    for path in LESSONS:
        assert path.stem in registered.values(), f"{path.stem} has no reflection question of its own"
