"""A check's working notes: what was expected, what held, what to hint."""

from __future__ import annotations

from typing import Any

from simulators.course.checking.result import CheckResult, Step, summary_message


class CheckFailed(Exception):
    """Stop the check here: the learner's code cannot get further."""

    def __init__(self, message: str, hints: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hints = hints


def fail(message: str, *hints: str) -> None:
    """End the check with a verdict of not yet, and say why."""
    raise CheckFailed(message, tuple(hints))


class Checklist:
    """Collect expectations one by one; `result()` turns them into a verdict.

    c = Checklist()
    c.expect(len(found) == 1, "activates the customer once", f"found {len(found)} activations",
             hints=("Look at event ids.", "Webhooks can arrive twice: remember what you handled."))
    return c.result()
    """

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self._hints: list[tuple[str, ...]] = []
        self.details: dict[str, Any] = {}

    def expect(self, ok: bool, name: str, failure: str = "", *, hints: tuple[str, ...] | list[str] = ()) -> bool:
        """Record that `name` should hold; `failure` says what was seen instead."""
        self.steps.append(Step(name, bool(ok), "" if ok else failure))
        if not ok:
            self._hints.append(tuple(hints))
        return bool(ok)

    def require(self, ok: bool, name: str, failure: str = "", *, hints: tuple[str, ...] | list[str] = ()) -> None:
        """Like `expect`, but stop the check at once when it does not hold."""
        if not self.expect(ok, name, failure, hints=hints):
            raise _Stop(self)

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    def result(self) -> CheckResult:
        # The hint belongs to the problem the message names: the first failed step's own
        # (none, and the runner falls back to the exercise's), never a later step's.
        hints = self._hints[0] if self._hints else ()
        message = summary_message(self.steps)
        if not self.ok:
            first = next(step for step in self.steps if not step.ok)
            message += f"; first problem: {first.name}" + (f" — {first.message}" if first.message else "")
        return CheckResult(self.ok and bool(self.steps), "", message, hints, dict(self.details), tuple(self.steps))


class _Stop(Exception):
    """Raised by `Checklist.require`: the runner turns it into the checklist's result."""

    def __init__(self, checklist: Checklist) -> None:
        super().__init__("checklist stopped")
        self.checklist = checklist
