"""Pyodide's limits on CPython: no socket can open and no thread can start while the guard is on.

The tests run the core course inside `pyodide_limits()`, so anything in the
in-process runtime that would need a socket or a thread fails here exactly as
it would fail in the browser, instead of quietly working on CPython.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from . import use


class PyodideLimit(RuntimeError):
    """Something tried to open a socket or start a thread, which Pyodide cannot do."""


class _NoSocket(socket.socket):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise PyodideLimit("a socket was opened; in Pyodide no socket can be (hooklab Lite serves in-process)")


def _no_thread(self: threading.Thread) -> None:
    raise PyodideLimit(f"thread {self.name!r} was started; in Pyodide no thread can start")


def impose() -> Callable[[], None]:
    """Choose the in-process runtime and forbid sockets and threads from now on; returns what lifts it."""
    real_socket, real_start = socket.socket, threading.Thread.start
    socket.socket = _NoSocket  # type: ignore[misc]
    threading.Thread.start = _no_thread  # type: ignore[method-assign]
    use(True)

    def lift() -> None:
        use(None)
        socket.socket = real_socket  # type: ignore[misc]
        threading.Thread.start = real_start  # type: ignore[method-assign]

    return lift


@contextmanager
def pyodide_limits() -> Iterator[None]:
    """Run the block on the in-process runtime with sockets and threads forbidden, as in Pyodide."""
    lift = impose()
    try:
        yield
    finally:
        lift()
