"""Small helpers the benchmarks share: timing, percentiles, a quiet raw server."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from simulators.learner import WebhookRequest


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank, of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall seconds `fn()` took, and what it returned."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def verdict(value: float | None, target: float, *, higher_is_better: bool) -> str:
    if value is None:
        return "not measured"
    ok = value >= target if higher_is_better else value <= target
    return "meets target" if ok else "below target"


class Arrivals:
    """A learner endpoint that counts what arrives and notes when."""

    def __init__(self) -> None:
        self.count = 0
        self.want = 0
        self.arrived: dict[str, float] = {}
        self.done = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, request: WebhookRequest) -> None:
        now = time.perf_counter()
        with self._lock:
            self.count += 1
            payload = request.json or {}
            self.arrived.setdefault(payload.get("id", ""), now)
            if self.count >= self.want:
                self.done.set()

    def expect(self, n: int) -> None:
        with self._lock:
            self.count, self.want = 0, n
            self.done.clear()
