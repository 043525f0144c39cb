"""The newcomer's first minute in JupyterLab: the link Jupyter prints opens the welcome notebook.

Over SSH, in WSL or in a container no browser opens by itself, so a learner copies the link the server
prints. It must land on 00, not on the Launcher.
"""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.jupyterlab_page import VISIBLE, start_run_all, wait_for_idle_kernel, wait_run_all

PRINTED = re.compile(r"(http://127\.0\.0\.1:\d+/\S*)\?token=\S+")


def test_the_printed_link_opens_the_welcome_notebook(jupyter: Any, page: Any, snap: Any) -> None:
    links = PRINTED.findall(jupyter.log_path.read_text())
    assert links, f"jupyter printed no link:\n{jupyter.log_path.read_text()[-2000:]}"
    assert links[-1].endswith("/lab/tree/notebooks/00_welcome.ipynb"), links
    page.goto(f"{links[-1]}?token={jupyter.token}")
    shown = page.locator(VISIBLE)
    shown.get_by_role("heading", name=re.compile("Welcome to hooklab")).first.wait_for(timeout=60_000)
    assert page.locator(".jp-Launcher:visible").count() == 0, "the Launcher is not what a newcomer sees first"
    assert page.title().startswith("00_welcome"), page.title()
    snap("first-minutes-printed-link")


def test_no_news_toast_asks_the_newcomer_anything(jupyter: Any) -> None:
    # JupyterLab asks "Get notified about Jupyter news?" over the first notebook unless news are switched off.
    config = requests.get(f"{jupyter.url}/lab", params={"token": jupyter.token}, timeout=30).text
    assert '"news": {"disabled": true}' in config, "make lab switches JupyterLab's news off"


def test_after_run_all_stops_the_lab_its_panel_says_how_to_start_it(jupyter: Any, page: Any, snap: Any) -> None:
    # Run All runs 00's last cell, lab.stop(), while the control panel is still on the page.
    page.goto(f"{jupyter.url}/lab/workspaces/run-all-stops/tree/notebooks/00_welcome.ipynb?reset&token={jupyter.token}")
    page.locator(VISIBLE).first.wait_for(timeout=60_000)
    wait_for_idle_kernel(page, timeout=90)
    start_run_all(page)
    wait_run_all(page, 180_000)
    page.get_by_role("button", name="1 purchase").first.click()
    said = page.get_by_text("The lab is stopped — run the first cell to start it").first
    said.wait_for(timeout=15_000)
    snap("first-minutes-panel-after-run-all")
    assert page.get_by_text("ConnectionError").count() == 0 and page.get_by_text("Errno 111").count() == 0
    assert page.get_by_role("button", name="1 purchase").first.is_disabled()
