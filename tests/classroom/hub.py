"""A real JupyterHub for the classroom tests: the configurable-http-proxy, real Unix users, LocalProcessSpawner.

The hub runs as root (it must, to start each learner's server as that
learner), on 127.0.0.1 only. Learners log in with the DummyAuthenticator's
shared password: authentication is not what these tests are about, the
separation of Unix users is. The course reaches each learner's home by the
copy step of docs/instructors.md ("A hub without internet").
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
#: Where `make test` installs the proxy (npm, into the venv) when it is not on PATH.
LOCAL_PROXY = ROOT / ".venv" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "hooklab-classroom"
#: What the copy step puts in each learner's ~/hooklab (docs/instructors.md, "A hub without internet").
COURSE_FOLDERS = ("notebooks", "exercises", "solutions", "docs")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def proxy_command() -> str | None:
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    return str(LOCAL_PROXY) if LOCAL_PROXY.exists() else None


def create_user(name: str) -> pwd.struct_passwd:
    """A real Unix user with a home of its own (0700, as a hub's home folders are)."""
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True, capture_output=True)
    entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, 0o700)
    return entry


def remove_user(name: str) -> None:
    subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    subprocess.run(["userdel", "--remove", "--force", name], capture_output=True)


def copy_course(user: pwd.struct_passwd) -> Path:
    """The docs' copy step: the course's folders into ~/hooklab, owned by the learner."""
    target = Path(user.pw_dir) / "hooklab"
    for folder in COURSE_FOLDERS:
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3*"))
    for path in [target, *target.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
    return target


def open_the_way(paths: Iterable[Path]) -> list[tuple[Path, int]]:
    """Let other users traverse (x, never read) every folder above `paths`; returns what to put back.

    A clone under a private temporary folder would otherwise keep the learners
    from starting the hub's own Python.
    """
    changed = []
    for path in paths:
        for folder in [path, *path.parents]:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                changed.append((folder, stat.S_IMODE(mode)))
                os.chmod(folder, stat.S_IMODE(mode) | stat.S_IXOTH)
    return changed


def put_back(changed: list[tuple[Path, int]]) -> None:
    for folder, mode in reversed(changed):
        os.chmod(folder, mode)


class Hub:
    """`jupyterhub` with its proxy, as a subprocess; `url` is the proxy's public address."""

    def __init__(self, workdir: Path, learners: list[str], instructor: str) -> None:
        self.workdir = workdir
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.api_token = secrets.token_hex(24)
        users = [*learners, instructor]
        config = workdir / "jupyterhub_config.py"
        environment = {
            "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
            "MPLBACKEND": "Agg",
            # The learners' servers and kernels run this checkout's course, whatever the venv installed.
            "PYTHONPATH": str(ROOT),
        }
        config.write_text(
            "\n".join(
                [
                    "c = get_config()  # noqa: F821",
                    "c.JupyterHub.ip = '127.0.0.1'",
                    f"c.JupyterHub.port = {self.port}",
                    "c.JupyterHub.hub_ip = '127.0.0.1'",
                    f"c.JupyterHub.hub_port = {self.hub_port}",
                    f"c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]",
                    f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{self.api_port}'",
                    f"c.JupyterHub.db_url = 'sqlite:///{workdir / 'hub.sqlite'}'",
                    f"c.JupyterHub.cookie_secret_file = {str(workdir / 'cookie_secret')!r}",
                    f"c.JupyterHub.pid_file = {str(workdir / 'hub.pid')!r}",
                    "c.JupyterHub.authenticator_class = 'dummy'",
                    f"c.DummyAuthenticator.password = {PASSWORD!r}",
                    f"c.Authenticator.allowed_users = {set(users)!r}",
                    f"c.Authenticator.admin_users = {{{instructor!r}}}",
                    "c.JupyterHub.spawner_class = 'jupyterhub.spawner.LocalProcessSpawner'",
                    f"c.Spawner.cmd = [{str(VENV_BIN / 'jupyterhub-singleuser')!r}]",
                    "c.Spawner.notebook_dir = '~/hooklab'",
                    "c.Spawner.default_url = '/lab/tree/notebooks/00_welcome.ipynb'",
                    f"c.Spawner.environment = {environment!r}",
                    "c.Spawner.start_timeout = 120",
                    "c.Spawner.http_timeout = 120",
                    "c.JupyterHub.services = [{'name': 'classroom-test', 'api_token': "
                    f"{self.api_token!r}, 'admin': True}}]",
                    "c.JupyterHub.load_roles = [{'name': 'classroom-test', 'scopes': ['admin:users', "
                    "'admin:servers', 'read:users'], 'services': ['classroom-test']}]",
                ]
            )
            + "\n"
        )
        self.log_path = workdir / "hub.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "jupyterhub"), "-f", str(config)],
            cwd=workdir,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PATH": environment["PATH"]},
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyterhub exited: {self.log_path.read_text()[-4000:]}")
            try:
                if requests.get(f"{self.url}/hub/health", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"jupyterhub did not answer within {timeout} s: {self.log_path.read_text()[-4000:]}")

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.api_token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kwargs)

    def stop_server(self, user: str, timeout: float = 60) -> None:
        """The hub's stop button: stop `user`'s server and wait until the hub says it is gone."""
        answer = self.api("DELETE", f"/users/{user}/server")
        assert answer.status_code in (202, 204), answer.text
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.api("GET", f"/users/{user}").json().get("servers"):
                return
            time.sleep(0.3)
        raise AssertionError(f"{user}'s server did not stop within {timeout} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def processes_of(user: str) -> list[str]:
    """Command lines of every process `user` runs now."""
    done = subprocess.run(["ps", "-u", user, "-o", "pid=,args="], capture_output=True, text=True)
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def listening_ports_of(uid: int) -> set[int]:
    """TCP ports on 127.0.0.1 that a process of `uid` listens on (read from /proc/net/tcp)."""
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[7]) == uid:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def hub_json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))
