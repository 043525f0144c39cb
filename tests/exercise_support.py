"""What the exercise tests share: load a course check, put a learner's answer in, name what failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simulators.course.checking import load_checks, registry
from simulators.course.checking.notebook import read_cells, run_cells


def course_exercise(exercise_id: str) -> Any:
    """The registered course exercise (its check, hints and settings)."""
    load_checks()
    return registry.get(exercise_id)


def failed_steps(result: Any) -> list[str]:
    """The names of the steps a check did not pass."""
    return [step.name for step in result.steps if not step.ok]


def notebook_with_cell(notebook: Path, source: str, folder: Path) -> Path:
    """A copy of `notebook` in `folder` whose one `exercise` cell holds `source` instead."""
    document = json.loads(notebook.read_text())
    [cell] = [c for c in document["cells"] if "exercise" in c.get("metadata", {}).get("tags", [])]
    cell["source"] = source
    path = folder / notebook.name
    path.write_text(json.dumps(document))
    return path


def setup_namespace_with(notebook: Path, learner_cell: str) -> dict[str, Any]:
    """Run the notebook's `exercise-setup` cells, then `learner_cell`, as a learner would."""
    ns = run_cells([cell for cell in read_cells(notebook) if "exercise-setup" in cell.tags])
    exec(compile(learner_cell, "<learner cell>", "exec"), ns)  # noqa: S102 - a known answer, run as a learner runs it
    return ns
