"""Check one notebook's exercises and write each verdict as a JSON line on stdout (started by `batch.py`).

    python -m simulators.course.checking.worker NOTEBOOK EXERCISE_ID... [--timeout S]

This process never runs the learner's code. For each exercise it starts a confined learner process
(`learner_process.py`, limits and user from `sandbox.py`) with a reply file it alone reads, waits for it within
the time limit, ends everything the learner's code started, and only then decides the verdict:

- for an exercise whose answers are values (`answers.DATA_EXERCISES`) it rebuilds them as plain data and runs
  the check here, where the learner's code cannot reach the check, the registry or this output;
- for one whose check calls the learner's functions it takes the one verdict the learner process sent for
  that exercise (a learner's code that sets out to forge one can; see docs/instructors.md).

A failure the learner process reports (a syntax error, a hang, a stub) never counts for more than nothing:
its steps are dropped, so it scores 0.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from simulators.course.checking.answers import DATA_EXERCISES, NotPlainData, restore
from simulators.course.checking.registry import Exercise, load_check, registry
from simulators.course.checking.result import CheckResult, Step, capped
from simulators.course.checking.runner import run_check
from simulators.course.checking.sandbox import (
    Confinement,
    adopt_orphans,
    confined_env,
    confinement_for,
    end_descendants,
    keep_private,
)
from simulators.course.checking.variant import LEARNER_ENV, learner_id

OUTPUT_EXCERPT = 2000
#: Seconds a learner process may take to start Python and import hooklab, beyond the check's own limit.
STARTUP_ALLOWANCE = 30.0
#: The most a learner process's reply may hold (a verdict with its steps is a few kB).
REPLY_LIMIT = 4 << 20
#: Details a failure reported by the learner's process may carry (each says why the code did not get to a verdict).
FAILURE_DETAILS = ("error", "missing", "notebook_error", "timed_out", "stub", "not_plain_data", "traceback")
EXIT_TERMINATED = 4


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators.course.checking.worker")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("exercises", nargs="+")
    parser.add_argument("--timeout", type=float, default=None)
    args = parser.parse_args(argv)
    keep_private()
    adopt_orphans()
    # Verdicts go out on a copy of stdout; whatever else prints here (a lab, a check) goes nowhere.
    verdicts = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.environ.setdefault(LEARNER_ENV, learner_id())  # the learner's cells and the check see the same scene
    signal.signal(signal.SIGTERM, _terminated)
    notebook = args.notebook.resolve()
    confinement = confinement_for(notebook.parent)
    try:
        for exercise_id in args.exercises:
            load_check(exercise_id)
            result = judge(notebook, registry.get(exercise_id), confinement, args.timeout)
            row = result.as_dict()
            row["details"] = {key: value for key, value in row["details"].items() if _jsonable(value)}
            verdicts.write(json.dumps(row) + "\n")
            verdicts.flush()
    finally:
        end_descendants()
    os._exit(0)  # a check's lab threads must not keep this process alive


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(EXIT_TERMINATED)  # the `finally` above ends the learner's processes


def judge(notebook: Path, exercise: Exercise, confinement: Confinement, timeout: float | None) -> CheckResult:
    """Run the learner's cells for `exercise` in a confined process, then decide its verdict here."""
    limit = timeout if timeout is not None else exercise.timeout
    mode = "answers" if exercise.id in DATA_EXERCISES else "check"
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as reply:
        command = [
            sys.executable,
            "-m",
            "simulators.course.checking.learner_process",
            str(notebook),
            exercise.id,
            f"--mode={mode}",
            f"--reply-fd={reply.fileno()}",
            f"--memory={confinement.memory}",
            f"--cpu={math.ceil(limit + STARTUP_ALLOWANCE)}",
            f"--timeout={limit}",
        ]
        try:
            process = subprocess.Popen(  # noqa: S603 - our own module, run confined
                command,
                cwd=notebook.parent,
                env=confined_env(confinement, os.environ),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=(reply.fileno(),),
                start_new_session=True,  # its own session: one killpg ends what did not detach
                user=confinement.uid,  # None: this process's own user (the grader is not root)
                group=confinement.gid,
                extra_groups=[] if confinement.switches_user else None,  # none of root's groups
            )
        except PermissionError as exc:
            return _verdict(exercise, unreachable(confinement, exc), check_error=True)
        try:
            exit_code: int | None = process.wait(limit + STARTUP_ALLOWANCE)
        except subprocess.TimeoutExpired:
            exit_code = None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        end_descendants()  # whatever the learner's code left running, detached or not
        said = _first_line(reply)
        printed = _excerpt(output)
    result = _decide(exercise, mode, said, exit_code, timeout)
    noted: dict[str, Any] = {"output": printed} if printed else {}
    if said is not None and said.get("untouched") is True and not result.ok:
        noted["untouched"] = True  # scores 0 whatever steps the stub happens to meet (see result.py)
    if not noted:
        return result
    return CheckResult(
        result.ok,
        result.title,
        result.message,
        result.hints,
        {**result.details, **noted},
        result.steps,
        result.exercise,
    )


