"""The shape every lesson shares, and the course map in 00 that ties the lesson to the notebooks.

Every lesson (notebooks/NN_*.ipynb) opens with one Markdown cell holding, in order:
`# NN · Title`; the navigation line
`[← Previous](…) · [Contents](00_welcome.ipynb#course-map) · [Next →](…)`; a `**Track:** core` or
`**Track:** developer (optional)` line; `## Questions` (guiding questions); `## Objectives`
("You will be able to…" and 2–4 bullets); `## Prerequisites` with `Necessary:` and `Helpful:`
lines; and `**Time:** about N min`, where N is at least the honest time: the notebook's
Markdown words at 200 a minute, plus a minute per code cell, plus the stated minutes of each
exercise it links to on its own track. It ends with `## Key points`, `## Check yourself` (3–5
questions, each with `<details><summary>Answer</summary>…</details>`), `## Further reading`
(Stripe's webhook docs, Standard Webhooks, the lesson) and the navigation line again. Every
"Try it" has a folded answer in the same form. Each reflection question's text stands in the
Markdown cell right above its `reflection("…")` cell. 00 holds the course map.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
WORDS_PER_MINUTE = 200
ANSWER = "<details><summary>Answer</summary>"
NAVIGATION = re.compile(
    r"^\[← Previous\]\(([^)\s]+)\) · \[Contents\]\(00_welcome\.ipynb#course-map\) · \[Next →\]\(([^)\s]+)\)$",
    re.MULTILINE,
)
TRACK = re.compile(r"^\*\*Track:\*\* (core|developer \(optional\))", re.MULTILINE)
#: The notebook's whole time; a developer lesson's `**On the core track?** **Time:**` is its core part's (CORE_PART).
TIME = re.compile(r"(?<!\*\*On the core track\?\*\* )\*\*Time:\*\* about (\d+) min\b(.*)$", re.MULTILINE)
#: The heading that starts developer material: a whole developer lesson after its core opening, or an aside in a
#: core lesson that lasts until the next `## ` heading.
DEVELOPER_HEADING = re.compile(r"^## Developer track \(optional\)", re.MULTILINE)
EXERCISE_LINK = re.compile(r"\]\(\.\./exercises/([\w-]+\.ipynb)")
FURTHER_READING = ("https://docs.stripe.com/webhooks", "https://www.standardwebhooks.com/")
LESSON_TITLE = "Triggers, Actions, and Webhooks"
CORE_TRACK = {"00", "01", "02", "05", "06"}
#: The lesson's objectives, ideas, takeaways and reflection questions: each is a row of the course map.
LESSON_ITEMS = [
    "Objective 1",
    "Objective 2",
    "Objective 3",
    "Idea: the trigger-action pattern",
    "Idea: the automation formula",
    "Idea: webhooks instead of polling",
    "Idea: verify",
    "Idea: acknowledge",
    "Idea: retry",
    "Idea: log",
    "Idea: map the flow",
    "Idea: start simple",
    "Idea: document",
    "Case study",
    "Takeaway 1",
    "Takeaway 2",
    "Takeaway 3",
    "Takeaway 4",
    "Reflection 1",
    "Reflection 2",
]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def markdown(path: Path) -> list[str]:
    return [source(c) for c in cells(path) if c["cell_type"] == "markdown"]


def section(text: str, heading: str) -> str:
    """The text under `## heading`, up to the next `## ` heading."""
    anchor = r'(?:<a id="[\w-]+"></a>)?'
    match = re.search(rf"^## {anchor}{re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"no `## {heading}` section"
    return match.group(1)


def opening(path: Path) -> str:
    """The lesson's opening: its first cell, joined (in a developer lesson that opens with a core section) by the
    `## Developer track (optional)` cell where the developer's questions, objectives and time stand."""
    texts = markdown(path)
    if "## Questions" in texts[0]:
        return texts[0]
    developer = [text for text in texts if DEVELOPER_HEADING.search(text)]
    assert developer, f"{path.stem}: ## Questions in the first cell, or a `## Developer track (optional)` cell"
    return texts[0] + "\n\n" + developer[0]


def core_part(path: Path) -> list[dict]:
    """A developer lesson's core opening: its cells before the `## Developer track (optional)` heading."""
    notebook = cells(path)
    for index, cell in enumerate(notebook):
        if cell["cell_type"] == "markdown" and DEVELOPER_HEADING.search(source(cell)):
            return notebook[:index]
    raise AssertionError(f"{path.stem}: no `## Developer track (optional)` heading after its core opening")


