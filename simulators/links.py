"""Links to the lab's servers that work wherever the learner's browser is.

On a laptop the browser reaches `http://127.0.0.1:PORT/` directly. On
JupyterHub or Binder the servers still listen on the hub node's loopback,
which the browser cannot reach; jupyter-server-proxy forwards
`<JUPYTERHUB_SERVICE_PREFIX>proxy/PORT/` to them instead. Only the browser
needs that link: code running in the kernel keeps using `system.url`.

`HOOKLAB_PROXY_BASE` does the same for a plain Jupyter server reached from
elsewhere (say through an SSH tunnel): set it to the server's base URL, `/`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .server import HOST

HUB_PREFIX = "JUPYTERHUB_SERVICE_PREFIX"
PROXY_BASE = "HOOKLAB_PROXY_BASE"


def proxy_base(environ: Mapping[str, str] | None = None) -> str | None:
    """The base under which jupyter-server-proxy serves `proxy/PORT/`, or None when there is none."""
    env = os.environ if environ is None else environ
    base = env.get(HUB_PREFIX) or env.get(PROXY_BASE)
    if not base:
        return None
    return base if base.endswith("/") else base + "/"


def public_url(service_or_port: Any, path: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    """The link a browser should open for a system (or a port), with an optional path inside it.

    A system's link starts with its lab's key (`/hl_KEY/`), as its `url` does; a bare port has none.
    """
    port = _port_of(service_or_port)
    tail = (getattr(service_or_port, "base_path", "") + "/" + path.lstrip("/")).lstrip("/")
    base = proxy_base(environ)
    if base is None:
        return f"http://{HOST}:{port}/{tail}"
    return f"{base}proxy/{port}/{tail}"


def lab_links(lab: Any, *, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Name → browser link for the overview, every system and every learner endpoint."""
    found = {"overview": public_url(lab.control, environ=environ)}
    for name, system in lab.systems.items():
        found[name] = public_url(system, environ=environ)
    for name, endpoint in lab.endpoints.items():
        key = name if name not in found else f"endpoint:{name}"  # a system's name wins
        found[key] = public_url(endpoint, environ=environ)
    return found


def _port_of(service_or_port: Any) -> int:
    port = service_or_port if isinstance(service_or_port, int) else getattr(service_or_port, "port", None)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"public_url() needs a running system or a port number, not {service_or_port!r}")
    return port
