"""Hostile input from the same machine: nested JSON, foreign Host names, odd tokens, secrets on disk."""

from __future__ import annotations

import http.client
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from simulators import Lab
from simulators.service import Service

NESTED = b"[" * 60_000
#: What jupyter-server-proxy adds to a request it forwards to /proxy/PORT/ (its `_build_proxy_request`).
PROXIED = {"X-Forwarded-Context": "/user/ada/proxy/{port}", "X-ProxyContextPath": "/user/ada/proxy/{port}"}


@pytest.fixture(scope="module")
def hostile_lab() -> Iterator[Lab]:
    with Lab(seed=16) as lab:
        lab.payments.rate_limit(None)
        lab.host(lambda request: request.json, name="echo")
        yield lab


def _servers(lab: Lab) -> dict[str, tuple[Service | None, str]]:
    """Every server of the lab: name → (its service, or None for the control server; base URL)."""
    found: dict[str, tuple[Service | None, str]] = {name: (s, s.url) for name, s in lab.systems.items()}
    found.update({name: (e, e.url) for name, e in lab.endpoints.items()})
    found["control"] = (None, lab.url)
    return found


def _auth(lab: Lab, name: str) -> dict[str, str]:
    if name == "payments":
        return {"Authorization": f"Bearer {lab.payments.api_key}"}
    if name == "control":
        return {"Authorization": f"Bearer {lab.admin_token}"}
    return {}


def _concrete(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", "x1", rule)


@pytest.mark.parametrize("name", ["payments", "provisioning", "crm", "mailer", "echo", "control"])
def test_deeply_nested_json_is_a_400_on_every_route(hostile_lab: Lab, name: str) -> None:
    service, base = _servers(hostile_lab)[name]
    app = service.app if service is not None else hostile_lab.control.app
    tried = 0
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = requests.request(
                method,
                base + _concrete(rule.rule),
                data=NESTED,
                headers={"Content-Type": "application/json", **_auth(hostile_lab, name)},
                timeout=30,
            )
            where = f"{name} {method} {rule.rule} -> {response.status_code} {response.text[:200]!r}"
            assert response.status_code == 400, where
            assert response.headers["Content-Type"].startswith("application/json"), where
            error = response.json()["error"]
            assert error["code"] == "json_too_deep" and "100 levels" in error["message"], where
            tried += 1
    assert tried >= 2
    assert requests.get(base + "/", timeout=10).status_code in (200, 404)  # still answering


def test_json_at_a_sane_depth_still_reaches_the_handler(hostile_lab: Lab) -> None:
    body = {"a": [[[[{"b": [1, 2, {"c": "[[[[ not brackets that count ]]]]"}]}]]]]}
    response = requests.post(hostile_lab.endpoints["echo"].url + "/hook", json=body, timeout=10)
    assert response.status_code == 200 and response.json() == body


def _get_with_host(url: str, host: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(url, headers={"Host": host, **(headers or {})}, timeout=10)


@pytest.mark.parametrize("name", ["payments", "provisioning", "crm", "mailer", "echo", "control"])
def test_only_loopback_host_names_are_answered(hostile_lab: Lab, name: str) -> None:
    _, base = _servers(hostile_lab)[name]
    port = int(base.split(":")[2].split("/")[0])
    path = base + ("/admin/status" if name == "control" else "/")
    auth = _auth(hostile_lab, name)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        assert _get_with_host(path, host, auth).status_code != 421, host
    for host in (
        f"evil.example:{port}",
        "evil.example",
        f"127.0.0.1:{port + 1}",
        "127.0.0.1",
        f"localhost.evil:{port}",
    ):
        response = _get_with_host(path, host, auth)
        assert response.status_code == 421, host
        assert response.headers["Content-Type"].startswith("application/json")
        assert "answers only requests addressed to" in response.json()["error"]["message"]
    # Forwarded by jupyter-server-proxy: the browser's Host is the hub's, and the proxy marks the request.
    marks = {key: value.format(port=port) for key, value in PROXIED.items()}
    assert _get_with_host(path, "hub.example.org", {**marks, **auth}).status_code != 421


def test_a_rebound_name_cannot_change_anything(hostile_lab: Lab) -> None:
    crm = hostile_lab.crm
    before = len(crm.contacts())
    port = crm.port
    response = requests.post(
        crm.url + "/contacts",
        json={"email": "mallory@example.com"},
        headers={"Host": f"rebind.example:{port}"},
        timeout=10,
    )
    assert response.status_code == 421
    assert len(crm.contacts()) == before
    faults = requests.post(
        hostile_lab.url + "/admin/systems/crm/faults",
        json={"kind": "down"},
        headers={"Host": f"rebind.example:{hostile_lab.control.port}", **_auth(hostile_lab, "control")},
        timeout=10,
    )
    assert faults.status_code == 421 and not crm.faults.is_down


@pytest.mark.parametrize("token", ["hl_admin_é", "Bearer-ünïcode", "\u00ff" * 40])
def test_a_non_ascii_admin_token_is_a_401(hostile_lab: Lab, token: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", hostile_lab.control.port, timeout=10)
    try:
        connection.putrequest("GET", hostile_lab.control.base_path + "/admin/status")
        connection.putheader("Authorization", f"Bearer {token}".encode())
        connection.endheaders()
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 401 and "admin token" in body["error"]["message"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_serve_json_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    home, state = tmp_path / "home", tmp_path / "state"
    env = {**os.environ, "HOOKLAB_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.course", "serve", "--json", "--seed", "4", "--state-dir", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        details = json.loads(process.stdout.readline())  # type: ignore[union-attr]
        saved = home / "serve.json"
        assert details["control"]["admin_token"] in saved.read_text()
        assert _mode(saved) == 0o600
        assert _mode(home) == 0o700 and _mode(state) == 0o700
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()  # type: ignore[union-attr]


def test_serve_narrows_a_serve_json_left_world_readable(tmp_path: Path) -> None:
    from simulators.cli.serve import write_secret

    target = tmp_path / "home" / "serve.json"
    target.parent.mkdir()
    target.write_text("{}")
    target.chmod(0o644)
    write_secret(target, '{"admin_token": "hl_admin_x"}')
    assert _mode(target) == 0o600 and json.loads(target.read_text()) == {"admin_token": "hl_admin_x"}
