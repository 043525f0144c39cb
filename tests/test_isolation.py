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
from simulators.course.worksheets.answers import save_answer, worksheet_path

user, systems = sys.argv[1], sys.argv[2].split(",")
with Lab(seed=7, systems=systems) as lab:
    # Everything a learner's lab holds: a customer who paid (and the webhook that told provisioning),
    # a CRM contact, an email, an endpoint of their own, a worksheet answer.
    lab.traffic.purchase(1)
    lab.settle()
    account = requests.post(lab.provisioning.url + "/accounts/activate", json={"customer": "cus_" + user}, timeout=5).json()
    seen = requests.get(lab.provisioning.url + "/accounts", timeout=5).json()["data"]
    lab.crm.create_contact(f"{user}@example.com", name=user)
    lab.mailer.send(f"{user}@example.com", f"Welcome, {user}")
    hook = lab.host(lambda request: {"secret of": user}, name="my_hook")
    save_answer("q_isolation", f"{user}'s own answer", notebook="00_welcome.ipynb")
    if user == "alice":
        lab.provisioning.faults.errors(rate=1.0)  # alice breaks her own provisioning
    ports = {name: system.port for name, system in lab.systems.items()}
    ports["control"] = lab.control.port
    ports["my_hook"] = hook.port
    print(json.dumps({
        "pid": os.getpid(),
        "state_dir": str(lab.state_dir),
        "ports": ports,
        "files": sorted(str(path) for path in lab.state_dir.rglob("*")),
        "account": account["id"],
        "customers": [a["customer"] for a in seen],
        # What this learner holds and could try on another's ports: their own key, token and API key.
        "key": lab.key,
        "admin_token": lab.admin_token,
        "api_key": lab.payments.api_key,
        "urls": {name: system.url for name, system in lab.systems.items()},
        "worksheet": str(worksheet_path()),
    }), flush=True)
    for command in sys.stdin:  # both labs stay up until the test has looked at them side by side
        if command.strip() != "report":
            break
        print(json.dumps({
            "faults": {name: system.faults.active() for name, system in lab.systems.items()},
            "clock": lab.clock.now().isoformat(),
            "contacts": [c["email"] for c in lab.crm.contacts()],
            "messages": len(lab.mailer.inbox()),
            "customers": len(lab.payments.customers()),
            "requests": {name: len(system.requests.entries()) for name, system in lab.systems.items()},
        }), flush=True)
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
        labs["processes"] = processes  # type: ignore[assignment]
        yield labs
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.communicate("stop\n", timeout=30)
    for user, process in processes.items():
        assert process.returncode == 0, f"{user}'s lab did not stop cleanly"


def _report(process: subprocess.Popen[str]) -> dict[str, Any]:
    """What a learner's own lab says about itself now."""
    process.stdin.write("report\n")  # type: ignore[union-attr]
    process.stdin.flush()  # type: ignore[union-attr]
    return json.loads(process.stdout.readline())  # type: ignore[union-attr]


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
    assert alice["customers"][-1] == "cus_alice" and bob["customers"][-1] == "cus_bob"
    assert alice["customers"][:-1] == bob["customers"][:-1], "the same seeded customer paid in both labs..."
    assert "cus_bob" not in alice["customers"] and "cus_alice" not in bob["customers"], (
        "...yet each store holds only its own"
    )
    bob_now = requests.get(bob["urls"]["provisioning"] + "/accounts", timeout=5)
    assert bob_now.status_code == 200 and [a["customer"] for a in bob_now.json()["data"]] == bob["customers"]
    assert alice["key"] != bob["key"] and alice["api_key"] != bob["api_key"], "keys are random, never seeded"
    assert alice["admin_token"] != bob["admin_token"]


def test_a_fault_in_one_lab_leaves_the_other_alone(two_learners: dict[str, dict[str, Any]]) -> None:
    alice, bob = two_learners["alice"], two_learners["bob"]
    assert requests.get(alice["urls"]["provisioning"] + "/accounts", timeout=5).status_code == 503
    assert requests.get(bob["urls"]["provisioning"] + "/accounts", timeout=5).status_code == 200


# -- Alice, knowing Bob's ports (and holding her own key, token and API key), tries Bob's lab ------------


