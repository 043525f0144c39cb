"""A WSGI app served by waitress in a background thread, on loopback only.

waitress was chosen over cheroot by measurement (benchmarks/server_choice.py):
more keep-alive requests/s for Flask on this machine, a socket map that one
thunk on its own loop thread can close whole (so `stop()` also drops open
keep-alive connections), and a hook for its own error answers, which the lab
turns into its JSON error shape (see `server_errors.py`).
"""

from __future__ import annotations

import logging
import select
import socket
import sys
import threading
import time
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from . import inprocess
from .http import forget_server
from .inprocess import requests_transport
from .inprocess import routes as inprocess_routes
from .server_errors import JsonErrorTask

HOST = "127.0.0.1"
# The request line and headers together; werkzeug's development server drew the line at 64 KiB too.
MAX_HEADER_BYTES = 64 * 1024
# Above the systems' own 1 MiB limit, so their 413 (with its own message) answers first.
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_WORKERS = 32
# How long stop() waits for requests still running (a `slow` fault's sleep) before leaving them to end alone.
STOP_WAIT_S = 1.0
# How long a connection closed after an error keeps reading what the client still sends (see _Channel).
LINGER_S = 2.0
# Far above what a lab needs (a kernel's pools hold a few dozen), so idle sockets cannot fill the server: at
# waitress's default of 100, any process on a shared hub node could freeze another learner's system.
CONNECTION_LIMIT = 1000
# How long a new connection may take to send its first whole request before it is closed: a client on
# loopback sends it at once, so a connection still silent (or dripping bytes) after this holds a slot for nothing.
FIRST_REQUEST_S = 10.0
# How long a connection idle between requests is kept; urllib3 drops a pooled connection the server closed.
IDLE_S = 30.0
# How often the loop looks for connections to close.
SWEEP_S = 2.0
# How many waiting connections one turn of the loop accepts.
ACCEPT_BATCH = 64

# waitress logs a client that hung up mid-answer; with no handler configured, Python's last-resort
# handler would print that into a notebook cell. A logging setup of the learner's own still sees it.
logging.getLogger("waitress").addHandler(logging.NullHandler())


class ServerError(RuntimeError):
    """The server could not start (most often: the port is taken)."""


