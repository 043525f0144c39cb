"""hooklab as a jupyter-server-proxy server, with a tile in the JupyterLab launcher.

jupyter-server-proxy finds `setup_hooklab` through the
`jupyter_serverproxy_servers` entry point in pyproject.toml. Clicking the
"hooklab" tile runs `hooklab serve` on a port the proxy chooses and opens the
lab overview at `<base>/hooklab/`; each system's dashboard is then linked
through `<base>/proxy/PORT/` (see `simulators.links`). Every server binds
127.0.0.1 only, so nothing is reachable except through the authenticated
Jupyter server.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ICON = Path(__file__).parent / "dashboards" / "hooklab.svg"
#: Seconds the proxy waits for the overview to answer: starting every system takes well under one.
START_TIMEOUT = 30


def serve_command() -> list[str]:
    """The command line the proxy runs; `{port}` is filled in by jupyter-server-proxy."""
    # The Jupyter server's own interpreter has hooklab installed (it found this entry point),
    # whereas a `hooklab` script may not be on the server's PATH.
    return [sys.executable, "-m", "simulators.cli", "serve", "--control-port", "{port}", "--exit-with-parent"]


def setup_hooklab() -> dict[str, Any]:
    """The jupyter-server-proxy configuration for `hooklab serve`."""
    # In the "Notebook" row, like RStudio's tile: JupyterLab draws an icon from a URL only there.
    launcher: dict[str, Any] = {"enabled": True, "title": "hooklab", "category": "Notebook"}
    if ICON.is_file():
        launcher["icon_path"] = str(ICON)
    return {
        "command": serve_command(),
        "timeout": START_TIMEOUT,
        "absolute_url": False,  # the overview is served at its own root: strip the prefix
        "new_browser_tab": True,
        "launcher_entry": launcher,
    }
