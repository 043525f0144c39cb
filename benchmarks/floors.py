"""The two limits every lab figure is compared with, measured in the same run.

raw floor: a keep-alive `http.client` posting to a bare socket server that reads
each request and writes a fixed answer, no HTTP parsing beyond finding the body:
what Python itself costs on loopback.

framework limit: the same client posting to a Flask hello-world served by the
lab's own BackgroundServer: what Flask plus the chosen WSGI server can do.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask

from simulators.server import BackgroundServer

_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


class RawServer:
    """A socket server answering every request on a connection with `_ANSWER`: the floor."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed by stop()
            self._conns.append(conn)
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def answered(self) -> None:
        """Called after each answer; a counting receiver overrides it."""

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while True:
                    head_end = buffer.find(b"\r\n\r\n")
                    if head_end < 0:
                        break
                    length = 0
                    for line in buffer[:head_end].split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    end = head_end + 4 + length
                    if len(buffer) < end:
                        break
                    buffer = buffer[end:]
                    conn.sendall(_ANSWER)
                    self.answered()

    def stop(self) -> None:
        self._listener.close()
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for worker in [self._accepting, *self._threads]:
            worker.join(timeout=5)


def hello_app() -> Flask:
    app = Flask("hello")

    @app.post("/")
    def hello() -> Any:
        return {"ok": True}

    return app


def post_loop(port: int, body: bytes, n: int, headers: dict[str, str] | None = None) -> float:
    """Seconds for one keep-alive `http.client` connection to post `body` n times, reading each answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = {"Content-Type": "application/json", **(headers or {})}
    try:
        started = time.perf_counter()
        for _ in range(n):
            conn.request("POST", "/", body=body, headers=sent)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"the floor answered {response.status}")
        return time.perf_counter() - started
    finally:
        conn.close()


class Floors:
    """Both limits, started once, measured in rounds beside a lab figure."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.raw = RawServer()
        self.framework = BackgroundServer(hello_app(), 0, name="framework-limit").start()

    def raw_rate(self, n: int) -> float:
        return n / post_loop(self.raw.port, self.body, n)

    def framework_rate(self, n: int) -> float:
        return n / post_loop(self.framework.port, self.body, n)

    def close(self) -> None:
        self.raw.stop()
        self.framework.stop()

    def __enter__(self) -> Floors:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def interleaved(measures: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Run each measure once per round, in turn, so all of them meet the same noise."""
    out: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            out[name].append(measure())
    return out
