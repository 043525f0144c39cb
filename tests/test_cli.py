"""The `hooklab` command: help everywhere, and `serve` for other programs."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import requests

from simulators import cli
from simulators.course import cli as course_cli

#: What the `hooklab` entry point runs: the sandbox's commands and the course's.
HOOKLAB = [sys.executable, "-m", "simulators.course"]
EVERY_COMMAND = [module.__name__.rsplit(".", 1)[1] for module in (*cli.COMMANDS, *course_cli.COMMANDS)]


def build_parser() -> argparse.ArgumentParser:
    return cli.build_parser(course_cli.COMMANDS)


def test_help_lists_every_subcommand() -> None:
    result = subprocess.run([*HOOKLAB, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    registered = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert "serve" in registered
    for name in registered:
        assert name in result.stdout


def test_the_entry_point_is_the_course_command() -> None:
    text = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert 'hooklab = "simulators.course.cli:main"' in text


@pytest.mark.parametrize("name", EVERY_COMMAND)
def test_every_subcommand_has_help(name: str) -> None:
    result = subprocess.run([*HOOKLAB, name, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and f"hooklab {name}" in result.stdout


def test_serve_json_prints_connection_details_first_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {**os.environ, "HOOKLAB_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(
        [*HOOKLAB, "serve", "--json", "--seed", "4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        details = json.loads(line)
        for name in ("provisioning", "control"):
            assert details[name]["url"].startswith("http://127.0.0.1:")
        assert details["control"]["admin_token"].startswith("hl_admin_")
        assert requests.get(details["provisioning"]["url"] + "/accounts", timeout=5).status_code == 200
        if "payments" in details:
            assert details["payments"]["api_key"].startswith("sk_test_")
        assert json.loads((tmp_path / "home" / "serve.json").read_text())["seed"] == 4
        # The sandbox runs on the wall clock, as Stripe does: times computed from time.time() mean what they say.
        now = datetime.fromisoformat(details["clock"]["now"].replace("Z", "+00:00")).timestamp()
        assert abs(now - time.time()) < 120, details["clock"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert not (tmp_path / "home" / "serve.json").exists()
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]


def test_serve_with_exit_with_parent_stops_when_orphaned(tmp_path: Path) -> None:
    # Stands in for a Jupyter server that dies without stopping its proxied `hooklab serve`.
    parent = (
        "import subprocess, sys\n"
        f"child = subprocess.Popen({[*HOOKLAB, 'serve', '--json', '--exit-with-parent']!r}, stdout=subprocess.PIPE, text=True)\n"
        "print(child.pid, child.stdout.readline(), flush=True)\n"
    )
    env = {**os.environ, "HOOKLAB_HOME": str(tmp_path / "home")}
    line = subprocess.run([sys.executable, "-c", parent], capture_output=True, text=True, env=env, timeout=60).stdout
    pid_text, _, details = line.partition(" ")
    pid = int(pid_text)
    port = json.loads(details)["control"]["url"].rsplit(":", 1)[1]
    deadline = time.monotonic() + 15
    while _alive(pid):
        assert time.monotonic() < deadline, f"the orphaned serve (pid {pid}) is still running"
        time.sleep(0.1)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", timeout=2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # an exited child of init may linger as a zombie for a moment; it no longer serves
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
