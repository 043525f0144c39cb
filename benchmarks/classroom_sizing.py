"""What one learner costs a hub node: memory and CPU of 1, 3 and 6 learners running the case study at once.

    .venv/bin/python benchmarks/classroom_sizing.py                 # 1, 3 and 6 learners (~5 min on 2 cores)
    .venv/bin/python benchmarks/classroom_sizing.py --learners 1,2

Each learner is what a hub spawns for them: a JupyterLab server (with
jupyter-server-proxy and this course installed) in a home of their own, and
a kernel running notebooks/05_case_study_silent_failure.ipynb top to bottom,
its lab systems inside it. The kernel is started by nbclient beside the
server rather than through it (the lighter equivalent of tests/classroom's
hub and browser: what drives the kernel is not counted, as a browser is not
on the node). Every 0.25 s the benchmark reads each learner's processes from
/proc: RSS, and PSS (shared libraries split among the processes that map
them, which is what a node's memory really holds per learner), and the CPU
seconds they used. Printed as one JSON object, with the load average, since
other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASE_STUDY = ROOT / "notebooks" / "05_case_study_silent_failure.ipynb"
SAMPLE_S = 0.25
#: How long a learner's kernel stays up after the notebook ends, to see what an idle learner holds.
IDLE_S = 5.0
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

_DRIVER = r"""
import json, sys, time
import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

path, idle = sys.argv[1], float(sys.argv[2])
notebook = nbformat.read(path, as_version=4)
km = KernelManager(kernel_name="python3")
km.start_kernel(cwd=sys.argv[3])
print(json.dumps({"kernel_pid": km.provisioner.process.pid}), flush=True)
sys.stdin.readline()  # every learner's kernel is up: all notebooks start together
started = time.monotonic()
NotebookClient(notebook, km=km, timeout=600, allow_errors=False).execute()
print(json.dumps({"wall_s": time.monotonic() - started}), flush=True)
time.sleep(idle)
km.shutdown_kernel(now=True)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB, or (0, 0) once it is gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:] if line.endswith("kB")}
    return fields.get("Rss", 0), fields.get("Pss", 0)


def _cpu_s(pid: int) -> float:
    """User and system CPU seconds of one process and its reaped children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / TICKS


class Learner:
    """One learner's JupyterLab server and case-study kernel, in a home of their own."""

    def __init__(self, index: int, base: Path) -> None:
        self.name = f"learner{index}"
        self.home = base / self.name
        shutil.copytree(ROOT / "notebooks", self.home / "notebooks")
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.env = {
            **os.environ,
            "HOME": str(self.home),
            "HOOKLAB_HOME": str(self.home / ".hooklab"),
            "PYTHONPATH": str(ROOT),
            "JUPYTER_RUNTIME_DIR": str(self.home / ".runtime"),
        }
        self.env.pop("JUPYTERHUB_SERVICE_PREFIX", None)
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                f"--ServerApp.root_dir={self.home}",
                *(["--allow-root"] if os.geteuid() == 0 else []),
            ],
            cwd=self.home,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.driver: subprocess.Popen[str] | None = None
        self.kernel_pid = 0
        self.wall_s: float | None = None
        self.samples: list[tuple[float, int, int, bool]] = []  # (time, rss KiB, pss KiB, notebook running)
        self.cpu = {"server": 0.0, "kernel": 0.0}
        self.server_idle_kb = (0, 0)

    def wait_until_ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.server.poll() is not None:
                    raise RuntimeError(f"{self.name}'s JupyterLab exited with {self.server.returncode}") from None
                time.sleep(0.2)
        raise RuntimeError(f"{self.name}'s JupyterLab did not listen within {timeout} s")

    def start_notebook(self) -> None:
        self.cpu_server_before = _cpu_s(self.server.pid)
        self.driver = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _DRIVER,
                str(self.home / "notebooks" / CASE_STUDY.name),
                str(IDLE_S),
                str(self.home / "notebooks"),
            ],
            env=self.env,
            cwd=self.home,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_for_kernel(self) -> None:
        assert self.driver is not None  # noqa: S101 - start_notebook() ran
        line = self.driver.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError(f"{self.name}'s kernel did not start: {self.driver.communicate()[1][-2000:]}")
        self.kernel_pid = json.loads(line)["kernel_pid"]

    def go(self) -> None:
        assert self.driver is not None  # noqa: S101 - start_notebook() ran
        self.driver.stdin.write("go\n")  # type: ignore[union-attr]
        self.driver.stdin.flush()  # type: ignore[union-attr]

    def wait_for_notebook(self) -> None:
        assert self.driver is not None  # noqa: S101 - start_notebook() ran
        line = self.driver.stdout.readline()  # type: ignore[union-attr]
        if not line:
            print(f"{self.name}'s case study failed: {self.driver.communicate()[1][-3000:]}", file=sys.stderr)
            return
        self.wall_s = json.loads(line)["wall_s"]

    def sample(self) -> None:
        pids = _tree(self.server.pid) + (_tree(self.kernel_pid) if self.kernel_pid else [])
        rss = pss = 0
        for pid in pids:
            one_rss, one_pss = _memory_kb(pid)
            rss, pss = rss + one_rss, pss + one_pss
        if self.kernel_pid:
            kernel_cpu = sum(_cpu_s(pid) for pid in _tree(self.kernel_pid))
            self.cpu["kernel"] = max(self.cpu["kernel"], kernel_cpu)
        self.cpu["server"] = _cpu_s(self.server.pid) - getattr(self, "cpu_server_before", 0.0)
        self.samples.append((time.monotonic(), rss, pss, self.wall_s is None))

    def stop(self) -> None:
        for process in (self.driver, self.server):
            if process is None or process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def figures(self) -> dict[str, Any]:
        running = [(rss, pss) for _, rss, pss, busy in self.samples if busy]
        idle = [(rss, pss) for _, rss, pss, busy in self.samples if not busy]

        def mb(kb: float) -> float:
            return round(kb / 1024, 1)

        return {
            "wall_s": round(self.wall_s or 0.0, 1),
            "cpu_s": {"kernel_and_lab": round(self.cpu["kernel"], 1), "server": round(self.cpu["server"], 1)},
            "server_alone_mb": {"rss": mb(self.server_idle_kb[0]), "pss": mb(self.server_idle_kb[1])},
            "peak_mb": {"rss": mb(max(r for r, _ in running)), "pss": mb(max(p for _, p in running))},
            "steady_mb": {
                "rss": mb(statistics.median(r for r, _ in running)),
                "pss": mb(statistics.median(p for _, p in running)),
            },
            "idle_after_mb": {
                "rss": mb(statistics.median(r for r, _ in idle)) if idle else None,
                "pss": mb(statistics.median(p for _, p in idle)) if idle else None,
            },
        }


