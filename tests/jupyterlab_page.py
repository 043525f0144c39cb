"""Driving a JupyterLab page in Chromium as a learner does: wait for the kernel, Run All, read the outputs.

Shared by the browser tests (a lab started like `make lab`) and the classroom
tests (a lab behind a JupyterHub).
"""

from __future__ import annotations

import re
import time
from typing import Any

#: The notebook on screen (JupyterLab keeps other tabs' panels in the page, hidden).
VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
#: True once every code cell of the visible notebook shows an execution count such as [3] (not [*] or [ ]).
EVERY_CELL_RAN = """() => {
    const notebook = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!notebook) return false;
    const prompts = [...notebook.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
    return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:?$/.test(p));
}"""
IDLE = re.compile(r"Python 3.*\| Idle")


def wait_for_idle_kernel(page: Any, timeout: float = 90) -> None:
    """Wait until the kernel is idle, answering JupyterLab's "which kernel?" dialog whenever it asks."""
    choose = page.get_by_role("button", name="Select", exact=True)
    idle = page.get_by_text(IDLE).first
    deadline = time.monotonic() + timeout
    while True:
        if choose.is_visible():
            choose.click()
        elif idle.is_visible() and page.locator(".jp-Dialog").count() == 0:
            return
        assert time.monotonic() < deadline, "the notebook's kernel never became idle"
        time.sleep(0.2)


def start_run_all(page: Any) -> None:
    """Run → Run All Cells, from the menu."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()


def wait_run_all(page: Any, timeout_ms: int) -> None:
    """Wait until every code cell of the visible notebook has run."""
    page.wait_for_function(EVERY_CELL_RAN, timeout=timeout_ms)


def tracebacks(page: Any) -> Any:
    """The visible notebook's outputs that show a Python traceback."""
    return page.locator(
        f"{VISIBLE} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", has_text="Traceback"
    )
