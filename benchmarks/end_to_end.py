"""The lab's figures against the raw-socket floor and the framework limit, in the same rounds.

deliveries/s: payments confirmed through the HTTP API by a keep-alive client
(the lab's own PaymentsClient), from the first request sent to the last
webhook received by a learner endpoint (itself a keep-alive server).

SDK calls/s: the official `stripe` SDK (StripeClient, its own keep-alive
session) creating customers and confirming payments.

Each round measures every figure once, in turn, so all of them meet the same
noise from the rest of the machine; ratios are of the sums over the rounds.
"""

from __future__ import annotations

import json
import time
from typing import Any

import stripe
from common import Arrivals, median
from floors import Floors, interleaved

from simulators import Lab
from simulators.payments.client import PaymentsClient

# About the size of the webhook body the lab sends for a payment, so both limits move the same bytes.
_FLOOR_BODY = json.dumps({"id": "evt_" + "x" * 24, "data": {"object": {"note": "y" * 1500}}}).encode()


def _ratios(lab: list[float], limit: list[float]) -> dict[str, Any]:
    per_round = [a / b for a, b in zip(lab, limit, strict=True)]
    return {
        "ratio": round(sum(lab) / sum(limit), 3),
        "ratio_per_round_median": round(median(per_round), 3),
        "ratio_per_round_min_max": [round(min(per_round), 3), round(max(per_round), 3)],
    }


def measure(n: int = 300, sdk_calls: int = 300, rounds: int = 3, seed: int = 1) -> dict[str, Any]:
    arrivals = Arrivals()
    with Lab(seed=seed, realtime=True, systems=["payments"]) as lab, Floors(_FLOOR_BODY) as floors:
        lab.payments.rate_limit(None)
        endpoint = lab.host(arrivals, name="sink")
        lab.payments.add_endpoint(endpoint.url + "/hook", enabled_events=["payment_intent.succeeded"])
        api = PaymentsClient(lab.payments.url, lab.payments.api_key)
        sdk = stripe.StripeClient(lab.payments.api_key, base_addresses={"api": lab.payments.url}, max_network_retries=0)
        customer = api.post("/v1/customers", email="bench@example.com")["id"]
        payment = {"customer": customer, "amount": 1900, "currency": "usd", "payment_method": "pm_card_visa"}

        def deliveries() -> float:
            arrivals.expect(n)
            started = time.perf_counter()
            for _ in range(n):
                api.post("/v1/payment_intents", confirm=True, **payment)
            if not arrivals.done.wait(120):
                raise RuntimeError(f"only {arrivals.count} of {n} webhooks arrived")
            return n / (time.perf_counter() - started)

        def sdk_rate() -> float:
            arrivals.expect(sdk_calls // 2)
            started = time.perf_counter()
            for call in range(sdk_calls):
                if call % 2:
                    sdk.v1.payment_intents.create(params={**payment, "confirm": True})
                else:
                    sdk.v1.customers.create(params={"email": f"sdk{call}@example.com"})
            rate = sdk_calls / (time.perf_counter() - started)
            arrivals.done.wait(120)  # its payments' webhooks land before the next figure starts
            return rate

        # warm up: imports, lazily started worker threads, the first pooled connections
        floors.raw_rate(200)
        floors.framework_rate(200)
        deliveries()
        rates = interleaved(
            {
                "raw_socket_floor": lambda: floors.raw_rate(n * 3),
                "framework_limit": lambda: floors.framework_rate(n * 3),
                "deliveries": deliveries,
                "sdk_calls": sdk_rate,
            },
            rounds,
        )
        api.close()
    rounded = {name: [round(r, 1) for r in values] for name, values in rates.items()}
    return {
        "rounds": rounds,
        "payments_per_round": n,
        "sdk_calls_per_round": sdk_calls,
        "per_second": rounded,
        "deliveries_per_s": round(sum(rates["deliveries"]) / rounds, 1),
        "sdk_calls_per_s": round(sum(rates["sdk_calls"]) / rounds, 1),
        "framework_limit_per_s": round(sum(rates["framework_limit"]) / rounds, 1),
        "raw_socket_floor_per_s": round(sum(rates["raw_socket_floor"]) / rounds, 1),
        "deliveries_vs_framework": _ratios(rates["deliveries"], rates["framework_limit"]),
        "deliveries_vs_raw_floor": _ratios(rates["deliveries"], rates["raw_socket_floor"]),
        "sdk_calls_vs_framework": _ratios(rates["sdk_calls"], rates["framework_limit"]),
        "sdk_calls_vs_raw_floor": _ratios(rates["sdk_calls"], rates["raw_socket_floor"]),
        "target_deliveries_vs_framework": 0.5,
    }
