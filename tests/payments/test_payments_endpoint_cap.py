"""The 16-endpoint cap holds when many creates arrive at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import requests

from simulators import Lab


def test_the_endpoint_cap_holds_under_concurrent_creates(lab: Lab) -> None:
    # Counted apart from the insert, 24 creates behind a barrier left 19 endpoints (review R6).
    existing = len(lab.payments.endpoints())
    barrier = Barrier(24)

    def create(n: int) -> int:
        barrier.wait()
        return requests.post(
            lab.payments.url + "/v1/webhook_endpoints",
            data={"url": f"http://127.0.0.1:9/e{n}", "enabled_events[]": "customer.created"},
            auth=(lab.payments.api_key, ""),
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(create, range(24)))
    assert len(lab.payments.endpoints()) == 16
    assert answers.count(200) == 16 - existing and answers.count(400) == 24 - (16 - existing)
