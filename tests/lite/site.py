"""Serve a built hooklab Lite site on 127.0.0.1 and drive it in headless Chromium, counting outside requests."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
    }

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def served(site: Path) -> Iterator[str]:
    """The site at http://127.0.0.1:PORT/ while the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="lite-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class OutsideRequests:
    """Blocks and counts every request a page makes to a host other than the site's."""

    def __init__(self, site_url: str) -> None:
        self.host = urlsplit(site_url).netloc
        self.blocked: list[str] = []

    def attach(self, context: Any) -> None:
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.blocked.append(url)
            route.abort()
        else:
            route.continue_()
