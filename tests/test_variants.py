"""Each learner's own check scene: who the learner is, the seed it gives, and the grader replaying it."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from simulators.course.checking import load_checks, registry, run_check
from simulators.course.checking.batch import grade
from simulators.course.checking.notebook import notebook_namespace
from simulators.course.checking.variant import Variant, graded_learner_id, learner_id

ROOT = Path(__file__).resolve().parent.parent


def test_the_learner_is_the_graders_choice_then_the_hub_user_then_one_saved_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("HOOKLAB_LEARNER")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    first = learner_id()
    saved = tmp_path / ".hooklab" / "learner"
    assert first.startswith("learner-") and saved.read_text().strip() == first
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert learner_id() == first, "the id is written once and read back"
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    assert learner_id() == "ada"
    assert graded_learner_id(tmp_path, "jupyter-ada") == "ada", "the hub name is kept where the grader looks"
    monkeypatch.setenv("HOOKLAB_LEARNER", "")
    assert learner_id() == "" and Variant.of(learner_id()) == Variant()


def test_learners_get_different_scenes_and_the_course_keeps_its_own() -> None:
    ada, grace = Variant.of("ada"), Variant.of("grace")
    assert Variant.of("ada") == ada and ada.seed != grace.seed
    assert Variant().lab_seed(7) == 7 and ada.lab_seed(7) != grace.lab_seed(7)
    assert Variant().seeds((1, 2)) == (1, 2) and len(set(ada.seeds(tuple(range(20))))) == 20


@pytest.mark.parametrize("learner", ["ada", "grace"])
def test_the_solution_passes_in_each_learners_scene_and_the_result_names_it(learner: str) -> None:
    load_checks()
    exercise = registry.get("ex01_first_automation")
    ns = notebook_namespace(ROOT / "solutions" / "01_first_automation.ipynb", exercise.id)
    result = run_check(exercise, ns, variant=Variant.of(learner))
    assert result.ok, str(result)
    assert result.as_dict()["seed"] == Variant.of(learner).seed and result.as_dict()["learner"] == learner


def test_a_typed_in_amount_passes_in_no_learners_scene() -> None:
    load_checks()
    exercise = registry.get("ex01_first_automation")
    path = ROOT / "tests" / "wrong_answers" / "ex01_first_automation" / "hard-coded-amount.ipynb"
    for learner in ("", "ada", "grace"):
        assert not run_check(exercise, notebook_namespace(path, exercise.id), variant=Variant.of(learner)).ok


def test_the_grader_replays_each_learners_own_scene(tmp_path: Path) -> None:
    load_checks()
    homes = []
    for name, saved in (("jupyter-ada", "ada"), ("jupyter-grace", None)):
        copy = tmp_path / name / "hooklab" / "exercises"
        copy.mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / "04_reliable_webhook_handling.ipynb", copy)
        if saved:
            (tmp_path / name / ".hooklab").mkdir()
            (tmp_path / name / ".hooklab" / "learner").write_text(saved + "\n")
        homes.append(copy.parent)
    rows = grade(homes, [registry.get("ex04_backoff")], jobs=1)
    assert [row.learner for row in rows] == ["jupyter-ada", "jupyter-grace"]
    assert [row.seed for row in rows] == [Variant.of("ada").seed, Variant.of("jupyter-grace").seed]
    assert all(row.ok for row in rows) and rows[0].as_dict()["seed"] == rows[0].seed