def unreachable(confinement: Confinement, exc: OSError) -> str:
    """Why the learner's code could not even start: the grader's setup, never the learner's fault."""
    return (
        f"grading runs your code as {confinement.user}, who may not run {sys.executable} or enter"
        f" {exc.filename or 'your folder'} ({exc.strerror}): the grader must install hooklab where every user"
        " can run it (see docs/instructors.md)"
    )


def _decide(
    exercise: Exercise, mode: str, said: dict[str, Any] | None, exit_code: int | None, timeout: float | None
) -> CheckResult:
    if said is None:
        return crashed(exercise, exit_code)
    if "failed" in said:
        return _failure(exercise, said["failed"])
    if mode == "answers" and "answers" in said:
        try:
            answers = restore(said["answers"], exercise.needs)
        except NotPlainData as exc:
            return _verdict(exercise, f"your answers could not be read: {exc}", not_plain_data=True)
        with contextlib.redirect_stdout(io.StringIO()):
            return run_check(exercise, answers, timeout=timeout)
    if mode == "check" and isinstance(said.get("verdict"), dict) and said["verdict"].get("exercise") == exercise.id:
        try:
            result = result_from_dict(said["verdict"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return crashed(exercise, exit_code)
        return CheckResult(
            result.ok,
            exercise.title,
            result.message,
            result.hints,
            {**result.details, "checked_beside_learner_code": True},
            result.steps,
            exercise.id,
        )
    return crashed(exercise, exit_code)


def _failure(exercise: Exercise, row: Any) -> CheckResult:
    """What the learner's process said went wrong: its words, never its steps or a pass."""
    row = row if isinstance(row, dict) else {}
    details = row.get("details") if isinstance(row.get("details"), dict) else {}
    kept = {key: details[key] for key in FAILURE_DETAILS if key in details and _jsonable(details[key])}
    hints = tuple(capped(str(hint)) for hint in row.get("hints", ()) if isinstance(hint, str))
    return CheckResult(
        False,
        exercise.title,
        capped(str(row.get("message", ""))) or "your code did not get to a verdict",
        hints or exercise.hints,
        kept,
        (),
        exercise.id,
    )


def crashed(exercise: Exercise, exit_code: int | None) -> CheckResult:
    if exit_code is None:
        return _verdict(
            exercise, "your code did not finish in time, and the check run had to be stopped", exit_code=None
        )
    return _verdict(
        exercise,
        f"the check run stopped while running your code (exit code {exit_code}): did your code end the interpreter?",
        exit_code=exit_code,
    )


def _verdict(exercise: Exercise, message: str, **details: Any) -> CheckResult:
    return CheckResult(False, exercise.title, message, exercise.hints, details, (), exercise.id)


def _first_line(reply: IO[bytes]) -> dict[str, Any] | None:
    reply.seek(0)
    data = reply.read(REPLY_LIMIT + 1)
    if len(data) > REPLY_LIMIT:
        return None
    try:
        said = json.loads(data.split(b"\n", 1)[0])
    except (ValueError, RecursionError):  # a reply nested past the parser's depth is no reply either
        return None
    return said if isinstance(said, dict) else None


def _excerpt(output: IO[bytes]) -> str:
    output.seek(0)
    return output.read(OUTPUT_EXCERPT).decode("utf-8", errors="replace")


def result_from_dict(row: dict[str, Any]) -> CheckResult:
    return CheckResult(
        ok=bool(row["ok"]),
        title=row.get("title", ""),
        message=row.get("message", ""),
        hints=tuple(row.get("hints", ())),
        details=dict(row.get("details", {})),
        steps=tuple(Step(step["name"], bool(step["ok"]), step.get("message", "")) for step in row.get("steps", ())),
        exercise=row.get("exercise", ""),
    )


def _jsonable(value: object) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


if __name__ == "__main__":
    main()
