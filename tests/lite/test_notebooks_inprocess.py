"""The lesson notebooks, run on hooklab Lite's runtime, print exactly their saved (full-edition) outputs.

Each notebook runs under nbval, as `make test` runs it, in a kernel where every cell runs in-process
with sockets and threads forbidden (kernel_startup.py): the same cells, the same sanitizing, the same
strict comparison. 00 runs always; the others (about a minute each here) with --run-slow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["notebooks/00_welcome.ipynb"]
SLOW = [
    "notebooks/01_triggers_and_actions.ipynb",
    "notebooks/02_polling_vs_webhooks.ipynb",
    "notebooks/03_webhook_security.ipynb",
    "notebooks/04_reliable_webhook_handling.ipynb",
    "notebooks/05_case_study_silent_failure.ipynb",
    "notebooks/06_designing_automations.ipynb",
]


@pytest.mark.parametrize("notebook", QUICK + SLOW)
def test_the_notebook_prints_its_saved_outputs_in_process(
    notebook: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if notebook in SLOW and not request.config.getoption("--run-slow"):
        pytest.skip("about a minute per notebook: run with --run-slow")
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(Path(__file__).with_name("kernel_startup.py"), startup / "00-pyodide-limits.py")
    env = {
        **os.environ,
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "HOOKLAB_WORKSHEET": str(tmp_path / "worksheet.json"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    command = [
        sys.executable, "-m", "pytest", "-q", "-n", "0", "--nbval", "--nbval-current-env",
        "--nbval-cell-timeout=300", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
        "-p", "no:python", "-p", "tests.nbval_kernel", notebook,
    ]  # fmt: skip
    run = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    assert "PyodideLimit" not in run.stdout
