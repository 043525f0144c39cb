"""Every relative link in the course resolves in the JupyterLab that `make lab` starts.

A learner clicks links in JupyterLab, so the links are checked there: a real
`jupyter lab` started with `make lab`'s own arguments serves a copy of the
course, and each link's target is asked for through its contents API
(`/api/contents/<path>`). A `#fragment` into a notebook or a Markdown file must
name one of its headings (as GitHub or JupyterLab spell the anchor) or an
explicit `<a id=…>`. Links are read from the notebooks' Markdown cells and from
README.md and docs/*.md.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.lab_like_make import ROOT, MakeLab, copy_course

_MARKDOWN_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_LINK = re.compile(r"""<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_EXPLICIT_ANCHOR = re.compile(r"""<a\b[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def course_files(root: Path) -> list[Path]:
    """The files whose links a learner follows: every notebook, exercise, solution, README and doc."""
    found = [root / "README.md"] if (root / "README.md").exists() else []
    for folder in ("notebooks", "exercises", "solutions"):
        found += sorted((root / folder).glob("*.ipynb"))
    found += sorted((root / "docs").glob("*.md"))
    return found


def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells
            if c["cell_type"] == "markdown"
        )
    return path.read_text(encoding="utf-8")


def relative_links(markdown: str) -> list[str]:
    """Link targets that point inside the course (no scheme, no host), in order."""
    text = _CODE.sub(" ", markdown)
    targets = _MARKDOWN_LINK.findall(text) + _HTML_LINK.findall(text)
    return [t for t in targets if not urlsplit(t).scheme and not t.startswith("//")]


def anchors(markdown: str) -> set[str]:
    """Every fragment that lands on a heading or an explicit anchor of this document."""
    found = set(_EXPLICIT_ANCHOR.findall(markdown))
    for heading in _HEADING.findall(_CODE.sub(lambda m: m.group(0).replace("#", ""), markdown)):
        plain = re.sub(r"<[^>]+>", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)).strip()
        found.add(plain.replace(" ", "-"))  # JupyterLab's header ids
        found.add(re.sub(r"[^\w\- ]", "", plain.lower()).replace(" ", "-"))  # GitHub's
    return found


def dead_links(server: MakeLab, files: list[Path]) -> list[str]:
    """`file: link (why)` for each relative link the server cannot resolve."""
    dead = []
    for path in files:
        here = path.relative_to(server.root).parent.as_posix()
        for link in relative_links(markdown_of(path)):
            parts = urlsplit(link)
            target = posixpath.normpath(posixpath.join(here, unquote(parts.path))) if parts.path else None
            where = path.relative_to(server.root).as_posix()
            if target is None:  # a fragment in the same file
                if parts.fragment and parts.fragment not in anchors(markdown_of(path)):
                    dead.append(f"{where}: {link} (no heading or anchor {parts.fragment!r} here)")
                continue
            if target.startswith(".."):
                dead.append(f"{where}: {link} (points outside the folder `make lab` serves)")
                continue
            answer = server.api(f"contents/{target}", content="0")
            if answer.status_code != 200:
                dead.append(f"{where}: {link} (the contents API answers {answer.status_code} for {target})")
                continue
            if parts.fragment and target.endswith((".ipynb", ".md")):
                if target.endswith(".ipynb"):
                    text = markdown_of_cells(server.api(f"contents/{target}", content="1").json()["content"]["cells"])
                else:  # as text: with jupytext installed, a Markdown file could be served as a notebook
                    text = server.api(f"contents/{target}", content="1", type="file", format="text").json()["content"]
                if parts.fragment not in anchors(str(text)):
                    dead.append(f"{where}: {link} (no heading or anchor {parts.fragment!r} in {target})")
    return dead


def markdown_of_cells(cells: list[dict]) -> str:
    return "\n\n".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "markdown"
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeLab]:
    root = copy_course(tmp_path_factory.mktemp("course"))
    server = MakeLab(root, tmp_path_factory.mktemp("jupyter-home"))
    try:
        yield server.wait_until_ready()
    finally:
        server.stop()


def test_make_lab_serves_the_top_folder_and_opens_the_welcome_notebook() -> None:
    from tests.lab_like_make import make_lab_arguments

    arguments = make_lab_arguments()
    assert "--ServerApp.root_dir=." in arguments, arguments
    # The link Jupyter prints (and `/`) leads to 00, also when no browser opens by itself.
    [default_url] = [a for a in arguments if a.startswith("--LabApp.default_url=")]
    assert default_url == "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb", arguments
    assert (ROOT / "notebooks" / "00_welcome.ipynb").exists()


def test_the_course_has_links_to_check(served: MakeLab) -> None:
    files = course_files(served.root)
    assert len([f for f in files if f.suffix == ".ipynb"]) >= 26, [f.name for f in files]
    assert sum(len(relative_links(markdown_of(f))) for f in files) >= 150


def test_every_relative_link_resolves_in_the_lab_make_lab_starts(served: MakeLab) -> None:
    dead = dead_links(served, course_files(served.root))
    assert not dead, "dead links:\n" + "\n".join(dead)


def test_one_dead_link_is_found_and_named(served: MakeLab) -> None:
    welcome = served.root / "notebooks" / "00_welcome.ipynb"
    broken = served.root / "notebooks" / "zz_broken_copy.ipynb"
    document = json.loads(welcome.read_text(encoding="utf-8"))
    markdown = next(c for c in document["cells"] if c["cell_type"] == "markdown")
    markdown["source"] = "".join(markdown["source"]) + "\n\n[the exercise](../exercises/00_no_such_exercise.ipynb)\n"
    broken.write_text(json.dumps(document), encoding="utf-8")
    try:
        dead = dead_links(served, [broken])
    finally:
        broken.unlink()
    assert dead == [
        "notebooks/zz_broken_copy.ipynb: ../exercises/00_no_such_exercise.ipynb"
        " (the contents API answers 404 for exercises/00_no_such_exercise.ipynb)"
    ]


def test_a_fragment_naming_no_heading_is_dead(served: MakeLab, tmp_path: Path) -> None:
    page = served.root / "docs" / "zz_broken_copy.md"
    page.write_text(
        "[map](../notebooks/00_welcome.ipynb#course-map) [gone](../notebooks/00_welcome.ipynb#no-such-heading)\n"
    )
    try:
        dead = dead_links(served, [page])
    finally:
        page.unlink()
    assert dead == [
        "docs/zz_broken_copy.md: ../notebooks/00_welcome.ipynb#no-such-heading"
        " (no heading or anchor 'no-such-heading' in notebooks/00_welcome.ipynb)"
    ]


def test_links_are_read_from_markdown_and_html_but_not_code() -> None:
    text = "[a](x.ipynb) <a href='y.md#h'>y</a> `[no](z.md)` [web](https://docs.stripe.com/webhooks) ![p](i.png)"
    assert relative_links(text) == ["x.ipynb", "i.png", "y.md#h"]
    assert {"Course-map", "course-map", "top"} <= anchors('## Course map\n<a id="top"></a>')
