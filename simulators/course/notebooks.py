"""Build and re-execute the course notebooks exactly as the tests will check them.

    python -m simulators.course.notebooks execute notebooks/01_triggers_and_actions.ipynb
    python -m simulators.course.notebooks build draft.py notebooks/01_triggers_and_actions.ipynb

`execute` runs a notebook top to bottom in a fresh kernel from this
environment, in the notebook's folder, with a throwaway worksheet file (so a
learner's saved answers never leak into saved outputs), and saves it. `build`
turns a percent-format script (`# %%` cells, `# %% [markdown]`) into a
notebook; cells tagged with `# %% tags=["exercise"]` keep their tags.
Re-execute and save a notebook whenever code it shows changes: nbval compares
the saved outputs strictly.

A notebook is saved as a learner will first open it, before running anything:
no widget state (JupyterLab would draw a dead copy of the control panel, whose
links lead to closed ports), and no link into the lab that made the outputs
(its ports are closed by then) but words that say how to get one.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: A link to a lab's page (its overview or a system's dashboard), which lives only while that lab runs.
#: tests/nbval_sanitize.cfg turns a live one into the same words, so nbval compares the rest strictly.
LAB_LINK = re.compile(r"""https?://127\.0\.0\.1:\d+/hl_[A-Za-z0-9]{32}/(?=[\s'"<]|$)""")
LAB_LINK_SAVED = "(run this cell for your lab's link)"


def without_live_state(notebook: Any) -> Any:
    """The notebook as a learner should first see it: no saved widget state, no link into a stopped lab."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = LAB_LINK.sub(LAB_LINK_SAVED, output["text"])
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    output["data"][mime] = LAB_LINK.sub(LAB_LINK_SAVED, value)
    return notebook


def execute(path: Path, timeout: int = 300) -> None:
    # nbclient and jupytext are test extras, not runtime dependencies: only these two commands need them.
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = KERNEL
    with tempfile.TemporaryDirectory(prefix="hooklab-nb-") as scratch:
        previous = os.environ.get("HOOKLAB_WORKSHEET")
        learner = os.environ.get("HOOKLAB_LEARNER")
        os.environ["HOOKLAB_WORKSHEET"] = str(Path(scratch) / "worksheet.json")
        os.environ["HOOKLAB_LEARNER"] = ""  # saved outputs show the course's own check scenes
        try:
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
                allow_errors=False,
                store_widget_state=False,
            )
            client.execute()
        finally:
            for name, value in (("HOOKLAB_WORKSHEET", previous), ("HOOKLAB_LEARNER", learner)):
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    nbformat.write(without_live_state(notebook), path)


def build(source: Path, target: Path) -> None:
    import jupytext  # a test extra, like nbclient above
    import nbformat

    notebook = jupytext.read(source, fmt="py:percent")
    notebook.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    for cell in notebook.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
    nbformat.write(notebook, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.course.notebooks", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="run notebooks top to bottom and save their outputs")
    run.add_argument("notebooks", nargs="+", type=Path)
    make = sub.add_parser("build", help="turn a percent-format script into a notebook (then execute it)")
    make.add_argument("source", type=Path)
    make.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.source, args.target)
        execute(args.target)
        return 0
    for path in args.notebooks:
        print(f"executing {path}", file=sys.stderr)
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
