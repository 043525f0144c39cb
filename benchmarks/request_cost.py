"""Where a delivery's CPU goes, part by part: the profile behind the deliveries/s figure.

    .venv/bin/python benchmarks/request_cost.py

A sampling profiler splits a threaded lab badly (a thread waiting on a socket
looks busy), so each part is timed here with its own thread's CPU clock
(`time.thread_time`), one part at a time, beside what the framework and the
client library cost on their own:

- the API side of a payment: a customer created and a payment confirmed through
  the whole WSGI stack in this thread (no sockets), without and with one webhook
  endpoint subscribed (the difference is writing the event's delivery);
- the sending side of its webhook, on the lab clock's thread: one attempt, and
  within it the POST and the bookkeeping after it;
- the fixed cost of a request: a plain GET through the lab's whole stack and the
  Flask app alone, beside a POST to a Flask hello world;
- the webhook POST on the lab's pooled urllib3 client against `http.client`.
"""

from __future__ import annotations

import http.client
import itertools
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from floors import RawServer, hello_app
from werkzeug.test import Client

from simulators import Lab
from simulators.http import WebhookClient
from simulators.webhooks import deliverer

# The lab's servers answer only requests addressed to loopback; the test client says which.
HOST = {"Host": "127.0.0.1:80"}


def _cpu_us(fn: Callable[[], Any], n: int, rounds: int = 5) -> float:
    """Median over rounds of this thread's CPU microseconds per call of `fn`."""
    for _ in range(max(10, n // 10)):
        fn()
    per = []
    for _ in range(rounds):
        started = time.thread_time()
        for _ in range(n):
            fn()
        per.append((time.thread_time() - started) / n * 1e6)
    return statistics.median(per)


class _PartTimer:
    """Wraps methods of a class to add up the CPU of their own thread, per method, while installed."""

    def __init__(self, cls: type, names: tuple[str, ...]) -> None:
        self.cls, self.names = cls, names
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._originals = {name: getattr(cls, name) for name in names}

    def __enter__(self) -> _PartTimer:
        for name, original in self._originals.items():
            setattr(self.cls, name, self._timed(name, original))
        return self

    def _timed(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[name] += time.thread_time() - started
                self.calls[name] += 1

        return timed

    def __exit__(self, *exc: object) -> None:
        for name, original in self._originals.items():
            setattr(self.cls, name, original)


def measure(pairs: int = 200) -> dict[str, Any]:
    receiver = RawServer()
    lab = Lab(seed=1, systems=["payments", "provisioning"])
    try:
        pay = lab.payments
        pay.rate_limit(None)
        own = pay.provisioning_endpoint
        if own is not None:
            pay.delete_endpoint(own["id"])
        api = Client(pay.server.app)
        auth = {**HOST, "Authorization": f"Bearer {pay.api_key}", "Content-Type": "application/x-www-form-urlencoded"}
        numbers = itertools.count()

        def payment() -> None:
            n = next(numbers)
            made = api.post(f"{pay.base_path}/v1/customers", data=f"email=p{n}%40example.com", headers=auth)
            body = f"customer={made.json['id']}&amount=1900&currency=usd&payment_method=pm_card_visa&confirm=true"
            confirmed = api.post(f"{pay.base_path}/v1/payment_intents", data=body, headers=auth)
            if confirmed.status_code != 200:
                raise RuntimeError(f"the payment answered {confirmed.status_code}: {confirmed.get_data()[:200]!r}")
            lab.settle()  # its webhook, if any, is sent before the next payment starts

        without = _cpu_us(payment, pairs // 5)
        hook = f"http://127.0.0.1:{receiver.port}/hook"
        pay.add_endpoint(hook, enabled_events=["payment_intent.succeeded"])
        payment()
        with _PartTimer(deliverer.Deliverer, ("attempt", "post", "settle")) as parts:
            with_webhook = _cpu_us(payment, pairs // 5)
        attempts = parts.calls["attempt"] or 1

        prov = lab.provisioning
        whole = Client(prov.server.app)
        app_only = Client(prov.app)
        hello = Client(hello_app())
        get = f"{prov.base_path}/activations?customer=cus_nobody"
        webhook = json.dumps({"id": "evt_" + "x" * 24, "data": {"object": {"note": "y" * 1500}}}).encode()
        headers = {"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=" + "a" * 64}
        pooled = WebhookClient()
        plain = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=10)

        def plain_post() -> None:
            plain.request("POST", "/hook", body=webhook, headers=headers)
            plain.getresponse().read()

        out = {
            "api_side_per_payment_us": {
                "no_webhook_endpoint": round(without),
                "one_endpoint_subscribed": round(with_webhook),  # this thread only: the sending is the clock's
            },
            "sending_side_per_delivery_us": {
                "attempt": round(1e6 * parts.cpu["attempt"] / attempts),
                "post": round(1e6 * parts.cpu["post"] / attempts),
                "settle": round(1e6 * parts.cpu["settle"] / attempts),
            },
            "one_get_us": {
                "through_the_lab_stack": round(_cpu_us(lambda: whole.get(get, headers=HOST), 500)),
                "flask_app_alone": round(_cpu_us(lambda: app_only.get("/activations?customer=cus_nobody"), 500)),
                "flask_hello_world_post": round(_cpu_us(lambda: hello.post("/", data=b"{}"), 500)),
            },
            "webhook_post_us": {
                "lab_pooled_urllib3": round(_cpu_us(lambda: pooled.post(hook, webhook, headers, 10.0), 500)),
                "http_client_keep_alive": round(_cpu_us(plain_post, 500)),
            },
        }
        plain.close()
        return out
    finally:
        lab.stop()
        receiver.stop()


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
