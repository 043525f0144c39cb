"""The `hooklab` command: help everywhere, and `serve` for other programs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from simulators.cli import COMMANDS, build_parser

HOOKLAB = [sys.executable, "-m", "simulators.cli"]


def test_help_lists_every_subcommand() -> None:
    result = subprocess.run([*HOOKLAB, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    registered = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert "serve" in registered
    for name in registered:
        assert name in result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_subcommand_has_help(name: str) -> None:
    parser = build_parser()
    if name not in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
        pytest.fail(f"hooklab {name} is listed in COMMANDS but has no module")
    result = subprocess.run([*HOOKLAB, name, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and f"hooklab {name}" in result.stdout


def test_serve_json_prints_connection_details_first_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {**os.environ, "HOOKLAB_HOME": str(tmp_path / "home")}
    process = subprocess.Popen([*HOOKLAB, "serve", "--json", "--seed", "4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
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
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert not (tmp_path / "home" / "serve.json").exists()
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
