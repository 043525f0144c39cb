"""How long each lesson takes, counted from what is in it: a minimum and a full figure.

    .venv/bin/python tools/honest_time.py            # print the table; exit 1 if README.md's copy differs
    .venv/bin/python tools/honest_time.py --write    # rewrite README.md's table

A lesson's `**Time:**` line counts only its Markdown and its code cells. A learner also reads what the cells
print, looks at the pictures, tries the Try-its, writes the reflections and does the exercise. So each
lesson is counted here from all of that, twice:

- **minimum**: reading the Markdown and the printed outputs at 200 words a minute, a minute per code cell,
  half a minute per picture, 3 minutes per reflection box, the Try-its skipped, and each exercise on the
  lesson's track at its own stated time;
- **full**: reading at 150 words a minute (a newcomer reading technical prose), a minute and a half per code
  cell, a minute per picture, 3 minutes per Try-it, 5 per reflection box, and each exercise at 1.25 times
  its stated time plus its own words at 150 a minute.

Markdown words are counted after link targets and HTML tags are removed; the folded Try-it answers count.
Printed outputs are the cells' streams and Markdown outputs as saved. On the core track, 03 and 04 count only
their "On the core track?" paragraph and their core exercise. The figures are minutes, rounded up.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CORE_LESSONS = ("00", "01", "02", "05", "06")
#: Developer lessons whose first cell holds a core part: the paragraph and the core exercise it links to.
CORE_PART = re.compile(r"\*\*On the core track\?\*\*.*?(?=\n\n|\Z)", re.DOTALL)
TRACK = re.compile(r"^\*\*Track:\*\* (core|developer)", re.MULTILINE)
STATED = re.compile(r"\*\*Time:\*\* about (\d+) min")
EXERCISE_LINK = re.compile(r"\]\(\.\./exercises/([\w-]+\.ipynb)")
TRY_IT = re.compile(r"\*\*Try it")
REFLECTION = re.compile(r"\breflection\(")
BEGIN, END = "<!-- honest-time:begin -->", "<!-- honest-time:end -->"


@dataclass(frozen=True)
class Rates:
    words_per_minute: float
    per_code_cell: float
    per_picture: float
    per_try_it: float
    per_reflection: float
    exercise_factor: float
    exercise_words: bool  # whether an exercise's own words are read on top of its stated time


MINIMUM = Rates(200, 1.0, 0.5, 0.0, 3.0, 1.0, False)
FULL = Rates(150, 1.5, 1.0, 3.0, 5.0, 1.25, True)


@dataclass(frozen=True)
class Exercise:
    name: str
    stated: int
    words: int


@dataclass(frozen=True)
class Counts:
    """What a learner meets in one lesson (or in the core part of one)."""

    words: int
    output_words: int
    code_cells: int
    pictures: int
    try_its: int
    reflections: int
    exercises: tuple[Exercise, ...]

    def minutes(self, rates: Rates) -> int:
        reading = (self.words + self.output_words) / rates.words_per_minute
        exercises = sum(
            e.stated * rates.exercise_factor + (e.words / rates.words_per_minute if rates.exercise_words else 0)
            for e in self.exercises
        )
        return math.ceil(
            reading
            + self.code_cells * rates.per_code_cell
            + self.pictures * rates.per_picture
            + self.try_its * rates.per_try_it
            + self.reflections * rates.per_reflection
            + exercises
        )


def _cells(path: Path) -> list[dict[str, Any]]:
    cells: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return cells


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def prose_words(markdown: str) -> int:
    """Words a reader reads: link targets and HTML tags removed."""
    return len(re.sub(r"<[^>]+>", " ", re.sub(r"\]\([^)]*\)", "]", markdown)).split())


def output_words(cell: dict[str, Any]) -> int:
    words = 0
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            words += len(_text(output.get("text", "")).split())
        markdown = output.get("data", {}).get("text/markdown")
        if markdown:
            words += prose_words(_text(markdown))
    return words


def pictures(cell: dict[str, Any]) -> int:
    return sum(1 for output in cell.get("outputs", []) if "image/png" in output.get("data", {}))


def _track(markdown: str) -> str | None:
    found = TRACK.search(markdown)
    return found.group(1) if found else None


def exercises(markdown: str, track: str | None) -> tuple[Exercise, ...]:
    """The exercises `markdown` links to that are on `track` (their own first cell says which)."""
    found = []
    for name in dict.fromkeys(EXERCISE_LINK.findall(markdown)):
        path = ROOT / "exercises" / name
        if not path.exists():
            continue
        texts = [_text(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown"]
        stated = STATED.search(texts[0]) if texts else None
        if stated and _track(texts[0]) == track:
            found.append(Exercise(name, int(stated.group(1)), sum(prose_words(t) for t in texts)))
    return tuple(found)


def count(path: Path) -> Counts:
    """Everything in a lesson, as a learner on its own track meets it."""
    cells = _cells(path)
    markdown = [_text(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    code = [c for c in cells if c["cell_type"] == "code"]
    # The course map in 00 links every exercise; only the lesson's own prose sends a learner to one.
    own = "\n".join(text for text in markdown if not re.search(r"^## .*Course map\s*$", text, re.MULTILINE))
    return Counts(
        words=sum(prose_words(text) for text in markdown),
        output_words=sum(output_words(c) for c in code),
        code_cells=len(code),
        pictures=sum(pictures(c) for c in code),
        try_its=sum(len(TRY_IT.findall(text)) for text in markdown),
        reflections=sum(len(REFLECTION.findall(_text(c["source"]))) for c in code),
        exercises=exercises(own, _track(markdown[0]) if markdown else None),
    )


def count_core_part(path: Path) -> Counts | None:
    """A developer lesson's core part: its "On the core track?" paragraph and the core exercise it links."""
    first = _text(_cells(path)[0]["source"])
    part = CORE_PART.search(first)
    if part is None:
        return None
    return Counts(prose_words(part.group(0)), 0, 0, 0, 0, 0, exercises(part.group(0), "core"))


