"""The case study on the virtual clock: wall time, simulated seconds per wall second, and its HTTP calls/s
beside the framework limit (a Flask hello world on the lab's server, a keep-alive client) measured
right after each run, so both meet the same machine."""

from __future__ import annotations

import importlib
import time
from typing import Any

from floors import Floors

TARGET_WALL_S = 0.6  # with all fixes (issue 14)
FRAMEWORK_POSTS = 600


def measure(seed: int = 7) -> dict[str, Any]:
    """Time `simulators.course.scenarios.run_case_study`, if this build has it, with and without the fixes."""
    try:
        scenarios = importlib.import_module("simulators.course.scenarios")
    except ModuleNotFoundError:
        return {
            "status": "not yet available",
            "why": "simulators/scenarios.py (run_case_study) is not in this build",
            "target_wall_s": TARGET_WALL_S,
        }
    run = getattr(scenarios, "run_case_study", None)
    if run is None:
        return {
            "status": "not yet available",
            "why": "simulators.course.scenarios has no run_case_study yet",
            "target_wall_s": TARGET_WALL_S,
        }
    out: dict[str, Any] = {"status": "measured", "target_wall_s": TARGET_WALL_S}
    floors = Floors(b'{"id": "evt_case_study"}')
    every_fix = tuple(getattr(scenarios, "FIXES", ()))
    for label, fixes in (("without_fixes", ()), ("with_all_fixes", every_fix)):
        from simulators.lab import Lab

        started = time.perf_counter()
        # Our own lab (started inside the timing, as run_case_study would) so its request logs can be counted.
        lab = Lab(seed=seed, systems=list(getattr(scenarios, "SYSTEMS", ())) or None)
        try:
            result = run(seed=seed, fixes=fixes, lab=lab)
            wall = time.perf_counter() - started
            calls = sum(system.requests.count() for system in lab.systems.values())
        except (TypeError, ValueError) as exc:  # the scenario's signature changed under us: say so rather than guess
            out[label] = {"error": f"run_case_study did not accept these arguments: {exc}"}
            continue
        finally:
            lab.stop()
        simulated = _simulated_seconds(result)
        framework = floors.framework_rate(FRAMEWORK_POSTS)
        out[label] = {
            "fixes": list(fixes),
            "wall_s": round(wall, 3),
            "http_calls": calls,
            "http_calls_per_s": round(calls / wall, 1),
            "framework_limit_per_s": round(framework, 1),
            "http_calls_vs_framework": round(calls / wall / framework, 3),
            "simulated_s": simulated,
            "simulated_s_per_wall_s": round(simulated / wall) if simulated else None,
        }
    floors.close()
    return out


def _simulated_seconds(result: Any) -> float | None:
    """How much lab time the scenario covered, read from whatever it returned."""
    started, ended = getattr(result, "started", None), getattr(result, "ended", None)
    if started is not None and ended is not None:
        return (ended - started).total_seconds()
    for name in ("simulated_seconds", "elapsed"):
        value = result.get(name) if isinstance(result, dict) else getattr(result, name, None)
        if value is not None:
            return float(value.total_seconds() if hasattr(value, "total_seconds") else value)
    lab = result.get("lab") if isinstance(result, dict) else getattr(result, "lab", None)
    clock = getattr(lab, "clock", None)
    if clock is not None:
        return clock.elapsed().total_seconds()
    return None
