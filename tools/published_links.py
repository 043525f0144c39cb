"""The links to where the course is published, all made from one setting: `[project.urls] Repository`.

    .venv/bin/python tools/published_links.py            # check README, docs and binder/: exit 1 on a wrong link
    .venv/bin/python tools/published_links.py --write    # rewrite every course link from the setting

Whoever hosts the course (a fork, a school's organisation) changes the
Repository URL in pyproject.toml and runs `--write`: the Binder badge, the
`pip install git+…` lines, the nbgitpuller link, the image name and the
clone URLs follow. `tests/test_hosting.py` fails on a placeholder (`YOUR-ORG`)
or on any course link that disagrees with the setting. The same URL reaches
an installed copy as its `Project-URL` metadata.
"""

from __future__ import annotations

import argparse
import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML through the tomli backport
    import tomli as tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
#: What a link must never still say once the course is published.
PLACEHOLDERS = re.compile(r"YOUR[-_]ORG|YOUR[-_]FORK|YOUR[-_]HUB|<org>|<owner>|OWNER/hooklab", re.IGNORECASE)
#: Where the course's own links are written.
FILES = ("README.md", "docs/*.md", "docs/zero-to-jupyterhub/*", "binder/*")
WELCOME = "notebooks/00_welcome.ipynb"
_GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?$")
_OWNER = r"[A-Za-z0-9<>_-]+"
_NAME = r"[A-Za-z0-9._<>-]+?"


@dataclass(frozen=True)
class Published:
    """The course's repository on GitHub, and every link made from it."""

    owner: str
    name: str
    branch: str = "main"

    @property
    def repository(self) -> str:
        return f"https://github.com/{self.owner}/{self.name}"

    @property
    def binder(self) -> str:
        """Binder's launch link, opening the welcome notebook in JupyterLab."""
        return (
            f"https://mybinder.org/v2/gh/{self.owner}/{self.name}/HEAD?urlpath={quote('lab/tree/' + WELCOME, safe='')}"
        )

    @property
    def pip(self) -> str:
        return f"git+{self.repository}@{self.branch}"

    def nbgitpuller(self, hub: str = "https://hub.example.edu") -> str:
        """The link a learner clicks on `hub` to get (and later update) their copy."""
        opened = quote(f"lab/tree/{self.name}/{WELCOME}", safe="")
        return (
            f"{hub.rstrip('/')}/hub/user-redirect/git-pull?repo={quote(self.repository, safe='')}"
            f"&branch={self.branch}&urlpath={opened}"
        )

    @property
    def image(self) -> str:
        """Where the class's Zero to JupyterHub image is pushed (GitHub's registry wants lower case)."""
        return f"ghcr.io/{self.owner.lower()}/hooklab-class"


def published(pyproject: Path = ROOT / "pyproject.toml") -> Published:
    """The setting, read from pyproject.toml."""
    urls = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("urls", {})
    url = urls.get("Repository", "")
    found = _GITHUB.match(url)
    if not found or PLACEHOLDERS.search(url):
        raise ValueError(
            f"[project.urls] Repository in {pyproject.name} must be the course's GitHub repository"
            f" (https://github.com/OWNER/NAME), not {url!r}"
        )
    return Published(found.group(1), found.group(2))


#: Each kind of course link, and how to find one in a file.
_KINDS: dict[str, re.Pattern[str]] = {
    "binder": re.compile(rf"https://mybinder\.org/v2/gh/{_OWNER}/{_NAME}/[^\s)\"'>]+"),
    "pip": re.compile(rf"git\+https://github\.com/{_OWNER}/{_NAME}@[A-Za-z0-9._/-]+"),
    "nbgitpuller": re.compile(r"(https://[^\s/]+)/hub/user-redirect/git-pull\?[^\s)\"'>`]+"),
    "image": re.compile(rf"ghcr\.io/{_OWNER}/hooklab-class"),
    "repository": re.compile(rf"(?<![+/])https://github\.com/{_OWNER}/hooklab(?:\.git)?\b"),
}


def expected(kind: str, found: re.Match[str], course: Published) -> str:
    """What a course link of `kind` must say (an nbgitpuller link keeps the hub it names: that is the reader's)."""
    if kind == "nbgitpuller":
        return course.nbgitpuller(found.group(1))
    return {"binder": course.binder, "pip": course.pip, "image": course.image, "repository": course.repository}[kind]


def course_files(root: Path = ROOT) -> list[Path]:
    return sorted({path for pattern in FILES for path in root.glob(pattern) if path.is_file()})


def problems(root: Path = ROOT, course: Published | None = None) -> list[str]:
    """Every placeholder and every course link that disagrees with the setting, as `file:line: what`."""
    course = course or published(root / "pyproject.toml")
    found = []
    for path in course_files(root):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.relative_to(root)}:{number}"
            placeholder = PLACEHOLDERS.search(line)
            if placeholder:
                found.append(f"{where}: a placeholder ({placeholder.group(0)})")
            for kind, pattern in _KINDS.items():
                for match in pattern.finditer(line):
                    want = expected(kind, match, course)
                    if match.group(0) != want:
                        found.append(f"{where}: {kind} link {match.group(0)} should be {want}")
    return found


def rewrite(root: Path = ROOT, course: Published | None = None) -> list[Path]:
    """Make every course link agree with the setting; returns the files changed."""
    course = course or published(root / "pyproject.toml")
    changed = []
    for path in course_files(root):
        text = path.read_text(encoding="utf-8")
        new = text
        for kind, pattern in _KINDS.items():

            def fix(match: re.Match[str], kind: str = kind) -> str:
                return expected(kind, match, course)

            new = pattern.sub(fix, new)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the links from the setting")
    args = parser.parse_args(argv)
    course = published()
    if args.write:
        for path in rewrite(course=course):
            print(f"rewrote {path.relative_to(ROOT)}")
    wrong = problems(course=course)
    for line in wrong:
        print(line, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