def core_sections(path: Path) -> list[str]:
    """The Markdown a core learner reads, split at `## ` headings.

    In a core lesson, everything but its `## Developer track (optional)` asides (each up to the next `## `
    heading); in a developer lesson, its core opening only.
    """
    developer_lesson = track_of(markdown(path)[0]) == "developer"
    core, developer = [], False
    for text in markdown(path):
        for piece in re.split(r"(?=^## )", text, flags=re.MULTILINE):
            if piece.startswith("## "):
                developer = bool(DEVELOPER_HEADING.match(piece)) or (developer and developer_lesson)
            if not developer:
                core.append(piece)
    return core


def stated_minutes(text: str) -> int | None:
    match = TIME.search(text)
    return int(match.group(1)) if match else None


def track_of(text: str) -> str | None:
    match = TRACK.search(text)
    return match.group(1).split()[0] if match else None


def exercise_minutes(lesson: Path) -> int:
    """The stated minutes of the exercises a lesson links to that are on the lesson's own track."""
    track = track_of(markdown(lesson)[0])
    total = 0
    prose = [text for text in markdown(lesson) if not re.search(r"^## .*Course map\s*$", text, re.MULTILINE)]
    for name in dict.fromkeys(EXERCISE_LINK.findall("\n".join(prose))):
        exercise = ROOT / "exercises" / name
        if not exercise.exists():
            continue
        first = markdown(exercise)[0]
        if track_of(first) == track:
            minutes = stated_minutes(first)
            assert minutes is not None, f"exercises/{name} states no **Time:** about N min"
            total += minutes
    return total


def computed_minutes(lesson: Path) -> int:
    """Reading at 200 words a minute, a minute per code cell, and the exercises on the lesson's track."""
    words = sum(len(text.split()) for text in markdown(lesson))
    code_cells = sum(1 for c in cells(lesson) if c["cell_type"] == "code")
    return math.ceil(words / WORDS_PER_MINUTE) + code_cells + exercise_minutes(lesson)


