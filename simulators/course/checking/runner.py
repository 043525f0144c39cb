"""The boundary between a check and the learner's code.

Whatever the learner's code does — raise, hang, call exit(), or still be the
stub — the check answers with a CheckResult: "your code raised X: message"
and a hint, never a bare traceback and never the check's own source. An
exception that did not pass through learner code is hooklab's bug, and says so.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import simulators
from simulators import inprocess, learner
from simulators.course.checking.checklist import CheckFailed, _Stop
from simulators.course.checking.notebook import NotebookError
from simulators.course.checking.registry import Exercise, as_result
from simulators.course.checking.result import CheckResult
from simulators.course.checking.variant import Variant, current_variant

LOOP_HINT = "Look for a loop that never ends, or a call that waits forever (every HTTP request needs a timeout=...)."


def run_check(
    exercise: Exercise,
    namespace: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    *,
    timeout: float | None = None,
    variant: Variant | None = None,
) -> CheckResult:
    """Run `exercise`'s check on the learner's namespace (or a function that builds it).

    The scene is `variant`'s (default: the learner's being checked, see `variant.py`); the result's
    details name the learner and the seed, so a grader can replay the same scene.
    """
    chosen = variant if variant is not None else current_variant()
    result = _run_in_thread(exercise, namespace, timeout, chosen)
    return replace(result, details={**result.details, "learner": chosen.learner, "seed": chosen.seed})


def _run_in_thread(
    exercise: Exercise,
    namespace: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    timeout: float | None,
    variant: Variant,
) -> CheckResult:
    limit = timeout if timeout is not None else exercise.timeout
    outcome: list[CheckResult] = []
    labs: list[Any] = []

    def attempt() -> None:
        outcome.append(_evaluate(exercise, namespace, labs, variant))

    worker = threading.Thread(target=attempt, name=f"hooklab-check-{exercise.id}", daemon=True)
    try:
        if inprocess.active():
            # hooklab Lite: no thread to keep time with; a runaway check is stopped by the kernel's interrupt.
            attempt()
            return outcome[0]
        worker.start()
        worker.join(limit)
    except KeyboardInterrupt:
        _stop_labs(labs)
        return _verdict(exercise, "you interrupted the check before it finished", exercise.hints, interrupted=True)
    if worker.is_alive():
        _stop_labs(labs)
        return _verdict(
            exercise, f"your code did not finish within {limit:g} s", (LOOP_HINT, *exercise.hints[1:]), timed_out=True
        )
    return outcome[0]


def _evaluate(
    exercise: Exercise,
    namespace: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    labs: list[Any],
    variant: Variant,
) -> CheckResult:
    # A check runs learner code from start to end, so all of it goes through the one boundary;
    # what it raised decides the verdict. A check runs outside any lab, so its moments are wall time.
    outcome = learner.call(_judge, exercise, namespace, labs, variant, where=f"check {exercise.id}", now=_wall_time)
    if outcome.failure is None and isinstance(outcome.value, CheckResult):
        return outcome.value
    exc = outcome.exception
    if isinstance(exc, _Stop):
        return _evaluate_stop(exercise, exc)
    if isinstance(exc, CheckFailed):
        return _verdict(exercise, exc.message, exc.hints or exercise.hints)
    if isinstance(exc, NotebookError):
        return _verdict(exercise, str(exc), (), notebook_error=True)
    if isinstance(exc, SyntaxError):
        if not (exc.filename or "").startswith("<"):
            return _explain(exercise, exc)
        cell = (exc.filename or "<your cell>").strip("<>")
        return _verdict(
            exercise, f"{cell} has a syntax error on line {exc.lineno}: {exc.msg}", exercise.hints, error="SyntaxError"
        )
    if isinstance(exc, SystemExit):
        return _verdict(
            exercise,
            f"your code called exit({exc.code if exc.code is not None else ''}), which ends the program",
            exercise.hints,
            error="SystemExit",
        )
    assert isinstance(exc, Exception)  # noqa: S101 - learner.call catches Exception and SystemExit only
    return _explain(exercise, exc)


def _wall_time() -> datetime:
    return datetime.now(timezone.utc)


def _judge(
    exercise: Exercise,
    namespace: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    labs: list[Any],
    variant: Variant,
) -> CheckResult:
    ns = namespace() if callable(namespace) else namespace
    missing = [name for name in exercise.needs if name not in ns]
    if missing:
        names = ", ".join(f"`{name}`" for name in missing)
        return _verdict(
            exercise,
            f"I can't find {names}: run the exercise cell that defines {'it' if len(missing) == 1 else 'them'}, then this check again",
            exercise.hints,
            missing=missing,
        )
    extra: dict[str, Any] = {"variant": variant} if exercise.wants("variant") else {}
    if exercise.wants("lab"):
        from simulators.lab import Lab  # a check without a lab never pays for one

        lab = Lab(seed=variant.lab_seed(exercise.seed), systems=exercise.systems)
        labs.append(lab)
        try:
            value = exercise.fn(ns, lab=lab, **extra)
        finally:
            lab.stop()
    else:
        value = exercise.fn(ns, **extra)
    result = as_result(value)
    if not result.ok and not result.hints:
        result = CheckResult(result.ok, result.title, result.message, exercise.hints, result.details, result.steps)
    return result.with_exercise(exercise.id, exercise.title)


def _evaluate_stop(exercise: Exercise, stop: _Stop) -> CheckResult:
    result = stop.checklist.result()
    hints = result.hints or exercise.hints
    return CheckResult(False, "", result.message, hints, result.details, result.steps).with_exercise(
        exercise.id, exercise.title
    )


def _explain(exercise: Exercise, exc: Exception) -> CheckResult:
    frames = list(traceback.walk_tb(exc.__traceback__))
    ours = _framework_files(exercise)
    learner = [(frame, line) for frame, line in frames if _is_learner_file(frame.f_code.co_filename, ours)]
    error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if not learner:
        return _verdict(
            exercise,
            f"the check itself failed ({error}). That is a bug in hooklab, not in your code; please report it",
            (),
            error=error,
            traceback="".join(traceback.format_exception(exc)),
            check_error=True,
        )
    frame, line = learner[-1]
    where = _where(frame.f_code.co_name, line, frame.f_code.co_filename)
    learner_tb = "".join(traceback.format_list(traceback.StackSummary.extract((f, n) for f, n in learner)))
    if isinstance(exc, NotImplementedError):
        name = frame.f_code.co_name
        subject = f"`{name}`" if name != "<module>" else "your exercise cell"
        message = (
            f"{subject} is still the stub: it raises NotImplementedError. Write your version in place of the"
            " `raise NotImplementedError` line, run that cell, then this check again"
        )
        return _verdict(exercise, message, exercise.hints, error=error, traceback=learner_tb, stub=True)
    return _verdict(exercise, f"your code raised {error} ({where})", exercise.hints, error=error, traceback=learner_tb)


def _where(function: str, line: int, filename: str) -> str:
    cell = filename.strip("<>") if filename.startswith("<") else "your cell"
    if function == "<module>":
        return f"line {line} of {cell}"
    return f"in {function}(), line {line} of {cell}"


def _verdict(exercise: Exercise, message: str, hints: tuple[str, ...], **details: Any) -> CheckResult:
    return CheckResult(False, exercise.title, message, tuple(hints), details, (), exercise.id)


#: Frames in here are hooklab's own (sandbox and course), never the learner's.
PACKAGE_DIR = Path(simulators.__file__).resolve().parent


def _framework_files(exercise: Exercise) -> tuple[set[str], tuple[str, ...]]:
    files = {os.path.abspath(exercise.source_file)} if exercise.source_file else set()
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(PACKAGE_DIR)}
    checks = sys.modules.get("exercises.checks")
    if checks is not None and getattr(checks, "__file__", None):
        dirs.add(str(Path(checks.__file__).resolve().parent))  # type: ignore[arg-type]
    return files, tuple(os.path.abspath(d) + os.sep for d in dirs)


def _is_learner_file(filename: str, ours: tuple[set[str], tuple[str, ...]]) -> bool:
    files, dirs = ours
    if filename.startswith("<frozen") or filename.startswith("<string>"):
        return False
    if filename.startswith("<"):
        return True  # a notebook cell compiled by the exercise runner
    path = os.path.abspath(filename)
    return path not in files and not path.startswith(dirs)


def _stop_labs(labs: list[Any]) -> None:
    for lab in labs:
        lab.stop()
