"""Deliveries/s with the lab in a process of its own, as a developer runs `hooklab serve`.

end_to_end.py measures everything in one interpreter, so the driver, the lab
and the receiver share one lock. Here the lab (payments only) runs in a child
process; the driver posting payments with a keep-alive `http.client` and the
receiver (a raw socket server counting webhooks) run in this one. The
framework limit is measured the same way: a Flask hello world on the lab's
server in the child, the same keep-alive client here.

A delivery is two exchanges, the API call in and the webhook out, and the
framework limit is one, so even a lab doing no work at all would stand at about
half of it. The relay floor measures that ceiling: a Flask app on the lab's
server that answers each POST at once and posts its body on to the receiver
from a thread of its own, on the lab's webhook client.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from floors import RawServer, interleaved, post_loop

HERE = Path(__file__).resolve().parent
_FLOOR_BODY = json.dumps({"id": "evt_" + "x" * 24, "data": {"object": {"note": "y" * 1500}}}).encode()


class CountingReceiver(RawServer):
    """The raw floor's server, counting the webhooks it answers."""

    def __init__(self) -> None:
        self.count = 0
        self.want = 0
        self.done = threading.Event()
        self._lock = threading.Lock()
        super().__init__()

    def answered(self) -> None:
        with self._lock:
            self.count += 1
            if self.count >= self.want:
                self.done.set()

    def expect(self, n: int) -> None:
        with self._lock:
            self.count, self.want = 0, n
            self.done.clear()


def measure(n: int = 300, rounds: int = 3) -> dict[str, Any]:
    receiver = CountingReceiver()
    child = subprocess.Popen(
        [sys.executable, str(HERE / "served_lab.py"), f"http://127.0.0.1:{receiver.port}/hook"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        info = json.loads(child.stdout.readline())
        url = urllib.parse.urlsplit(info["url"])
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        headers = {"Authorization": f"Bearer {info['key']}", "Content-Type": "application/x-www-form-urlencoded"}

        def post(path: str, body: str) -> dict[str, Any]:
            conn.request("POST", url.path + path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"{path} answered {answer.status}: {data[:200]!r}")
            result: dict[str, Any] = json.loads(data)
            return result

        customer = post("/v1/customers", "email=served@example.com")["id"]
        payment = f"customer={customer}&amount=1900&currency=usd&payment_method=pm_card_visa&confirm=true"

        def deliveries() -> float:
            receiver.expect(n)
            started = time.perf_counter()
            for _ in range(n):
                post("/v1/payment_intents", payment)
            if not receiver.done.wait(120):
                raise RuntimeError(f"only {receiver.count} of {n} webhooks arrived")
            return n / (time.perf_counter() - started)

        def relayed() -> float:
            receiver.expect(n)
            started = time.perf_counter()
            post_loop(info["relay_port"], _FLOOR_BODY, n)
            if not receiver.done.wait(120):
                raise RuntimeError(f"only {receiver.count} of {n} relayed posts arrived")
            return n / (time.perf_counter() - started)

        deliveries()  # warm up
        relayed()
        rates = interleaved(
            {
                "framework_limit": lambda: n * 3 / post_loop(info["hello_port"], _FLOOR_BODY, n * 3),
                "relay_floor": relayed,
                "deliveries": deliveries,
            },
            rounds,
        )
        conn.close()
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(30)
        receiver.stop()
    per_round = [d / f for d, f in zip(rates["deliveries"], rates["framework_limit"], strict=True)]
    per_round_relay = [d / f for d, f in zip(rates["deliveries"], rates["relay_floor"], strict=True)]
    return {
        "rounds": rounds,
        "payments_per_round": n,
        "per_second": {name: [round(r, 1) for r in values] for name, values in rates.items()},
        "deliveries_per_s": round(sum(rates["deliveries"]) / rounds, 1),
        "framework_limit_per_s": round(sum(rates["framework_limit"]) / rounds, 1),
        "deliveries_vs_framework": {
            "ratio": round(sum(rates["deliveries"]) / sum(rates["framework_limit"]), 3),
            "ratio_per_round_min_max": [round(min(per_round), 3), round(max(per_round), 3)],
        },
        "relay_floor_per_s": round(sum(rates["relay_floor"]) / rounds, 1),
        # the ceiling a lab doing no work would reach, against the same framework limit
        "relay_floor_vs_framework": round(sum(rates["relay_floor"]) / sum(rates["framework_limit"]), 3),
        "deliveries_vs_relay_floor": {
            "ratio": round(sum(rates["deliveries"]) / sum(rates["relay_floor"]), 3),
            "ratio_per_round_min_max": [round(min(per_round_relay), 3), round(max(per_round_relay), 3)],
        },
    }
