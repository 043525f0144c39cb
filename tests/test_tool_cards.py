"""The habit cards: where each of the seven habits lives in the tools a learner really uses, each line sourced."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CARDS = NOTEBOOKS / "your_tools.ipynb"
HABITS = ["Verify", "Acknowledge", "Retry", "Log", "Alert", "Reconcile", "Document"]
TOOLS = ["Zapier", "Make", "n8n", "HubSpot workflows", "Stripe Dashboard"]
LINK = re.compile(r"\[[^\]]+\]\((https://[^)\s]+)\)")


def markdown_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def cards() -> dict[str, dict[str, str]]:
    """Each card's habit, and its rows: tool -> the rest of the row."""
    found: dict[str, dict[str, str]] = {}
    for text in markdown_cells(CARDS):
        heading = re.match(r"### (\w+):", text)
        if not heading:
            continue
        rows = {}
        for line in text.splitlines():
            parts = [p.strip() for p in line.strip().strip("|").split("|")]
            if line.startswith("|") and parts[0] not in ("Tool", "---"):
                rows[parts[0]] = " | ".join(parts[1:])
        found[heading.group(1)] = rows
    return found


def test_there_is_one_card_per_habit_in_the_order_the_course_teaches_them() -> None:
    assert list(cards()) == HABITS


@pytest.mark.parametrize("habit", HABITS)
def test_each_card_places_its_habit_in_all_five_tools_each_with_a_public_source(habit: str) -> None:
    rows = cards()[habit]
    assert list(rows) == TOOLS, f"{habit}: one row per tool, in order"
    for tool, row in rows.items():
        where, _, source = row.rpartition(" | ")
        assert len(where.split()) >= 8, f"{habit} in {tool}: say where it lives (or that it has no home there)"
        assert LINK.search(source), f"{habit} in {tool}: link the public page the line comes from"
        assert "example.com" not in source


def test_a_tool_without_the_feature_is_said_plainly() -> None:
    reconcile = cards()["Reconcile"]
    assert sum("No built-in comparison" in row for row in reconcile.values()) == 4, "only Stripe lists what it missed"


def test_the_cards_end_with_a_reflection_in_the_worksheet_and_are_linked_from_06() -> None:
    from simulators.course.worksheets.questions import question

    cells = json.loads(CARDS.read_text())["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert any('reflection("q06_your_tools")' in c for c in code)
    assert question("q06_your_tools").notebook == "your_tools"
    designing = "\n".join(markdown_cells(NOTEBOOKS / "06_designing_automations.ipynb"))
    assert "](your_tools.ipynb)" in designing
    assert "](06_designing_automations.ipynb" in markdown_cells(CARDS)[0]
