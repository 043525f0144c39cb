"""Small helpers the benchmarks share: timing, percentiles, a quiet raw server."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any


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
