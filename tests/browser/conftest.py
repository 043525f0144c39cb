"""Pages of the session's headless Chromium (`browser`, in tests/conftest.py) for the browser tests.

Screenshots go to test-artifacts/screenshots (see tests/chromium.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import screenshot

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


class JupyterServer:
    """A `jupyter lab` of its own: a free port, a known token, private config and runtime folders."""

    def __init__(self, root: Path, home: Path, extra_env: dict[str, str]) -> None:
        import secrets
        import socket
        import subprocess
        import sys

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.token = secrets.token_hex(16)
        self.root = root
        settings = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        # No "would you like news?" toast over the notebook in screenshots.
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "IPYTHONDIR": str(home / "ipython"),
            "HOOKLAB_HOME": str(home / "hooklab"),
            "HOOKLAB_WORKSHEET": str(home / "worksheet.json"),
            **extra_env,
        }
        env.pop("JUPYTERHUB_SERVICE_PREFIX", None)
        self.log = (home / "jupyter.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root}",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                *(["--allow-root"] if os.geteuid() == 0 else []),
            ],  # CI containers often run as root
            cwd=root,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.log_path = home / "jupyter.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_ready(self, timeout: float = 60) -> None:
        import time

        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyter lab exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/api/status", params={"token": self.token}, timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"jupyter lab did not answer within {timeout} s: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        import subprocess

        import requests

        try:
            requests.post(f"{self.url}/api/shutdown", params={"token": self.token}, timeout=10)
        except requests.RequestException:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """JupyterLab serving a scratch copy of the course (so running notebooks never edits the repository)."""
    root = tmp_path_factory.mktemp("course")
    home = tmp_path_factory.mktemp("jupyter-home")
    (root / "notebooks").mkdir()
    welcome = ROOT / "notebooks" / "00_welcome.ipynb"
    if welcome.exists():
        shutil.copy(welcome, root / "notebooks" / welcome.name)
    # As on a hub: links go through jupyter-server-proxy at <base>proxy/PORT/.
    server = JupyterServer(root, home, {"HOOKLAB_PROXY_BASE": "/"})
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()