def _attempts(alice: dict[str, Any], bob: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(what Alice tries, method, URL, request options): every one aimed at one of Bob's ports."""
    port = bob["ports"]
    mine = "/hl_" + alice["key"]
    bearer = {"Authorization": f"Bearer {alice['api_key']}"}
    admin = {"Authorization": f"Bearer {alice['admin_token']}"}
    html = {"Accept": "text/html"}
    found = []
    for prefix, how in (("", "a bare port"), (mine, "her own key")):

        def at(name: str, path: str, prefix: str = prefix) -> str:
            return f"http://127.0.0.1:{port[name]}{prefix}{path}"

        found += [
            (
                f"read Bob's customers with {how} and her API key",
                "GET",
                at("payments", "/v1/customers"),
                {"headers": bearer},
            ),
            (f"read Bob's deliveries with {how}", "GET", at("provisioning", "/webhooks/received"), {}),
            (f"read Bob's accounts with {how}", "GET", at("provisioning", "/accounts"), {}),
            (f"read Bob's CRM contacts with {how}", "GET", at("crm", "/contacts"), {}),
            (f"read Bob's emails with {how}", "GET", at("mailer", "/messages"), {}),
            (f"open Bob's payments dashboard with {how}", "GET", at("payments", "/"), {"headers": html}),
            (f"open Bob's mailer dashboard with {how}", "GET", at("mailer", "/"), {"headers": html}),
            (f"open Bob's lab overview with {how}", "GET", at("control", "/"), {"headers": html}),
            (
                f"read Bob's lab status with {how} and her admin token",
                "GET",
                at("control", "/admin/status"),
                {"headers": admin},
            ),
            (f"call Bob's endpoint with {how}", "POST", at("my_hook", "/"), {"json": {}}),
            (
                f"add a contact to Bob's CRM with {how}",
                "POST",
                at("crm", "/contacts"),
                {"json": {"email": "mallory@example.com"}},
            ),
            (
                f"send mail from Bob's mailer with {how}",
                "POST",
                at("mailer", "/messages"),
                {"json": {"to": "x@example.com", "subject": "hi"}},
            ),
            (
                f"take Bob's provisioning down with {how} and her admin token",
                "POST",
                at("control", "/admin/systems/provisioning/faults"),
                {"json": {"kind": "down"}, "headers": admin},
            ),
            (
                f"move Bob's clock with {how}",
                "POST",
                at("control", "/admin/clock/advance"),
                {"json": {"days": 3}, "headers": admin},
            ),
            (
                f"set a fault through Bob's payments API with {how}",
                "POST",
                at("payments", "/v1/hooklab/knobs"),
                {"data": {"duplicates": "1"}, "headers": bearer},
            ),
        ]
    return found


def test_a_learner_with_anothers_ports_gets_nothing_and_changes_nothing(two_learners: dict[str, Any]) -> None:
    alice, bob = two_learners["alice"], two_learners["bob"]
    bob_process = two_learners["processes"]["bob"]
    before = _report(bob_process)
    attempts = _attempts(alice, bob)
    answers = {}
    for what, method, url, options in attempts:
        response = requests.request(method, url, timeout=5, allow_redirects=False, **options)
        answers[what] = response.status_code
        assert response.status_code == 404, f"{what}: {response.status_code} {response.text[:200]}"
        assert response.headers["Content-Type"].startswith("application/json"), what
        assert response.json()["error"]["code"] == "not_this_labs_url", what
        for secret in ("bob@example.com", "cus_bob", "secret of", "Welcome, bob", "<html", bob["key"]):
            assert secret not in response.text, f"{what}: the answer shows {secret!r}"
    assert len(answers) == len(attempts) >= 30
    after = _report(bob_process)
    assert after["faults"] == before["faults"] and not any(after["faults"].values()), "no fault reached Bob's lab"
    assert after["clock"] == before["clock"], "Bob's clock did not move"
    assert after["contacts"] == ["bob@example.com"] and after["messages"] == before["messages"]
    assert after["customers"] == before["customers"] >= 1
    assert after["requests"] == before["requests"], "a refused request never reaches Bob's systems, not even their log"
    # Bob's own key still opens everything: the refusals were about Alice, not a broken lab.
    assert requests.get(bob["urls"]["crm"] + "/contacts", timeout=5).json()["data"][0]["email"] == "bob@example.com"


def test_a_learners_keys_and_answers_are_files_only_they_can_read(two_learners: dict[str, Any]) -> None:
    for user in ("alice", "bob"):
        lab = two_learners[user]
        key_file = Path(lab["state_dir"]) / "lab.key"
        assert key_file.read_text().strip() == lab["key"]
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        worksheet = Path(lab["worksheet"])
        assert worksheet.is_relative_to(lab["home"]) and f"{user}'s own answer" in worksheet.read_text()
        assert stat.S_IMODE(worksheet.stat().st_mode) == 0o600, "the worksheet is its owner's only"
        assert stat.S_IMODE(worksheet.parent.stat().st_mode) == 0o700
