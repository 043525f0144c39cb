"""JupyterLab started the way `make lab` starts it, for the link test and the browser journeys.

The arguments come from `make -n -s lab` itself (the Makefile's LAB_ARGS), so a
change to what `make lab` serves is a change to what these tests check. Only
what a test needs is added: no browser, a free port, a known token, private
JUPYTER_* folders, and the repository on the kernels' import path.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
#: What a learner's copy of the course holds (the folders and files lessons link to).
COURSE_PARTS = ("notebooks", "exercises", "solutions", "docs", "README.md")


def make_lab_arguments(root: Path = ROOT) -> list[str]:
    """The arguments `make lab` passes to `jupyter lab`, read from `make -n -s lab`."""
    dry_run = subprocess.run(
        ["make", "-n", "-s", "lab"], cwd=root, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    for line in reversed(dry_run.splitlines()):
        words = shlex.split(line)
        for index, word in enumerate(words[:-1]):
            if Path(word).name == "jupyter" and words[index + 1] == "lab":
                return words[index + 2 :]
    raise AssertionError(f"`make -n -s lab` runs no `jupyter lab`:\n{dry_run}")


def copy_course(target: Path) -> Path:
    """A scratch copy of the course, so opening and running notebooks never edits the repository."""
    for part in COURSE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        elif source.exists():
            shutil.copy(source, target / part)
    return target


class MakeLab:
    """`jupyter lab` with `make lab`'s arguments, serving `root`; stop() shuts it down."""

    def __init__(self, root: Path, home: Path, extra_env: dict[str, str] | None = None) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.token = secrets.token_hex(16)
        self.root = root
        self.arguments = make_lab_arguments()
        settings = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        # No "would you like news?" toast over the notebook in screenshots.
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
        # Every cell in the page, so a test finds a link or a box far down a notebook.
        notebook_settings = home / "lab-settings" / "@jupyterlab" / "notebook-extension"
        notebook_settings.mkdir(parents=True)
        (notebook_settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
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
            # Kernels import this checkout's simulators and exercise checks, whatever is installed.
            "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
            **(extra_env or {}),
        }
        env.pop("JUPYTERHUB_SERVICE_PREFIX", None)
        self.log_path = home / "jupyter.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                *self.arguments,
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                *(["--allow-root"] if os.geteuid() == 0 and "--allow-root" not in self.arguments else []),
            ],
            cwd=root,  # `make lab` runs in the repository's top folder; root_dir=. is relative to it
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str, **params: str) -> requests.Response:
        return requests.get(f"{self.url}/api/{path}", params={"token": self.token, **params}, timeout=10)

    def wait_until_ready(self, timeout: float = 60) -> MakeLab:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyter lab exited: {self.log_path.read_text()[-3000:]}")
            try:
                if self.api("status").ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"jupyter lab did not answer within {timeout} s: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        try:
            requests.post(f"{self.url}/api/shutdown", params={"token": self.token}, timeout=10)
        except requests.RequestException:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
