"""The in-process "network": lab servers by port, and one request served straight through a WSGI app.

A lab server in-process listens on nothing: `listen` files its WSGI app under
a port number no socket holds, and its URL (`http://127.0.0.1:PORT/hl_KEY`) is
the same shape as the full edition's. `serve` answers a request to such a URL
by calling the app with a WSGI environ built the way a server would build it,
so every layer (hosts, key, request log, faults, the app) sees what it sees
behind waitress. A port no app holds refuses, as a stopped server does.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from werkzeug.test import EnvironBuilder, run_wsgi_app

HOST = "127.0.0.1"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
#: Ports handed out to servers that asked for any port (0): above the usual ephemeral range's start,
#: so a URL written down in the full edition and one from Lite look alike.
FIRST_PORT = 49200
#: The environ key that tells the layers they run in-process: its value is the request's `Delays`.
INPROCESS_KEY = "hooklab.inprocess"
#: waitress's `ident` in the full edition: the same Server header here.
SERVER_HEADER = "hooklab"


class Delays:
    """How long an answer would have taken in real time: where the fault layer notes a `slow` delay (faults.py).

    Nothing waits in one thread, so the time is added up instead: the request's own `slow` fault, and
    what it waited for the requests it made itself (a handler calling a slow system). The caller's read
    timeout is judged against the sum. One object in the environ, so layers that copy the environ
    (the key's, say) still share it.
    """

    def __init__(self) -> None:
        self.slow_seconds = 0.0


class Refused(ConnectionRefusedError):
    """No lab server on that port (never started, stopped, or down by a fault)."""


class TimedOut(TimeoutError):
    """The app answered after the caller's read timeout (a `slow` fault): the work is done, the answer is lost."""


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


_apps: dict[int, tuple[str, Any]] = {}
#: Every port ever handed out here: a request to one whose server stopped (or is down) is refused, not sent out.
_known: set[int] = set()
_ports = itertools.count(FIRST_PORT)
#: The requests being answered, outermost first (a handler's own requests are nested in its own).
_open: list[Delays] = []
_idle: list[weakref.WeakMethod[Callable[[], None]]] = []


def listen(app: Any, port: int = 0, *, name: str = "server") -> int:
    """File `app` under `port` (any free one for 0); returns the port its URL names."""
    if port and port in _apps:
        raise OSError(f"{name} could not listen on {HOST}:{port}: [Errno 98] Address already in use")
    if not port:
        port = next(p for p in _ports if p not in _apps)
    _apps[port] = (name, app)
    _known.add(port)
    return port


def close(port: int) -> None:
    """Stop answering on `port`; idempotent."""
    _apps.pop(port, None)


def owns(url: str) -> bool:
    """Whether `url` names a lab server of this process, running or not (a stopped one refuses in-process)."""
    if not _known:  # the full edition: no lab server of this process answers in-process, so skip the parsing
        return False
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and _port_of(parts) in _known


def serving() -> bool:
    """Whether a request is being answered right now (a handler's own requests are nested in it)."""
    return bool(_open)


def when_idle(callback: Callable[[], None]) -> None:
    """Call the bound method `callback` after each outermost request (an inline clock runs what it set off)."""
    _idle.append(weakref.WeakMethod(callback))


def serve(
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]] | Mapping[str, str],
    body: bytes | None,
    *,
    read_timeout: float | None = None,
) -> Answer:
    """Answer one request to a lab URL in-process; raises `Refused` or `TimedOut` as a socket would."""
    parts = urlsplit(url)
    port = _port_of(parts)
    entry = _apps.get(port) if parts.hostname in LOOPBACK_HOSTS else None
    if entry is None:
        raise Refused(111, f"Connection refused: nothing listens on {parts.hostname}:{port} in this lab")
    _name, app = entry
    sent = [(k, v) for k, v in _pairs(headers) if k.lower() not in ("host", "content-length")]
    builder = EnvironBuilder(
        path=parts.path or "/",
        base_url=f"http://{parts.hostname}:{port}",
        query_string=parts.query,
        method=method.upper(),
        headers=sent,
        data=body or b"",
        environ_base={"REMOTE_ADDR": HOST, "REMOTE_PORT": "0", "SERVER_SOFTWARE": SERVER_HEADER},
    )
    environ = builder.get_environ()
    delays = environ[INPROCESS_KEY] = Delays()
    _open.append(delays)
    try:
        app_iter, status, answer_headers = run_wsgi_app(app, environ, buffered=True)
        content = b"".join(app_iter)
    finally:
        _open.pop()
        builder.close()
    waited = delays.slow_seconds if read_timeout is None else min(delays.slow_seconds, read_timeout)
    if _open:
        _open[-1].slow_seconds += waited  # the caller's own answer took that much longer
    else:
        _after_request()
    if read_timeout is not None and delays.slow_seconds > read_timeout:
        raise TimedOut(f"{url} did not answer within {read_timeout:g} s")
    code, _, reason = status.partition(" ")
    listed = [(k, v) for k, v in answer_headers.items() if k.lower() != "server"]
    return Answer(int(code), reason, [*listed, ("Server", SERVER_HEADER)], content)


def _after_request() -> None:
    for ref in list(_idle):
        callback = ref()
        if callback is None:
            _idle.remove(ref)
        else:
            callback()


def _port_of(parts: Any) -> int:
    try:
        return int(parts.port or 80)
    except ValueError:
        return -1


def _pairs(headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(k), str(v)) for k, v in items]
