"""hooklab Lite's runtime: the whole lab in one process, with no socket and no thread.

In Pyodide (JupyterLite) no socket can listen and no thread can start, so a
lab there serves every request to its URLs in-process, through the systems'
own WSGI apps, and runs its clock's jobs in the calling thread. The URLs, the
answers, the request logs and the webhooks are the same as in the full
edition; only the transport differs. The lab chooses the runtime when it
starts (`active()`), never the learner:

- in Pyodide (`sys.platform == "emscripten"`) always;
- elsewhere when `HOOKLAB_RUNTIME=inprocess` is set, or `use(True)` was called
  (the tests run the course this way with sockets and threads forbidden:
  see `simulators.inprocess.guard`).
"""

from __future__ import annotations

import os
import sys

__all__ = ["ENV", "active", "use"]

#: The setting that picks the in-process runtime outside Pyodide.
ENV = "HOOKLAB_RUNTIME"

_chosen: bool | None = None


def active() -> bool:
    """Whether labs started now run in-process (Pyodide, `HOOKLAB_RUNTIME=inprocess`, or `use(True)`)."""
    if _chosen is not None:
        return _chosen
    return sys.platform == "emscripten" or os.environ.get(ENV, "") == "inprocess"


def use(in_process: bool | None) -> None:
    """Choose the runtime for labs started from now on; `None` goes back to the platform's choice."""
    global _chosen
    _chosen = in_process
