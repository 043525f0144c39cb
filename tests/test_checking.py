"""The exercise-check framework: verdicts, the learner boundary, notebooks, and the sample exercise both ways."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulators.course.checking import (
    Checklist,
    CheckResult,
    Registry,
    check,
    fail,
    load_checks,
    registry,
    run_check,
    unload_checks,
)
from simulators.course.checking.batch import run_notebook
from simulators.course.checking.notebook import as_python, exercise_cells, notebook_namespace, run_cells

COURSE = Path(__file__).parent / "fixtures" / "course"
CHECKS = COURSE / "checks"
NOTEBOOK = "90_first_handler.ipynb"


@pytest.fixture
def sample() -> Iterator[object]:
    load_checks([CHECKS])
    yield registry.get("ex90_first_handler")
    unload_checks(CHECKS)


@pytest.fixture
def local() -> Registry:
    return Registry()


# -- verdicts ------------------------------------------------------------------


def test_a_passing_checklist_says_all_checks_pass_and_never_correct() -> None:
    c = Checklist()
    c.expect(True, "returns a list")
    c.expect(True, "returns only new events")
    result = c.result().with_exercise("ex02_poller", "A poller")
    assert result.ok
    assert result.message == "all 2 checks pass"
    text = str(result)
    assert text.splitlines()[0] == "✔ PASS — ex02_poller · A poller"
    assert "correct" not in text.lower() and "correct" not in result._repr_html_().lower()


def test_a_failing_checklist_names_the_first_problem_and_its_hints() -> None:
    c = Checklist()
    c.expect(True, "returns a list")
    c.expect(
        False,
        "returns only new events",
        "the second call returned 3 old events",
        hints=("Remember the last id.", "Polling needs a cursor."),
    )
    c.expect(False, "keeps going after an error", "it stopped", hints=("Other hint.",))
    result = c.result().with_exercise("ex02_poller", "A poller")
    assert not result.ok
    assert (
        result.message
        == "1 of 3 checks pass; first problem: returns only new events — the second call returned 3 old events"
    )
    assert result.hints == ("Remember the last id.", "Polling needs a cursor.")
    text = str(result)
    assert "Hint: Remember the last id." in text and "Still stuck? Polling needs a cursor." in text
    html = result._repr_html_()
    assert "<details>" in html and "Polling needs a cursor." in html


def test_rendering_is_deterministic_and_escapes_learner_text() -> None:
    result = CheckResult(
        False, "T", "your code raised ValueError: <b>bad</b>", ("nudge",), {"traceback": "secret"}, (), "ex01"
    )
    assert str(result) == str(
        CheckResult(
            False, "T", "your code raised ValueError: <b>bad</b>", ("nudge",), {"traceback": "other"}, (), "ex01"
        )
    )
    assert "&lt;b&gt;bad&lt;/b&gt;" in result._repr_html_()
    assert "secret" not in str(result) and "secret" not in result._repr_html_()


def test_an_empty_checklist_does_not_pass() -> None:
    assert not Checklist().result().ok


# -- the learner boundary ----------------------------------------------------


def _register(local: Registry, fn, **options):  # type: ignore[no-untyped-def]
    options.setdefault("notebook", "99_test")
    options.setdefault("title", "Test exercise")
    local.exercise(options.pop("id", "ex99_test"), **options)(fn)
    return local.get("ex99_test")


def test_learner_code_that_raises_is_named_with_its_function_and_line(local: Registry) -> None:
    def checker(ns):  # type: ignore[no-untyped-def]
        c = Checklist()
        c.expect(ns["double"](2) == 4, "doubles 2")
        return c

    ns = run_cells_from("def double(x):\n    return x * 2 / 0\n")
    result = run_check(_register(local, checker, hints=("Try it by hand.", "Division by zero is undefined.")), ns)
    assert not result.ok
    assert result.message == "your code raised ZeroDivisionError: division by zero (in double(), line 2 of cell 1)"
    assert result.hints == ("Try it by hand.", "Division by zero is undefined.")
    assert "checker" not in result.details["traceback"]  # only the learner's frames are kept
    assert "Traceback" not in str(result)


def test_an_untouched_stub_is_called_a_stub(local: Registry) -> None:
    ns = run_cells_from("def poll():\n    raise NotImplementedError\n")
    result = run_check(_register(local, lambda ns: ns["poll"]()), ns)
    assert not result.ok
    assert result.message.startswith("`poll` is still the stub: it raises NotImplementedError")


def test_missing_definitions_are_asked_for_before_the_check_runs(local: Registry) -> None:
    ran = []
    result = run_check(_register(local, lambda ns: ran.append(1), needs=["poll", "handle"]), {"poll": print})
    assert not result.ok and not ran
    assert result.message.startswith("I can't find `handle`: run the exercise cell")


def test_an_error_inside_the_check_itself_is_reported_as_a_hooklab_bug(local: Registry) -> None:
    def broken(ns):  # type: ignore[no-untyped-def]
        return {}["nothing"]

    result = run_check(_register(local, broken), {})
    assert not result.ok
    assert "a bug in hooklab, not in your code" in result.message
    assert result.details["check_error"] is True


def test_learner_code_that_hangs_times_out_with_a_hint(local: Registry) -> None:
    ns = run_cells_from("import time\ndef wait():\n    time.sleep(30)\n")
    result = run_check(_register(local, lambda ns: ns["wait"]()), ns, timeout=0.3)
    assert not result.ok
    assert result.message == "your code did not finish within 0.3 s"
    assert "loop that never ends" in result.hints[0]


def test_learner_code_that_calls_exit_does_not_end_the_check(local: Registry) -> None:
    ns = run_cells_from("import sys\ndef quit_now():\n    sys.exit(2)\n")
    result = run_check(_register(local, lambda ns: ns["quit_now"]()), ns)
    assert not result.ok and result.message.startswith("your code called exit(2)")


def test_fail_ends_a_check_with_its_message(local: Registry) -> None:
    result = run_check(_register(local, lambda ns: fail("no handler yet", "Define handle.")), {})
    assert (result.ok, result.message, result.hints) == (False, "no handler yet", ("Define handle.",))


def test_a_check_can_ask_for_a_live_lab(local: Registry) -> None:
    seen = []

    def with_lab(ns, lab):  # type: ignore[no-untyped-def]
        seen.append(lab)
        c = Checklist()
        c.expect(lab.provisioning.url.startswith("http://127.0.0.1:"), "gets a running lab")
        return c

    result = run_check(_register(local, with_lab, systems=["provisioning"]), {})
    assert result.ok
    assert seen[0].stopped  # the framework stops the lab it started


def test_an_exercise_id_is_registered_once(local: Registry) -> None:
    def first(ns):  # type: ignore[no-untyped-def]
        return None

    def second(ns):  # type: ignore[no-untyped-def]
        return None

    local.exercise("ex98_once", notebook="98", title="t")(first)
    local.exercise("ex98_once", notebook="98", title="t")(first)  # the same check again (a reload) is fine
    with pytest.raises(ValueError, match="already registered"):
        local.exercise("ex98_once", notebook="98", title="t")(second)
    with pytest.raises(ValueError, match="letters, digits and _"):
        local.exercise("ex 98", notebook="98", title="t")


def test_check_with_an_unknown_id_answers_with_a_verdict_not_a_traceback() -> None:
    result = check("ex00_nope", {})
    assert not result.ok and "there is no exercise 'ex00_nope'" in result.message


# -- notebooks ---------------------------------------------------------------


def run_cells_from(source: str) -> dict[str, object]:
    from simulators.course.checking.notebook import Cell

    return run_cells([Cell(1, source, ("exercise",))])


def test_only_tagged_cells_run_setup_first(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# hi"},
        {"cell_type": "code", "metadata": {"tags": ["exercise"]}, "source": ["x = base + 1\n"]},
        {"cell_type": "code", "metadata": {}, "source": "raise RuntimeError('not run')"},
        {"cell_type": "code", "metadata": {"tags": ["exercise:ex_other"]}, "source": "x = -1"},
        {"cell_type": "code", "metadata": {"tags": ["exercise:ex_mine"]}, "source": "%time y = x * 10\n!ls\n"},
        {"cell_type": "code", "metadata": {"tags": ["exercise-setup"]}, "source": "base = 1"},
    ]
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert [cell.index for cell in exercise_cells(path, "ex_mine")] == [6, 2, 5]
    ns = notebook_namespace(path, "ex_mine")
    assert ns["x"] == 2
    assert "y" not in ns  # a line magic is dropped, not half-run
    assert as_python("%%time\nz = 1") == "z = 1"


def test_a_notebook_without_exercise_cells_says_so(tmp_path: Path, local: Registry) -> None:
    path = tmp_path / "99_test.ipynb"
    path.write_text(
        json.dumps(
            {
                "cells": [{"cell_type": "code", "metadata": {}, "source": "x = 1"}],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    exercise = _register(local, lambda ns: None)
    result = run_check(exercise, lambda: notebook_namespace(path, exercise.id))
    assert not result.ok and "has no cell tagged 'exercise'" in result.message


def test_a_syntax_error_in_a_cell_is_the_learners(local: Registry) -> None:
    exercise = _register(local, lambda ns: None)
    result = run_check(exercise, lambda: run_cells_from("def f(:\n    pass\n"))
    assert not result.ok and result.message.startswith("cell 1 has a syntax error on line 1")


# -- the sample exercise, end to end (a worker process per notebook) ----------


def test_the_sample_exercise_passes_on_its_solution(sample) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(COURSE / "solutions" / NOTEBOOK, [sample], checks=[CHECKS])
    assert result.ok, str(result)
    assert result.message == "all 5 checks pass"


def test_the_sample_exercise_fails_on_the_untouched_stub(sample) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(COURSE / "exercises" / NOTEBOOK, [sample], checks=[CHECKS])
    assert not result.ok
    assert result.message.startswith("`handle` is still the stub")


@pytest.mark.parametrize(
    ("wrong", "problem"),
    [
        ("90_first_handler_double.ipynb", "activates once when the same event arrives twice"),
        ("90_first_handler_everything.ipynb", "ignores events that are not payments"),
    ],
)
def test_the_sample_exercise_fails_on_each_known_wrong_answer(sample, wrong: str, problem: str) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(COURSE / "wrong" / wrong, [sample], checks=[CHECKS])
    assert not result.ok
    assert [step.name for step in result.steps if not step.ok] == [problem]


def test_the_check_runs_in_the_learners_kernel_too(sample) -> None:  # type: ignore[no-untyped-def]
    ns = notebook_namespace(COURSE / "solutions" / NOTEBOOK, "ex90_first_handler")
    assert check("ex90_first_handler", ns).ok
    stub = notebook_namespace(COURSE / "exercises" / NOTEBOOK, "ex90_first_handler")
    assert not check("ex90_first_handler", stub).ok


def test_a_hanging_cell_costs_only_its_timeout(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hanging = tmp_path / NOTEBOOK
    document = json.loads((COURSE / "solutions" / NOTEBOOK).read_text())
    document["cells"][2]["source"] = "while True:\n    pass\n"
    hanging.write_text(json.dumps(document))
    started = time.monotonic()
    [result] = run_notebook(hanging, [sample], timeout=1.5, checks=[CHECKS])
    assert not result.ok and result.message == "your code did not finish within 1.5 s"
    assert time.monotonic() - started < 20


def test_a_learner_who_kills_the_interpreter_gets_a_verdict(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dying = tmp_path / NOTEBOOK
    document = json.loads((COURSE / "solutions" / NOTEBOOK).read_text())
    document["cells"][2]["source"] = "import os\nos._exit(9)\n"
    dying.write_text(json.dumps(document))
    [result] = run_notebook(dying, [sample], checks=[CHECKS])
    assert not result.ok and "exit code 9" in result.message


def test_a_missing_notebook_is_reported(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(tmp_path / NOTEBOOK, [sample])
    assert not result.ok and result.message.startswith(f"notebook {NOTEBOOK} not found")


def test_unloading_forgets_the_sample_exercise() -> None:
    load_checks([CHECKS])
    assert "ex90_first_handler" in registry
    unload_checks(CHECKS)
    assert "ex90_first_handler" not in registry
    load_checks([CHECKS])  # and it can be loaded again
    assert "ex90_first_handler" in registry
    unload_checks(CHECKS)


def test_fixture_notebooks_are_copies_of_one_layout() -> None:
    # The wrong answers differ from the solution only in the learner's cell.
    solution = json.loads((COURSE / "solutions" / NOTEBOOK).read_text())
    for other in [COURSE / "exercises" / NOTEBOOK, *sorted((COURSE / "wrong").glob("*.ipynb"))]:
        document = json.loads(other.read_text())
        assert len(document["cells"]) == len(solution["cells"])
        assert document["cells"][2]["metadata"]["tags"] == ["exercise"]
        assert document["cells"][2]["source"] != solution["cells"][2]["source"]


# -- result format -------------------------------------------------------------


def test_the_hint_is_the_first_failed_steps_own_never_a_later_steps() -> None:
    c = Checklist()
    c.expect(False, "answers 2xx at once", "it answered 503")  # no hint of its own
    c.expect(False, "activates once", "it activated twice", hints=("Remember event ids.",))
    result = c.result()
    assert result.message.endswith("first problem: answers 2xx at once — it answered 503")
    assert result.hints == ()  # the runner then falls back to the exercise's hints, not step 2's


def test_a_step_without_a_hint_falls_back_to_the_exercises_hints(local: Registry) -> None:
    def checker(ns):  # type: ignore[no-untyped-def]
        c = Checklist()
        c.expect(False, "answers 2xx at once", "it answered 503")
        c.expect(False, "activates once", "it activated twice", hints=("Remember event ids.",))
        return c

    result = run_check(_register(local, checker, hints=("Answer first, work after.",)), {})
    assert result.hints == ("Answer first, work after.",)


@pytest.mark.parametrize(
    ("cells", "fn", "needs", "status"),
    [
        ("def f():\n    return 1\n", lambda ns: _one_step(ns["f"]() == 1), [], "pass"),
        ("def f():\n    return 2\n", lambda ns: _one_step(ns["f"]() == 1), [], "fail"),
        ("def f():\n    raise NotImplementedError\n", lambda ns: ns["f"](), [], "fail"),
        ("def f():\n    return 1 / 0\n", lambda ns: ns["f"](), [], "error"),
        ("x = 1\n", lambda ns: True, ["f"], "error"),
    ],
    ids=["pass", "wrong answer", "untouched stub", "code that raises", "missing name"],
)
def test_each_result_says_pass_fail_or_error(local: Registry, cells: str, fn, needs, status: str) -> None:  # type: ignore[no-untyped-def]
    result = run_check(_register(local, fn, needs=needs), run_cells_from(cells))
    assert result.status == status
    assert result.as_dict()["status"] == status
    assert result.counts_as_attempt is (status != "error")


def test_a_hang_is_a_timeout_and_long_output_is_capped(local: Registry) -> None:
    ns = run_cells_from("import time\ndef wait():\n    time.sleep(30)\n")
    assert run_check(_register(local, lambda ns: ns["wait"]()), ns, timeout=0.3).status == "timeout"
    c = Checklist()
    c.expect(False, "says what failed", "x" * 5000)
    shown = c.result().as_dict()
    assert len(shown["steps"][0]["message"]) <= 500 and shown["steps"][0]["message"].endswith("(cut to fit)")
    assert shown["score"] == 0.0 and shown["first_failure"] == "says what failed"


def _one_step(ok: bool) -> CheckResult:
    c = Checklist()
    c.expect(ok, "returns 1", "it returned something else")
    return c.result()


_LOADED_AFTER_CHECK = """
import json, sys
from simulators.course import check
result = check({exercise!r}, {{}})
print(json.dumps(sorted(m for m in sys.modules if m.startswith("exercises.checks."))))
"""


def _check_modules_loaded(exercise: str, env: dict[str, str] | None = None) -> list[str]:
    """The course's check modules a fresh kernel has imported after one check() call."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", _LOADED_AFTER_CHECK.format(exercise=exercise)],
        cwd=root,
        env={**{k: v for k, v in os.environ.items() if k != "HOOKLAB_CHECKS"}, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_checking_one_exercise_imports_only_its_own_check_module() -> None:
    assert _check_modules_loaded("ex01_formula") == ["exercises.checks.ex01_formula"]


def test_an_exercise_without_a_module_of_its_name_still_finds_its_check() -> None:
    loaded = _check_modules_loaded("ex05_report")  # it lives in ex05_core.py
    assert "exercises.checks.ex05_core" in loaded and len(loaded) > 10


def test_extra_checks_in_the_environment_load_everything_as_before() -> None:
    loaded = _check_modules_loaded("ex01_formula", {"HOOKLAB_CHECKS": str(CHECKS)})
    assert len(loaded) > 10
