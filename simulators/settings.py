"""Every setting hooklab takes from the environment, in one place; each is read when asked, never at import.

HOOKLAB_HOME       hooklab's folder: the tile's lab key (`lab.key`), `hooklab serve`'s details
                   (`serve.json`, read by `hooklab trigger` and `hooklab listen`); default `~/.hooklab`
HOOKLAB_LAB_KEY    the lab key `hooklab serve` uses (the JupyterLab tile hands it over this way, never
                   on a command line, which every user of the machine can read)
HOOKLAB_API_BASE,  the payment system the CLI talks to, before it looks in `serve.json`
HOOKLAB_API_KEY
HOOKLAB_WORKSHEET  where a learner's answers are saved (the course; default `~/.hooklab/worksheet.json`)
HOOKLAB_LEARNER    who is being checked (the course; else JUPYTERHUB_USER, else an id saved in `~/.hooklab`)
HOOKLAB_CHECKS     more check modules to load, separated by the path separator (the course)
HOOKLAB_PROXY_BASE the base under which jupyter-server-proxy serves `proxy/PORT/` (else the hub's prefix)
"""

from __future__ import annotations

import os
from pathlib import Path

HOME = "HOOKLAB_HOME"
LAB_KEY = "HOOKLAB_LAB_KEY"
API_BASE = "HOOKLAB_API_BASE"
API_KEY = "HOOKLAB_API_KEY"
WORKSHEET = "HOOKLAB_WORKSHEET"
LEARNER = "HOOKLAB_LEARNER"
CHECKS = "HOOKLAB_CHECKS"
PROXY_BASE = "HOOKLAB_PROXY_BASE"


def home() -> Path:
    """hooklab's folder: `$HOOKLAB_HOME`, else `~/.hooklab` (the one default, for the tile, `serve` and the CLI)."""
    return Path(os.environ.get(HOME) or Path.home() / ".hooklab")


def serve_file() -> Path:
    """Where `hooklab serve` leaves its details for `hooklab trigger` and `hooklab listen`."""
    return home() / "serve.json"


def lab_key() -> str | None:
    """The lab key handed to `hooklab serve`, if any (an empty value counts as none)."""
    return os.environ.get(LAB_KEY) or None


def api_base() -> str | None:
    return os.environ.get(API_BASE) or None


def api_key() -> str | None:
    return os.environ.get(API_KEY) or None
