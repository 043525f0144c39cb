"""Deliveries to healthy endpoints while another endpoint hangs, beside the same burst with none hanging; print JSON.

Real time, as `hooklab serve` runs: three healthy receivers and a fourth that answers at once in the first
round and never within the sender's timeout in the second. With delivery lanes the healthy endpoints' rate and latency should
barely move (issue 28: healthy endpoints' deliveries within 1 s while another hangs).

    .venv/bin/python benchmarks/hung_receiver.py [--events 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from typing import Any

from simulators import Lab

HEALTHY = 3
TIMEOUT_S = 2.0


def _round(events: int, *, hung: bool) -> dict[str, Any]:
    with Lab(seed=1, systems=["payments"], realtime=True, delivery_timeout=TIMEOUT_S) as lab:
        pay = lab.payments
        pay.rate_limit(None)
        emitted: dict[str, float] = {}
        arrived: list[float] = []
        lock, done = threading.Lock(), threading.Event()

        def healthy(request: Any) -> int:
            at = time.perf_counter()
            with lock:
                arrived.append(at - emitted[request.json["data"]["object"]["id"]])
                if len(arrived) >= events * HEALTHY:
                    done.set()
            return 200

        def fourth(request: Any) -> int:
            if hung:
                time.sleep(TIMEOUT_S + 1)  # past the sender's timeout: every attempt fails after the full wait
            return 200

        for n in range(HEALTHY):
            pay.add_endpoint(lab.host(healthy, name=f"healthy{n}").url, enabled_events=["customer.created"])
        # The same four endpoints in both rounds, so the only difference is whether the fourth hangs.
        pay.add_endpoint(lab.host(fourth, name="fourth").url, enabled_events=["customer.created"])
        started = time.perf_counter()
        for n in range(events):
            emitted[f"cus_bench{n}"] = time.perf_counter()
            pay.core.emit("customer.created", {"id": f"cus_bench{n}", "object": "customer", "email": f"b{n}@x.io"})
        done.wait(timeout=300)
        elapsed = time.perf_counter() - started
        waits = sorted(arrived)
        return {
            "healthy_deliveries": len(waits),
            "healthy_deliveries_per_s": round(len(waits) / elapsed, 1),
            "healthy_latency_ms_median": round(statistics.median(waits) * 1000, 1),
            "healthy_latency_ms_p99": round(waits[int(0.99 * (len(waits) - 1))] * 1000, 1),
            "healthy_latency_ms_max": round(waits[-1] * 1000, 1),
        }


def measure(events: int = 300) -> dict[str, Any]:
    calm = _round(events, hung=False)
    with_hung = _round(events, hung=True)
    return {
        "events": events,
        "healthy_endpoints": HEALTHY,
        "none_hung": calm,
        "one_hung": with_hung,
        "rate_ratio": round(with_hung["healthy_deliveries_per_s"] / calm["healthy_deliveries_per_s"], 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    print(json.dumps(measure(parser.parse_args().events), indent=2))
