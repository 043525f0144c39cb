"""Pages of the session's headless Chromium (`browser`, in tests/conftest.py) for the browser tests.

Screenshots go to test-artifacts/screenshots (see tests/chromium.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import screenshot
from tests.lab_like_make import MakeLab, copy_course

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def snap(page: Any) -> Any:
    """`snap(name)` saves a full-page screenshot of the current page."""
    return lambda name: screenshot(page, name)


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeLab]:
    """JupyterLab serving a scratch copy of the course (so running notebooks never edits the repository)."""
    root = tmp_path_factory.mktemp("course")
    home = tmp_path_factory.mktemp("jupyter-home")
    (root / "notebooks").mkdir()
    welcome = ROOT / "notebooks" / "00_welcome.ipynb"
    if welcome.exists():
        shutil.copy(welcome, root / "notebooks" / welcome.name)
    # As on a hub: links go through jupyter-server-proxy at <base>proxy/PORT/.
    server = MakeLab(root, home, {"HOOKLAB_PROXY_BASE": "/"})
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeLab]:
    """JupyterLab started like `make lab`, serving a scratch copy of the whole course."""
    root = copy_course(tmp_path_factory.mktemp("course"))
    server = MakeLab(root, tmp_path_factory.mktemp("jupyter-home"), {"HOOKLAB_PROXY_BASE": "/"})
    try:
        yield server.wait_until_ready()
    finally:
        server.stop()
