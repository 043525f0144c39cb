"""In real time a slow or hung receiver delays only its own endpoint (review R3), and order within one is kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from simulators import Lab
from simulators.server import BackgroundServer

HANG_S = 3.0


class Receiver:
    """A receiver on loopback that notes when each event arrives; `/slow` hangs before answering."""

    def __init__(self) -> None:
        self.arrived: dict[str, list[tuple[float, str]]] = {"/slow": [], "/fast": []}
        self._lock = threading.Lock()
        self.server = BackgroundServer(self._app, name="receiver").start()

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        path = environ["PATH_INFO"]
        if path == "/slow":
            time.sleep(HANG_S)
        with self._lock:
            self.arrived.setdefault(path, []).append((time.monotonic(), body.decode()))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    try:
        yield running
    finally:
        running.server.stop()


def test_a_hung_receiver_delays_only_its_own_endpoint(tmp_path: Any, receiver: Receiver) -> None:
    with Lab(seed=7, realtime=True, systems=["payments"], delivery_timeout=HANG_S + 2) as lab:
        auth = (lab.payments.api_key, "")
        for path in ("/slow", "/fast"):
            made = requests.post(
                lab.payments.url + "/v1/webhook_endpoints",
                data={"url": receiver.server.url + path, "enabled_events[]": "customer.created"},
                auth=auth,
                timeout=10,
            )
            assert made.status_code == 200, made.text
        created: dict[str, float] = {}
        for n in range(4):
            email = f"c{n}@example.com"
            assert requests.post(lab.payments.url + "/v1/customers", data={"email": email}, auth=auth, timeout=10).ok
            created[email] = time.monotonic()
            time.sleep(0.2)
        deadline = time.monotonic() + 3
        while len(receiver.arrived["/fast"]) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        fast = receiver.arrived["/fast"]
        assert len(fast) == 4, f"the healthy endpoint got {len(fast)} of 4 events while the other hung"
        waits = {email: at - created[email] for email in created for at, body in fast if email in body}
        assert max(waits.values()) < 1.0, waits
        assert [body.index("@") and body.split('"email": "')[1][:2] for _, body in fast] == ["c0", "c1", "c2", "c3"]
        lab.settle(timeout=4 * HANG_S + 5)  # settle() waits for the lanes too: the slow endpoint's events arrive
        assert len(receiver.arrived["/slow"]) == 4


def test_settle_waiting_only_on_lanes_says_so() -> None:
    # With no job due, the old message looked up the next job and raised AttributeError (a 500 in admin).
    from simulators.clock import Clock

    clock = Clock(realtime=True)
    try:
        clock.begin_outside()
        with pytest.raises(TimeoutError, match="1 delivery attempt\\(s\\) on their endpoints' lanes"):
            clock.settle(timeout=0.1)
        clock.end_outside("a lane")
        clock.settle(timeout=1)
    finally:
        clock.stop()
