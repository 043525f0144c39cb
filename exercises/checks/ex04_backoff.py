"""Exercise 04a: exponential backoff with jitter, by hand.

The learner writes `backoff(attempt, rng)`: seconds to wait after the
`attempt`-th failure — FIRST_WAIT, doubling each time, never more than
LONGEST_WAIT, each wait stretched or shrunk at random using `rng`.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex04_backoff/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| after the first failure, wait about `FIRST_WAIT` | waits about FIRST_WAIT (10 s) after the first failure | off-by-one |
| double the wait after each further failure | doubles the wait after each failure | grows-linearly |
| never wait longer than `LONGEST_WAIT` | stops growing at LONGEST_WAIT (3600 s) | no-cap |
| then stretch or shrink the wait at random | spreads retries out at random (jitter); keeps spreading retries out after the cap | no-jitter, caps-after-jitter |
| … between half and one and a half times | stretches or shrinks each wait between ×0.5 and ×1.5 | full-jitter, narrow-jitter, jitter-half-to-double |
| using `rng.uniform(...)`, the `rng` you are given | draws its jitter from the rng it is given | global-random |
| how many seconds to wait | returns a number of seconds; never waits a negative time | additive-jitter |
"""

from __future__ import annotations

import random
import statistics

from simulators.course.checking import Checklist, exercise
from simulators.course.handling import FIRST_WAIT, LONGEST_WAIT

HINTS = (
    "Print [round(backoff(n, random.Random(1))) for n in range(1, 12)] and read it: does it start near"
    f" {FIRST_WAIT:g}, double, and stop growing near {LONGEST_WAIT:g}?",
    "Exponential backoff waits FIRST_WAIT * 2 ** (attempt - 1), capped at LONGEST_WAIT; jitter multiplies that by"
    " rng.uniform(0.5, 1.5) so that many clients that failed together do not all come back at the same moment.",
)
DRAWS = 300


#: How far outside ×0.5 to ×1.5 a draw may land (rounding a wait to whole seconds, say).
SLACK = 0.02


def _stretch(waits: dict[int, list[float]]) -> tuple[float, float]:
    """The smallest and largest factor the waits were stretched by, against the capped doubling schedule."""
    factors = [w / min(LONGEST_WAIT, FIRST_WAIT * 2 ** (n - 1)) for n, ws in waits.items() for w in ws]
    return min(factors), max(factors)


def _waits(backoff, attempt: int, seed: int = 0) -> list[float]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    return [backoff(attempt, rng) for _ in range(DRAWS)]


