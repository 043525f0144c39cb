"""Tests and notebook runs never see the machine's learner: an empty HOME, and no learner named.

The checks' scenes follow the learner id (HOOKLAB_LEARNER, else the hub user, else `~/.hooklab/learner`:
simulators/course/checking/variant.py), so a suite that read the machine's id would judge that
learner's scenes and compare notebook outputs saved under the course's own. tests/conftest.py calls
this at import and tests/nbval_kernel.py when the notebook run starts, so every subprocess and
notebook kernel they start inherits it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import MutableMapping
from pathlib import Path


def isolate_from_the_machines_learner(environ: MutableMapping[str, str]) -> Path:
    """Point HOME at a fresh empty folder, name no learner (the course's own scenes); return the folder.

    Caches stay where they were: a fresh HOME would rebuild matplotlib's font cache in every kernel
    and lose Playwright's browsers.
    """
    environ.setdefault("XDG_CACHE_HOME", str(Path.home() / ".cache"))
    home = Path(tempfile.mkdtemp(prefix="hooklab-home-"))
    atexit.register(shutil.rmtree, home, True)
    environ["HOME"] = str(home)
    environ["HOOKLAB_LEARNER"] = ""
    for name in ("JUPYTERHUB_USER", "HOOKLAB_HOME"):
        environ.pop(name, None)
    return home
