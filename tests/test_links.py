"""Browser links on a laptop and behind jupyter-server-proxy, and hooklab as a proxied server."""

from __future__ import annotations

import importlib.metadata
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from simulators import Lab
from simulators.links import lab_links, public_url
from simulators.proxy import setup_hooklab


def test_on_a_laptop_a_link_is_the_loopback_address(provisioning_lab: Lab) -> None:
    system = provisioning_lab.provisioning
    assert public_url(system, environ={}) == f"http://127.0.0.1:{system.port}/hl_{provisioning_lab.key}/"
    assert public_url(system, environ={}) == system.url + "/"
    assert public_url(8123, "dashboard/events/evt_1", environ={}) == "http://127.0.0.1:8123/dashboard/events/evt_1"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"}, "/user/ada/proxy/8123/"),
        ({"JUPYTERHUB_SERVICE_PREFIX": "/user/ada"}, "/user/ada/proxy/8123/"),
        ({"HOOKLAB_PROXY_BASE": "/"}, "/proxy/8123/"),
        ({"JUPYTERHUB_SERVICE_PREFIX": "/user/bo/", "HOOKLAB_PROXY_BASE": "/"}, "/user/bo/proxy/8123/"),
        ({"JUPYTERHUB_SERVICE_PREFIX": ""}, "http://127.0.0.1:8123/"),
    ],
)
def test_on_a_hub_a_link_goes_through_jupyter_server_proxy(environ: dict[str, str], expected: str) -> None:
    assert public_url(8123, environ=environ) == expected


def test_the_environment_decides_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/grace/")
    assert public_url(9000, "dashboard/") == "/user/grace/proxy/9000/dashboard/"
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX")
    monkeypatch.delenv("HOOKLAB_PROXY_BASE", raising=False)
    assert public_url(9000) == "http://127.0.0.1:9000/"


@pytest.mark.parametrize("bad", [0, -1, 70000, True, "8000", None, object()])
def test_a_link_needs_a_real_port(bad: object) -> None:
    with pytest.raises(ValueError, match="needs a running system or a port number"):
        public_url(bad)