@exercise(
    "ex04_backoff",
    notebook="04_reliable_webhook_handling",
    title="Backoff with jitter, by hand",
    needs=["backoff"],
    hints=HINTS,
    timeout=30,
)
def check(ns):  # type: ignore[no-untyped-def]
    backoff = ns["backoff"]
    backoff(1, random.Random(0))  # a stub raises here, and the runner says so
    c = Checklist()
    waits = {n: _waits(backoff, n) for n in range(1, 21)}
    odd = [w for ws in waits.values() for w in ws if not isinstance(w, (int, float)) or isinstance(w, bool)]
    c.require(
        not odd,
        "returns a number of seconds",
        f"it returned something else, such as {odd[0]!r}" if odd else "",
        hints=("Return the wait as a number of seconds, such as 12.5.", HINTS[1]),
    )
    lowest = min(min(ws) for ws in waits.values())
    c.expect(
        lowest >= 0,
        "never waits a negative time",
        f"it returned {lowest:g}",
        hints=(
            "Stretch the wait by multiplying it: wait * rng.uniform(0.5, 1.5). Adding or taking away seconds can"
            " go below zero, and a short wait plus a big random shift is no wait at all.",
            HINTS[1],
        ),
    )
    first = statistics.median(waits[1])
    c.expect(
        0.25 * FIRST_WAIT <= first <= 1.5 * FIRST_WAIT,
        f"waits about FIRST_WAIT ({FIRST_WAIT:g} s) after the first failure",
        f"the typical first wait was {first:.3g} s",
        hints=(
            "After the first failure (attempt is 1) the wait is FIRST_WAIT itself: FIRST_WAIT * 2 ** (attempt - 1),"
            " so the power is 0 the first time.",
            HINTS[1],
        ),
    )
    ratios = [statistics.median(waits[n + 1]) / max(statistics.median(waits[n]), 1e-9) for n in range(1, 7)]
    doubling = all(1.6 <= ratio <= 2.5 for ratio in ratios)
    c.expect(
        doubling,
        "doubles the wait after each failure",
        "from one attempt to the next the typical wait grew " + ", ".join(f"×{ratio:.2g}" for ratio in ratios),
        hints=("Multiply by 2 ** (attempt - 1), not by attempt.", HINTS[1]),
    )
    late = waits[20]
    c.expect(
        # Judged on the typical wait, so a jitter range of its own is named by the range step below, not here.
        0.25 * LONGEST_WAIT <= statistics.median(late) <= 2 * LONGEST_WAIT,
        f"stops growing at LONGEST_WAIT ({LONGEST_WAIT:g} s)",
        f"after the 20th failure it waited up to {max(late):.3g} s (typically {statistics.median(late):.3g} s)",
        hints=(
            "Use min(LONGEST_WAIT, ...) before adding jitter.",
            "Without a cap, the 20th wait is days long: a customer waits for nothing.",
        ),
    )
    spread = waits[3]
    middle = statistics.median(spread) or 1.0
    # Any random stretch counts here: how far it stretches is the range step's to judge.
    jittered = len(set(spread)) >= DRAWS // 3 and (max(spread) - min(spread)) / middle >= 0.05
    c.expect(
        jittered,
        "spreads retries out at random (jitter)",
        f"after the 3rd failure it waited between {min(spread):.3g} s and {max(spread):.3g} s",
        hints=("Multiply the wait by rng.uniform(0.5, 1.5).", HINTS[1]),
    )
    capped = waits[20]
    c.expect(
        len(set(capped)) >= DRAWS // 3 and (max(capped) - min(capped)) / LONGEST_WAIT >= 0.05,
        "keeps spreading retries out after the cap",
        f"after the 20th failure every wait was between {min(capped):.4g} s and {max(capped):.4g} s",
        hints=(
            "Cap first, then multiply by the jitter: min(LONGEST_WAIT, ...) * rng.uniform(0.5, 1.5).",
            "The clients that failed together keep failing together: once every wait is the cap, they would all"
            " come back in the same second unless the capped wait is stretched at random too.",
        ),
    )
    low, high = _stretch(waits)
    c.expect(
        0.5 - SLACK <= low <= 0.5 + 0.1 and 1.5 - 0.1 <= high <= 1.5 + SLACK,
        "stretches or shrinks each wait between ×0.5 and ×1.5",
        f"your jitter stretched the waits from ×{low:.2f} to ×{high:.2f} of the capped doubling wait; the task asks"
        " for between half (×0.5) and one and a half times (×1.5)",
        hints=(
            "Multiply the capped wait by rng.uniform(0.5, 1.5): uniform(a, b) draws between a and b.",
            "Half to one and a half keeps each wait near the schedule on average while spreading clients that"
            " failed together; a wider or narrower range changes how long a customer waits, or how well retries"
            " spread.",
        ),
    )
    again = _waits(backoff, 3, seed=5) == _waits(backoff, 3, seed=5)
    c.expect(
        again,
        "draws its jitter from the rng it is given",
        "two runs with the same seeded rng gave different waits",
        hints=(
            "Call rng.uniform(...), not random.uniform(...).",
            "The queue passes a seeded random source so that a run can be replayed exactly, retries and all.",
        ),
    )
    return c.result()
