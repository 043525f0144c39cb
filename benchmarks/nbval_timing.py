"""The notebooks under nbval, as `make test` runs them: total, per notebook, and the kernel floor."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DIRS = ("notebooks", "exercises", "solutions")
TARGET_TOTAL_S = 35.0


def _nbval(paths: list[str], junit: Path, cwd: Path, *, workers: int = 1) -> tuple[float, int]:
    """Wall seconds of one nbval run over `paths`, and its exit code."""
    # PYTHONPATH: the kernel plugin (tests/nbval_kernel.py) must import from the scratch folder too.
    env = {
        **os.environ,
        "HOOKLAB_WORKSHEET": str(junit.parent / "worksheet.json"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "--nbval",
        "--nbval-current-env",
        "--nbval-cell-timeout=300",
        "--nbval-sanitize-with",
        str(ROOT / "tests" / "nbval_sanitize.cfg"),
        "-p",
        "no:python",
        "-p",
        "tests.nbval_kernel",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
        *paths,
    ]
    if workers > 1:
        command += ["-n", str(workers), "--dist", "loadfile"]  # as the Makefile runs them
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done.returncode


def _kernel_start() -> float:
    """Seconds from asking for a python3 kernel to its answering a first execute."""
    from jupyter_client.manager import start_new_kernel

    started = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        client.execute_interactive("pass", timeout=60, output_hook=lambda msg: None)
        return time.perf_counter() - started
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _floor(scratch: Path) -> float:
    import nbformat

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "1 + 1",
                outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)],
                execution_count=1,
            )
        ]
    )
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    path = scratch / "floor.ipynb"
    nbformat.write(notebook, path)
    took, code = _nbval([str(path)], scratch / "floor.xml", scratch)
    if code != 0:
        raise RuntimeError("the one-cell floor notebook failed under nbval")
    return took


def measure() -> dict[str, Any]:
    found = sorted(str(p.relative_to(ROOT)) for d in DIRS for p in (ROOT / d).glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="hooklab-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        out: dict[str, Any] = {
            "target_total_s": TARGET_TOTAL_S,
            "kernel_start_s": round(_kernel_start(), 3),
            "notebooks_found": len(found),
        }
        if not found:
            out["floor_one_cell_notebook_under_nbval_s"] = round(_floor(scratch), 3)
            out["status"] = "no notebooks in this build yet (notebooks/, exercises/, solutions/ have no .ipynb)"
            return out
        junit = scratch / "all.xml"
        total, code = _nbval(found, junit, ROOT, workers=2)
        per: dict[str, float] = defaultdict(float)
        for case in ET.parse(junit).getroot().iter("testcase"):
            per[case.get("file") or case.get("classname", "?")] += float(case.get("time", 0))
        out.update(
            {
                "status": "passed" if code == 0 else f"nbval failed (exit {code}); times are still real",
                "total_s": round(total, 2),
                "per_notebook_cells_s": {name: round(t, 2) for name, t in sorted(per.items())},
                # measured after the real run, so both meet warm disk caches
                "floor_one_cell_notebook_under_nbval_s": round(_floor(scratch), 3),
            }
        )
        return out
