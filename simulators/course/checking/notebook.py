"""Read an exercise notebook's learner cells and run them in a fresh namespace.

Cells the learner edits carry the tag `exercise` (every exercise of that
notebook sees them) or `exercise:<id>` (only that exercise does); cells tagged
`exercise-setup` (imports, helpers) run first. Nothing else in the notebook
runs, so a check depends on what the learner wrote, not on the notebook's layout.
"""

from __future__ import annotations

import builtins
import json
import linecache
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXERCISE_TAG = "exercise"
SETUP_TAG = "exercise-setup"


@dataclass(frozen=True)
class Cell:
    """One code cell: its place in the notebook and its source."""

    index: int
    source: str
    tags: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"<cell {self.index}>"


def read_cells(path: str | Path) -> list[Cell]:
    """The notebook's code cells, numbered from 1 as a reader counts them."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotebookError(f"cannot read notebook {path}: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise NotebookError(f"{path} is not a Jupyter notebook (no list of cells)")
    cells = []
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        tags = (cell.get("metadata") or {}).get("tags") or []
        cells.append(Cell(number, source, tuple(str(tag) for tag in tags)))
    return cells


def exercise_cells(path: str | Path, exercise_id: str) -> list[Cell]:
    """The setup cells, then the learner's cells of `exercise_id`, in notebook order."""
    cells = read_cells(path)
    setup = [cell for cell in cells if SETUP_TAG in cell.tags]
    mine = [cell for cell in cells if EXERCISE_TAG in cell.tags or f"{EXERCISE_TAG}:{exercise_id}" in cell.tags]
    return setup + [cell for cell in mine if cell not in setup]


def as_python(source: str) -> str:
    """Drop IPython-only lines (%magics, !shell commands) that plain Python cannot run."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        lines = lines[1:]  # a cell magic such as %%time: run the body as it is
    return "\n".join("pass  # " + line.strip() if line.lstrip().startswith(("%", "!")) else line for line in lines)


def fresh_namespace() -> dict[str, Any]:
    return {"__name__": "__main__", "__builtins__": builtins}


def run_cells(cells: list[Cell], namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute the cells in order in `namespace` (a fresh one by default) and return it."""
    ns = namespace if namespace is not None else fresh_namespace()
    for cell in cells:
        code = as_python(cell.source)
        # Registered with linecache so a traceback can quote the learner's own line.
        linecache.cache[cell.filename] = (len(code), None, code.splitlines(keepends=True), cell.filename)
        exec(compile(code, cell.filename, "exec"), ns)  # noqa: S102 - running the learner's cell is the point
    return ns


def notebook_namespace(path: str | Path, exercise_id: str) -> dict[str, Any]:
    """Run the notebook's cells for one exercise in a fresh namespace."""
    cells = exercise_cells(path, exercise_id)
    if not cells:
        raise NotebookError(
            f"{Path(path).name} has no cell tagged {EXERCISE_TAG!r}: the cells you edit must keep their tag"
        )
    return run_cells(cells)


class NotebookError(Exception):
    """The notebook is missing, unreadable, or has no exercise cells."""
