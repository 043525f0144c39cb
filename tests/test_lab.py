"""The Lab as a whole: ports, isolation, leaks, persistence, determinism."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
import requests

from simulators import Lab
from simulators.lab import SYSTEMS
from simulators.payments.cards import DECLINING
from simulators.traffic import _DECLINES


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_every_system_listens_on_loopback_with_its_own_port(lab: Lab) -> None:
    ports = set()
    for name in list(SYSTEMS):
        system = lab.systems[name]
        assert system.url.startswith("http://127.0.0.1:")
        host, port = system.server._server.socket.getsockname()[:2]  # type: ignore[union-attr]
        assert host == "127.0.0.1"
        ports.add(port)
        assert requests.get(system.url + "/", timeout=5).status_code == 200
    assert len(ports) == len(list(SYSTEMS))


def test_unknown_system_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown system 'bank'"):
        Lab(systems=["bank"])


def test_a_lab_without_a_system_says_how_to_get_it(provisioning_lab: Lab) -> None:
    with pytest.raises(AttributeError, match="systems="):
        provisioning_lab.payments  # noqa: B018


def test_stop_is_idempotent_and_removes_the_temporary_state_folder() -> None:
    lab = Lab(seed=1, systems=list(SYSTEMS))
    folder = lab.state_dir
    assert folder.exists()
    lab.stop()
    lab.stop()
    assert not folder.exists()


def test_a_hundred_start_stop_cycles_leak_no_thread_socket_or_file() -> None:
    # warm up: imports, the first Flask app, lazily created module state
    with Lab(seed=0, systems=list(SYSTEMS)) as lab:
        requests.get(lab.url + "/", timeout=5)
    threads, fds = threading.active_count(), _open_fds()
    for n in range(100):
        with Lab(seed=n, systems=list(SYSTEMS)) as lab:
            with requests.Session() as session:
                session.get(lab.systems[list(SYSTEMS)[0]].url + "/", timeout=5)
            lab.host(lambda request: None, name="probe")
    assert threading.active_count() <= threads
    assert _open_fds() <= fds


def test_two_labs_in_one_process_share_nothing() -> None:
    with Lab(seed=5, systems=["provisioning"]) as one, Lab(seed=5, systems=["provisioning"]) as two:
        assert one.provisioning.port != two.provisioning.port
        assert one.state_dir != two.state_dir
        one.provisioning.activate("cus_only_in_one")
        one.provisioning.faults.down()
        assert two.provisioning.accounts() == []
        assert two.provisioning.faults.active() == {}
        assert requests.get(two.provisioning.url + "/accounts", timeout=5).status_code == 200


def test_a_named_state_folder_survives_a_restart(tmp_path: Path) -> None:
    with Lab(seed=3, state_dir=tmp_path, systems=["provisioning"]) as lab:
        lab.provisioning.activate("cus_kept", plan="pro")
        requests.post(lab.provisioning.webhook_url, json=_paid("evt_1", "cus_webhook"), timeout=5)
        first_port = lab.provisioning.port
    assert (tmp_path / "provisioning.sqlite3").exists()
    with Lab(seed=3, state_dir=tmp_path, systems=["provisioning"]) as again:
        assert {a["customer"] for a in again.provisioning.accounts()} == {"cus_kept", "cus_webhook"}
        assert len(again.provisioning.received()) == 1
        # ids keep counting instead of starting over (no collisions after a restart)
        new = again.provisioning.activate("cus_new")
        assert new["id"] not in {a["id"] for a in again.provisioning.accounts() if a["customer"] != "cus_new"}
        assert again.provisioning.port == first_port  # the same URL when the port is still free


def _paid(event_id: str, customer: str) -> dict:
    return {
        "id": event_id,
        "type": "payment_intent.succeeded",
        "data": {"object": {"customer": customer, "metadata": {"plan": "pro"}}},
    }


def _scripted_run(seed: int) -> dict:
    """Drive a lab through faults, retries on the clock and a learner endpoint."""
    with Lab(seed=seed, systems=["provisioning"]) as lab:
        lab.provisioning.faults.errors(rate=0.5)
        statuses = []
        for n in range(20):
            statuses.append(
                requests.post(lab.provisioning.webhook_url, json=_paid(f"evt_{n}", f"cus_{n}"), timeout=5).status_code
            )
        lab.provisioning.faults.clear()
        seen = []
        endpoint = lab.host(lambda request: seen.append(request.json["n"]), name="learner")
        for n in range(3):
            lab.clock.call_later(3600 * (n + 1), lambda n=n: requests.post(endpoint.url, json={"n": n}, timeout=5))
        lab.advance(hours=4)
        log = [{k: v for k, v in row.items() if k != "latency_ms"} for row in lab.provisioning.requests.entries()]
        return {
            "statuses": statuses,
            "accounts": lab.provisioning.accounts(),
            "log": log,
            "seen": seen,
            "endpoint_log": [(row["at"], row["body"]) for row in endpoint.received()],
            "now": lab.clock.now(),
        }


def test_the_same_seed_gives_the_same_ids_times_and_logs() -> None:
    first, second = _scripted_run(11), _scripted_run(11)
    assert first == second
    assert 0 < first["statuses"].count(503) < 20  # the seeded fault really struck some requests
    other = _scripted_run(12)
    assert other["accounts"][0]["id"] != first["accounts"][0]["id"]


def test_servers_refuse_connections_once_the_lab_stops() -> None:
    lab = Lab(seed=1, systems=["provisioning"])
    port = lab.provisioning.port
    lab.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_traffic_declines_only_with_cards_the_payment_system_declines() -> None:
    assert _DECLINES and all(name in DECLINING for name in _DECLINES)


def test_a_named_state_folder_and_its_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    with Lab(seed=3, state_dir=folder, systems=["provisioning", "payments"]) as lab:
        lab.payments.pay(lab.payments.create_customer("ada@example.com")["id"], 2000)
        lab.settle()
        files = sorted(folder.glob("*.sqlite3*"))
        assert files, "the lab keeps its state in SQLite files"
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
        assert {path.name: oct(path.stat().st_mode & 0o777) for path in files} == {path.name: "0o600" for path in files}
