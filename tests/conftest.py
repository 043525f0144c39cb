"""Fixtures shared by the project's tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from simulators import Lab
from simulators.lab import SYSTEMS
from tests.chromium import launched_chromium

# The checks' scenes are the course's own in tests (and in the notebook kernels nbval starts from here),
# never the variant of whoever runs the suite: see simulators/course/checking/variant.py.
os.environ["HOOKLAB_LEARNER"] = ""


def pytest_addoption(parser: pytest.Parser) -> None:
    # Declared here, at the top of tests/, so `pytest tests --run-slow` works from the root.
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="run the long robustness runs (thousands of fuzz cases, full-size concurrency)",
    )


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
