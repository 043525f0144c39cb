"""The answer box under a reflection question: saves as the learner types."""

from __future__ import annotations

import html

import ipywidgets as widgets

from simulators.course.worksheets.answers import answer_for, save_answer, worksheet_path
from simulators.course.worksheets.questions import Question

SAVED = "<span style='color:#1a7f37'>Saved to your worksheet.</span>"
EMPTY = "<span style='color:#666'>Not answered yet. Your answer saves as you type.</span>"


class Reflection(widgets.VBox):
    """A question, a text box pre-filled with the saved answer, and a save status."""

    def __init__(self, question: Question) -> None:
        self.question = question
        # The question's text stands in the Markdown cell above (visible on GitHub and in exports); the box says
        # which question it answers, so a reader who scrolls past the text still knows.
        self.prompt = widgets.HTML(
            f"<b>Your answer</b> <span style='color:#666'>(saved in your worksheet as {html.escape(question.id)})</span>"
        )
        self.answer = widgets.Textarea(
            value=answer_for(question.id),
            placeholder="Type your answer here…",
            description="answer",
            layout=widgets.Layout(width="100%", height="8em"),
        )
        self.status = widgets.HTML(SAVED if self.answer.value else EMPTY)
        super().__init__([self.prompt, self.answer, self.status])
        self.answer.observe(self._save, names="value")

    def _save(self, change: dict[str, object]) -> None:
        try:
            save_answer(
                self.question.id, str(change["new"]), question=self.question.text, notebook=self.question.notebook
            )
        except OSError as exc:  # a full disk or a read-only home must not break the notebook
            self.status.value = f"<span style='color:#b3261e'>Could not save to {html.escape(str(worksheet_path()))}: {html.escape(str(exc))}</span>"
            return
        self.status.value = SAVED if change["new"] else EMPTY

    def __repr__(self) -> str:
        # What a notebook opened before it runs shows in the box's place: what to do, not a Python name.
        # Stable whatever was typed: a notebook's saved output must not depend on the answer.
        return f"▶ Run this cell to show your answer box ({self.question.id})."
