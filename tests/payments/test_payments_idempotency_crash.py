"""Stripe's promise across crashes: a retry with the same Idempotency-Key never charges twice (review R1).

The server is killed for real (os._exit in its own process, as a SIGKILL or an OOM would end it) at each step
of a request with a key: inside the request's transaction before it commits, and right after it committed but
before the answer reached the client. Then it restarts on the same state folder and the client retries with
the same key, as the stripe SDK does after a connection error: one PaymentIntent, and the same answer.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests

from simulators import Lab

BODY = {"amount": "2000", "currency": "usd", "confirm": "true", "payment_method": "pm_card_visa"}
#: Where the server dies: the method, on IdempotencyKeys, that is replaced by an immediate exit.
KILL_POINTS = {
    "before the commit": "finish",  # runs inside the request's transaction, just before it commits
    "after the commit": "release",  # runs after the commit, before the answer is sent
}


def _serve_and_die(state: Path, method: str) -> tuple[str, str, subprocess.Popen[str]]:
    child = textwrap.dedent(
        f"""
        import os, sys, time
        from simulators import Lab
        from simulators.payments.http import idempotency
        lab = Lab(seed=1, state_dir=sys.argv[1], systems=["payments"])
        setattr(idempotency.IdempotencyKeys, {method!r}, lambda *a, **k: os._exit(9))
        print(lab.payments.url, lab.payments.api_key, flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child, str(state)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # type: ignore[union-attr]
    if len(line.split()) != 2:  # the child failed to start: leave nothing running behind the failure
        proc.kill()
        proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        raise AssertionError(f"the payments server did not start (exit {proc.returncode})")
    url, key = line.split()
    return url, key, proc


@pytest.mark.parametrize("where", list(KILL_POINTS))
def test_a_retry_after_a_crash_charges_once(tmp_path: Path, where: str) -> None:
    url, key, proc = _serve_and_die(tmp_path, KILL_POINTS[where])
    with proc:
        with pytest.raises(requests.ConnectionError):
            requests.post(
                url + "/v1/payment_intents",
                data=BODY,
                headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "order-42"},
                timeout=10,
            )
        assert proc.wait(timeout=30) == 9
        proc.stdout.close()  # type: ignore[union-attr]
    with Lab(seed=1, state_dir=tmp_path, systems=["payments"]) as lab:
        headers = {"Authorization": f"Bearer {lab.payments.api_key}", "Idempotency-Key": "order-42"}
        first = requests.post(lab.payments.url + "/v1/payment_intents", data=BODY, headers=headers, timeout=10)
        again = requests.post(lab.payments.url + "/v1/payment_intents", data=BODY, headers=headers, timeout=10)
        assert first.status_code == again.status_code == 200, first.text
        assert first.json()["id"] == again.json()["id"]
        intents = lab.payments.payments()
        assert [(pi["id"], pi["amount"]) for pi in intents] == [(first.json()["id"], 2000)], intents
        if where == "after the commit":
            assert first.headers.get("Idempotent-Replayed") == "true", "the committed answer is replayed"


def test_a_view_that_fails_inside_a_keyed_request_leaves_nothing(lab: Lab) -> None:
    headers = {"Authorization": f"Bearer {lab.payments.api_key}", "Idempotency-Key": "bad-one"}
    refused = requests.post(
        lab.payments.url + "/v1/payment_intents", data={**BODY, "currency": "nope"}, headers=headers, timeout=10
    )
    assert refused.status_code == 400
    assert lab.payments.payments() == []
    fixed = requests.post(lab.payments.url + "/v1/payment_intents", data=BODY, headers=headers, timeout=10)
    assert fixed.status_code == 200, "a key first refused by validation can be used again with a good body"
