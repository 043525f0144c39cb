"""Answer only requests addressed to this server by a loopback name: the guard against DNS rebinding.

A web page the learner visits can rebind its own name to 127.0.0.1 and then
send requests to a lab port from the learner's browser; the browser still
writes the page's name in `Host`. So every server answers only Host values
naming the loopback address and port it serves (`127.0.0.1:PORT`,
`localhost:PORT`, `[::1]:PORT`), and refuses others with a 421 in the lab's
JSON error shape.

jupyter-server-proxy forwards the browser's original Host (the hub's name),
and marks what it forwards with `X-Forwarded-Context` / `X-ProxyContextPath`
(see its `_build_proxy_request`). Those are accepted: a browser sends a
custom header to another origin only after a CORS preflight, and the
preflight itself carries no such header, so it meets this check and fails;
what does carry them came through the authenticated Jupyter server. A client
that is not a browser can write any Host it likes, and needs no rebinding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .errors import json_error

#: Names that mean this machine's loopback interface, as a Host header writes them.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
#: Headers jupyter-server-proxy adds to what it forwards (WSGI spelling).
PROXY_MARKS = ("HTTP_X_FORWARDED_CONTEXT", "HTTP_X_PROXYCONTEXTPATH")


def host_allowed(host: str | None, port: str | int) -> bool:
    """Whether a Host header value names this loopback server (no Host at all: HTTP/1.0, not a browser)."""
    if host is None:
        return True
    return host.strip().lower() in {f"{name}:{port}" for name in LOOPBACK_NAMES}


class LoopbackHostsOnly:
    """WSGI middleware: refuse requests whose Host does not name this server's loopback address."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        port = environ.get("SERVER_PORT", "")
        if host_allowed(host, port) or any(environ.get(mark) for mark in PROXY_MARKS):
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        shown = host if host is not None and len(host) <= 100 and host.isprintable() else "(not shown)"
        answer = json_error(
            421,
            f"this server answers only requests addressed to 127.0.0.1:{port} or localhost:{port}, not {shown!r}"
            " (a page on another site cannot reach the lab through its own name)",
            type="invalid_request_error",
            code="host_not_allowed",
        )
        return answer(environ, start_response)
