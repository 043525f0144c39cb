"""Robustness tests: quick by default, full size with `--run-slow`.

    pytest tests --run-slow                 # the option is declared in tests/conftest.py
    HOOKLAB_RUN_SLOW=1 pytest tests         # the same

Hypothesis runs without a database (nothing written into the repo) and
without deadlines (a shared 2-core machine is noisy); the number of examples
comes from `fuzz_settings()`, hundreds by default, thousands with --run-slow.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

QUICK, LONG = "hooklab-robustness-quick", "hooklab-robustness-long"
_SHARED = {"deadline": None, "database": None, "derandomize": False, "print_blob": True,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]}
settings.register_profile(QUICK, max_examples=100, **_SHARED)
settings.register_profile(LONG, max_examples=1500, **_SHARED)

_state = {"slow": False}


def pytest_configure(config: pytest.Config) -> None:
    _state["slow"] = bool(config.getoption("--run-slow", default=False)) or os.environ.get("HOOKLAB_RUN_SLOW") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _state["slow"]:
        return
    skip = pytest.mark.skip(reason="long run: pass --run-slow (or set HOOKLAB_RUN_SLOW=1) to include it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def run_slow() -> bool:
    """Whether this session was asked for the long runs."""
    return _state["slow"]


def fuzz_settings(quick: int, long: int | None = None) -> settings:
    """Hypothesis settings for one fuzz test: `quick` examples by default, `long` (10x) with --run-slow."""
    if _state["slow"]:
        return settings(settings.get_profile(LONG), max_examples=long or quick * 10)
    return settings(settings.get_profile(QUICK), max_examples=quick)
