"""A lesson opened before anything runs shows nothing that misleads: no dead links, no raw widget text.

JupyterLab draws a saved output as it was saved. A link into the lab that made it leads to a closed port, a
widget saved without its live kernel shows as its text, and saved widget state draws a control panel whose
clicks go nowhere. `python -m simulators.course.notebooks execute` saves notebooks this way; this test keeps
them so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulators.course.notebooks import LAB_LINK, without_live_state

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"


def _texts(output: dict) -> list[str]:
    texts = [output["text"]] if "text" in output else []
    texts += [value for mime, value in output.get("data", {}).items() if mime.startswith("text/")]
    return ["".join(text) if isinstance(text, list) else text for text in texts]


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_a_lesson_opens_without_stale_live_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text())
    assert "widgets" not in notebook["metadata"], "saved widget state draws a dead control panel"
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            for text in _texts(output):
                assert not LAB_LINK.search(text), f"cell {index} saves a link into a lab that is gone: {text[:200]}"
            if WIDGET in output.get("data", {}):
                shown = "".join(output["data"]["text/plain"])
                assert shown.startswith("▶ Run this cell"), f"cell {index} shows a widget as {shown!r}"


def test_saving_replaces_links_into_the_lab_and_drops_widget_state() -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    key = "hl_" + "Ab3" * 10 + "xy"
    cell = nbformat.v4.new_code_cell("lab.links()")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"crm  http://127.0.0.1:4242/{key}/\n"),
        nbformat.v4.new_output("display_data", data={"text/html": f"<a href='http://127.0.0.1:4242/{key}/'>crm</a>"}),
    ]
    notebook.cells = [cell]
    saved = without_live_state(notebook)
    assert "widgets" not in saved.metadata
    assert saved.cells[0].outputs[0]["text"] == "crm  (run this cell for your lab's link)\n"
    assert saved.cells[0].outputs[1]["data"]["text/html"] == "<a href='(run this cell for your lab's link)'>crm</a>"
