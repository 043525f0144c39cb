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

from tests.robustness.slow import run_slow, set_slow


def pytest_configure(config: pytest.Config) -> None:
    set_slow(bool(config.getoption("--run-slow", default=False)) or os.environ.get("HOOKLAB_RUN_SLOW") == "1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if run_slow():
        return
    skip = pytest.mark.skip(reason="long run: pass --run-slow (or set HOOKLAB_RUN_SLOW=1) to include it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