class _WorkersOnDemand(ThreadedTaskDispatcher):
    """Starts a worker thread only when a request finds none idle, up to `limit`.

    Starting waitress's default four workers up front cost ~2 ms a server, most of a lab's start.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self._workers: dict[int, threading.Thread] = {}

    def start_new_thread(self, target: Any, thread_no: int) -> None:
        worker = threading.Thread(target=target, name=f"hooklab-worker-{thread_no}", args=(thread_no,), daemon=True)
        self._workers[thread_no] = worker
        worker.start()

    def add_task(self, task: Any) -> None:
        with self.lock:
            self.queue.append(task)
            running = len(self.threads) - self.stop_count
            idle = running - self.active_count
            if len(self.queue) > idle and running < self.limit:
                thread_no = next(n for n in range(len(self.threads) + 1) if n not in self.threads)
                self.threads.add(thread_no)
                self.active_count += 1
                self.start_new_thread(self.handler_thread, thread_no)
            self.queue_cv.notify()

    def stop_workers(self, wait: float) -> None:
        """Tell every worker to end after its request; wait for them, but never for the calling thread."""
        self.set_thread_count(0)
        workers = [w for w in self._workers.values() if w is not threading.current_thread()]
        for worker in workers:
            worker.join(wait)
        with self.lock:
            for task in self.queue:
                task.cancel()
            self.queue.clear()


class _Channel(HTTPChannel):
    """waitress's connection, answering errors in JSON and closing gently.

    After an error the rest of the request (a request line over the limit, say)
    is still arriving; closing with unread bytes makes the kernel send a reset,
    which can wipe the answer before the client reads it. So a connection the
    server chose to close first stops writing, then reads and drops what still
    comes until the client hangs up or LINGER_S passes.
    """

    error_task_class = JsonErrorTask
    _linger_until: float | None = None
    #: Whether a whole request has arrived on this connection yet (see FIRST_REQUEST_S).
    had_request = False

    def received(self, data: bytes) -> bool:
        done = bool(super().received(data))
        if self.requests:
            self.had_request = True
        return done

    def handle_close(self) -> None:
        if self._linger_until is None and self.connected:
            try:
                self.socket.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # already broken: close at once
            else:
                self._linger_until = time.monotonic() + LINGER_S
                self.will_close = self.close_when_flushed = False
                return
        super().handle_close()

    def readable(self) -> bool:
        return True if self._linger_until is not None else bool(super().readable())

    def writable(self) -> bool:
        if self._linger_until is not None:
            return bool(self.will_close)  # the idle sweep asked to close a client that never hung up
        return bool(super().writable())

    def handle_read(self) -> None:
        if self._linger_until is None:
            super().handle_read()
            return
        try:
            data = self.socket.recv(65536)
        except OSError:
            data = b""
        if not data or time.monotonic() > self._linger_until:
            super().handle_close()


class _LoopbackServer(TcpWSGIServer):
    """waitress's server, with a loop that ends on request and closes every socket itself.

    Workers wake the loop by writing to a pipe (`pull_trigger`), also just after
    an answer, which can be after stop() closed it; a write to a closed pipe's
    number could land in whatever file took the number next. So every wake-up
    goes through one lock and none happens once the loop has closed the pipe.
    """

    channel_class = _Channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._wake_lock = threading.Lock()
        self._stop_asked = False
        self._pipe_closed = False
        super().__init__(*args, **kwargs)

    def pull_trigger(self) -> None:
        with self._wake_lock:
            if not self._pipe_closed:
                self.trigger.pull_trigger()

    def ask_to_stop(self) -> None:
        with self._wake_lock:
            self._stop_asked = True
            if not self._pipe_closed:
                self.trigger.pull_trigger()

    def serve_until_stopped(self) -> None:
        try:
            while not self._stop_asked and self._map:
                wasyncore.loop(
                    timeout=self.adj.asyncore_loop_timeout, use_poll=self.adj.asyncore_use_poll, map=self._map, count=1
                )
        finally:
            self._close_everything()

    def _close_everything(self) -> None:
        with self._wake_lock:
            self._pipe_closed = True
        for dispatcher in list(self._map.values()):
            try:
                if isinstance(dispatcher, HTTPChannel):
                    HTTPChannel.handle_close(dispatcher)  # at once, no lingering; wakes a worker waiting to write
                else:
                    dispatcher.close()
            except OSError:
                pass  # already gone
        self._map.clear()

    def handle_accept(self) -> None:
        # waitress takes one connection per turn of the loop, and each turn polls every open socket: behind a
        # few hundred idle ones, a real client waited over a second in the backlog. Take what is waiting.
        for _ in range(ACCEPT_BATCH):
            before = len(self._map)
            super().handle_accept()
            if len(self._map) == before or len(self._map) >= self.adj.connection_limit:
                return

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle keep-alive connections, after IDLE_S
        for channel in list(self.active_channels.values()):
            if not getattr(channel, "had_request", True) and now - channel.creation_time > FIRST_REQUEST_S:
                channel.will_close = True  # the loop closes it on its next turn (it runs this sweep)

    def close(self) -> None:
        # waitress closes a server whose handler raised; the pipe goes with it.
        with self._wake_lock:
            self._pipe_closed = True
        super().close()

    def set_reuse_addr(self) -> None:
        if sys.platform == "win32":
            # On Windows SO_REUSEADDR lets a second server bind a taken port; this refuses instead.
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
        else:
            # A restarted system (the `down` fault) binds its old port while closed connections linger.
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)


class BackgroundServer:
    """Serve `app` on 127.0.0.1 in a thread; `port=0` picks a free port.

    `stop()` is idempotent and closes keep-alive connections too, so a stopped
    server leaves no thread or socket behind and its port really refuses.
    """

    def __init__(self, app: Any, port: int = 0, *, name: str = "server", base_path: str = "") -> None:
        self.app = app
        self.name = name
        self.port = port
        #: What every URL of this server starts with (a lab's `/hl_KEY`), so `url` is the one to build on.
        self.base_path = base_path
        self._server: _LoopbackServer | None = None
        self._thread: threading.Thread | None = None
        self._workers: _WorkersOnDemand | None = None
        self._lock = threading.Lock()
        #: hooklab Lite: the app is filed under `port` in this process, no socket or thread (see `inprocess`).
        self._in_process = False

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{self.base_path}"

    def start(self) -> BackgroundServer:
        with self._lock:
            if self._server is not None or self._in_process:
                return self
            if inprocess.active():
                try:
                    self.port = inprocess_routes.listen(self.app, self.port, name=self.name)
                except OSError as exc:
                    raise ServerError(str(exc)) from None
                requests_transport.install()  # the learner's `requests` and the stripe SDK reach it from now on
                self._in_process = True
                return self
            workers = _WorkersOnDemand(MAX_WORKERS)
            server = self._listen(workers)
            self._server, self._workers = server, workers
            self.port = int(server.effective_port)
            self._thread = threading.Thread(
                target=server.serve_until_stopped, name=f"hooklab-{self.name}", daemon=True
            )  # daemon: a kernel that exits without stop() must not hang on it
            self._thread.start()
            return self

    def _listen(self, workers: _WorkersOnDemand) -> _LoopbackServer:
        adj = Adjustments(
            host=HOST,
            port=self.port,
            ident="hooklab",
            # select() fails past descriptor 1024, which a long-lived kernel can reach; poll() has no limit.
            asyncore_use_poll=hasattr(select, "poll"),
            max_request_header_size=MAX_HEADER_BYTES,
            max_request_body_size=MAX_BODY_BYTES,
            # Pass every header through as the development server did; nothing here sits behind a proxy.
            clear_untrusted_proxy_headers=False,
            connection_limit=CONNECTION_LIMIT,
            channel_timeout=IDLE_S,
            cleanup_interval=SWEEP_S,
        )
        socket_map: dict[int, Any] = {}
        try:
            return _LoopbackServer(self.app, socket_map, dispatcher=workers, adj=adj, sockinfo=adj.listen[0])
        except OSError as exc:
            wasyncore.close_all(socket_map, ignore_all=True)  # the wake-up pipe and the unbound socket
            raise ServerError(f"{self.name} could not listen on {HOST}:{self.port}: {exc}") from None

    def stop(self) -> None:
        with self._lock:
            if self._in_process:
                inprocess_routes.close(self.port)
                self._in_process = False
                return
            server, thread, workers = self._server, self._thread, self._workers
            if server is None or workers is None:
                return
            self._server, self._thread, self._workers = None, None, None
            # The loop thread owns the socket map, so it closes it as it ends: the listener
            # and every connection, idle keep-alive ones included.
            server.ask_to_stop()
            if thread is not None:
                thread.join(timeout=5)
            workers.stop_workers(STOP_WAIT_S)
            forget_server(self.port)  # the lab's pooled connections to it could only fail or linger

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
