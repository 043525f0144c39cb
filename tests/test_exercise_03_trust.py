"""Exercise 03, core track (which webhooks to act on): the lab's verifier decides, the check agrees with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.course.checking.batch import run_notebook
from simulators.course.suspect_deliveries import ACT, CHANGED, TOO_OLD, UNSIGNED, suspect_deliveries
from simulators.webhooks.signing import SignatureError, verify_stripe
from tests.exercise_support import course_exercise

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "03_trust.ipynb"


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return course_exercise("ex03_trust")


def test_the_pile_holds_one_of_each_kind_the_lesson_names() -> None:
    pile = suspect_deliveries()
    assert pile.verdicts() == {"A": CHANGED, "B": ACT, "C": UNSIGNED, "D": TOO_OLD, "E": ACT}
    assert str(pile) == str(suspect_deliveries()), "the cards print the same on every run"


def test_the_verdicts_are_the_lab_verifiers_own() -> None:
    for delivery in suspect_deliveries().deliveries:
        try:
            verify_stripe(
                delivery.body, delivery.header, "whsec_hooklab_exercise_03_trust", now=delivery.arrived.timestamp()
            )
            accepted = True
        except SignatureError:
            accepted = False
        assert accepted == (delivery.verdict() == ACT), delivery.label


def test_a_card_shows_matching_fingerprints_only_for_an_unchanged_body() -> None:
    cards = {d.label: d for d in suspect_deliveries().deliveries}
    assert cards["A"].fingerprint_in_header() != cards["A"].fingerprint_of_body()
    assert cards["B"].fingerprint_in_header() == cards["B"].fingerprint_of_body()
    assert cards["C"].fingerprint_in_header() is None and "(no signature header)" in cards["C"].card()


def test_the_check_passes_on_the_solution_notebook(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "solutions" / NOTEBOOK, [exercise])
    assert result.ok, str(result)
    assert result.message == "all 7 checks pass"


def test_the_check_says_the_untouched_stub_is_still_blank(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(ROOT / "exercises" / NOTEBOOK, [exercise])
    assert not result.ok and result.status == "fail"
    assert result.message.startswith("DECISIONS is still `...`")
    assert result.hints
