"""A lab on a named state folder resumes its clock where it stopped, never earlier (review R2)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import requests

from simulators import Lab
from simulators.clock import DEFAULT_START


def test_a_restart_resumes_the_clock_and_created_never_goes_back(tmp_path: Path) -> None:
    with Lab(seed=1, state_dir=tmp_path, systems=["payments"]) as lab:
        lab.advance(hours=1)
        first = lab.payments.create_customer("a@example.com")
        stopped_at = lab.clock.time()
    with Lab(seed=1, state_dir=tmp_path, systems=["payments"]) as lab:
        assert lab.clock.time() >= stopped_at > DEFAULT_START.timestamp() + 3599
        second = lab.payments.create_customer("b@example.com")
        assert second["created"] >= first["created"]


def test_a_retry_left_pending_resumes_on_time_after_a_restart(tmp_path: Path) -> None:
    with Lab(seed=1, state_dir=tmp_path, systems=["payments"]) as lab:
        lab.advance(days=2)
        endpoint = lab.payments.add_endpoint("http://127.0.0.1:9/closed", enabled_events=["customer.created"])
        lab.payments.create_customer("c@example.com")
        lab.advance(minutes=1)  # the first attempt fails (nothing listens on port 9): a retry is scheduled
        pending = [d for d in lab.payments.outbox.deliveries() if d["endpoint_id"] == endpoint["id"]]
        assert pending and pending[0]["status"] == "pending"
        retry_at = pending[0]["next_attempt_at"]
    with Lab(seed=1, state_dir=tmp_path, systems=["payments"]) as lab:
        wait = retry_at - lab.clock.time()
        assert 0 < wait < 2 * 3600, f"the retry is {wait / 3600:.1f} h away after the restart"


def test_a_killed_real_time_lab_resumes_no_earlier_than_its_last_second(tmp_path: Path) -> None:
    child = textwrap.dedent(
        """
        import sys, time
        from simulators import Lab
        lab = Lab(seed=1, state_dir=sys.argv[1], systems=["payments"], realtime=True)
        lab.clock.run_until(lab.clock.time() + 86400)   # a day ahead, as an admin advance would
        print(lab.clock.time(), flush=True)
        time.sleep(60)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", child, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    ) as proc:
        try:
            before_kill = float(proc.stdout.readline())  # type: ignore[union-attr]
            time.sleep(1.5)  # at least one save after the advance
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    with Lab(seed=1, state_dir=tmp_path, systems=["payments"]) as lab:
        assert lab.clock.time() >= before_kill
        assert requests.get(lab.payments.url + "/v1/customers", auth=(lab.payments.api_key, ""), timeout=10).ok
