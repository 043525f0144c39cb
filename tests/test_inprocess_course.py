"""The core exercises' checks give the same verdicts on hooklab Lite's runtime as on the full edition.

Each check runs twice on the same cells: once as usual, once in-process with sockets and threads
forbidden (as in Pyodide). The solution must pass both times, the untouched stub fail both times,
with the same message and the same steps.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.course.checking import check
from simulators.course.checking.notebook import notebook_namespace
from simulators.course.checking.result import CheckResult
from simulators.inprocess.guard import pyodide_limits

ROOT = Path(__file__).resolve().parent.parent
#: The core path's exercises (issue 25), with the notebook each one's cells are in.
CORE = [
    ("ex00_first_payment", "00_first_payment.ipynb"),
    ("ex01_formula", "01_formula.ipynb"),
    ("ex02_poll_or_push", "02_poll_or_push.ipynb"),
    ("ex03_trust", "03_trust.ipynb"),
    ("ex04_log", "04_read_the_log.ipynb"),
    ("ex05_alert_rule", "05_case_study_silent_failure.ipynb"),
    ("ex05_report", "05_case_study_silent_failure.ipynb"),
    ("ex06_start_simple", "06_start_simple.ipynb"),
]


def _verdict(result: CheckResult) -> tuple[bool, str, list[tuple[str, bool]]]:
    return result.ok, result.message, [(step.name, step.ok) for step in result.steps]


def _both(folder: str, exercise_id: str, notebook: str) -> tuple[CheckResult, CheckResult]:
    path = ROOT / folder / notebook
    full = check(exercise_id, notebook_namespace(path, exercise_id))
    with pyodide_limits():
        lite = check(exercise_id, notebook_namespace(path, exercise_id))
    return full, lite


@pytest.mark.parametrize(("exercise_id", "notebook"), CORE, ids=[c[0] for c in CORE])
def test_the_solution_passes_in_process_as_in_the_full_edition(exercise_id: str, notebook: str) -> None:
    full, lite = _both("solutions", exercise_id, notebook)
    assert lite.ok, str(lite)
    assert _verdict(lite) == _verdict(full)


@pytest.mark.parametrize(("exercise_id", "notebook"), CORE, ids=[c[0] for c in CORE])
def test_the_untouched_stub_fails_in_process_as_in_the_full_edition(exercise_id: str, notebook: str) -> None:
    full, lite = _both("exercises", exercise_id, notebook)
    assert not lite.ok and lite.hints, str(lite)
    assert _verdict(lite) == _verdict(full)
