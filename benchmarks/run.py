"""hooklab's benchmarks: `make bench` prints one JSON object with every figure and its target.

    .venv/bin/python benchmarks/run.py                 # everything (a few minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --only end_to_end,memory --quick

Every figure is measured next to its own baseline in the same run (the raw
loopback limit, one bare server, a one-cell notebook, an idle interpreter),
because a shared 2-core machine is noisy: compare ratios, not absolute times.
Targets are checked here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import case_study_profile  # noqa: E402
import delivery  # noqa: E402
import end_to_end  # noqa: E402
import hung_receiver  # noqa: E402
import lab_cycle  # noqa: E402
import loopback_ratio  # noqa: E402
import memory  # noqa: E402
import nbval_timing  # noqa: E402
import request_cost  # noqa: E402
import scenario  # noqa: E402
import served  # noqa: E402
import server_choice  # noqa: E402
from common import verdict  # noqa: E402

# RSS of the memory probe's running lab after its traffic (benchmarks/memory.py, after_traffic_mb) at
# 207b63f, the last commit served by werkzeug's development server with `requests` between the systems:
# 46.5-46.6 MB in three runs on this machine (issue 14's "today"). Its peak_mb moved from 54 to 99 MB
# between runs under load, so the steady figure is the one checked.
MEMORY_TODAY_RUNNING_MB: float | None = 46.6


def _benches(quick: bool) -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        # the raw-socket floor and the framework limit beside deliveries/s and SDK calls/s, same rounds
        "end_to_end": lambda: end_to_end.measure(
            n=100 if quick else 300, sdk_calls=100 if quick else 300, rounds=2 if quick else 3
        ),
        # the same deliveries with the lab in its own process, as `hooklab serve` runs it for a developer
        "served": lambda: served.measure(n=100 if quick else 300, rounds=2 if quick else 3),
        "server_choice": lambda: server_choice.measure(
            requests=500 if quick else 1500, rounds=2 if quick else 3, cycles=10 if quick else 30
        ),
        "lab_start_stop": lambda: lab_cycle.measure(cycles=5 if quick else 20),
        "delivery_throughput": lambda: loopback_ratio.throughput(n=200 if quick else 1000, chunks=4 if quick else 10),
        # the payments engineer's benchmark: a burst's absolute rate, and confirm-to-delivery latency
        "delivery_latency": lambda: delivery.measure(events=100 if quick else 500, payments=50 if quick else 200),
        # healthy endpoints' deliveries while a fourth endpoint hangs, beside the same four all answering
        "hung_receiver": lambda: hung_receiver.measure(events=100 if quick else 300),
        # where a delivery's CPU goes, part by part, each beside the framework and client on their own
        "request_cost": lambda: request_cost.measure(pairs=100 if quick else 200),
        "case_study": scenario.measure,
        # where the case study's time goes: seconds per kind of clock job, and between jobs
        "case_study_profile": case_study_profile.measure,
        "notebooks": nbval_timing.measure,
        "memory": memory.measure,
    }


def _targets(results: dict[str, Any]) -> dict[str, str]:
    """Each figure that has a target, against it."""
    out = {}
    ends = results.get("end_to_end", {})
    if "deliveries_vs_framework" in ends:
        out["deliveries_per_s >= 0.5 x framework limit"] = verdict(
            ends["deliveries_vs_framework"]["ratio"], 0.5, higher_is_better=True
        )
    if "ratio" in results.get("delivery_throughput", {}):
        out["outbox_vs_requests_session_ratio >= 0.7"] = verdict(
            results["delivery_throughput"]["ratio"], 0.7, higher_is_better=True
        )
    if "rate_ratio" in results.get("hung_receiver", {}):
        out["healthy_rate_with_one_hung_vs_none >= 0.8"] = verdict(
            results["hung_receiver"]["rate_ratio"], 0.8, higher_is_better=True
        )
    case = results.get("case_study", {})
    wall = case.get("with_all_fixes", {}).get("wall_s") if isinstance(case.get("with_all_fixes"), dict) else None
    if wall is not None:
        out[f"case_study_with_all_fixes_wall_s <= {scenario.TARGET_WALL_S}"] = verdict(
            wall, scenario.TARGET_WALL_S, higher_is_better=False
        )
    if case.get("status") == "not yet available":
        out["case_study_wall_s"] = "not yet available"
    nb = results.get("notebooks", {})
    if "total_s" in nb:
        out["notebooks_total_s <= 35"] = verdict(nb["total_s"], nbval_timing.TARGET_TOTAL_S, higher_is_better=False)
    elif "status" in nb:
        out["notebooks_total_s <= 35"] = "not measured: " + nb["status"]
    cycle = results.get("lab_start_stop", {})
    for what in ("start", "stop"):
        if f"{what}_ms_median" in cycle:
            out[f"lab_{what}_ms_median <= 25"] = verdict(cycle[f"{what}_ms_median"], 25.0, higher_is_better=False)
    running = results.get("memory", {}).get("after_traffic_mb")
    if running is not None and MEMORY_TODAY_RUNNING_MB is not None:
        limit = round(MEMORY_TODAY_RUNNING_MB * 1.1, 1)
        out[f"memory_running_lab_mb <= {limit} (today {MEMORY_TODAY_RUNNING_MB} + 10%)"] = verdict(
            running, limit, higher_is_better=False
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated names: " + ", ".join(_benches(False)))
    parser.add_argument("--quick", action="store_true", help="smaller samples, for trying the script out")
    args = parser.parse_args(argv)
    benches = _benches(args.quick)
    chosen = args.only.split(",") if args.only else list(benches)
    unknown = [name for name in chosen if name not in benches]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(benches)}")
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m_at_start": round(os.getloadavg()[0], 2),
        },
        "quick": args.quick,
    }
    for name in chosen:
        started = time.perf_counter()
        try:
            results[name] = benches[name]()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        results[name]["bench_wall_s"] = round(time.perf_counter() - started, 2)
        print(f"benchmarks: {name} done in {results[name]['bench_wall_s']} s", file=sys.stderr)
    results["targets"] = _targets(results)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
