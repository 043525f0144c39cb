"""Fixtures shared by the project's tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from simulators import Lab
from simulators.lab import SYSTEMS
from tests.chromium import launched_chromium
from tests.isolated_home import isolate_from_the_machines_learner
from tests.robustness.slow import run_slow, set_slow

# At import, so every subprocess and notebook kernel a test starts inherits it too.
isolate_from_the_machines_learner(os.environ)


def pytest_addoption(parser: pytest.Parser) -> None:
    # Declared here, at the top of tests/, so `pytest tests --run-slow` works from the root.
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="run the long robustness runs (thousands of fuzz cases, full-size concurrency)",
    )


def pytest_configure(config: pytest.Config) -> None:
    set_slow(bool(config.getoption("--run-slow", default=False)) or os.environ.get("HOOKLAB_RUN_SLOW") == "1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Here as well as in tests/robustness/conftest.py: a run of one test file does not load that one.
    if run_slow():
        return
    skip = pytest.mark.skip(reason="long run: pass --run-slow (or set HOOKLAB_RUN_SLOW=1) to include it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _own_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh HOME per test: what one test saves in ~/.hooklab (a learner id, a lab key) is not the next one's.
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(autouse=True)
def _worksheet_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # A test must never write into the learner's real worksheet.
    monkeypatch.setenv("HOOKLAB_WORKSHEET", str(tmp_path_factory.mktemp("worksheet") / "worksheet.json"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium per test process: Playwright's sync API allows one running instance per thread."""
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=7) as running:
        yield running


@pytest.fixture
def provisioning_lab() -> Iterator[Lab]:
    with Lab(seed=7, systems=["provisioning"]) as running:
        yield running


def pytest_report_header(config: pytest.Config) -> str:
    return f"hooklab systems: {', '.join(SYSTEMS)}; CI={os.environ.get('CI', '')}"
