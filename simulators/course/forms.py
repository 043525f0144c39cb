"""Answer forms: a core exercise answered with clicks, choices and words, never by editing code.

    answer_form("ex01_formula", [
        choice("formula.trigger", "What happens that starts it?", TRIGGER_NAMES),
        choices("formula.data", "What does the action need to know?", FIELD_NAMES),
        text("reason", "Why, in one sentence?"),
        number("median_minutes", "How long did half the payments wait?", unit="minutes"),
    ], into=globals())

Each field names the variable the exercise's check reads (a dotted name fills one key of a dict, as
`formula["trigger"]`), so the check is the same whether a learner answers in the form or a developer types
the values in code. The answers are saved in the worksheet as they are submitted and written back into
`into` whenever the form is built, so a kernel restart, Run All, `hooklab check` and `hooklab grade` (which
run the notebook's cells without a browser) all see the last answers submitted. An unanswered field leaves
`...` in place: the check then says the exercise is untouched, as it does for an unedited stub.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from simulators.course.worksheets.answers import load_answers, save_answer, worksheet_path

#: What a dropdown shows before the learner has chosen.
UNCHOSEN = "— choose one —"
KINDS = ("choice", "choices", "text", "number")


@dataclass(frozen=True)
class Field:
    """One question of a form, and the variable (or dict key) its answer goes into."""

    name: str
    label: str
    kind: str
    options: tuple[str, ...] = ()
    lines: int = 1
    unit: str = ""
    placeholder: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"a field's kind is one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind in ("choice", "choices") and not self.options:
            raise ValueError(f"the field {self.name!r} offers no options to choose from")


def choice(name: str, label: str, options: Iterable[str]) -> Field:
    """Pick one option (a dropdown)."""
    return Field(name, label, "choice", tuple(options))


def choices(name: str, label: str, options: Iterable[str]) -> Field:
    """Tick every option that applies (checkboxes); the answer is the list ticked, in the options' order."""
    return Field(name, label, "choices", tuple(options))


def text(name: str, label: str, *, lines: int = 1, placeholder: str = "") -> Field:
    """Words: a line, or a box of `lines` lines."""
    return Field(name, label, "text", lines=lines, placeholder=placeholder)


def number(name: str, label: str, *, unit: str = "") -> Field:
    """A number read off a table or a chart; `unit` is shown after the box."""
    return Field(name, label, "number", unit=unit)


class FormError(ValueError):
    """An answer that cannot be checked yet (empty, or not a number): said in the learner's words."""


class AnswerForm(widgets.VBox):  # ipywidgets has no type hints
    """The fields, a Submit button and the verdict card of one exercise."""

    def __init__(
        self,
        exercise_id: str,
        fields: Sequence[Field],
        into: MutableMapping[str, Any],
        *,
        notebook: str = "",
        checker: Callable[[str, MutableMapping[str, Any]], Any] | None = None,
    ) -> None:
        names = [field.name for field in fields]
        if len(set(names)) != len(names):
            raise ValueError(f"two fields of {exercise_id} write the same answer: {names}")
        self.exercise_id = exercise_id
        self.fields = tuple(fields)
        self.into = into
        self.notebook = notebook or exercise_id
        self._checker = checker
        self.result: Any = None
        saved = load_answers()
        self.controls = {field.name: _control(field, _saved(saved, self._key(field))) for field in fields}
        for field in fields:  # what was submitted before (or ...) is what the check and the grader read
            _put(into, field.name, _value_or_stub(field, self.controls[field.name]))
        self.submit = widgets.Button(description="Submit", button_style="primary", icon="check")
        self.status = widgets.HTML()
        self.verdict = widgets.HTML()
        self.submit.on_click(lambda _: self.check())
        rows: list[Any] = []
        for field in fields:
            label = html.escape(field.label) + (f" <i>({html.escape(field.unit)})</i>" if field.unit else "")
            rows += [widgets.HTML(f"<b>{label}</b>"), self.controls[field.name]]
        super().__init__([*rows, self.submit, self.status, self.verdict])

    def _key(self, field: Field) -> str:
        return f"{self.exercise_id}.{field.name}"

    def answers(self) -> dict[str, Any]:
        """Every field's answer as the check reads it; a FormError says what is missing or wrong."""
        found: dict[str, Any] = {}
        empty: list[str] = []
        for field in self.fields:
            value = _value(field, self.controls[field.name])
            if value in (None, "", []):
                empty.append(field.label)
            found[field.name] = value
        if empty:
            listed = "; ".join(f"“{label}”" for label in empty)
            raise FormError(f"Answer every question before you submit. Still empty: {listed}")
        return found

    def check(self) -> Any:
        """Save the answers, write them where the check reads them, run the check and show its verdict."""
        try:
            found = self.answers()
        except FormError as why:
            self.status.value = f"<span style='color:#b3261e'>{html.escape(str(why))}</span>"
            self.verdict.value = ""
            return None
        for field in self.fields:
            _put(self.into, field.name, found[field.name])
        try:
            for field in self.fields:
                save_answer(
                    self._key(field),
                    _as_text(found[field.name]),
                    question=field.label,
                    notebook=self.notebook,
                )
            self.status.value = "<span style='color:#1a7f37'>Saved to your worksheet.</span>"
        except OSError as exc:  # a full disk or a read-only home must not stop the check
            where = html.escape(str(worksheet_path()))
            self.status.value = f"<span style='color:#b3261e'>Could not save to {where}: {html.escape(str(exc))}</span>"
        self.result = (self._checker or _course_check)(self.exercise_id, self.into)
        self.verdict.value = (
            self.result._repr_html_() if hasattr(self.result, "_repr_html_") else html.escape(str(self.result))
        )
        return self.result

    def __repr__(self) -> str:
        # Stable whatever was answered: a notebook's saved output must not depend on the answers.
        return f"AnswerForm({self.exercise_id!r})"


