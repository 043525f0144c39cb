"""A WSGI app served by werkzeug in a background thread, on loopback only."""

from __future__ import annotations

import socket
import threading
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """The server could not start (most often: the port is taken)."""


class _QuietHandler(WSGIRequestHandler):
    # werkzeug logs every request; inside a notebook that floods the cell.
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log(self, *args: Any, **kwargs: Any) -> None:
        pass


class _TrackingServer(ThreadedWSGIServer):
    """Remembers open connections so that stopping can really close them."""

    daemon_threads = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self._connections_lock:
            open_now = list(self.connections)
            self.connections.clear()
        for conn in open_now:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the peer already went away


class BackgroundServer:
    """Serve `app` on 127.0.0.1 in a thread; `port=0` picks a free port.

    `stop()` is idempotent and closes keep-alive connections too, so a stopped
    server leaves no thread or socket behind and its port really refuses.
    """

    def __init__(self, app: Any, port: int = 0, *, name: str = "server") -> None:
        self.app = app
        self.name = name
        self.port = port
        self._server: _TrackingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> BackgroundServer:
        if self._server is not None:
            return self
        try:
            server = _TrackingServer(HOST, self.port, self.app, handler=_QuietHandler)
        except (SystemExit, OSError) as exc:
            # werkzeug ends with SystemExit when the port is taken; that must not end the kernel.
            raise ServerError(f"{self.name} could not listen on {HOST}:{self.port}: {exc}") from None
        self._server = server
        self.port = server.port
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name=f"hooklab-{self.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        server.drop_connections()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
