"""Webhook delivery throughput in real-time mode, as a ratio to the raw loopback limit.

(Latency and absolute throughput live in delivery.py, the payments benchmark.)

The "raw" limit here is measured in the same run, on the same machine, by a
simple pair that delivers the same bytes: a bare BackgroundServer (waitress,
keep-alive) answering 200 and one `requests.Session` posting to it, one
request at a time. It is what a learner's own `requests` code gets; the real
floors (a raw socket, Flask on the lab's server with `http.client`) are in
end_to_end.py.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from common import Arrivals, median

from simulators import Lab
from simulators.server import BackgroundServer


def _sink_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


class _Raw:
    """A bare server and a bare session: the loopback limit for posting `body`."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.headers = {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": "t=1,v1=" + "0" * 64}
        self.server = BackgroundServer(_sink_app, 0, name="raw").start()
        self.session = requests.Session()

    def post(self, n: int) -> float:
        """Seconds to post the body n times, one after another."""
        started = time.perf_counter()
        for _ in range(n):
            self.session.post(self.server.url, data=self.body, headers=self.headers, timeout=10)
        return time.perf_counter() - started

    def close(self) -> None:
        self.session.close()
        self.server.stop()


def throughput(n: int = 1000, chunks: int = 10, seed: int = 1) -> dict[str, Any]:
    """Delivery rate of the payment system's outbox against the raw limit, chunk by chunk.

    The lab and the raw pair run side by side and take turns in chunks of
    n/chunks, so both meet the same noise from whatever else the machine does.
    In each lab chunk every delivery is pending before the first goes out
    (one outer transaction), so the clock measures delivering, not enqueueing.
    """
    per_chunk = max(1, n // chunks)
    sink = Arrivals()
    lab_times, raw_times = [], []
    with Lab(seed=seed, realtime=True, systems=["payments"]) as lab:
        endpoint = lab.host(sink, name="sink")
        registered = lab.payments.add_endpoint(endpoint.url + "/hook", enabled_events=["payment_intent.succeeded"])
        sink.expect(1)
        lab.payments.pay(None, 1900)
        sink.done.wait(10)
        lab.settle()
        event = lab.payments.events("payment_intent.succeeded")[0]
        payload = lab.payments.event_payload(event["id"])
        outbox = lab.payments.outbox
        raw = _Raw(payload)
        try:
            raw.post(20)  # warm up
            for _ in range(chunks):
                raw_times.append(raw.post(per_chunk))
                sink.expect(per_chunk)
                with lab.payments.store.transaction():
                    for _ in range(per_chunk):
                        outbox.enqueue(event["id"], event["type"], payload, [registered["id"]])
                started = time.perf_counter()
                if not sink.done.wait(120):
                    raise RuntimeError(f"only {sink.count} of {per_chunk} deliveries arrived")
                lab.settle()
                lab_times.append(time.perf_counter() - started)
        finally:
            raw.close()
        succeeded = len(outbox.deliveries(endpoint_id=registered["id"], status="succeeded"))
        if succeeded != per_chunk * chunks + 1:
            raise RuntimeError(f"{succeeded} deliveries succeeded, expected {per_chunk * chunks + 1}")
    lab_rate = per_chunk * chunks / sum(lab_times)
    raw_rate = per_chunk * chunks / sum(raw_times)
    ratios = [r / x for r, x in zip(raw_times, lab_times, strict=True)]
    return {
        "deliveries": per_chunk * chunks,
        "chunks": chunks,
        "body_bytes": len(payload),
        "lab_deliveries_per_s": round(lab_rate, 1),
        "raw_loopback_requests_per_s": round(raw_rate, 1),
        "ratio": round(lab_rate / raw_rate, 3),
        "ratio_per_chunk_median": round(median(ratios), 3),
        "ratio_per_chunk_min_max": [round(min(ratios), 3), round(max(ratios), 3)],
        "target_ratio": 0.7,
    }
