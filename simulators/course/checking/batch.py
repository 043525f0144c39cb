"""Run exercise checks on notebooks from outside a kernel: `hooklab check` and `hooklab grade`.

Each notebook (and each learner's copy of it) gets its own worker process, which
runs each exercise's cells in a confined learner process of their own (see
`worker.py` and `sandbox.py`), so a learner whose code hangs, crashes the
interpreter or calls exit() gets a clear verdict and the batch carries on, and
what the learner's code does never reaches the grader's files, environment or
verdicts.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import simulators
from simulators.course.checking.registry import CHECKS_ENV, Exercise
from simulators.course.checking.result import CheckResult, capped
from simulators.course.checking.variant import LEARNER_ENV, graded_learner_id
from simulators.course.checking.worker import STARTUP_ALLOWANCE, crashed, result_from_dict

#: Seconds the worker may take to end a learner's processes after each exercise.
SWEEP_ALLOWANCE = 10.0


@dataclass(frozen=True)
class Row:
    """One line of a grading report."""

    learner: str
    exercise: str
    ok: bool
    message: str
    result: CheckResult

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def score(self) -> float:
        return self.result.score

    @property
    def seed(self) -> int:
        """The seed of the learner's own scene (0: the course's), to replay it."""
        return int(self.result.details.get("seed", 0))

    def as_dict(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "exercise": self.exercise,
            "status": self.status,
            "score": round(self.score, 4),
            "ok": self.ok,
            "seed": self.seed,
            "message": capped(self.message),
        }


def run_notebook(
    notebook: Path,
    exercises: Sequence[Exercise],
    *,
    timeout: float | None = None,
    checks: Iterable[str | Path] = (),
    learner: str | None = None,
) -> list[CheckResult]:
    """Check `exercises` against the cells of `notebook`, the learner's code confined (see `worker.py`).

    `learner` replays that learner's scene (see `variant.py`); None leaves it to the environment.
    """
    if not notebook.is_file():
        return [_missing(exercise, notebook) for exercise in exercises]
    env = dict(os.environ)  # the worker is ours and never runs learner code; it passes on only what is allowed
    if learner is not None:
        env[LEARNER_ENV] = learner
    extra = [str(Path(path).resolve()) for path in checks]
    env[CHECKS_ENV] = os.pathsep.join([p for p in env.get(CHECKS_ENV, "").split(os.pathsep) if p] + extra)
    if not env[CHECKS_ENV]:
        del env[CHECKS_ENV]
    results: dict[str, CheckResult] = {}
    remaining = list(exercises)
    while remaining:
        got, exit_code = _run_worker(notebook, remaining, timeout, env)
        results.update(got)
        left = [exercise for exercise in remaining if exercise.id not in results]
        if left and not got:
            results[left[0].id] = crashed(left[0], exit_code)  # the worker itself could not get that far
            left = left[1:]
        remaining = left
    return [results[exercise.id] for exercise in exercises]


def _run_worker(
    notebook: Path, exercises: Sequence[Exercise], timeout: float | None, env: dict[str, str]
) -> tuple[dict[str, CheckResult], int | None]:
    # Per exercise: the learner's process (its limit and start-up), the sweep, then a check of answers, in the worker.
    limits = [timeout if timeout is not None else exercise.timeout for exercise in exercises]
    budget = STARTUP_ALLOWANCE + sum(2 * limit + STARTUP_ALLOWANCE + SWEEP_ALLOWANCE for limit in limits)
    command = [sys.executable, "-m", "simulators.course.checking.worker", str(notebook.resolve())]
    command += [exercise.id for exercise in exercises]
    if timeout is not None:
        command += ["--timeout", str(timeout)]
    process = subprocess.Popen(
        command,
        # Not the learner's folder: `python -m` puts the working folder first on sys.path, so a learner's
        # argparse.py or json.py there would run inside the worker (as root, when grading as root).
        cwd="/",
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=budget)
        exit_code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        out = _stop(process)
        exit_code = None
    got = {}
    wanted = {exercise.id for exercise in exercises}
    for line in out.decode("utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            break  # the worker died mid-line: the rest is lost with it
        if row.get("exercise") in wanted and row["exercise"] not in got:  # one verdict per exercise
            got[row["exercise"]] = result_from_dict(row)
    return got, exit_code


def _stop(process: subprocess.Popen[bytes]) -> bytes:
    """Ask the worker to end its learner processes, then end it: what it had written is kept."""
    process.terminate()
    try:
        out, _ = process.communicate(timeout=SWEEP_ALLOWANCE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    return out


def _missing(exercise: Exercise, notebook: Path) -> CheckResult:
    return CheckResult(
        False,
        exercise.title,
        f"notebook {notebook.name} not found in {notebook.parent}",
        (),
        {"missing_notebook": True},
        (),
        exercise.id,
    )


# -- a whole course, or many learners ----------------------------------------


def notebook_groups(folder: Path, exercises: Sequence[Exercise]) -> list[tuple[Path, list[Exercise]]]:
    """Exercises grouped by the notebook in `folder` that holds them, in registry order."""
    groups: dict[str, list[Exercise]] = {}
    for exercise in exercises:
        groups.setdefault(exercise.notebook, []).append(exercise)
    return [(folder / f"{name}.ipynb", members) for name, members in groups.items()]


def learner_notebooks(folder: Path) -> Path:
    """Where a learner's copy keeps its exercise notebooks."""
    return folder / "exercises" if (folder / "exercises").is_dir() else folder


