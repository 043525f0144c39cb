"""The confined process that runs a learner's cells for one exercise (started by `worker.py`, never by hand).

    python -m simulators.course.checking.learner_process NOTEBOOK EXERCISE_ID --mode answers|check
        --reply-fd N --memory BYTES --cpu SECONDS [--timeout S]

Its limits are set before any of the learner's code runs. Then:

- `answers`: run the cells and send the exercise's answers as plain data (`answers.py`); the check runs in the
  worker, where the learner's code never runs. What this process says can only change the learner's own answers.
- `check`: run the check here, beside the learner's code, as `hooklab check` always has (the exercise calls the
  learner's functions with a live lab, patched libraries and the like); the verdict is only as trustworthy as
  the learner's code is honest, and the worker says so in the verdict's details.

Either way the learner's own output goes to the file the worker gave as stdout, and the reply to fd N.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import simulators
from simulators.course.checking.answers import NotPlainData, export
from simulators.course.checking.notebook import NotebookError, exercise_cells, notebook_namespace
from simulators.course.checking.registry import load_check, registry
from simulators.course.checking.result import CheckResult
from simulators.course.checking.runner import run_check
from simulators.course.checking.sandbox import limit_this_process


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators.course.checking.learner_process")
    parser.add_argument("notebook")
    parser.add_argument("exercise")
    parser.add_argument("--mode", choices=("answers", "check"), required=True)
    parser.add_argument("--reply-fd", type=int, required=True)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=None)
    args = parser.parse_args(argv)
    limit_this_process(memory=args.memory, cpu_seconds=args.cpu)
    reply = os.fdopen(args.reply_fd, "w", encoding="utf-8")
    load_check(args.exercise)
    exercise = registry.get(args.exercise)
    cells = partial(notebook_namespace, args.notebook, args.exercise)
    if args.mode == "answers":
        sent: dict[str, Any] = {}

        def collect(ns: dict[str, Any]) -> CheckResult:
            try:
                sent.update(export(ns, exercise.needs))
            except NotPlainData as exc:
                message = f"{exc}: this exercise's answers are values, as the exercise cell shows them"
                return CheckResult(False, exercise.title, message, exercise.hints, {"not_plain_data": True})
            return CheckResult(True, exercise.title, "answers collected")

        # The runner's boundary turns a raising, hanging or still-stub cell into a verdict, as for any check.
        result = run_check(replace(exercise, fn=collect), cells, timeout=args.timeout)
        line: dict[str, Any] = {"answers": sent} if result.ok else {"failed": result.as_dict()}
    else:
        line = {"verdict": run_check(exercise, cells, timeout=args.timeout).as_dict()}
    line["untouched"] = as_handed_out(Path(args.notebook), exercise.id, exercise.notebook)
    reply.write(json.dumps(line, default=_unsendable) + "\n")
    reply.flush()
    sys.stdout.flush()
    os._exit(0)  # threads the learner started must not keep this process alive


def as_handed_out(notebook: Path, exercise_id: str, name: str) -> bool:
    """Whether the learner's cells for the exercise are still the course's own stub, character for character."""
    stub = Path(simulators.__file__).resolve().parents[1] / "exercises" / f"{name}.ipynb"
    try:
        theirs, ours = exercise_cells(notebook, exercise_id), exercise_cells(stub, exercise_id)
    except NotebookError:
        return False
    return bool(ours) and [c.source for c in theirs] == [c.source for c in ours]


def _unsendable(value: object) -> str:
    return f"<{type(value).__name__}>"  # a detail only a human reads (a traceback's object, say)


if __name__ == "__main__":
    main()
