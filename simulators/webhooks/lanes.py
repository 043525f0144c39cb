"""Delivery lanes: in real time, each endpoint's attempts run in order on a lane of their own.

On the lab clock's single worker, one receiver that hangs would hold every other
endpoint, the lab's own provisioning, renewals and outage windows for its whole
timeout (review R3: a hung receiver delayed another endpoint by 10, 20, 30, 40 s).
A lane is a queue per endpoint, drained by a small bounded pool, so a slow endpoint
delays only itself while the order of one endpoint's deliveries is kept. Virtual
time does not use lanes: there the single ordered worker is what makes two labs
with the same seed print the same thing.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .. import learner
from ..clock import Clock

#: One per endpoint a system may have (the endpoint cap is 16), plus the lab's own provisioning.
LANE_THREADS = 17


class Lanes:
    """Per-key ordered queues of work, run on a bounded pool; the clock's settle() waits for them."""

    def __init__(self, clock: Clock, name: str, *, threads: int = LANE_THREADS) -> None:
        self._clock = clock
        self._name = name
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"hooklab-lane-{name}")
        self._queues: dict[str, deque[Callable[[], None]]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, lane: str, work: Callable[[], None]) -> None:
        """Run `work` after every earlier piece of work on the same lane."""
        with self._lock:
            if self._closed:
                return  # a stopped system: its restart sends what is still pending
            self._clock.begin_outside()
            queue = self._queues.get(lane)
            if queue is not None:
                queue.append(work)
                return
            self._queues[lane] = deque([work])
            # Under the lock: stop() shuts the pool down under it too, so a new lane never meets a closed pool.
            self._pool.submit(self._drain, lane)

    def _drain(self, lane: str) -> None:
        while True:
            with self._lock:
                queue = self._queues.get(lane)
                if not queue:
                    self._queues.pop(lane, None)
                    return
                work = queue.popleft()
            outcome = learner.call(work, where=f"{self._name}: delivery lane", now=self._clock.now)
            self._clock.end_outside(f"{self._name}: delivery lane", outcome.failure)

    def stop(self) -> None:
        """Drop what has not started (it is still pending in the store); attempts under way end alone."""
        with self._lock:
            self._closed = True
            dropped = sum(len(queue) for queue in self._queues.values())
            for queue in self._queues.values():
                queue.clear()
            self._pool.shutdown(wait=False, cancel_futures=True)
        for _ in range(dropped):
            self._clock.end_outside(f"{self._name}: delivery lane")
