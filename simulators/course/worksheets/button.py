"""Export the worksheet from inside JupyterLab: a button, no terminal needed."""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from simulators.course.worksheets.answers import load_answers
from simulators.course.worksheets.export import export
from simulators.course.worksheets.questions import QUESTIONS

READY = "<span style='color:#666'>Click to write your answers to worksheet.md and worksheet.html.</span>"


class WorksheetExport(widgets.VBox):
    """A button that writes worksheet.md and worksheet.html into `folder` and says where they are."""

    def __init__(self, folder: str | Path = ".") -> None:
        self.folder = Path(folder)
        self.button = widgets.Button(description="Export my worksheet", icon="download", button_style="primary")
        self.button.layout.width = "auto"
        self.status = widgets.HTML(READY)
        self.written: list[Path] = []
        super().__init__([self.button, self.status])
        self.button.on_click(lambda _: self.export())

    def export(self) -> list[Path]:
        """Write the worksheet now (what the button does); return the files written."""
        try:
            self.written = export(self.folder)
        except (OSError, ValueError) as exc:  # a read-only folder or a corrupt answers file: say so, keep going
            self.status.value = f"<span style='color:#b3261e'>Could not export: {html.escape(str(exc))}</span>"
            return []
        answered = sum(1 for q in QUESTIONS if str(load_answers().get(q.id, {}).get("answer", "")).strip())
        names = " and ".join(f"<code>{html.escape(path.name)}</code>" for path in self.written)
        self.status.value = (
            f"<span style='color:#1a7f37'>Exported {answered} of {len(QUESTIONS)} answers to {names}"
            f" in <code>{html.escape(str(self.folder.resolve()))}</code>: open them from the file browser.</span>"
        )
        return self.written

    def __repr__(self) -> str:
        # What a notebook opened before it runs shows in the button's place: what to do, not a Python name.
        # Stable: a notebook's saved output must not depend on where or whether it was exported.
        return "▶ Run this cell to show the export button."


def export_worksheet(folder: str | Path = ".") -> WorksheetExport:
    """A button that exports your reflection answers as worksheet.md and worksheet.html (next to this notebook)."""
    return WorksheetExport(folder)