def answer_form(
    exercise_id: str, fields: Sequence[Field], into: MutableMapping[str, Any], *, notebook: str = ""
) -> AnswerForm:
    """The form of exercise `exercise_id`; pass `into=globals()` so the check reads what is submitted."""
    return AnswerForm(exercise_id, fields, into, notebook=notebook)


def _course_check(exercise_id: str, namespace: MutableMapping[str, Any]) -> Any:
    from simulators.course.checking import check  # here: a form built only to show answers needs no checks

    return check(exercise_id, namespace)


def _saved(saved: dict[str, dict[str, Any]], key: str) -> str | None:
    entry = saved.get(key)
    return str(entry.get("answer", "")) if entry else None


def _control(field: Field, saved: str | None) -> Any:
    width = widgets.Layout(width="100%")
    if field.kind == "choice":
        options = [UNCHOSEN, *field.options]
        return widgets.Dropdown(options=options, value=saved if saved in field.options else UNCHOSEN)
    if field.kind == "choices":
        ticked = set((saved or "").splitlines())
        return widgets.VBox(
            [widgets.Checkbox(value=option in ticked, description=option, indent=False) for option in field.options]
        )
    if field.kind == "number":
        return widgets.Text(value=saved or "", placeholder="a number", layout=widgets.Layout(width="12em"))
    if field.lines > 1:
        return widgets.Textarea(
            value=saved or "", placeholder=field.placeholder or "Type your answer here…", rows=field.lines, layout=width
        )
    return widgets.Text(value=saved or "", placeholder=field.placeholder or "Type your answer here…", layout=width)


def _value(field: Field, control: Any) -> Any:
    if field.kind == "choice":
        return None if control.value == UNCHOSEN else control.value
    if field.kind == "choices":
        return [box.description for box in control.children if box.value]
    if field.kind == "number":
        return _number(field, control.value)
    return control.value.strip()


def _value_or_stub(field: Field, control: Any) -> Any:
    try:
        value = _value(field, control)
    except FormError:
        return ...
    return ... if value in (None, "", []) else value


def _number(field: Field, typed: str) -> int | float | None:
    cleaned = typed.strip().replace(",", "")
    if field.unit and cleaned.lower().endswith(field.unit.lower()):
        cleaned = cleaned[: -len(field.unit)].strip()  # "80 minutes" where minutes are asked is a right answer
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        unit = f" of {field.unit}" if field.unit else ""
        raise FormError(f"“{field.label}” takes a number{unit}, like 80; you typed “{typed.strip()}”.") from None
    return int(value) if value.is_integer() else value


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(value)
    return str(value)


def _put(into: MutableMapping[str, Any], name: str, value: Any) -> None:
    """Write `value` to `into[name]`, or to one key of a dict for a dotted name (`formula.trigger`)."""
    head, _, key = name.partition(".")
    if not key:
        into[head] = value
        return
    holder = into.get(head)
    if not isinstance(holder, dict):
        holder = into[head] = {}
    holder[key] = value
