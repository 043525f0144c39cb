"""hooklab Lite in a real browser: the built site, served on 127.0.0.1, runs the lab offline.

The site is built by `make lite` (PyPI and npm; minutes) unless build/lite/site already holds a build
of the same sources. Chromium opens it with every request to another host blocked and counted; the
welcome notebook's first cell starts a whole lab in Pyodide and prints what it prints in the full
edition. Run with --run-slow (a cold build takes about 3 minutes, the kernel's first start about 1.5 here).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.chromium import launched_chromium, screenshot
from tests.lite.site import OutsideRequests, served

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "lite" / "site"
STAMP = SITE / ".hooklab-sources"
#: What a build is made from: a change to any of these means building again.
SOURCES = ["simulators", "exercises", "solutions", "notebooks", "lite", "pyproject.toml"]
FIRST_CELL_OUTPUT = "<Lab seed=0 4 systems, clock 2026-03-02 09:00>"


def sources_digest() -> str:
    digest = hashlib.sha256()
    for top in SOURCES:
        path = ROOT / top
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest) -> Path:
    if not request.config.getoption("--run-slow"):
        pytest.skip("builds the Lite site and starts Pyodide in Chromium (minutes): run with --run-slow")
    digest = sources_digest()
    if not (STAMP.exists() and STAMP.read_text() == digest):
        subprocess.run(["make", "lite"], cwd=ROOT, check=True)
        STAMP.write_text(digest)
    return SITE


@pytest.fixture(scope="module")
def lite_page(site: Path) -> Iterator[tuple[Any, OutsideRequests, str]]:
    with served(site) as url, launched_chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        outside = OutsideRequests(url)
        outside.attach(context)
        page = context.new_page()
        try:
            yield page, outside, url
        finally:
            context.close()


def test_the_welcome_notebooks_first_cell_starts_the_lab_offline(lite_page: tuple[Any, OutsideRequests, str]) -> None:
    page, outside, url = lite_page
    started = time.monotonic()
    page.goto(url + "lab/index.html?path=notebooks/00_welcome.ipynb")
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=60_000)
    # The notebook opens with its saved outputs, this cell's among them: clear them, so the output awaited
    # below is the one this run prints.
    page.locator(".lm-MenuBar-itemLabel", has_text="Edit").click()
    page.locator(".lm-Menu-itemLabel", has_text="Clear Outputs of All Cells").click()
    first_code = page.locator(".jp-CodeCell").first
    output = first_code.locator(".jp-OutputArea-output")
    assert output.count() == 0
    first_code.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    output.wait_for(timeout=300_000)
    seconds = time.monotonic() - started
    screenshot(page, "lite-00-first-cell")
    assert output.inner_text().strip() == FIRST_CELL_OUTPUT
    assert outside.blocked == [], f"requests to other hosts: {outside.blocked[:5]}"
    print(json.dumps({"lite_first_output_s": round(seconds, 1)}))


def test_a_saved_answer_survives_a_reload(lite_page: tuple[Any, OutsideRequests, str]) -> None:
    page, outside, url = lite_page
    save = (
        "from simulators.course.worksheets.answers import save_answer, worksheet_path\n"
        "save_answer('q01_failures', 'Grace checks the refunds by hand.')\n"
        "print(worksheet_path())"
    )
    read = "from simulators.course.worksheets.answers import answer_for\nprint(answer_for('q01_failures'))"
    assert _repl(page, url, save) == "/drive/hooklab-worksheet.json"  # the drive: the browser's storage
    assert _repl(page, url, read) == "Grace checks the refunds by hand."  # a new page, a new kernel
    assert outside.blocked == []


def _repl(page: Any, url: str, code: str) -> str:
    """Open a fresh console that runs `code`; its printed output."""
    page.goto(url + "repl/index.html?kernel=python&code=" + quote(code))
    output = page.locator(".jp-OutputArea-output").first
    output.wait_for(timeout=300_000)
    return str(output.inner_text()).strip()
