"""Every lab-backed check, in many learners' scenes: the solution passes and the untouched stub does not.

Each learner's check scene is seeded by their id (simulators/course/checking/variant.py), so a check
that passes the reference solution in the course's own scene may still fail it in someone else's.
`make test` runs each lab-backed check under 10 learner ids; --run-slow under 100 more. The ids are
shaped as hooklab writes them (and as a hub names its users), and include the learners whose scene
failed the reference solution before the chaos check drew its schedules by the promise.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulators.course.checking import load_checks, registry, run_check
from simulators.course.checking.notebook import notebook_namespace
from simulators.course.checking.variant import Variant

ROOT = Path(__file__).resolve().parent.parent
#: Learners whose chaos check failed the reference solution (ex05_chaos --solutions) before this change.
FAILED_BEFORE = ("learner-81b35e76", "learner-cb1855fe", "learner-797d76de", "learner-f54d35bf")


def _lab_backed() -> list[str]:
    load_checks()
    return [entry.id for entry in registry.all() if entry.wants("lab") or entry.wants("variant")]


def _learners(count: int, label: str) -> list[str]:
    return [f"learner-{hashlib.sha256(f'{label} {n}'.encode()).hexdigest()[:8]}" for n in range(count)]


LAB_BACKED = _lab_backed()
QUICK = [*FAILED_BEFORE, "ada", *_learners(5, "quick")]
SLOW = ["grace", "jupyter-alan", *_learners(98, "slow")]


def _verdicts(exercise_id: str, learner: str) -> tuple[object, object]:
    """The check's verdict on the solution and on the untouched stub, in `learner`'s scene."""
    exercise = registry.get(exercise_id)
    variant = Variant.of(learner)
    solution = ROOT / "solutions" / f"{exercise.notebook}.ipynb"
    stub = ROOT / "exercises" / f"{exercise.notebook}.ipynb"
    right = run_check(exercise, notebook_namespace(solution, exercise.id), variant=variant)
    untouched = run_check(exercise, notebook_namespace(stub, exercise.id), variant=variant)
    return right, untouched


@pytest.mark.parametrize("learner", QUICK)
@pytest.mark.parametrize("exercise_id", LAB_BACKED)
def test_the_solution_passes_and_the_stub_fails_in_each_learners_scene(exercise_id: str, learner: str) -> None:
    right, untouched = _verdicts(exercise_id, learner)
    assert right.ok, f"{learner}: {right}"  # type: ignore[attr-defined]
    assert not untouched.ok, f"{learner}: the untouched stub passed"  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.parametrize("learner", SLOW)
@pytest.mark.parametrize("exercise_id", LAB_BACKED)
def test_the_solution_passes_and_the_stub_fails_in_a_hundred_more_scenes(exercise_id: str, learner: str) -> None:
    right, untouched = _verdicts(exercise_id, learner)
    assert right.ok, f"{learner}: {right}"  # type: ignore[attr-defined]
    assert not untouched.ok, f"{learner}: the untouched stub passed"  # type: ignore[attr-defined]


# -- the machine's own learner id ------------------------------------------------------------------------


def _planted_home(tmp_path: Path) -> dict[str, str]:
    """An environment whose HOME holds a learner id from the failing set, as a learner's machine would."""
    home = tmp_path / "someone"
    (home / ".hooklab").mkdir(parents=True)
    (home / ".hooklab" / "learner").write_text(FAILED_BEFORE[0] + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("HOOKLAB_LEARNER", "JUPYTERHUB_USER")}
    return {**env, "HOME": str(home), "PYTHONPATH": str(ROOT)}


def test_a_notebook_run_ignores_a_learner_id_planted_in_the_home(tmp_path: Path) -> None:
    """The notebook run (`make test`'s nbval line) checks the course's scenes whatever ~/.hooklab/learner says."""
    notebook = tmp_path / "which_learner.ipynb"
    code = "from simulators.course.checking.variant import current_variant\nprint(current_variant().seed)"
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "seed",
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": ["0\n"]}],
        "source": [code],
    }
    document = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    notebook.write_text(json.dumps(document), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--nbval", "--nbval-current-env", "-p", "no:python"]
        + ["-p", "tests.nbval_kernel", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(notebook)],
        cwd=ROOT,
        env=_planted_home(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def test_a_learner_whose_saved_id_failed_the_chaos_check_now_passes_it(tmp_path: Path) -> None:
    """The real learner flow: no HOOKLAB_LEARNER, the id saved in ~/.hooklab, `hooklab check` on the solutions."""
    run = subprocess.run(
        [sys.executable, "-m", "simulators.course", "check", "ex05_chaos", "--solutions", "--json"],
        cwd=ROOT,
        env=_planted_home(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    (verdict,) = json.loads(run.stdout)["results"]
    assert verdict["ok"], verdict["message"]
    assert verdict["details"]["learner"] == FAILED_BEFORE[0], "the saved id chose the scene"
