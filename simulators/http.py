"""HTTP between the lab's own parts, which always talk over loopback.

A plain `requests` call reads proxy and netrc settings from the environment on
every request; a profile of the case study showed that at about a tenth of the
time spent in the lab's own calls. Loopback never goes through a proxy, so the
lab's sessions skip those lookups.
"""

from __future__ import annotations

import threading
from typing import Any

import requests

_local = threading.local()


def loopback_session() -> requests.Session:
    """A session for lab servers: no proxy or netrc lookups."""
    session = requests.Session()
    session.trust_env = False
    return session


def lab_request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """One request to a lab server, on this thread's loopback session."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = loopback_session()
    return session.request(method, url, **kwargs)
