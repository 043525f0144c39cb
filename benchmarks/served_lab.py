"""The child process of `served.py`: a payments lab on its own, as `hooklab serve` runs it, plus the
framework limit's Flask hello world and the relay floor in a process of the same shape.

    python benchmarks/served_lab.py RECEIVER_URL
prints one JSON line (the payments URL, its API key, the hello server's port) and serves until stdin closes.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from pathlib import Path
from typing import Any

from flask import Flask, request

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from floors import hello_app  # noqa: E402

from simulators import Lab  # noqa: E402
from simulators.http import WebhookClient  # noqa: E402
from simulators.server import BackgroundServer  # noqa: E402


def relay_app(receiver_url: str) -> Flask:
    """The least a delivery can cost on this stack: one request in, one webhook out, no work between.

    Each POST is answered at once and its body posted on to the receiver by a thread of its own, on the
    lab's pooled webhook client, as the lab answers an API call and delivers its event afterwards.
    """
    app = Flask("relay")
    waiting: queue.Queue[bytes] = queue.Queue()
    client = WebhookClient()

    def send_on() -> None:
        while True:
            client.post(receiver_url, waiting.get(), {"Content-Type": "application/json"}, 10.0)

    threading.Thread(target=send_on, name="relay", daemon=True).start()

    @app.post("/")
    def relay() -> Any:
        waiting.put(request.get_data())
        return {"ok": True}

    return app


def main(receiver_url: str) -> None:
    with Lab(seed=1, realtime=True, systems=["payments"]) as lab:
        # `hooklab serve` paces a developer at Stripe's test-mode rate; a benchmark measures the lab unpaced.
        lab.payments.rate_limit(None)
        lab.payments.add_endpoint(receiver_url, enabled_events=["payment_intent.succeeded"])
        hello = BackgroundServer(hello_app(), 0, name="framework-limit").start()
        relay = BackgroundServer(relay_app(receiver_url), 0, name="relay-floor").start()
        ports = {"hello_port": hello.port, "relay_port": relay.port}
        print(json.dumps({"url": lab.payments.url, "key": lab.payments.api_key, **ports}), flush=True)
        sys.stdin.read()
        relay.stop()
        hello.stop()


if __name__ == "__main__":
    main(sys.argv[1])