def test_there_are_seven_lessons() -> None:
    assert [p.name[:2] for p in LESSONS] == ["00", "01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_first_cell_holds_title_navigation_track_questions_objectives_prerequisites_and_time(path: Path) -> None:
    first = opening(path)
    number = path.name[:2]
    assert re.match(rf"# {number} · \S", first), f"the first line is `# {number} · Title`"
    navigation = NAVIGATION.search(first)
    assert navigation, "the navigation line: [← Previous](…) · [Contents](00_welcome.ipynb#course-map) · [Next →](…)"
    previous, following = navigation.groups()
    if number != "00":
        assert previous == LESSONS[int(number) - 1].name, "Previous is the lesson before"
    if number != "06":
        assert following == LESSONS[int(number) + 1].name, "Next is the lesson after"
    track = track_of(first)
    assert track == ("core" if number in CORE_TRACK else "developer"), f"**Track:** for {number}"
    order = [first.find(f"## {h}") for h in ("Questions", "Objectives", "Prerequisites")]
    assert -1 not in order and order == sorted(order), "## Questions, ## Objectives, ## Prerequisites, in order"
    questions = re.findall(r"^- .+\?$", section(first, "Questions"), re.MULTILINE)
    assert questions, "guiding questions, one per bullet, each ending with ?"
    objectives = section(first, "Objectives")
    assert "You will be able to…" in objectives
    assert 2 <= len(re.findall(r"^- ", objectives, re.MULTILINE)) <= 4, "2–4 objectives"
    prerequisites = section(first, "Prerequisites")
    assert re.search(r"^Necessary: \S", prerequisites, re.MULTILINE), "a Necessary: line"
    assert re.search(r"^Helpful: \S", prerequisites, re.MULTILINE), "a Helpful: line"
    assert stated_minutes(first) is not None, "**Time:** about N min"
    assert "200 words a minute" in TIME.search(first).group(2), "the time says how it was computed"  # type: ignore[union-attr]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_stated_time_is_at_least_the_honest_one(path: Path) -> None:
    stated = stated_minutes(opening(path))
    assert stated is not None
    assert stated >= computed_minutes(path), f"{path.stem} states {stated} min; it takes {computed_minutes(path)}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_end_holds_key_points_check_yourself_further_reading_and_navigation(path: Path) -> None:
    text = "\n".join(markdown(path))
    headings = re.findall(r"^## (.+?)\s*$", text, re.MULTILINE)
    for heading in ("Key points", "Check yourself", "Further reading"):
        assert heading in headings, f"a `## {heading}` section"
    at = [headings.index(h) for h in ("Key points", "Check yourself", "Further reading")]
    assert at == sorted(at) and at[-1] == len(headings) - 1, "Key points, Check yourself, Further reading, last"
    recall = section(text, "Check yourself")
    asked = re.findall(r"^\d+\. .+\?", recall, re.MULTILINE)
    assert 3 <= len(asked) <= 5, f"3–5 recall questions, found {len(asked)}"
    assert recall.count(ANSWER) == len(asked), "each recall question has its folded answer"
    reading = section(text, "Further reading")
    for link in FURTHER_READING:
        assert link in reading, f"Further reading links {link}"
    assert LESSON_TITLE in reading, "Further reading names the lesson"
    last = markdown(path)[-1]
    assert NAVIGATION.search(last), "the last Markdown cell ends with the navigation line"
    assert NAVIGATION.search(last).groups() == NAVIGATION.search(markdown(path)[0]).groups()  # type: ignore[union-attr]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_try_it_has_a_folded_answer(path: Path) -> None:
    for text in markdown(path):
        for piece in re.split(r"(?=\*\*Try it)", text)[1:]:
            assert ANSWER in piece and "</details>" in piece, f"a Try it without a folded answer: {piece[:80]!r}"


@pytest.mark.parametrize("path", [*LESSONS, NOTEBOOKS / "your_tools.ipynb"], ids=lambda p: p.stem)
def test_each_reflection_question_stands_in_markdown_right_above_its_box(path: Path) -> None:
    from simulators.course.worksheets.questions import question

    notebook = cells(path)
    asked = 0
    for index, cell in enumerate(notebook):
        found = re.fullmatch(
            r"\s*(?:from simulators\.course import reflection\s*)?reflection\(\"(q\w+)\"\)\s*", source(cell)
        )
        if cell["cell_type"] != "code" or "reflection(" not in source(cell):
            continue
        assert found, f'a reflection cell holds only reflection("…"): {source(cell)!r}'
        above = notebook[index - 1]
        assert above["cell_type"] == "markdown", "the question's text stands in the Markdown cell above its box"
        text = " ".join(question(found.group(1)).text.split())
        shown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", source(above))  # a glossary link in it is still its text
        assert text in " ".join(shown.split()), f"the cell above {found.group(1)} holds its text: {text!r}"
        asked += 1
    assert asked, "at least one reflection question"


def _course_map() -> str:
    return section("\n".join(markdown(NOTEBOOKS / "00_welcome.ipynb")), "Course map")


def _map_rows() -> dict[str, list[str]]:
    rows = {}
    for line in _course_map().splitlines():
        cells_ = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells_ and not set(cells_[0]) <= set("-: "):
            rows[re.sub(r"\*", "", cells_[0])] = cells_
    return rows


def test_the_course_map_is_anchored_where_every_contents_link_points() -> None:
    welcome = "\n".join(markdown(NOTEBOOKS / "00_welcome.ipynb"))
    assert re.search(r'^## <a id="course-map"></a>Course map$|^## Course map$', welcome, re.MULTILINE)
    assert '<a id="course-map"></a>' in welcome, "JupyterLab spells heading ids with capitals: an explicit anchor"


@pytest.mark.parametrize("item", LESSON_ITEMS)
def test_every_lesson_item_maps_to_a_notebook_and_a_checked_exercise(item: str) -> None:
    from simulators.course.checking import load_checks
    from simulators.course.worksheets.questions import QUESTIONS

    rows = [cells_ for name, cells_ in _map_rows().items() if name.startswith(item)]
    assert rows, f"the course map has no row for {item!r}"
    row = " ".join(rows[0][1:])
    notebooks = re.findall(r"\]\((\d\d_\w+\.ipynb)\)", row)
    assert notebooks and all((NOTEBOOKS / n).exists() for n in notebooks), f"{item}: a notebook that exists"
    if item.startswith("Reflection"):
        ids = re.findall(r"`(q\d\d_\w+)`", row)
        assert ids and set(ids) <= {q.id for q in QUESTIONS}, f"{item}: its worksheet question id"
        return
    registered = {e.id: e for e in load_checks().all()}
    ids = re.findall(r"`(ex\d\d_\w+)`", row)
    assert ids, f"{item}: a checked exercise"
    assert set(ids) <= set(registered), f"{item}: unknown exercises {set(ids) - set(registered)}"


#: The core exercises that must check an item: the ideas the developer track alone used to check.
CORE_CHECKS = {
    "Idea: verify": {"ex03_trust"},
    "Idea: acknowledge": {"ex04_log"},
    "Idea: log": {"ex04_log"},
    "Idea: start simple": {"ex06_start_simple"},
    "Idea: document": {"ex06_start_simple", "ex06_runbook"},
    "Takeaway 4": {"ex06_start_simple", "ex06_runbook"},
}
#: Developer-track lessons that hold one core exercise, announced in their first cell.
CORE_IN_DEVELOPER = {"03": "03_trust.ipynb", "04": "04_read_the_log.ipynb"}
CORE_PART = re.compile(r"\*\*On the core track\?\*\* \*\*Time:\*\* about (\d+) min\b(.*?)(?=\n\n|\Z)", re.DOTALL)


def _is_core_exercise(exercise: object) -> bool:
    """A core exercise: its notebook is on the core track alone, or (a notebook of both tracks) its title says Core."""
    first = markdown(ROOT / "exercises" / f"{exercise.notebook}.ipynb")[0]  # type: ignore[attr-defined]
    if track_of(first) != "core":
        return False
    return bool(re.search(r"^\*\*Track:\*\* core ·", first, re.MULTILINE)) or exercise.title.startswith("Core")  # type: ignore[attr-defined]


@pytest.mark.parametrize("item", [i for i in LESSON_ITEMS if not i.startswith("Reflection")])
def test_every_lesson_item_is_checked_on_the_core_track(item: str) -> None:
    """No half-checked row: each item has a core exercise (the developer track does the core ones too)."""
    from simulators.course.checking import load_checks

    registered = {e.id: e for e in load_checks().all()}
    [row] = [cells_ for name, cells_ in _map_rows().items() if name.startswith(item)]
    core_part = " ".join(row[1:]).split("developer:")[0]
    core = set(re.findall(r"`(ex\d\d_\w+)`", core_part))
    assert core, f"{item}: no core exercise checks it"
    assert all(_is_core_exercise(registered[e]) for e in core), f"{item}: {core} are not all core exercises"
    assert CORE_CHECKS.get(item, set()) <= core, f"{item}: checked on the core track by {CORE_CHECKS[item]}"


@pytest.mark.parametrize(("number", "exercise"), sorted(CORE_IN_DEVELOPER.items()))
def test_a_developer_lesson_sends_the_core_track_to_its_core_exercise_with_an_honest_time(
    number: str, exercise: str
) -> None:
    """Its first cell gives the core part's time: the core opening's words and demo cells, and the core exercise."""
    [lesson] = [p for p in LESSONS if p.name.startswith(number)]
    part = CORE_PART.search(markdown(lesson)[0])
    assert part, f"{lesson.stem}: a `**On the core track?** **Time:** about N min` paragraph in the first cell"
    assert f"](../exercises/{exercise})" in part.group(2), f"it links the core exercise {exercise}"
    first = markdown(ROOT / "exercises" / exercise)[0]
    assert track_of(first) == "core"
    minutes = stated_minutes(first)
    assert minutes is not None
    opened = core_part(lesson)
    words = sum(len(source(c).split()) for c in opened if c["cell_type"] == "markdown")
    demos = sum(1 for c in opened if c["cell_type"] == "code")
    assert demos, f"{lesson.stem}: the core opening runs a demo"
    honest = math.ceil(words / WORDS_PER_MINUTE) + demos + minutes
    assert int(part.group(1)) >= honest, f"{lesson.stem}: the core part takes {honest} min"
    row = [r for r in _map_rows().values() if f"]({lesson.name})" in r[0]]
    assert row and f"core: {part.group(1)} min" in " ".join(row[0]), "the course map states the same core time"


def test_the_core_track_states_its_whole_time_honestly() -> None:
    """The core track's total: each core lesson's honest time plus the core part of each developer lesson."""
    stated = re.search(r"This is the whole lesson: about (\d+) h (\d+) min", _course_map())
    assert stated, "the core track states its whole time as `about H h M min`"
    honest = sum(computed_minutes(lesson) for lesson in LESSONS if lesson.name[:2] in CORE_TRACK)
    for number in CORE_IN_DEVELOPER:
        [lesson] = [p for p in LESSONS if p.name.startswith(number)]
        honest += int(CORE_PART.search(markdown(lesson)[0]).group(1))  # type: ignore[union-attr]
    assert int(stated.group(1)) * 60 + int(stated.group(2)) >= honest, f"the core track takes {honest} min"


def test_the_course_map_states_both_tracks_with_prerequisites_and_honest_times() -> None:
    course_map = _course_map()
    assert "**Core track**" in course_map and "**Developer track (optional)**" in course_map
    developer = course_map[course_map.index("**Developer track (optional)**") :]
    assert "Prerequisites:" in developer.split("\n\n")[0] + developer.split("\n\n")[1]
    rows = _map_rows()
    for lesson in LESSONS:
        [row] = [r for r in rows.values() if f"]({lesson.name})" in r[0]]
        minutes = re.search(r"(\d+) min", " ".join(row))
        assert minutes, f"the course map states a time for {lesson.stem}"
        assert int(minutes.group(1)) >= computed_minutes(lesson), f"{lesson.stem}: the map's time is honest"


#: Words the glossary defines, as they appear in prose; their first use in a lesson links to the glossary.
GLOSSARY_TERMS = {
    "trigger": r"triggers?",
    "action": r"actions?",
    "webhook": r"webhooks?",
    "polling": r"polling",
    "alert": r"alerts?",
    "cursor": r"cursors?",
    "reconciliation": r"reconciliation",
    "signature": r"signatures?",
}
#: Words of the core path the glossary added later: how a receiver answers, and what goes wrong.
GLOSSARY_TERMS_CORE = {
    "acknowledge": r"acknowledge\w*",
    "queue": r"queues?|queued",
    "dedupe": r"dedupe\w*|deduplicat\w*",
    "outage": r"outages?",
    "provisioning": r"provisioning",
    "status-code": r"status codes?",
}
#: Each lesson with the words whose first use must link to the glossary. 00 links the later words when its
#: owner next edits it (its cells are not ours to change here).
GLOSSARY_LESSONS = {
    "00_welcome": GLOSSARY_TERMS,
    **{
        lesson: GLOSSARY_TERMS | GLOSSARY_TERMS_CORE
        for lesson in (
            "01_triggers_and_actions",
            "02_polling_vs_webhooks",
            "03_webhook_security",
            "04_reliable_webhook_handling",
            "05_case_study_silent_failure",
            "06_designing_automations",
        )
    },
}


def _prose_with_glossary_marks(path: Path) -> str:
    text = "\n\n".join(t for t in markdown(path) if not re.search(r"^## .*Course map\s*$", t, re.MULTILINE))
    text = re.sub(r"\*Triggers, Actions, and Webhooks\*", " ", text)  # the lesson's title is a name, not a use
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"^#.*$", " ", text, flags=re.MULTILINE)
    text = re.sub(r"\[([^\]]*)\]\(glossary\.ipynb#[\w-]+\)", r"⟦\1⟧", text)
    text = re.sub(r"\[[^\]]*\]\([^)]*\)", " ", text)  # another link's text is a title, not a use
    return re.sub(r"<[^>]+>", " ", text)


@pytest.mark.parametrize("lesson", GLOSSARY_LESSONS)
def test_the_first_use_of_each_glossary_term_links_to_the_glossary(lesson: str) -> None:
    prose = _prose_with_glossary_marks(NOTEBOOKS / f"{lesson}.ipynb")
    glossary = "\n".join(markdown(NOTEBOOKS / "glossary.ipynb"))
    unlinked = []
    for anchor, pattern in GLOSSARY_LESSONS[lesson].items():
        assert f'<a id="{anchor}"></a>' in glossary, f"the glossary defines {anchor}"
        first = re.search(rf"(?<![\w-]){pattern}(?![\w-])", prose, re.IGNORECASE)
        if first and prose.rfind("⟦", 0, first.start()) <= prose.rfind("⟧", 0, first.start()):
            unlinked.append(f"{anchor}: …{prose[max(0, first.start() - 40) : first.end() + 10]!r}")
    assert not unlinked, "first uses not linked to the glossary:\n" + "\n".join(unlinked)
