"""Fixtures shared by the project's tests."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import simulators
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Here, in the root conftest, so a run of one test file (in any folder) honours --run-slow too.
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


def let_others_through(paths: list[Path]) -> None:
    """Add the others' x (traverse, never read) bit to each path and the folders above it."""
    for path in paths:
        for folder in [path, *path.parents]:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                os.chmod(folder, stat.S_IMODE(mode) | stat.S_IXOTH)


def _let_everyone_run_python() -> None:
    """As root, checks run learners' code as another user (simulators/course/checking/sandbox.py): that user
    must reach this interpreter (pyenv keeps it under /root) and the checkout it imports. Traverse (x) only, never read; left so, since
    other test runs on the machine may rely on it at any moment."""
    if os.geteuid() != 0:
        return
    here = Path(sys.executable).resolve().parent
    code = Path(simulators.__file__).resolve().parents[1]  # the checkout the learner's process imports
    let_others_through([here, Path(sys.base_prefix), Path(sys.prefix), code, Path(__file__).resolve().parents[1]])


_let_everyone_run_python()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    set_slow(bool(config.getoption("--run-slow", default=False)) or os.environ.get("HOOKLAB_RUN_SLOW") == "1")
    # As root, learners' code runs as another user who must reach the notebooks tests write. Every pytest run
    # on the machine makes /tmp/pytest-of-root private again as it starts, so this run keeps its own base.
    if os.geteuid() == 0 and not config.option.basetemp and not hasattr(config, "workerinput"):
        config.option.basetemp = tempfile.mkdtemp(prefix="hooklab-tests-")
        config.add_cleanup(partial(shutil.rmtree, config.option.basetemp, ignore_errors=True))


@pytest.fixture(scope="session", autouse=True)
def _let_learners_into_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """As root, the learner's code that a check runs reads notebooks a test wrote under pytest's (0700) base
    folder as another user: let others traverse the folders above it."""
    if os.geteuid() != 0:
        return
    let_others_through([tmp_path_factory.getbasetemp()])


@pytest.fixture(autouse=True)
def _let_learners_into_tmp_path(request: pytest.FixtureRequest) -> None:
    """pytest makes each tmp_path 0700; as root, a check reads the notebooks a test writes there as another user."""
    if os.geteuid() == 0 and "tmp_path" in request.fixturenames:
        let_others_through([request.getfixturevalue("tmp_path")])
