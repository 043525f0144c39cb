"""`hooklab check`, `hooklab grade` and `hooklab worksheet`, run as a learner or instructor runs them."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

COURSE = Path(__file__).parent / "fixtures" / "course"
CHECKS = COURSE / "checks"
NOTEBOOK = "90_first_handler.ipynb"


def hooklab(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulators.course", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("command", [["check"], ["grade"], ["worksheet"], ["worksheet", "export"]])
def test_help_works(command: list[str]) -> None:
    done = hooklab(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: hooklab {' '.join(command)}")


def test_check_passes_on_the_solutions_and_exits_zero() -> None:
    done = hooklab("check", "--path", str(COURSE / "solutions"), "--checks", str(CHECKS), "--no-course-checks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✔ PASS — ex90_first_handler · A first webhook handler" in done.stdout
    assert done.stdout.rstrip().endswith("1 of 1 exercises: the checks pass")


def test_check_fails_on_the_stub_and_exits_nonzero() -> None:
    done = hooklab(
        "check",
        "ex90_first_handler",
        "--path",
        str(COURSE / "exercises" / NOTEBOOK),
        "--checks",
        str(CHECKS),
        "--no-course-checks",
        "--json",
    )
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["passed"] == 0 and report["results"][0]["message"].startswith("`handle` is still the stub")


def test_check_finds_the_course_folders_and_honours_solutions(tmp_path: Path) -> None:
    shutil.copytree(COURSE / "exercises", tmp_path / "exercises")
    shutil.copytree(COURSE / "solutions", tmp_path / "solutions")
    assert hooklab("check", "--checks", str(CHECKS), "--no-course-checks", cwd=tmp_path).returncode == 1
    assert hooklab("check", "--solutions", "--checks", str(CHECKS), "--no-course-checks", cwd=tmp_path).returncode == 0


def test_check_grades_a_notebook_of_any_name_for_a_named_exercise(tmp_path: Path) -> None:
    mine = tmp_path / "my copy (final).ipynb"
    shutil.copy(COURSE / "solutions" / NOTEBOOK, mine)
    args = ("--path", str(mine), "--checks", str(CHECKS), "--no-course-checks")
    done = hooklab("check", "ex90_first_handler", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✔ PASS — ex90_first_handler" in done.stdout
    unnamed = hooklab("check", *args)
    assert unnamed.returncode == 2
    assert "name the exercise to check it against this file" in unnamed.stdout
    missing = hooklab("check", "ex90_first_handler", "--path", str(tmp_path / "nope.ipynb"), *args[2:])
    assert missing.returncode == 2 and "no notebook" in missing.stdout


def test_check_json_gives_each_step_its_status_and_the_first_failure_first() -> None:
    wrong = COURSE / "wrong" / "90_first_handler_double.ipynb"
    done = hooklab(
        "check", "ex90_first_handler", "--path", str(wrong), "--checks", str(CHECKS), "--no-course-checks", "--json"
    )
    assert done.returncode == 1
    result = json.loads(done.stdout)["results"][0]
    assert result["status"] == "fail"
    statuses = [step["status"] for step in result["steps"]]
    assert statuses.count("fail") >= 1 and set(statuses) <= {"pass", "fail"}
    first_failed = next(step for step in result["steps"] if step["status"] == "fail")
    assert result["first_failure"] == first_failed["name"]
    assert result["score"] == round(statuses.count("pass") / len(statuses), 4)


def test_check_rejects_an_unknown_exercise_with_a_message() -> None:
    done = hooklab("check", "ex00_nope", "--checks", str(CHECKS), "--no-course-checks")
    assert done.returncode == 2
    assert "no exercise 'ex00_nope'; the exercises are: ex90_first_handler" in done.stdout


def _learner(root: Path, name: str, cell: str | None) -> Path:
    folder = root / name / "exercises"
    folder.mkdir(parents=True)
    document = json.loads((COURSE / "solutions" / NOTEBOOK).read_text())
    if cell is not None:
        document["cells"][2]["source"] = cell
    (folder / NOTEBOOK).write_text(json.dumps(document))
    return root / name


def test_grade_reports_every_learner_even_when_one_hangs_and_one_crashes(tmp_path: Path) -> None:
    wrong = json.loads((COURSE / "wrong" / "90_first_handler_double.ipynb").read_text())["cells"][2]["source"]
    learners = [
        _learner(tmp_path, "ada", None),
        _learner(tmp_path, "bo", wrong),
        _learner(tmp_path, "cy", "while True:\n    pass\n"),
        _learner(tmp_path, "di", "def handle(request, provisioning):\n    return 1 / 0\n"),
        _learner(tmp_path, "ed", "import os\nos._exit(1)\n"),
    ]
    (tmp_path / "fay").mkdir()  # a learner who handed in nothing
    learners.append(tmp_path / "fay")
    csv_out, json_out = tmp_path / "report.csv", tmp_path / "report.json"
    steps_out, gradebook, gradescope = tmp_path / "steps.csv", tmp_path / "gradebook.csv", tmp_path / "gradescope"
    done = hooklab(
        "grade",
        *map(str, learners),
        "--out",
        str(csv_out),
        "--out",
        str(json_out),
        "--steps",
        str(steps_out),
        "--gradebook",
        str(gradebook),
        "--gradescope",
        str(gradescope),
        "--timeout",
        "2",
        "--checks",
        str(CHECKS),
        "--no-course-checks",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with csv_out.open() as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    assert list(rows) == ["ada", "bo", "cy", "di", "ed", "fay"]
    assert {name: row["ok"] for name, row in rows.items()} == {
        "ada": "True",
        "bo": "False",
        "cy": "False",
        "di": "False",
        "ed": "False",
        "fay": "False",
    }
    assert rows["bo"]["message"].startswith("4 of 5 checks pass")
    assert rows["cy"]["message"] == "your code did not finish within 2 s"
    assert rows["di"]["message"] == "your handler raised ZeroDivisionError: division by zero when it got a webhook"
    assert "exit code 1" in rows["ed"]["message"]
    assert rows["fay"]["message"].startswith(f"notebook {NOTEBOOK} not found")
    report = json.loads(json_out.read_text())
    assert report["summary"]["ada"] == {"passed": 1, "total": 1, "score": 1.0}
    assert [row["learner"] for row in report["results"]] == ["ada", "bo", "cy", "di", "ed", "fay"]
    assert "ada: 1 of 1 exercises pass their checks" in done.stdout
    # pass; fail; timeout; fail (the handler ran and raised on a webhook: a wrong answer, seen by a step);
    # error (the code ended the interpreter: no verdict, never a failed attempt); not handed in
    assert {name: row["status"] for name, row in rows.items()} == {
        "ada": "pass",
        "bo": "fail",
        "cy": "timeout",
        "di": "fail",
        "ed": "error",
        "fay": "missing",
    }
    assert rows["ada"]["score"] == "1.0" and rows["bo"]["score"] == "0.8" and rows["fay"]["score"] == "0.0"
    assert "ed: 0 of 1 exercises pass their checks (1 could not run, not counted as attempts)" in done.stdout
    with steps_out.open() as handle:
        steps = list(csv.DictReader(handle))
    bo_steps = [step for step in steps if step["learner"] == "bo"]
    assert len(bo_steps) == 5 and [step["step_status"] for step in bo_steps].count("fail") == 1
    assert [step["step_status"] for step in steps if step["learner"] == "fay"] == ["missing"]
    with gradebook.open() as handle:
        book = list(csv.DictReader(handle))
    assert book[0]["Student"] == "Points Possible" and book[0]["hooklab ex90_first_handler"] == "10"
    assert {line["SIS Login ID"]: line["hooklab ex90_first_handler"] for line in book[1:]} == {
        "ada": "10",
        "bo": "8",
        "cy": "0",
        "di": "0",
        "ed": "0",
        "fay": "0",
    }
    scope = json.loads((gradescope / "bo" / "results.json").read_text())
    assert scope["score"] == 8 and scope["tests"][0]["max_score"] == 10 and scope["tests"][0]["status"] == "failed"
    assert report["results"][1]["steps"][0]["status"] in ("pass", "fail")


def test_grade_refuses_a_report_it_cannot_write(tmp_path: Path) -> None:
    done = hooklab(
        "grade", str(tmp_path), "--out", str(tmp_path / "r.xlsx"), "--checks", str(CHECKS), "--no-course-checks"
    )
    assert (
        done.returncode == 2 and "a report is .csv or .json (--steps and --gradebook: .csv), not r.xlsx" in done.stdout
    )
    missing = hooklab("grade", str(tmp_path / "nobody"), "--checks", str(CHECKS), "--no-course-checks")
    assert missing.returncode == 2 and "not a folder" in missing.stdout


def test_worksheet_export_writes_markdown_and_html(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps(
            {
                "version": 1,
                "answers": {"q01_failures": {"answer": "Nightly invoices <sync>.", "question": "", "notebook": ""}},
            }
        )
    )
    done = hooklab("worksheet", "export", "--out", str(tmp_path / "out"), env={"HOOKLAB_WORKSHEET": str(answers)})
    assert done.returncode == 0, done.stderr
    markdown = (tmp_path / "out" / "worksheet.md").read_text()
    assert "> Nightly invoices <sync>." in markdown
    assert "**(not answered yet)**" in markdown
    assert "Nightly invoices &lt;sync&gt;." in (tmp_path / "out" / "worksheet.html").read_text()
    only_md = hooklab("worksheet", "export", "--out", str(tmp_path / "md"), "--format", "md", "--file", str(answers))
    assert only_md.returncode == 0 and [p.name for p in (tmp_path / "md").iterdir()] == ["worksheet.md"]


def test_worksheet_export_rejects_an_unknown_format(tmp_path: Path) -> None:
    done = hooklab("worksheet", "export", "--out", str(tmp_path), "--format", "pdf")
    assert done.returncode == 2 and "a worksheet format is one of md, html, not pdf" in done.stdout


def test_every_untouched_exercise_stub_fails_its_check_and_none_crashes() -> None:
    """The course as a learner first gets it: `hooklab check` from the repository, nothing written yet."""
    done = hooklab("check", "--json", cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    statuses = {result["exercise"]: result["status"] for result in report["results"]}
    assert report["passed"] == 0 and len(statuses) >= 16, statuses
    assert set(statuses.values()) == {"fail"}, statuses  # a verdict for each: no error, no timeout
