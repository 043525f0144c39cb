"""A learner's journey through the course, in a real Chromium, in the JupyterLab `make lab` starts.

Once for the core track (00 → exercise 00) and once for the developer track
(03 → exercise 03): open the lesson, follow its link to the exercise, run the
untouched exercise and see the check fail with a hint, type the solution into
the exercise cell and see the check pass, go back and answer a reflection
question, restart the kernel and find the answer still there, and export the
worksheet with the lesson's button. The server serves a scratch copy of the
course, so nothing a test runs or types edits the repository. Each step leaves
a screenshot in test-artifacts/screenshots/journey-<track>-<n>-<step>.png.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest

from tests.jupyterlab_page import VISIBLE, start_run_all, tracebacks, wait_for_idle_kernel, wait_run_all
from tests.lab_like_make import ROOT, MakeLab

RUN_TIMEOUT_MS = 180_000


@dataclass(frozen=True)
class Journey:
    track: str
    lesson: str
    exercise: str
    check_id: str
    question: str
    answer: str

    def solution_code(self) -> str:
        cells = json.loads((ROOT / "solutions" / f"{self.exercise}.ipynb").read_text())["cells"]
        [cell] = [c for c in cells if "exercise" in c.get("metadata", {}).get("tags", [])]
        return "".join(cell["source"])


JOURNEYS = [
    Journey(
        "core",
        "00_welcome",
        "00_first_payment",
        "ex00_first_payment",
        "q00_let_down",
        "My train ticket email never came; I found out at the gate.",
    ),
    Journey(
        "developer",
        "03_webhook_security",
        "03_signatures",
        "ex03_signatures",
        "q03_trust",
        "A fake signup webhook could create free accounts; a signature tells us it is genuine.",
    ),
]


def _run_all(page: Any, snap: Any, name: str) -> None:
    start_run_all(page)
    try:
        wait_run_all(page, RUN_TIMEOUT_MS)
    except Exception:
        snap(f"{name}-run-all-failed")
        raise


def _run_cell(page: Any, text: str) -> None:
    """Run the one code cell of the visible notebook that holds `text`, as a learner would (Ctrl+Enter)."""
    page.locator(f"{VISIBLE} .jp-CodeCell", has_text=text).first.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")


def _check_output(page: Any, check_id: str) -> Any:
    return page.locator(f"{VISIBLE} .jp-CodeCell", has_text=f'check("{check_id}"').locator(".jp-OutputArea")


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.track for j in JOURNEYS])
def test_a_learner_walks_from_the_lesson_to_a_passing_check_and_an_exported_worksheet(
    lab_server: MakeLab, page: Any, snap: Any, journey: Journey
) -> None:
    shot = iter(range(1, 20))

    def step(name: str) -> None:
        snap(f"journey-{journey.track}-{next(shot)}-{name}")

    # 1. Open the lesson, as `make lab` opens 00 (a workspace of its own: nothing restored).
    lesson = f"notebooks/{journey.lesson}.ipynb"
    page.goto(f"{lab_server.url}/lab/workspaces/journey-{journey.track}/tree/{lesson}?reset&token={lab_server.token}")
    page.locator(VISIBLE).first.wait_for()
    wait_for_idle_kernel(page)
    step("lesson-open")

    # 2. Follow the lesson's own link to its exercise.
    link = page.locator(f"{VISIBLE} .jp-RenderedMarkdown a[href*='exercises/{journey.exercise}.ipynb']").last
    link.scroll_into_view_if_needed()
    link.click()
    page.locator(".lm-TabBar-tab.lm-mod-current", has_text=f"{journey.exercise}.ipynb").wait_for(timeout=30_000)
    wait_for_idle_kernel(page)
    step("exercise-open")

    # 3. Run the untouched exercise: the check says not yet, with a hint.
    _run_all(page, snap, f"journey-{journey.track}")
    verdict = _check_output(page, journey.check_id)
    verdict.get_by_text("NOT YET").first.wait_for()
    assert "Hint:" in verdict.inner_text(), verdict.inner_text()
    verdict.scroll_into_view_if_needed()
    step("check-fails-with-a-hint")

    # 4. Type the solution's code into the exercise cell, run everything again: the check passes.
    stub = page.locator(f"{VISIBLE} .jp-CodeCell", has_text="NotImplementedError").first
    stub.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(journey.solution_code())
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    verdict.get_by_text("PASS").first.wait_for(timeout=RUN_TIMEOUT_MS)
    assert "NOT YET" not in verdict.inner_text()
    assert tracebacks(page).count() == 0, tracebacks(page).first.inner_text()
    verdict.scroll_into_view_if_needed()
    step("check-passes")

    # 5. Back to the lesson: run it, and answer its reflection question in the box under the question.
    page.locator(".lm-TabBar-tab", has_text=f"{journey.lesson}.ipynb").first.click()
    wait_for_idle_kernel(page)
    _run_all(page, snap, f"journey-{journey.track}-lesson")
    assert tracebacks(page).count() == 0, tracebacks(page).first.inner_text()
    box = page.locator(f"{VISIBLE} .jp-CodeCell", has_text=f'reflection("{journey.question}")').locator("textarea")
    box.scroll_into_view_if_needed()
    box.fill(journey.answer)
    page.locator(f"{VISIBLE} .jp-CodeCell", has_text=f'reflection("{journey.question}")').get_by_text(
        "Saved to your worksheet."
    ).wait_for()
    step("reflection-answered")

    # 6. Restart the kernel, run the setup cell and the question's cell again: the answer is still in its box.
    before = box.element_handle()
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Restart Kernel…")).click()
    confirm = page.locator(".jp-Dialog .jp-mod-accept")
    confirm.wait_for()  # "Restart the kernel?": yes
    confirm.click()
    wait_for_idle_kernel(page)
    for cell in ("import export_worksheet, reflection", f'reflection("{journey.question}")', "export_worksheet()"):
        _run_cell(page, cell)
    # The fresh kernel numbers them 1, 2, 3: once the export cell shows [3], all three ran.
    export_prompt = page.locator(f"{VISIBLE} .jp-CodeCell", has_text="export_worksheet()").last.locator(
        ".jp-InputPrompt"
    )
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    while export_prompt.inner_text().strip() not in ("[3]", "[3]:"):
        assert time.monotonic() < deadline, f"the rerun after the restart never finished: {export_prompt.inner_text()}"
        time.sleep(0.2)
    # The rerun replaced the old answer box with a new one, filled from the saved worksheet.
    page.wait_for_function("element => !element.isConnected", arg=before, timeout=RUN_TIMEOUT_MS)
    box = page.locator(f"{VISIBLE} .jp-CodeCell", has_text=f'reflection("{journey.question}")').locator("textarea")
    deadline = time.monotonic() + 30
    while box.input_value() != journey.answer:
        assert time.monotonic() < deadline, f"after a restart the box holds {box.input_value()!r}"
        time.sleep(0.2)
    box.scroll_into_view_if_needed()
    step("answer-survives-a-restart")

    # 7. Export the worksheet from inside the lab, with the lesson's button.
    export = page.locator(f"{VISIBLE} .jp-CodeCell", has_text="export_worksheet(").last
    export.get_by_role("button", name=re.compile("Export my worksheet")).click()
    export.get_by_text(re.compile("Exported \\d+ of \\d+ answers")).wait_for()
    export.scroll_into_view_if_needed()
    step("worksheet-exported")
    written = lab_server.api("contents/notebooks/worksheet.md", content="1", type="file", format="text")
    assert written.status_code == 200, "the worksheet is where the lab's file browser shows it"
    assert journey.answer in written.json()["content"]
