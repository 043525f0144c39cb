"""The child process of `served.py`: a payments lab on its own, as `hooklab serve` runs it, plus the
framework limit's Flask hello world in a process of the same shape.

    python benchmarks/served_lab.py RECEIVER_URL
prints one JSON line (the payments URL, its API key, the hello server's port) and serves until stdin closes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from floors import hello_app  # noqa: E402

from simulators import Lab  # noqa: E402
from simulators.server import BackgroundServer  # noqa: E402


def main(receiver_url: str) -> None:
    with Lab(seed=1, realtime=True, systems=["payments"]) as lab:
        # `hooklab serve` paces a developer at Stripe's test-mode rate; a benchmark measures the lab unpaced.
        lab.payments.rate_limit(None)
        lab.payments.add_endpoint(receiver_url, enabled_events=["payment_intent.succeeded"])
        hello = BackgroundServer(hello_app(), 0, name="framework-limit").start()
        print(json.dumps({"url": lab.payments.url, "key": lab.payments.api_key, "hello_port": hello.port}), flush=True)
        sys.stdin.read()
        hello.stop()


if __name__ == "__main__":
    main(sys.argv[1])