def stated_minutes(path: Path) -> int | None:
    found = STATED.search(_text(_cells(path)[0]["source"]))
    return int(found.group(1)) if found else None


def table(root: Path = ROOT) -> str:
    """The Markdown table README.md holds: per lesson its stated, minimum and full time, and the core path."""
    rows = [
        "| notebook | stated | minimum | full | words | printed words | code cells | pictures | Try-its "
        "| reflections | exercises |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    core_minimum = core_full = 0
    for path in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        number = path.name[:2]
        counts = count(path)
        core = counts if number in CORE_LESSONS else count_core_part(path)
        if core is not None:
            core_minimum += core.minutes(MINIMUM)
            core_full += core.minutes(FULL)
        names = ", ".join(f"{e.name.removesuffix('.ipynb')} ({e.stated} min)" for e in counts.exercises) or "–"
        rows.append(
            f"| `{path.stem}` | {stated_minutes(path)} min | {counts.minutes(MINIMUM)} min | {counts.minutes(FULL)} min "
            f"| {counts.words:,} | {counts.output_words:,} | {counts.code_cells} | {counts.pictures} "
            f"| {counts.try_its} | {counts.reflections} | {names} |"
        )
    rows.append(
        f"| **core path** (00, 01, 02, 05, 06; the core part of 03 and 04) | | **{_hours(core_minimum)}** "
        f"| **{_hours(core_full)}** | | | | | | | |"
    )
    return "\n".join(rows)


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min"


def readme_table(text: str) -> str | None:
    found = re.search(rf"{re.escape(BEGIN)}\n(.*?)\n{re.escape(END)}", text, re.DOTALL)
    return found.group(1) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the table in README.md")
    args = parser.parse_args(argv)
    now = table()
    readme = README.read_text(encoding="utf-8")
    if args.write:
        if readme_table(readme) is None:
            print(f"README.md has no {BEGIN} … {END} block to rewrite", file=sys.stderr)
            return 1
        README.write_text(readme.replace(readme_table(readme) or "", now, 1), encoding="utf-8")
        return 0
    print(now)
    if readme_table(readme) != now:
        print("\nREADME.md's table differs: run .venv/bin/python tools/honest_time.py --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
