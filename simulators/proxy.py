"""hooklab as a jupyter-server-proxy server, with a tile in the JupyterLab launcher.

jupyter-server-proxy finds `setup_hooklab` through the
`jupyter_serverproxy_servers` entry point in pyproject.toml. Clicking the
"hooklab" tile runs `hooklab serve` on a port the proxy chooses and opens the
lab overview at `<base>/hooklab/hl_KEY/`; each system's dashboard is then
linked through `<base>/proxy/PORT/hl_KEY/` (see `simulators.links`). Every
server binds 127.0.0.1 only, and every URL starts with the lab's key
(`simulators.labkey`): other users of a shared node reach the loopback too.

The key is kept in `~/.hooklab/lab.key` (0600, in a 0700 folder), so the tile's
link stays the same across server restarts, and reaches `hooklab serve`
through its environment, never its command line, which every user of the
machine can read in `ps`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from . import settings
from .labkey import base_path, keep_key, private_folder

ICON = Path(__file__).parent / "dashboards" / "hooklab.svg"
#: Seconds the proxy waits for the overview to answer: starting every system takes well under one.
START_TIMEOUT = 30
#: How the key reaches `hooklab serve` (see `simulators.cli.serve`).
KEY_VARIABLE = settings.LAB_KEY


def key_folder() -> Path:
    """Where the tile's lab keeps its key: `$HOOKLAB_HOME`, else `~/.hooklab`."""
    return settings.home()


def serve_command() -> list[str]:
    """The command line the proxy runs; `{port}` is filled in by jupyter-server-proxy."""
    # The Jupyter server's own interpreter has hooklab installed (it found this entry point),
    # whereas a `hooklab` script may not be on the server's PATH.
    return [sys.executable, "-m", "simulators.cli", "serve", "--control-port", "{port}", "--exit-with-parent"]


def setup_hooklab() -> dict[str, Any]:
    """The jupyter-server-proxy configuration for `hooklab serve`."""
    # In the "Notebook" row, like RStudio's tile: JupyterLab draws an icon from a URL only there.
    folder = key_folder()
    private_folder(folder)
    key = keep_key(folder)
    launcher: dict[str, Any] = {
        "enabled": True,
        "title": "hooklab",
        "category": "Notebook",
        "path_info": f"hooklab{base_path(key)}/",  # the overview, under the lab's key
    }
    if ICON.is_file():
        launcher["icon_path"] = str(ICON)
    return {
        "command": serve_command(),
        "timeout": START_TIMEOUT,
        "environment": {KEY_VARIABLE: key},
        "absolute_url": False,  # the overview is served at its own root: strip the prefix
        "new_browser_tab": True,
        "launcher_entry": launcher,
    }
