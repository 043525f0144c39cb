"""The worksheet as Markdown and HTML: every question by notebook, with its answer."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.course.worksheets.answers import load_answers
from simulators.course.worksheets.questions import QUESTIONS, Question

UNANSWERED = "(not answered yet)"
FORMATS = ("md", "html")


@dataclass(frozen=True)
class Entry:
    question: Question
    answer: str

    @property
    def answered(self) -> bool:
        return bool(self.answer.strip())


def worksheet_entries(answers: dict[str, dict[str, Any]] | None = None) -> list[tuple[str, list[Entry]]]:
    """(notebook, entries) in course order; answers to unregistered questions come last."""
    saved = load_answers() if answers is None else answers
    questions = list(QUESTIONS)
    registered = {entry.id for entry in questions}
    for question_id, entry in saved.items():
        if question_id not in registered:
            questions.append(
                Question(question_id, str(entry.get("notebook") or "other"), str(entry.get("question") or question_id))
            )
    groups: dict[str, list[Entry]] = {}
    for question in sorted(questions, key=lambda q: (q.notebook == "other", q.notebook)):
        groups.setdefault(question.notebook, []).append(
            Entry(question, str(saved.get(question.id, {}).get("answer", "")))
        )
    return list(groups.items())


def render_markdown(groups: list[tuple[str, list[Entry]]]) -> str:
    answered, total = _counts(groups)
    lines = ["# hooklab reflection worksheet", "", f"{answered} of {total} questions answered.", ""]
    for notebook, entries in groups:
        lines += [f"## {notebook}", ""]
        for entry in entries:
            lines += [f"### {entry.question.text}", "", f"*{entry.question.id}*", ""]
            if entry.answered:
                lines += [f"> {line}" if line else ">" for line in entry.answer.strip().splitlines()]
            else:
                lines.append(f"**{UNANSWERED}**")
            lines.append("")
    return "\n".join(lines)


def render_html(groups: list[tuple[str, list[Entry]]]) -> str:
    answered, total = _counts(groups)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>hooklab reflection worksheet</title>",
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}blockquote{white-space:pre-wrap;"
        "border-left:4px solid #1a7f37;margin:0;padding:4px 12px}.unanswered{color:#b3261e;font-weight:bold}</style>",
        "</head><body><h1>hooklab reflection worksheet</h1>",
        f"<p>{answered} of {total} questions answered.</p>",
    ]
    for notebook, entries in groups:
        parts.append(f"<h2>{html.escape(notebook)}</h2>")
        for entry in entries:
            parts.append(f"<h3 id='{html.escape(entry.question.id)}'>{html.escape(entry.question.text)}</h3>")
            if entry.answered:
                parts.append(f"<blockquote>{html.escape(entry.answer.strip())}</blockquote>")
            else:
                parts.append(f"<p class='unanswered'>{UNANSWERED}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def export(
    out_dir: str | Path = ".", formats: Iterable[str] = FORMATS, answers: dict[str, dict[str, Any]] | None = None
) -> list[Path]:
    """Write worksheet.md and/or worksheet.html into `out_dir`; return the paths."""
    chosen = [fmt.strip().lower() for fmt in formats if fmt.strip()]
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"a worksheet format is one of {', '.join(FORMATS)}, not {', '.join(unknown) or 'nothing'}")
    groups = worksheet_entries(answers)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in dict.fromkeys(chosen):
        path = folder / f"worksheet.{fmt}"
        path.write_text(render_markdown(groups) if fmt == "md" else render_html(groups), encoding="utf-8")
        written.append(path)
    return written


def _counts(groups: list[tuple[str, list[Entry]]]) -> tuple[int, int]:
    entries = [entry for _, members in groups for entry in members]
    return sum(entry.answered for entry in entries), len(entries)
