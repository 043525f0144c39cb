"""Core exercises 03, 04 and 06 (no code: judge deliveries, read a log, start simple): solution passes, stub fails.

Their wrong answers live in tests/wrong_answers/<exercise>/; each one's check
must fail first at the step its metadata names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exercises.checks.ex06_start_simple import PIECES
from simulators.course.activation_log import activation_morning, gave_up_at
from simulators.course.checking.batch import run_notebook
from simulators.course.trust import ACT, CHANGED, SECRET, TOO_OLD, UNSIGNED, suspect_deliveries
from simulators.webhooks.signing import SignatureError, verify_stripe
from tests.exercise_support import course_exercise

ROOT = Path(__file__).resolve().parent.parent
#: exercise id, notebook, the solution's verdict, how the untouched stub's verdict starts.
EXERCISES = [
    ("ex03_trust", "03_trust.ipynb", "all 7 checks pass", "DECISIONS is still `...`"),
    ("ex04_log", "04_read_the_log.ipynb", "all 7 checks pass", "the answers are still `...`"),
    ("ex06_start_simple", "06_start_simple.ipynb", "all 8 checks pass", "the answers are still `...`"),
]


@pytest.mark.parametrize(("exercise_id", "notebook", "passes", "_stub"), EXERCISES, ids=[e[0] for e in EXERCISES])
def test_the_check_passes_on_the_solution_notebook(exercise_id: str, notebook: str, passes: str, _stub: str) -> None:
    [result] = run_notebook(ROOT / "solutions" / notebook, [course_exercise(exercise_id)])
    assert result.ok, str(result)
    assert result.message == passes


@pytest.mark.parametrize(("exercise_id", "notebook", "_passes", "stub"), EXERCISES, ids=[e[0] for e in EXERCISES])
def test_the_check_says_the_untouched_stub_is_still_blank(
    exercise_id: str, notebook: str, _passes: str, stub: str
) -> None:
    [result] = run_notebook(ROOT / "exercises" / notebook, [course_exercise(exercise_id)])
    assert not result.ok and result.status == "fail", str(result)
    assert result.message.startswith(stub)
    assert result.hints


def test_the_pile_holds_one_of_each_kind_the_lesson_names() -> None:
    pile = suspect_deliveries()
    assert pile.verdicts() == {"A": CHANGED, "B": ACT, "C": UNSIGNED, "D": TOO_OLD, "E": ACT}
    assert str(pile) == str(suspect_deliveries()), "the cards print the same on every run"


def test_the_verdicts_are_the_lab_verifiers_own() -> None:
    for delivery in suspect_deliveries().deliveries:
        try:
            verify_stripe(delivery.body, delivery.header, SECRET, now=delivery.arrived.timestamp())
            accepted = True
        except SignatureError:
            accepted = False
        assert accepted == (delivery.verdict() == ACT), delivery.label


def test_a_card_shows_matching_fingerprints_only_for_an_unchanged_body() -> None:
    cards = {d.label: d for d in suspect_deliveries().deliveries}
    assert cards["A"].fingerprint_in_header() != cards["A"].fingerprint_of_body()
    assert cards["B"].fingerprint_in_header() == cards["B"].fingerprint_of_body()
    assert cards["C"].fingerprint_in_header() is None and "(no signature header)" in cards["C"].card()


def test_the_morning_loses_one_paying_customer_and_logs_every_step() -> None:
    morning = activation_morning()
    assert morning.never_activated() == ["Grace Hopper"]
    assert "Hedy Lamarr" not in morning.paid, "the declined card is a customer with no account who never paid"
    alan = morning.of("Alan Turing")
    assert sum("failed" in line.what for line in alan if line.step == "delivery") >= 2, "a failure a retry healed"
    assert any(line.step == "provisioning" for line in alan)
    grace = morning.of("Grace Hopper")
    assert [line.what for line in grace if line.step == "delivery"] == ["webhook try 1: succeeded (200)"]
    assert gave_up_at(morning, "Grace Hopper") is not None
    assert all(line.event and line.customer != "?" for line in morning.lines), "every line names event and customer"
    assert str(morning) == str(activation_morning()), "the same log on every run"


@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_start_simple_lists_the_pieces_its_check_reads(folder: str) -> None:
    cells = json.loads((ROOT / folder / "06_start_simple.ipynb").read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for letter, piece in PIECES.items():
        assert f"| {letter} | {piece} |" in text, f"{folder}/06_start_simple.ipynb lists {letter}: {piece}"
