"""Where the case study's wall time goes: seconds per kind of clock job, and what lies between jobs.

    .venv/bin/python benchmarks/case_study_profile.py [--seed 11]

Every piece of the case study runs as a job on the lab clock (sign-ups, webhook
deliveries, the watch, the nightly reconciliation), so timing each job by the
first word of its name splits the run into the parts worth making faster; the
rest of the wall time is the lab's start and the hand-overs between jobs.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from simulators import clock
from simulators.course import scenarios


def measure(seed: int = scenarios.DEFAULT_SEED) -> dict[str, Any]:
    """Run the case study with and without its fixes; seconds and counts per kind of job."""
    timings: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    learner_call = clock.learner.call

    def timed_call(fn: Callable[..., Any], *args: Any, where: str, now: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            return learner_call(fn, *args, where=where, now=now)
        finally:
            if where.startswith("scheduled job") and not args:
                kind = where.split("'", 2)[1].split(":")[0]
                timings[kind][0] += 1
                timings[kind][1] += time.perf_counter() - started

    out: dict[str, Any] = {"seed": seed}
    clock.learner.call = timed_call  # type: ignore[assignment]  # the clock's own reference to the boundary
    try:
        for label, fixes in (("without_fixes", ()), ("with_all_fixes", scenarios.FIXES)):
            timings.clear()
            started = time.perf_counter()
            scenarios.run_case_study(seed, fixes)
            wall = time.perf_counter() - started
            in_jobs = sum(seconds for _, seconds in timings.values())
            out[label] = {
                "wall_s": round(wall, 3),
                "jobs": {
                    kind: {"count": int(count), "s": round(seconds, 3), "ms_each": round(1000 * seconds / count, 2)}
                    for kind, (count, seconds) in sorted(timings.items(), key=lambda item: -item[1][1])
                },
                "between_jobs_s": round(wall - in_jobs, 3),
            }
    finally:
        clock.learner.call = learner_call
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=scenarios.DEFAULT_SEED)
    print(json.dumps(measure(parser.parse_args().seed), indent=2))


if __name__ == "__main__":
    main()
