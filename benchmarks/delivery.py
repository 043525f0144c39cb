"""Measure webhook delivery in real-time mode; print JSON.

throughput: events enqueued in a burst, then delivered (signed, POSTed, recorded) as fast as the dispatcher goes.
latency: from the moment the API confirms a payment to the moment its webhook reaches the receiver.

    .venv/bin/python benchmarks/delivery.py [--events 500] [--payments 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from typing import Any

from simulators import Lab


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(events: int, payments: int) -> dict[str, Any]:
    with Lab(seed=1, systems=["payments"], realtime=True) as lab:
        pay = lab.payments
        pay.rate_limit(None)
        arrived: dict[str, float] = {}
        done = threading.Event()
        expected = {"n": 0}

        def receive(request: Any) -> int:
            event = request.json
            arrived[event["data"]["object"]["id"]] = time.perf_counter()
            if len(arrived) >= expected["n"]:
                done.set()
            return 200

        receiver = lab.host(receive, name="bench")
        pay.add_endpoint(receiver.url, enabled_events=["customer.created"])
        # Throughput: hold the dispatcher back by writing the whole burst inside one transaction.
        expected["n"] = events
        with pay.store.transaction():
            for n in range(events):
                pay.core.emit(
                    "customer.created", {"id": f"cus_bench{n}", "object": "customer", "email": f"b{n}@example.com"}
                )
            started = time.perf_counter()
        done.wait(timeout=300)
        elapsed = time.perf_counter() - started
        delivered = len(arrived)

        pay.update_endpoint(pay.endpoints()[0]["id"], enabled_events=["payment_intent.succeeded"])
        arrived.clear()
        done.clear()
        expected["n"] = payments
        confirmed: dict[str, float] = {}
        requested: dict[str, float] = {}
        customer = pay.create_customer("bench@example.com")
        for _ in range(payments):
            asked = time.perf_counter()
            intent = pay.pay(customer["id"], 1900)
            confirmed[intent["id"]] = time.perf_counter()
            requested[intent["id"]] = asked
            time.sleep(0.005)  # a steady stream, not a burst: latency, not queueing
        done.wait(timeout=300)
        latencies = [(arrived[pi] - at) * 1000 for pi, at in confirmed.items() if pi in arrived]
        from_request = [(arrived[pi] - at) * 1000 for pi, at in requested.items() if pi in arrived]
        return {
            "mode": "realtime",
            "throughput": {
                "events": events,
                "delivered": delivered,
                "seconds": round(elapsed, 3),
                "deliveries_per_second": round(delivered / elapsed, 1),
            },
            "latency_ms": {
                "payments": payments,
                "arrived": len(latencies),
                "median": round(statistics.median(latencies), 2),
                "p99": round(_percentile(latencies, 0.99), 2),
                "max": round(max(latencies), 2),
            },
            "latency_from_request_ms": {
                "median": round(statistics.median(from_request), 2),
                "p99": round(_percentile(from_request, 0.99), 2),
            },
            "note": "latency_ms: from the confirm response reaching the client to the webhook reaching the receiver "
            "(negative: it arrived before the client read its response); latency_from_request_ms: from "
            "sending the confirm request",
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--payments", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(measure(args.events, args.payments), indent=2))


if __name__ == "__main__":
    main()
