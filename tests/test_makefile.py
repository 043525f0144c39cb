"""`make lab` and `make test`, read from `make -n` in a scratch copy: what each installs, and a broken .venv rebuilt.

Only the plan is checked (`make -n` runs nothing): a real install takes minutes and the network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REBUILD = "rm -rf .venv"


def _plan(folder: Path, target: str) -> str:
    return subprocess.run(
        ["make", "-n", target], cwd=folder, capture_output=True, text=True, check=True, timeout=60
    ).stdout


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _working_venv(folder: Path, *, installed: bool = True) -> None:
    """A .venv whose python is this one and whose pip names it, as `python -m venv` leaves it."""
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "pip").write_text(f"#!{bin_dir / 'python'}\n")
    if installed:
        (folder / ".venv" / ".installed").touch()


def test_make_lab_installs_the_course_without_the_test_tools(clone: Path) -> None:
    plan = _plan(clone, "lab")
    assert "pip install --progress-bar on -e .\n" in plan, "the course alone, with pip's progress shown"
    assert "[test]" not in plan and "--quiet -e" not in plan
    assert "1 to 3 minutes" in plan, "a first install says how long it takes before it starts"
    assert "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb" in plan


def test_make_test_adds_the_test_tools(clone: Path) -> None:
    plan = _plan(clone, "test")
    assert "pip install --progress-bar on -e .\n" in plan and "-e '.[test]'" in plan
    assert plan.index("-e .\n") < plan.index("-e '.[test]'")
    assert "npm install --prefix .venv/axe" in plan and "axe-core@4" in plan, "the accessibility tests' axe-core"


def test_a_working_installed_venv_is_kept(clone: Path) -> None:
    _working_venv(clone)
    plan = _plan(clone, "lab")
    assert REBUILD not in plan and "pip install" not in plan
    assert "jupyter lab" in plan and "--LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb" in plan


def test_a_venv_whose_python_no_longer_runs_is_made_again(clone: Path) -> None:
    _working_venv(clone)
    python = clone / ".venv" / "bin" / "python"
    python.unlink()
    python.symlink_to(clone / "python-that-was-uninstalled")
    plan = _plan(clone, "lab")
    assert REBUILD in plan and "-m venv .venv" in plan and "pip install --progress-bar on -e ." in plan


def test_a_moved_clone_whose_scripts_name_the_old_python_is_made_again(clone: Path) -> None:
    _working_venv(clone)
    (clone / ".venv" / "bin" / "pip").write_text("#!/where/the/clone/was/.venv/bin/python\n")
    assert REBUILD in _plan(clone, "lab")


def test_an_install_stamp_older_than_pyproject_installs_again(clone: Path) -> None:
    _working_venv(clone)
    stamp = clone / ".venv" / ".installed"
    old = (clone / "pyproject.toml").stat().st_mtime - 60
    import os

    os.utime(stamp, (old, old))
    plan = _plan(clone, "lab")
    assert REBUILD not in plan and "pip install --progress-bar on -e ." in plan


def test_a_python_older_than_3_10_is_refused_with_what_to_do(clone: Path, tmp_path: Path) -> None:
    old_python = tmp_path / "python3.9"
    old_python.write_text("#!/bin/sh\nexit 1\n")  # what `python -c 'sys.exit(version < (3, 10))'` says on 3.9
    old_python.chmod(0o755)
    done = subprocess.run(
        ["make", "lab", f"PYTHON={old_python}"], cwd=clone, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "hooklab needs Python 3.10 or newer" in done.stdout and "make lab PYTHON=" in done.stdout
    assert not (clone / ".venv").exists()
