"""Pictures of waiting: how long a backoff schedule waits after each failure, and what jitter does to a crowd.

backoff_draws(default_backoff, seed=4)      # each dot one wait, on a time axis a person reads
retry_crowd(jobs=40, seed=7)               # forty jobs retrying together, with and without jitter
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from simulators.course.plots.compare import AFTER, AFTER_HATCH, BEFORE, BEFORE_HATCH, spoken_seconds
from simulators.course.plots.figure import OKABE_ITO, describe, figure_of

#: Ticks for a wait axis, as a person says them.
WAIT_TICKS = (
    (5, "5 s"),
    (10, "10 s"),
    (30, "30 s"),
    (60, "1 min"),
    (300, "5 min"),
    (600, "10 min"),
    (1800, "30 min"),
    (3600, "1 h"),
    (3 * 3600, "3 h"),
    (6 * 3600, "6 h"),
    (86400, "1 day"),
)


def backoff_draws(
    backoff: Callable[[int, random.Random], float],
    *,
    failures: int = 10,
    draws: int = 10,
    seed: int = 4,
    ax: Any = None,
    title: str = "Exponential backoff with jitter: each dot is one wait",
) -> Figure:
    """`draws` waits for each of the first `failures` failures, on a doubling (log) axis labelled in s, min and h.

    On a straight axis the first waits (seconds) sit flat on zero under the last ones (an hour); on a doubling
    axis each step up is the same height, which is what "twice as long each time" looks like.
    """
    rng = random.Random(seed)
    fig, ax = figure_of(ax, 8, 3.6)
    waits = {n: [float(backoff(n, rng)) for _ in range(draws)] for n in range(1, failures + 1)}
    for n, values in waits.items():
        # Spread the dots a little sideways so ten draws do not sit on top of each other.
        xs = [n + (i - (draws - 1) / 2) * 0.04 for i in range(draws)]
        ax.scatter(xs, values, color=OKABE_ITO["blue"], alpha=0.7, s=22, zorder=3)
    ax.set_yscale("log")
    low = min(min(v) for v in waits.values())
    high = max(max(v) for v in waits.values())
    _wait_axis(ax.yaxis, low, high)
    ax.set_xticks(range(1, failures + 1))
    ax.set_xlabel("after failure number")
    ax.set_ylabel("wait before the next try")
    ax.set_title(title)
    ax.grid(axis="y", color="#dddddd", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    first, last = waits[1], waits[failures]
    describe(
        fig,
        f"{title.lower()}: after the first failure the waits run from {spoken_seconds(min(first))} to {spoken_seconds(max(first))},"
        f" after failure number {failures} from {spoken_seconds(min(last))} to {spoken_seconds(max(last))}; each step up doubles them.",
    )
    return fig


def crowd_moments(jobs: int, jitter: bool, seed: int = 7, attempts: int = 3) -> list[float]:
    """When `jobs` jobs that failed together make their next try, in seconds after they failed (10 s, doubling)."""
    rng = random.Random(seed)
    moments = []
    for _ in range(jobs):
        total = 0.0
        for attempt in range(1, attempts + 1):
            wait = min(3600, 10 * 2 ** (attempt - 1))
            total += wait * (rng.uniform(0.5, 1.5) if jitter else 1.0)
        moments.append(total)
    return moments


def retry_crowd(jobs: int = 40, *, seed: int = 7, ax: Any = None) -> Figure:
    """Histogram of the moment each job's 4th try lands: all at once without jitter, spread out with it."""
    fig, ax = figure_of(ax, 8, 3.2)
    plain, spread = crowd_moments(jobs, False, seed), crowd_moments(jobs, True, seed)
    _, _, (lumped, spaced) = ax.hist(
        [plain, spread], bins=20, label=["no jitter", "with jitter"], color=[BEFORE, AFTER], edgecolor="#000000"
    )
    for patches, hatch in ((lumped, BEFORE_HATCH), (spaced, AFTER_HATCH)):
        for patch in patches:
            patch.set_hatch(hatch)
    ax.set_xlabel("seconds after they all failed together")
    ax.set_ylabel("jobs trying at that moment")
    ax.set_title(f"{jobs} jobs' 4th try")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    together = "all at the same second" if len(set(plain)) == 1 else f"from {min(plain):.0f} s to {max(plain):.0f} s"
    describe(
        fig,
        f"a histogram of when {jobs} jobs make their 4th try: without jitter they land {together};"
        f" with jitter they spread from {min(spread):.0f} s to {max(spread):.0f} s after the shared failure.",
    )
    return fig


def _wait_axis(axis: Any, low: float, high: float) -> None:
    ticks = [(value, text) for value, text in WAIT_TICKS if low / 2 <= value <= high * 2]
    axis.set_major_locator(FixedLocator([value for value, _ in ticks]))
    axis.set_major_formatter(lambda value, _pos: dict(ticks).get(value, ""))
    axis.set_minor_locator(NullLocator())
