"""Reflection questions answered in the notebooks and exported as a worksheet.

from simulators.course.worksheets import reflection
reflection("q01_failures")
"""

from __future__ import annotations

from simulators.course.worksheets.answers import WORKSHEET_ENV, load_answers, save_answer, worksheet_path
from simulators.course.worksheets.button import WorksheetExport, export_worksheet
from simulators.course.worksheets.export import export
from simulators.course.worksheets.questions import QUESTIONS, Question, question
from simulators.course.worksheets.widget import Reflection


def reflection(question_id: str, text: str | None = None, *, notebook: str | None = None) -> Reflection:
    """Show a question and an answer box that saves as you type (pre-filled after a restart)."""
    try:
        known = question(question_id)
    except KeyError:
        if text is None:
            raise
        known = Question(question_id, notebook or "other", text)
    if text is not None or notebook is not None:
        known = Question(question_id, notebook or known.notebook, text if text is not None else known.text)
    return Reflection(known)


__all__ = [
    "QUESTIONS",
    "WORKSHEET_ENV",
    "WorksheetExport",
    "Question",
    "Reflection",
    "export",
    "export_worksheet",
    "load_answers",
    "question",
    "reflection",
    "save_answer",
    "worksheet_path",
]