def measure(count: int) -> dict[str, Any]:
    """`count` learners, each server started and settled, then every case study at once."""
    base = Path(tempfile.mkdtemp(prefix="hooklab-sizing-"))
    learners = [Learner(index, base) for index in range(count)]
    try:
        for learner in learners:
            learner.wait_until_ready()
        time.sleep(3)  # let the servers finish loading their extensions
        for learner in learners:
            learner.server_idle_kb = (
                sum(_memory_kb(pid)[0] for pid in _tree(learner.server.pid)),
                sum(_memory_kb(pid)[1] for pid in _tree(learner.server.pid)),
            )
        for learner in learners:
            learner.start_notebook()
        for learner in learners:
            learner.wait_for_kernel()
        load_before = os.getloadavg()
        started = time.monotonic()
        for learner in learners:
            learner.go()

        waiters = [threading.Thread(target=learner.wait_for_notebook, daemon=True) for learner in learners]
        for waiter in waiters:
            waiter.start()
        # Sampled on this thread until every notebook is done, then for IDLE_S more: the kernels idle.
        everyone: float | None = None
        while everyone is None or time.monotonic() < started + everyone + IDLE_S - 1:
            for learner in learners:
                learner.sample()
            if everyone is None and not any(waiter.is_alive() for waiter in waiters):
                everyone = time.monotonic() - started
            time.sleep(SAMPLE_S)
        failed = [learner.name for learner in learners if learner.wall_s is None]
        if failed:
            raise RuntimeError(f"the case study did not finish for {', '.join(failed)}")
        print(f"{count} learner(s): done in {everyone:.0f} s", file=sys.stderr, flush=True)
        per_learner = [learner.figures() for learner in learners]
        # Every learner's processes summed at the same moment: what the node held at its fullest.
        totals = [
            sum(samples) for samples in zip(*([pss for _, _, pss, _ in lr.samples] for lr in learners), strict=True)
        ]
        return {
            "learners": count,
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in os.getloadavg()],
            "all_done_s": round(everyone, 1),
            "node_peak_pss_mb": round(max(totals) / 1024, 1),
            "wall_s": _spread([figures["wall_s"] for figures in per_learner]),
            "peak_pss_mb": _spread([figures["peak_mb"]["pss"] for figures in per_learner]),
            "peak_rss_mb": _spread([figures["peak_mb"]["rss"] for figures in per_learner]),
            "steady_pss_mb": _spread([figures["steady_mb"]["pss"] for figures in per_learner]),
            "cpu_s": _spread(
                [figures["cpu_s"]["kernel_and_lab"] + figures["cpu_s"]["server"] for figures in per_learner]
            ),
            "per_learner": per_learner,
        }
    finally:
        for learner in learners:
            learner.stop()
        shutil.rmtree(base, ignore_errors=True)


def _spread(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 1), "mean": round(statistics.fmean(values), 1), "max": round(max(values), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", default="1,3,6", help="how many learners at once, comma-separated")
    args = parser.parse_args(argv)
    counts = [int(part) for part in args.learners.split(",")]
    out: dict[str, Any] = {
        "notebook": str(CASE_STUDY.relative_to(ROOT)),
        "cores": os.cpu_count(),
        "memory_total_mb": round(os.sysconf("SC_PHYS_PAGES") * PAGE_KB / 1024),
        "runs": [],
    }
    for count in counts:
        out["runs"].append(measure(count))
        print(
            json.dumps(out["runs"][-1]), file=sys.stderr, flush=True
        )  # each run as it ends: a long run keeps what it had
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
