"""Quick by default, full size with `--run-slow`: the switch and the hypothesis settings that follow it."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

QUICK, LONG = "hooklab-robustness-quick", "hooklab-robustness-long"
_SHARED = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
}
# The quick run (every `make test`, so CI) draws the same examples each time: a red CI is then a change's
# fault, not the dice's. The long run draws new ones each time, to find what the fixed ones miss.
settings.register_profile(QUICK, max_examples=100, derandomize=True, **_SHARED)
settings.register_profile(LONG, max_examples=1500, derandomize=False, **_SHARED)

_state = {"slow": False}


def set_slow(on: bool) -> None:
    """Called once by the robustness conftest, from --run-slow or HOOKLAB_RUN_SLOW."""
    _state["slow"] = on


def run_slow() -> bool:
    """Whether this session was asked for the long runs."""
    return _state["slow"]


def fuzz_settings(quick: int, long: int | None = None) -> settings:
    """Hypothesis settings for one fuzz test: `quick` examples by default, `long` (10x) with --run-slow."""
    if _state["slow"]:
        return settings(settings.get_profile(LONG), max_examples=long or quick * 10)
    return settings(settings.get_profile(QUICK), max_examples=quick)
