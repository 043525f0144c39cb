"""Two learners' labs side by side, as on one JupyterHub node: they share nothing.

Each lab runs in its own process with its own HOME, as two hub users' kernels
do, and both use the same seed, as two learners opening the same notebook do.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from simulators.lab import SYSTEMS

pytestmark = pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="reads sockets and open files from Linux's /proc"
)

LEARNER = r"""
import json, os, sys
import requests
from simulators import Lab

user, systems = sys.argv[1], sys.argv[2].split(",")
with Lab(seed=7, systems=systems) as lab:
    account = requests.post(lab.provisioning.url + "/accounts/activate", json={"customer": "cus_" + user}, timeout=5).json()
    seen = requests.get(lab.provisioning.url + "/accounts", timeout=5).json()["data"]
    if user == "alice":
        lab.provisioning.faults.errors(rate=1.0)  # alice breaks her own provisioning
    ports = {name: system.port for name, system in lab.systems.items()}
    ports["control"] = lab.control.port
    print(json.dumps({
        "pid": os.getpid(),
        "state_dir": str(lab.state_dir),
        "ports": ports,
        "files": sorted(str(path) for path in lab.state_dir.rglob("*")),
        "account": account["id"],
        "customers": [a["customer"] for a in seen],
    }), flush=True)
    sys.stdin.readline()  # both labs stay up until the test has looked at them side by side
"""


@pytest.fixture(scope="module")
def two_learners(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    tmp_path = tmp_path_factory.mktemp("hub-node")
    systems = ",".join(SYSTEMS)
    processes: dict[str, subprocess.Popen[str]] = {}
    try:
        for user in ("alice", "bob"):
            home = tmp_path / user
            home.mkdir()
            env = {**os.environ, "HOME": str(home), "HOOKLAB_HOME": str(home / ".hooklab")}
            processes[user] = subprocess.Popen(
                [sys.executable, "-c", LEARNER, user, systems],
                env=env,
                cwd=home,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        labs = {}
        for user, process in processes.items():
            line = process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise AssertionError(f"{user}'s lab did not start: {process.communicate()[1][-2000:]}")
            labs[user] = {**json.loads(line), "home": str(tmp_path / user)}
        yield labs
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.communicate("stop\n", timeout=30)
    for user, process in processes.items():
        assert process.returncode == 0, f"{user}'s lab did not stop cleanly"


def _listening(pid: int) -> set[tuple[str, int]]:
    inodes = {os.readlink(fd)[8:-1] for fd in _fds(pid) if os.readlink(fd).startswith("socket:[")}
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:
            address, port = fields[1].split(":")
            found.add((socket.inet_ntoa(bytes.fromhex(address)[::-1]), int(port, 16)))
    return found


def _open_files(pid: int) -> set[str]:
    return {os.readlink(fd) for fd in _fds(pid) if os.readlink(fd).startswith("/")}


def _fds(pid: int) -> list[Path]:
    return list(Path(f"/proc/{pid}/fd").iterdir())


def test_two_labs_share_no_port(two_learners: dict[str, dict[str, Any]]) -> None:
    alice, bob = two_learners["alice"], two_learners["bob"]
    assert not set(alice["ports"].values()) & set(bob["ports"].values())
    for lab in (alice, bob):
        sockets = _listening(lab["pid"])
        assert sockets == {("127.0.0.1", port) for port in lab["ports"].values()}, (
            "each lab listens on its own ports, on loopback only"
        )


def test_two_labs_share_no_file(two_learners: dict[str, dict[str, Any]]) -> None:
    alice, bob = two_learners["alice"], two_learners["bob"]
    assert alice["state_dir"] != bob["state_dir"]
    assert alice["files"] and bob["files"]
    assert not set(alice["files"]) & set(bob["files"])
    for lab, other in ((alice, bob), (bob, alice)):
        state = Path(lab["state_dir"])
        assert stat.S_IMODE(state.stat().st_mode) == 0o700, "other users on the node cannot read a lab's state"
        open_now = _open_files(lab["pid"])
        sqlite_files = {path for path in open_now if ".sqlite3" in path}
        assert sqlite_files and all(Path(path).parent == state for path in sqlite_files)
        assert not [path for path in open_now if path.startswith((other["state_dir"], other["home"]))]


def test_two_labs_share_no_data_even_with_the_same_seed(two_learners: dict[str, dict[str, Any]]) -> None:
    alice, bob = two_learners["alice"], two_learners["bob"]
    assert alice["account"] == bob["account"], "the same seed gives the same ids in both labs..."
    assert alice["customers"] == ["cus_alice"] and bob["customers"] == ["cus_bob"], (
        "...yet each store holds only its own"
    )
    bob_now = requests.get(f"http://127.0.0.1:{bob['ports']['provisioning']}/accounts", timeout=5)
    assert bob_now.status_code == 200 and [a["customer"] for a in bob_now.json()["data"]] == ["cus_bob"]


def test_a_fault_in_one_lab_leaves_the_other_alone(two_learners: dict[str, dict[str, Any]]) -> None:
    alice, bob = two_learners["alice"], two_learners["bob"]
    assert requests.get(f"http://127.0.0.1:{alice['ports']['provisioning']}/accounts", timeout=5).status_code == 503
    assert requests.get(f"http://127.0.0.1:{bob['ports']['provisioning']}/accounts", timeout=5).status_code == 200
