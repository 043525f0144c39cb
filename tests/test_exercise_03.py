"""Exercise 03, signatures: the check passes on the solution, fails on the stub and on known wrong answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.course.checking import check
from simulators.course.checking.batch import run_notebook
from simulators.course.checking.notebook import notebook_namespace, read_cells
from tests.exercise_support import course_exercise, setup_namespace_with

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = ROOT / "exercises" / "03_signatures.ipynb"
SOLUTION = ROOT / "solutions" / "03_signatures.ipynb"
SOLUTION_CELL = next(cell.source for cell in read_cells(SOLUTION) if "exercise" in cell.tags)


def _wrong(old: str, new: str) -> str:
    assert old in SOLUTION_CELL, old
    return SOLUTION_CELL.replace(old, new)


WRONG = {
    # Compares with ==, which leaks through timing how much of a guess was right.
    "equals": (
        _wrong("hmac.compare_digest(expected, signature)", "expected == signature"),
        ["compares signatures in constant time (hmac.compare_digest)"],
    ),
    # Looks only at the first v1: breaks while a secret is rotated.
    "first_v1_only": (
        _wrong(
            "if not any(hmac.compare_digest(expected, signature) for signature in signatures):",
            "if not hmac.compare_digest(expected, signatures[0]):",
        ),
        ["accepts two v1 signatures when the second is right (secret rotation)"],
    ),
    # A valid signature from any time: replays work forever.
    "no_tolerance": (
        _wrong("return abs(time.time() - int(timestamp)) <= TOLERANCE", "return True"),
        [
            "rejects a genuine webhook replayed ten minutes later",
            "rejects one signed 5 min 10 s ago (just past the tolerance)",
            "rejects a timestamp ten minutes in the future",
        ],
    ),
    # Only the old side, as the stripe SDK does.
    "old_side_only": (
        _wrong(
            "return abs(time.time() - int(timestamp)) <= TOLERANCE", "return time.time() - int(timestamp) <= TOLERANCE"
        ),
        ["rejects a timestamp ten minutes in the future"],
    ),
    # Crashes on a request without the header.
    "no_header_crash": (
        _wrong("    if not header:\n        return False\n", ""),
        ["rejects a missing header (empty or None) without raising"],
    ),
    # Parses and re-dumps the JSON before hashing: genuine webhooks fail.
    "reserialises": (
        _wrong(
            'signed = timestamp.encode() + b"." + payload',
            'import json\n    signed = timestamp.encode() + b"." + json.dumps(json.loads(payload)).encode()',
        ),
        None,
    ),
}


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return course_exercise("ex03_signatures")


def _namespace_with(learner_cell: str) -> dict:
    return setup_namespace_with(SOLUTION, learner_cell)


def test_the_check_passes_on_the_solution_notebook(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(SOLUTION, [exercise])
    assert result.ok, str(result)
    assert result.message == "all 17 checks pass"


def test_the_check_fails_on_the_untouched_stub(exercise) -> None:  # type: ignore[no-untyped-def]
    result = check("ex03_signatures", notebook_namespace(EXERCISE, "ex03_signatures"))
    assert not result.ok
    assert result.message.startswith("`verify_signature` is still the stub")
    assert result.score == 0, "an untouched exercise earns no partial credit"


@pytest.mark.parametrize("name", [name for name, (_, failing) in WRONG.items() if failing])
def test_each_wrong_answer_fails_exactly_the_case_it_gets_wrong(exercise, name: str) -> None:  # type: ignore[no-untyped-def]
    cell, failing = WRONG[name]
    result = check("ex03_signatures", _namespace_with(cell))
    assert not result.ok
    assert [step.name for step in result.steps if not step.ok] == failing
    assert failing[0] in result.message


def test_a_verifier_that_reserialises_rejects_genuine_webhooks(exercise) -> None:  # type: ignore[no-untyped-def]
    result = check("ex03_signatures", _namespace_with(WRONG["reserialises"][0]))
    failing = [step.name for step in result.steps if not step.ok]
    assert failing[:2] == ["accepts real deliveries from the payment system", "accepts a genuine webhook"]
    assert "of 3 real deliveries, 0 were accepted" in result.message


def test_a_crash_is_named_with_its_case_and_no_header_is_printed(exercise) -> None:  # type: ignore[no-untyped-def]
    result = check("ex03_signatures", _namespace_with(WRONG["no_header_crash"][0]))
    step = next(step for step in result.steps if not step.ok)
    assert step.message == "raised AttributeError for no header (None)"
    assert "t=" not in str(result)  # the wall-clock timestamps never reach a notebook's output
    assert "A request without a signature is simply not genuine" in result.hints[1]


def test_compare_digest_imported_by_name_counts_as_constant_time(exercise) -> None:  # type: ignore[no-untyped-def]
    cell = "from hmac import compare_digest\n" + SOLUTION_CELL.replace("hmac.compare_digest(", "compare_digest(")
    result = check("ex03_signatures", _namespace_with(cell))
    assert result.ok, str(result)


def test_a_verifier_that_accepts_everything_fails_every_forgery(exercise) -> None:  # type: ignore[no-untyped-def]
    result = check(
        "ex03_signatures", _namespace_with("def verify_signature(payload, header, secret):\n    return True\n")
    )
    failing = [step.name for step in result.steps if not step.ok]
    assert len(failing) == 11 and all(name.startswith(("rejects", "compares")) for name in failing)
