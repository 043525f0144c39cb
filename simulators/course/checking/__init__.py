"""Exercise checks: run the learner's code against a live lab and answer with a verdict.

In a notebook:

    from simulators.course.checking import check
    check("ex02_poller", globals())

A check module (exercises/checks/exNN_name.py):

    from simulators.course.checking import Checklist, exercise

    @exercise("ex02_poller", notebook="02_polling_vs_webhooks", title="A poller", needs=["poll_new_events"],
              hints=("A nudge.", "The concept behind it."), systems=["payments"])
    def check(ns, lab):
        c = Checklist()
        c.expect(..., "what should hold", "what was seen instead")
        return c.result()
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulators.course.checking.checklist import CheckFailed, Checklist, fail
from simulators.course.checking.registry import (
    Exercise,
    Registry,
    exercise,
    load_check,
    load_checks,
    registry,
    unload_checks,
)
from simulators.course.checking.result import CheckResult, Step
from simulators.course.checking.runner import run_check


def check(exercise_id: str, namespace: Mapping[str, Any], *, timeout: float | None = None) -> CheckResult:
    """Check exercise `exercise_id` against the learner's definitions (pass `globals()`)."""
    load_check(exercise_id)
    if exercise_id not in registry:
        known = ", ".join(entry.id for entry in registry.all()) or "none yet"
        return CheckResult(
            False, "unknown exercise", f"there is no exercise {exercise_id!r}; the exercises are: {known}"
        )
    return run_check(registry.get(exercise_id), namespace, timeout=timeout)


__all__ = [
    "CheckFailed",
    "CheckResult",
    "Checklist",
    "Exercise",
    "Registry",
    "Step",
    "check",
    "exercise",
    "fail",
    "load_check",
    "load_checks",
    "registry",
    "run_check",
    "unload_checks",
]
