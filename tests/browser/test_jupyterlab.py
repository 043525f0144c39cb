"""End to end in JupyterLab: run a notebook's cells, click the control panel, check at the socket.

Also: the dashboards through a real jupyter-server-proxy, and the hooklab
launcher server it starts.
"""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path
from typing import Any

import nbformat
import requests

from simulators import Lab
from tests.jupyterlab_page import start_run_all, tracebacks, wait_for_idle_kernel, wait_run_all

PANEL_NOTEBOOK = "notebooks/panel_check.ipynb"
WELCOME = "notebooks/00_welcome.ipynb"
PORT_IN_LINK = re.compile(r"(?:127\.0\.0\.1:|/proxy/)(\d+)")
RUN_ALL_TIMEOUT_MS = 120_000


def _write_panel_notebook(root: Path) -> None:
    """The smallest notebook with a lab and its control panel, as the lessons start."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "from simulators import Lab\nfrom simulators.course.widgets import control_panel\nlab = Lab(seed=3)"
        ),
        nbformat.v4.new_code_cell("control_panel(lab)"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / PANEL_NOTEBOOK)


def _keep_the_lab_running(path: Path) -> None:
    """Drop the notebook's closing `lab.stop()` cell from the scratch copy, so the panel is still live after Run All."""
    notebook = nbformat.read(path, as_version=4)
    while (
        notebook.cells and notebook.cells[-1].cell_type == "code" and notebook.cells[-1].source.strip() == "lab.stop()"
    ):
        notebook.cells.pop()
    nbformat.write(notebook, path)


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:
        return False  # caught the listener mid-close: not refused yet, ask again
    return False


def _open_and_run_all(page: Any, jupyter: Any, path: str, snap: Any) -> None:
    # A workspace of its own: no tab restored from an earlier test competes for the page.
    workspace = re.sub(r"\W", "-", Path(path).stem)
    page.goto(f"{jupyter.url}/lab/workspaces/{workspace}/tree/{path}?reset&token={jupyter.token}")
    page.locator(".jp-NotebookPanel").first.wait_for()
    wait_for_idle_kernel(page, timeout=60)
    start_run_all(page)
    try:
        wait_run_all(page, RUN_ALL_TIMEOUT_MS)
    except Exception:
        snap("jupyterlab-run-all-failed")  # what the page showed when the test gave up
        raise
    errors = tracebacks(page)
    assert errors.count() == 0, errors.first.inner_text()


def _click_down_and_check_the_socket(page: Any, snap: Any, name: str) -> None:
    down = page.get_by_role("button", name="provisioning down").first
    down.wait_for(timeout=30_000)
    row = page.locator(".widget-hbox", has=down).last
    match = PORT_IN_LINK.search(row.locator("a").first.get_attribute("href") or "")
    assert match, f"the panel shows no address for provisioning: {row.inner_html()[:500]}"
    port = int(match.group(1))
    assert not _refused(port), "provisioning is listening before the click"
    snap(f"{name}-before")
    down.click()
    deadline = time.monotonic() + 10
    while not _refused(port):
        assert time.monotonic() < deadline, f"provisioning still accepts connections on {port} after the click"
        time.sleep(0.1)
    assert "mod-active" in (down.get_attribute("class") or "")
    snap(f"{name}-after")


def test_the_control_panel_takes_provisioning_down_for_real(jupyter: Any, page: Any, snap: Any) -> None:
    _write_panel_notebook(jupyter.root)
    _open_and_run_all(page, jupyter, PANEL_NOTEBOOK, snap)
    _click_down_and_check_the_socket(page, snap, "jupyterlab-panel")


def test_welcome_notebook_runs_and_its_panel_takes_provisioning_down(jupyter: Any, page: Any, snap: Any) -> None:
    _keep_the_lab_running(jupyter.root / WELCOME)
    _open_and_run_all(page, jupyter, WELCOME, snap)
    _click_down_and_check_the_socket(page, snap, "jupyterlab-welcome")


def test_a_dashboard_through_jupyter_server_proxy(jupyter: Any) -> None:
    with Lab(seed=5, systems=["provisioning"]) as lab:
        requests.post(
            lab.provisioning.webhook_url,
            json={"id": "evt_1", "type": "invoice.paid", "data": {"object": {"customer": "cus_p"}}},
            timeout=5,
        )
        base = f"{jupyter.url}/proxy/{lab.provisioning.port}{lab.provisioning.base_path}/"
        page = requests.get(base, params={"token": jupyter.token}, timeout=10)
        assert page.status_code == 200 and "cus_p" in page.text
        detail = re.search(r'href="(?:\./)?(dashboard/requests/\d+)"', page.text)
        assert detail, "the page links its detail pages relatively"
        followed = requests.get(base + detail.group(1), params={"token": jupyter.token}, timeout=10)
        assert followed.status_code == 200 and "Request body" in followed.text
        anonymous = requests.get(base, timeout=10, allow_redirects=False)
        assert anonymous.status_code in (302, 403), "the proxy serves only the logged-in user"


def test_the_hooklab_launcher_serves_the_overview_with_proxied_links(jupyter: Any, page: Any, snap: Any) -> None:
    # The tile's lab key, as the Jupyter server's setup_hooklab() kept it (HOOKLAB_HOME is the server's).
    key = (jupyter.log_path.parent / "hooklab" / "lab.key").read_text().strip()
    page.goto(f"{jupyter.url}/hooklab/hl_{key}/?token={jupyter.token}", timeout=60_000)
    page.get_by_role("heading", name="Your lab").wait_for(timeout=60_000)
    systems = page.locator("section", has_text="Systems")
    link = systems.get_by_role("link", name="provisioning", exact=True)
    assert re.fullmatch(rf"/proxy/\d+/hl_{key}/", link.get_attribute("href") or "")
    snap("hooklab-launcher-overview")
    link.click()
    page.get_by_role("heading", name=re.compile("^Provisioning")).wait_for()
    assert "/proxy/" in page.url
    page.goto(
        f"{jupyter.url}/lab/workspaces/launcher-check?reset&token={jupyter.token}"
    )  # a fresh workspace opens the launcher
    tile = page.locator(".jp-LauncherCard", has_text="hooklab").first
    tile.wait_for(timeout=30_000)
    assert tile.locator("img").count() == 1, "the tile shows hooklab's icon"
    snap("jupyterlab-launcher")
    snap("jupyterlab-launcher")