def test_lab_links_name_every_system_and_endpoint_and_each_one_opens(
    provisioning_lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    monkeypatch.delenv("HOOKLAB_PROXY_BASE", raising=False)
    provisioning_lab.host(lambda request: {"hello": "from my handler"}, name="my_handler")
    provisioning_lab.host(lambda request: {}, name="provisioning")  # same name as a system: the system keeps its key
    links = provisioning_lab.links()
    assert list(links) == ["overview", "provisioning", "my_handler", "endpoint:provisioning"]
    assert links["overview"] == provisioning_lab.url + "/"
    assert links["provisioning"] == provisioning_lab.provisioning.url + "/"
    assert "Your lab" in requests.get(links["overview"], timeout=5).text
    assert "Accounts" in requests.get(links["provisioning"], timeout=5).text
    assert requests.get(links["my_handler"], timeout=5).json() == {"hello": "from my handler"}


def test_lab_links_on_a_hub(provisioning_lab: Lab) -> None:
    links = lab_links(provisioning_lab, environ={"JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"})
    assert links == {
        "overview": f"/user/ada/proxy/{provisioning_lab.control.port}/hl_{provisioning_lab.key}/",
        "provisioning": f"/user/ada/proxy/{provisioning_lab.provisioning.port}/hl_{provisioning_lab.key}/",
    }


# -- hooklab as a jupyter-server-proxy server -------------------------------------


def test_jupyter_server_proxy_finds_hooklab_through_its_entry_point() -> None:
    found = {ep.name: ep for ep in importlib.metadata.entry_points(group="jupyter_serverproxy_servers")}
    assert "hooklab" in found, "pyproject.toml declares the entry point; is the package installed?"
    assert found["hooklab"].load() is setup_hooklab


def test_the_proxy_config_has_a_launcher_tile_with_an_icon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKLAB_HOME", str(tmp_path))
    config = setup_hooklab()
    assert "{port}" in config["command"]
    assert config["launcher_entry"]["title"] == "hooklab"
    icon = Path(config["launcher_entry"]["icon_path"])
    assert icon.suffix == ".svg" and icon.read_text().lstrip().startswith("<svg")
    assert config["absolute_url"] is False


def test_the_tiles_lab_key_is_kept_private_and_stays_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOOKLAB_HOME", str(home))
    first, again = setup_hooklab(), setup_hooklab()
    key = first["environment"]["HOOKLAB_LAB_KEY"]
    assert first["launcher_entry"]["path_info"] == f"hooklab/hl_{key}/" == again["launcher_entry"]["path_info"]
    assert (home / "lab.key").read_text().strip() == key
    assert stat.S_IMODE((home / "lab.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    monkeypatch.setenv("HOOKLAB_HOME", str(tmp_path / "someone-else"))
    assert setup_hooklab()["environment"]["HOOKLAB_LAB_KEY"] != key


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening_sockets(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket the process listens on, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address, port = local.split(":")
            readable = socket.inet_ntoa(bytes.fromhex(address)[::-1]) if width == 8 else address
            found.add((readable, int(port, 16)))
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads listening sockets from Linux's /proc")
def test_the_proxied_command_serves_the_overview_on_the_given_port_and_only_on_loopback(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "HOOKLAB_HOME": str(tmp_path / "home")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOOKLAB_HOME", env["HOOKLAB_HOME"])
        config = setup_hooklab()
    command = [part.replace("{port}", str(port)) for part in config["command"]]
    env.update(config["environment"])  # as jupyter-server-proxy passes it: the key never on the command line
    key = config["environment"]["HOOKLAB_LAB_KEY"]
    assert key not in " ".join(command)
    overview = config["launcher_entry"]["path_info"].removeprefix("hooklab")
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}{overview}", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"hooklab serve never answered on {port}: {process.communicate()[1][-2000:]}"
                    ) from None
                time.sleep(0.1)
        assert response.status_code == 200 and "Your lab" in response.text
        assert overview == f"/hl_{key}/"
        refused = requests.get(f"http://127.0.0.1:{port}/", timeout=2)
        assert refused.status_code == 404 and "Your lab" not in refused.text, "without the key: nothing"
        sockets = listening_sockets(process.pid)
        assert (("127.0.0.1", port)) in sockets
        assert all(address == "127.0.0.1" for address, _ in sockets), sockets
        assert len(sockets) >= 2, "the systems listen too, each on its own port"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == 0


def test_the_command_uses_the_jupyter_servers_own_python() -> None:
    assert setup_hooklab()["command"][:3] == [sys.executable, "-m", "simulators.cli"]


# -- the repository as Binder and the hubs see it -----------------------------------

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructors.md"


def _links(text: str) -> list[str]:
    return re.findall(r"https://[^\s)\]]+", text)


def test_the_binder_badge_opens_the_welcome_notebook() -> None:
    badge = next(link for link in _links(GUIDE.read_text()) if link.startswith("https://mybinder.org/v2/gh/"))
    query = parse_qs(urlparse(badge).query)
    assert query["urlpath"] == ["lab/tree/notebooks/00_welcome.ipynb"]
    assert (ROOT / "notebooks" / "00_welcome.ipynb").exists(), (
        "the badge opens a notebook that is not in the repository"
    )


def test_the_nbgitpuller_link_pulls_this_repository_and_opens_the_welcome_notebook() -> None:
    link = next(link for link in _links(GUIDE.read_text()) if "git-pull?" in link)
    query = parse_qs(urlparse(link).query)
    assert query["repo"][0].endswith("/hooklab") and query["branch"] == ["main"]
    assert query["urlpath"] == ["lab/tree/hooklab/notebooks/00_welcome.ipynb"]
