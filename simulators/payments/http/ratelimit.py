"""The API rate limit, counted on the lab clock so the polling lesson can hit it.

Two token buckets per API key: reads (GET) and writes. The read bucket holds
100 requests and refills at 30 per lab minute: a notebook cell that lists a
few pages, or retrieves dozens of objects in one frozen virtual instant, stays
well inside it, while a poller asking `GET /v1/events` every second drains it
in a little over three lab minutes and then gets 429s. Polling every two
seconds or slower never runs dry. Writes get a far larger bucket, so setup
loops and seeded traffic never meet it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass

from ...clock import Clock


@dataclass(frozen=True)
class Limit:
    """Sustained requests per lab minute, and how many may come at once."""

    per_minute: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or self.burst < 1:
            raise ValueError("a rate limit needs per_minute > 0 and burst >= 1")


DEFAULT_READS = Limit(per_minute=30, burst=100)
DEFAULT_WRITES = Limit(per_minute=1000, burst=2000)


class RateLimiter:
    """Token buckets per (API key, read or write), refilled on the lab clock."""

    def __init__(
        self, clock: Clock, reads: Limit | None = DEFAULT_READS, writes: Limit | None = DEFAULT_WRITES
    ) -> None:
        self.clock = clock
        self.reads = reads
        self.writes = writes
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def configure(self, reads: Limit | None, writes: Limit | None) -> None:
        with self._lock:
            self.reads, self.writes = reads, writes
            self._buckets.clear()

    def describe(self) -> dict[str, object]:
        return {
            "reads": asdict(self.reads) if self.reads else None,
            "writes": asdict(self.writes) if self.writes else None,
        }

    def take(self, key: str, kind: str) -> float | None:
        """Spend one request; return None if allowed, else seconds until one is allowed."""
        limit = self.reads if kind == "read" else self.writes
        if limit is None:
            return None
        now = self.clock.time()
        per_second = limit.per_minute / 60.0
        with self._lock:
            tokens, last = self._buckets.get((key, kind), (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + max(0.0, now - last) * per_second)
            if tokens >= 1.0:
                self._buckets[(key, kind)] = (tokens - 1.0, now)
                return None
            self._buckets[(key, kind)] = (tokens, now)
            return (1.0 - tokens) / per_second


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
