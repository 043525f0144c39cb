"""Course guidance instead of a bare traceback when a notebook cell runs before the cells it needs.

After a kernel restart, or when a learner opens a notebook and runs a cell in the middle, Python answers
`NameError: name 'lab' is not defined`, pointing at a line that plainly says `lab`. This IPython extension
adds, above that traceback, which cell makes the name and how to run it: it reads the notebook the kernel
runs (Jupyter names it in JPY_SESSION_NAME) and finds the first code cell that assigns, imports or defines
the name.

Every kernel of a course install loads it (etc/ipython/ipython_kernel_config.json, installed with the
package), so it also works in a kernel that has run nothing yet; `simulators.course` loads it too, for a
kernel started some other way. It is a module of its own, outside `simulators`, and imports only the
standard library and IPython, so a kernel that never needs it pays nothing for the lab.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import re
from pathlib import Path
from typing import Any

#: The menu path a learner clicks; JupyterLab's own words.
RUN_ABOVE = "Run ▸ Run All Above Selected Cell"
_HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)
_TAG = re.compile(r"<[^>]+>")


def load_ipython_extension(shell: Any) -> None:
    """Show course guidance with every NameError (IPython calls this for `%load_ext` and kernel config)."""
    shell.set_custom_exc((NameError,), _show_with_guidance)


def _show_with_guidance(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> None:
    advice = None
    name = getattr(value, "name", None)
    if isinstance(name, str) and name not in shell.user_ns and not isinstance(value, UnboundLocalError):
        history = shell.user_ns.get("In") or [""]
        advice = advice_for(name, notebook_cells(os.environ.get("JPY_SESSION_NAME")), history[-1], shell.user_ns)
    if advice is not None:
        from IPython.display import display

        text, markdown = advice
        display({"text/plain": text, "text/markdown": markdown}, raw=True)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def notebook_cells(path: str | None) -> list[dict[str, Any]]:
    """The cells of the notebook file at `path` as last saved; none when there is no readable notebook."""
    if not path or not path.endswith(".ipynb"):
        return []
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []
    return [cell for cell in cells if isinstance(cell, dict)]


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def names_made_by(source: str) -> set[str]:
    """The names a cell's code assigns, imports or defines at its top level (magics and all)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return set()
    made: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            made.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            made.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                made.add(inner.id)
    return made


def _parameters_of_functions(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {
        argument.arg
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for argument in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    }


def _heading_above(cells: list[dict[str, Any]], index: int) -> str | None:
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") == "markdown":
            headings = _HEADING.findall(_source(cell))
            if headings:
                return _TAG.sub("", headings[-1]).strip() or None
    return None


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def advice_for(
    name: str, cells: list[dict[str, Any]], running: str, known: dict[str, Any] | None = None
) -> tuple[str, str]:
    """What to tell a learner whose cell used `name` before anything made it: (plain text, Markdown).

    `cells` are the notebook's (empty when unknown), `running` is the failing cell's source, `known` the
    names the kernel has now (for a "did you mean").
    """
    code_cells = [(index, cell) for index, cell in enumerate(cells) if cell.get("cell_type") == "code"]
    for number, (index, cell) in enumerate(code_cells, start=1):
        if name in names_made_by(_source(cell)) and _source(cell).strip() != running.strip():
            heading = _heading_above(cells, index)
            where = f"the {_ordinal(number)} code cell" + (f", under the heading “{heading}”" if heading else "")
            lead = f"This cell needs `{name}`, which an earlier cell makes: run that cell first."
            rest = (
                f"It is {where}. Quickest: click in this cell, then choose {RUN_ABOVE}; then run this cell again. "
                "(This happens after a restart, or when cells run out of order: nothing is broken.)"
            )
            return f"{lead} {rest}", f"**{lead}** {rest}"
    if name in _parameters_of_functions(running):
        lead = f"`{name}` exists only inside the function this cell defines."
        rest = (
            f"Every line that uses `{name}` must sit inside it: indented by 4 spaces under the `def` line, "
            "like the lines above it."
        )
        return f"{lead} {rest}", f"**{lead}** {rest}"
    candidates = {n for n in (known or {}) if not n.startswith("_")}
    for _, cell in code_cells:
        candidates |= names_made_by(_source(cell))
    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    guess = f" Did you mean `{close[0]}`?" if close else ""
    lead = f"Python does not know the name `{name}`.{guess}"
    rest = (
        "Names must match exactly, capitals included. If a cell above makes it, run the cells above first: "
        f"click in this cell, then choose {RUN_ABOVE}."
    )
    return f"{lead} {rest}", f"**{lead}** {rest}"
