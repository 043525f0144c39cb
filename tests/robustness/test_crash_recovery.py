"""Kill the payment system and provisioning mid-flow (SIGKILL, no goodbye), restart on the same state folder.

A child process runs the lab; the parent kills it at a known point, then
starts a new lab on the same folder and checks that nothing the API had
answered is lost and that every pending delivery completes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from simulators import Lab

SEED = 61
SYSTEMS = ["provisioning", "payments"]

_CHILD = r"""
import json, sys, time
from simulators import Lab

state, mode, count, seed, systems = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(",")
lab = Lab(seed=seed, state_dir=state, systems=systems)
if mode == "retries":
    lab.provisioning.faults.down()  # every first delivery fails; retries are due from one minute on
else:
    def stuck(request, provisioning):
        print("IN_HANDLER " + request.json["id"], flush=True)
        time.sleep(600)  # killed here, before doing the work or answering
    lab.provisioning.set_handler(stuck)
for i in range(count):
    customer = lab.payments.create_customer(f"c{i}@example.com")
    intent = lab.payments.pay(customer["id"], 1900 + i, metadata={"plan": "pro" if i % 2 else "basic"})
    print(json.dumps({"customer": customer["id"], "intent": intent["id"]}), flush=True)
if mode == "retries":
    lab.settle()
    lab.provisioning.faults.up()
    print("READY", flush=True)
    for line in sys.stdin:  # one step of lab time per line from the parent
        lab.advance(seconds=20)
        print("TICK", flush=True)
else:
    print("READY", flush=True)
time.sleep(600)
"""


def _run_and_kill(state: Path, mode: str, count: int, ticks: int = 0) -> list[dict[str, Any]]:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(state), mode, str(count), str(SEED), ",".join(SYSTEMS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    answered: list[dict[str, Any]] = []
    try:
        assert child.stdout is not None and child.stdin is not None
        in_handler = ready = False
        for line in child.stdout:
            if line.startswith("{"):
                answered.append(json.loads(line))
            elif line.startswith("IN_HANDLER"):
                in_handler = True
                if ready:
                    break
            elif line.startswith("READY"):
                ready = True
                if mode == "in_flight" and in_handler:
                    break
                if mode == "retries":
                    for _ in range(ticks):
                        child.stdin.write("go\n")
                        child.stdin.flush()
                        assert child.stdout.readline().startswith("TICK")
                    break
        else:
            pytest.fail(f"the child lab ended early: {child.stderr.read() if child.stderr else ''}")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
        for stream in (child.stdin, child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL
    return answered


def _pending(state: Path) -> int:
    with sqlite3.connect(state / "payments.sqlite3") as db:
        return int(db.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'pending'").fetchone()[0])


def _check_recovered(state: Path, answered: list[dict[str, Any]]) -> None:
    with Lab(seed=SEED, state_dir=state, systems=SYSTEMS) as lab:
        intents = {pi["id"]: pi for pi in lab.payments.payments()}
        for made in answered:  # everything the API answered before the kill is still there
            assert made["intent"] in intents
            assert made["customer"] in {c["id"] for c in lab.payments.customers()}
        lab.advance(days=1)
        endpoint = lab.payments.provisioning_endpoint
        deliveries = lab.payments.outbox.deliveries(endpoint_id=endpoint["id"])
        succeeded = [e["id"] for e in lab.payments.events("payment_intent.succeeded")]
        assert {d["event_id"] for d in deliveries} >= set(succeeded)
        assert {d["status"] for d in deliveries} == {"succeeded"}
        active = {a["customer"] for a in lab.provisioning.accounts(status="active")}
        assert active == {made["customer"] for made in answered}


def test_killed_while_retries_are_pending_every_delivery_completes_after_restart(tmp_path: Path) -> None:
    answered = _run_and_kill(tmp_path, "retries", count=6, ticks=1)
    assert len(answered) == 6
    assert _pending(tmp_path) > 0, "the kill should land with deliveries still pending"
    _check_recovered(tmp_path, answered)


def test_killed_in_the_middle_of_a_delivery_it_is_delivered_again_after_restart(tmp_path: Path) -> None:
    answered = _run_and_kill(tmp_path, "in_flight", count=3)
    assert answered, "at least the first payment was answered before the kill"
    assert _pending(tmp_path) >= 1, "the delivery being handled at the kill is still pending, not lost or marked done"
    _check_recovered(tmp_path, answered)
