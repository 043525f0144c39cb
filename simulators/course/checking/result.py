"""What a check answers: a verdict, the steps behind it, and tiered hints.

The text and HTML renderings are deterministic (no ids, ports or times), so a
check cell's saved output in a notebook is the same on every run. The wording
is honest: checks passing is reported as "the checks pass", never "correct".
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field, replace
from typing import Any

PASS_MARK = "✔"
FAIL_MARK = "✘"

#: What a result's status means, for reports and graders:
#: pass: every step held; fail: the learner's code ran and a step did not hold;
#: error: the learner's code could not run (a syntax error, a missing name, a crash) or the check itself broke,
#: which never counts as a failed attempt; timeout: it did not finish in time; missing: nothing was handed in.
STATUSES = ("pass", "fail", "error", "timeout", "missing")
#: Longest text a report carries per message (Exercism caps test output the same way).
OUTPUT_CAP = 500

#: Details that mean the learner's code could not be run to a verdict.
_ERROR_DETAILS = ("error", "missing", "notebook_error", "exit_code", "interrupted", "check_error")


def capped(text: str, limit: int = OUTPUT_CAP) -> str:
    """`text`, cut to `limit` characters with a note saying so."""
    return text if len(text) <= limit else text[: limit - 20].rstrip() + " … (cut to fit)"


@dataclass(frozen=True)
class Step:
    """One thing a check looked at, in plain words, and whether it held."""

    name: str
    ok: bool
    message: str = ""

    @property
    def status(self) -> str:
        return "pass" if self.ok else "fail"

    def line(self) -> str:
        mark = PASS_MARK if self.ok else FAIL_MARK
        return f"{mark} {self.name}" + (f": {self.message}" if self.message and not self.ok else "")


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one exercise check."""

    ok: bool
    title: str
    message: str
    #: Tiered: a nudge first, then the concept behind it.
    hints: tuple[str, ...] = ()
    #: Machine-facing facts (learner output, error type); never shown in the verdict box.
    details: dict[str, Any] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    exercise: str = ""

    def with_exercise(self, exercise: str, title: str) -> CheckResult:
        return replace(self, exercise=exercise, title=self.title or title)

    @property
    def headline(self) -> str:
        verdict = "PASS" if self.ok else "NOT YET"
        name = f"{self.exercise} · {self.title}" if self.exercise and self.title else self.title or self.exercise
        return f"{PASS_MARK if self.ok else FAIL_MARK} {verdict} — {name}"

    @property
    def status(self) -> str:
        """One of STATUSES: see there."""
        if self.ok:
            return "pass"
        if self.details.get("missing_notebook"):
            return "missing"
        if self.details.get("timed_out") or ("exit_code" in self.details and self.details["exit_code"] is None):
            return "timeout"
        if self.details.get("stub"):
            return "fail"  # the untouched stub ran and said so: a verdict, not a crash
        if any(key in self.details for key in _ERROR_DETAILS):
            return "error"
        return "fail"

    @property
    def counts_as_attempt(self) -> bool:
        """False when the learner's code never got to a verdict (see STATUSES)."""
        return self.status in ("pass", "fail", "timeout")

    @property
    def score(self) -> float:
        """Partial credit: the share of steps that held (1.0 on a pass, 0.0 when no step ran, and 0.0 for cells
        still as they were handed out, whatever steps the stub happens to meet)."""
        if self.ok:
            return 1.0
        if self.details.get("untouched"):
            return 0.0
        return sum(step.ok for step in self.steps) / len(self.steps) if self.steps else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = self.status
        out["score"] = round(self.score, 4)
        out["message"] = capped(self.message)
        out["hints"] = [capped(hint) for hint in self.hints]
        out["steps"] = [
            {"name": step.name, "ok": step.ok, "status": step.status, "message": capped(step.message)}
            for step in self.steps
        ]
        # The first failing step first, as Exercism orders results: the one to fix now.
        out["first_failure"] = next((step["name"] for step in out["steps"] if not step["ok"]), None)
        # Whose scene this was: a grader replays the same one from these two.
        out["learner"] = self.details.get("learner", "")
        out["seed"] = self.details.get("seed", 0)
        return out

    # -- rendering --------------------------------------------------------

    def __str__(self) -> str:
        lines = [self.headline, f"  {self.message}"]
        lines.extend(f"    {step.line()}" for step in self.steps)
        if not self.ok and self.hints:
            lines.append(f"  Hint: {self.hints[0]}")
            lines.extend(f"  Still stuck? {hint}" for hint in self.hints[1:])
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        colour, background = ("#1a7f37", "#e9f7ee") if self.ok else ("#b35900", "#fff4e5")
        steps = "".join(
            f"<li style='color:{'#1a7f37' if step.ok else '#b3261e'}'>{html.escape(step.line())}</li>"
            for step in self.steps
        )
        parts = [
            f"<div class='hooklab-check' style='border-left:6px solid {colour};background:{background};"
            "padding:8px 12px;margin:4px 0;font-family:sans-serif'>",
            f"<div style='font-weight:bold;color:{colour}'>{html.escape(self.headline)}</div>",
            f"<div>{html.escape(self.message)}</div>",
        ]
        if steps:
            parts.append(f"<ul style='margin:4px 0'>{steps}</ul>")
        if not self.ok and self.hints:
            parts.append(f"<div><b>Hint:</b> {html.escape(self.hints[0])}</div>")
            for hint in self.hints[1:]:
                parts.append(
                    f"<details><summary>Still stuck? Show the idea behind it</summary>{html.escape(hint)}</details>"
                )
        parts.append("</div>")
        return "".join(parts)


def summary_message(steps: tuple[Step, ...] | list[Step]) -> str:
    """'all 4 checks pass' or '2 of 4 checks pass', as the verdict says it."""
    total = len(steps)
    passed = sum(step.ok for step in steps)
    if total == 0:
        return "no checks ran"
    if passed == total:
        return "the check passes" if total == 1 else f"all {total} checks pass"
    return f"{passed} of {total} checks pass"