def learner_names(folders: Sequence[Path]) -> list[str]:
    """Each folder's learner: its name, or its parent's where the names repeat (`/home/*/hooklab` on a hub)."""
    names = [folder.resolve().name for folder in folders]
    if len(set(names)) == len(names):
        return names
    return [folder.resolve().parent.name for folder in folders]


def grade(
    learners: Sequence[Path],
    exercises: Sequence[Exercise],
    *,
    timeout: float | None = None,
    jobs: int = 2,
    checks: Iterable[str | Path] = (),
) -> list[Row]:
    """Every exercise for every learner, each in their own scene; one learner's failure never stops the others."""
    checks = list(checks)
    names = dict(zip(learners, learner_names(learners), strict=True))
    ids = {learner: graded_learner_id(learner, names[learner]) for learner in learners}
    tasks = [
        (learner, notebook, members)
        for learner in learners
        for notebook, members in notebook_groups(learner_notebooks(learner), exercises)
    ]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        done = list(
            pool.map(
                lambda task: run_notebook(task[1], task[2], timeout=timeout, checks=checks, learner=ids[task[0]]),
                tasks,
            )
        )
    by_key = {}
    for (learner, _, members), results in zip(tasks, done, strict=True):
        for exercise, result in zip(members, results, strict=True):
            by_key[(learner, exercise.id)] = result
    return [
        Row(
            names[learner],
            exercise.id,
            by_key[(learner, exercise.id)].ok,
            by_key[(learner, exercise.id)].message,
            by_key[(learner, exercise.id)],
        )
        for learner in learners
        for exercise in exercises
    ]


REPORT_COLUMNS = ["learner", "exercise", "status", "score", "ok", "seed", "message"]
STEP_COLUMNS = ["learner", "exercise", "status", "step", "step_status", "message"]


def write_report(rows: Sequence[Row], path: Path) -> Path:
    """Write the rows as CSV (one line per learner and exercise) or JSON (with every step), by the extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        _write_csv(path, REPORT_COLUMNS, [row.as_dict() for row in rows])
    elif path.suffix.lower() == ".json":
        summary: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = summary.setdefault(row.learner, {"passed": 0, "total": 0, "score": 0.0})
            entry["total"] += 1
            entry["passed"] += row.ok
            entry["score"] = round(entry["score"] + row.score, 4)
        results = [{**row.as_dict(), "steps": row.result.as_dict()["steps"]} for row in rows]
        path.write_text(json.dumps({"results": results, "summary": summary}, indent=2) + "\n", encoding="utf-8")
    else:
        raise ValueError(f"a report is .csv or .json, not {path.name!r}")
    return path


def write_steps(rows: Sequence[Row], path: Path) -> Path:
    """One CSV line per learner, exercise and step: what each check looked at, and whether it held."""
    lines = []
    for row in rows:
        base = {"learner": row.learner, "exercise": row.exercise, "status": row.status}
        if not row.result.steps:  # nothing ran far enough to have steps: say why in one line
            lines.append({**base, "step": "", "step_status": row.status, "message": capped(row.message)})
        for step in row.result.steps:
            lines.append({**base, "step": step.name, "step_status": step.status, "message": capped(step.message)})
    _write_csv(path, STEP_COLUMNS, lines)
    return path


def write_gradebook(rows: Sequence[Row], path: Path, *, points: int = 10) -> Path:
    """A gradebook CSV Canvas and Moodle import: one line per learner, one column per exercise.

    Canvas matches learners on `SIS Login ID` (their login name) and reads the
    "Points Possible" line; Moodle maps the same column to a username. Each
    exercise is worth `points`, credited by the share of its steps that held.
    """
    exercises = list(dict.fromkeys(row.exercise for row in rows))
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *(f"hooklab {e}" for e in exercises)]
    possible = {"Student": "Points Possible", **{f"hooklab {e}": str(points) for e in exercises}}
    lines = [possible]
    for learner in dict.fromkeys(row.learner for row in rows):
        mine = {row.exercise: row for row in rows if row.learner == learner}
        line = {"Student": learner, "SIS Login ID": learner}
        line.update({f"hooklab {e}": f"{mine[e].score * points:g}" for e in exercises if e in mine})
        lines.append(line)
    _write_csv(path, header, lines)
    return path


def write_gradescope(rows: Sequence[Row], folder: Path, *, points: int = 10) -> list[Path]:
    """Gradescope's autograder `results.json`, one per learner: `FOLDER/<learner>/results.json`."""
    written = []
    for learner in dict.fromkeys(row.learner for row in rows):
        mine = [row for row in rows if row.learner == learner]
        tests: list[dict[str, Any]] = [
            {
                "name": row.exercise,
                "score": round(row.score * points, 4),
                "max_score": points,
                "status": "passed" if row.ok else "failed",
                "output": capped(row.message),
                "visibility": "visible",
            }
            for row in mine
        ]
        out = folder / learner / "results.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        total = round(sum(row.score * points for row in mine), 4)
        document = {"score": total, "tests": tests, "visibility": "visible"}
        out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        written.append(out)
    return written


def _write_csv(path: Path, columns: Sequence[str], lines: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(columns), restval="")
        writer.writeheader()
        writer.writerows(lines)


def course_root(start: Path | None = None) -> Path:
    """The course folder (holding exercises/ and solutions/): here, above here, or where hooklab is installed from."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "exercises").is_dir() and (folder / "solutions").is_dir():
            return folder
    return Path(simulators.__file__).resolve().parents[1]  # the folder holding simulators/
