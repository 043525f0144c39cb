"""BackgroundServer on waitress: keep-alive, stopping for real, and server-level errors in JSON."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from simulators.server import HOST, MAX_HEADER_BYTES, BackgroundServer, ServerError


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    if environ["PATH_INFO"] == "/slow":
        time.sleep(0.3)
    body = json.dumps({"path": environ["PATH_INFO"], "port": environ["REMOTE_PORT"]}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def server() -> Iterator[BackgroundServer]:
    running = BackgroundServer(_app, 0, name="test").start()
    try:
        yield running
    finally:
        running.stop()


def _raw(port: int, data: bytes, *, half_close: bool = False) -> bytes:
    """Send bytes, read the whole answer until the server closes."""
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _refuses(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((HOST, port)) != 0


def test_port_zero_binds_a_free_loopback_port(server: BackgroundServer) -> None:
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"


def test_keep_alive_serves_many_requests_on_one_connection(server: BackgroundServer) -> None:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=5)
    try:
        client_ports = set()
        for n in range(5):
            conn.request("GET", f"/{n}")
            response = conn.getresponse()
            client_ports.add(json.loads(response.read())["port"])
            assert response.status == 200 and response.version == 11
        assert len(client_ports) == 1  # the same TCP connection every time
    finally:
        conn.close()


def test_stop_is_idempotent_and_closes_open_keep_alive_connections(server: BackgroundServer) -> None:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=2)
    conn.request("GET", "/")
    conn.getresponse().read()
    server.stop()
    server.stop()
    with pytest.raises((OSError, http.client.HTTPException)):
        conn.request("GET", "/")
        conn.getresponse().read()
    conn.close()
    assert _refuses(server.port)


def test_a_stopped_server_starts_again_on_its_port(server: BackgroundServer) -> None:
    port = server.port
    server.stop()
    server.start()
    assert server.port == port
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    conn.request("GET", "/again")
    assert conn.getresponse().status == 200
    conn.close()


def test_a_taken_port_is_a_server_error_and_leaves_nothing_open(server: BackgroundServer) -> None:
    threads = threading.active_count()
    with pytest.raises(ServerError, match="could not listen"):
        BackgroundServer(_app, server.port, name="second").start()
    assert threading.active_count() == threads


def test_stop_during_a_request_does_not_wait_for_it_long(server: BackgroundServer) -> None:
    answered: list[int] = []

    def call() -> None:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=5)
        try:
            conn.request("GET", "/slow")
            answered.append(conn.getresponse().status)
        except (OSError, http.client.HTTPException):
            answered.append(0)  # cut off by stop(): what a real crash looks like
        finally:
            conn.close()

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.1)
    server.stop()
    caller.join(5)
    assert answered and _refuses(server.port)


def test_concurrent_requests_get_their_own_workers(server: BackgroundServer) -> None:
    statuses: list[int] = []

    def call() -> None:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=5)
        conn.request("GET", "/slow")
        statuses.append(conn.getresponse().status)
        conn.close()

    callers = [threading.Thread(target=call) for _ in range(6)]
    started = time.perf_counter()
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(5)
    assert statuses == [200] * 6
    assert time.perf_counter() - started < 6 * 0.3  # not one after another


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (b"GET /" + b"a" * (MAX_HEADER_BYTES + 10) + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431, "headers_too_large"),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (MAX_HEADER_BYTES + 10) + b"\r\n\r\n",
            431,
            "headers_too_large",
        ),
        (b"\x00\x01 not http\r\n\r\n", 400, "malformed_request"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, "malformed_request"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "malformed_request"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", 413, "body_too_large"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "malformed_request"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "not_implemented"),
    ],
    ids=["request-line", "header", "garbage", "header-line", "content-length", "huge-body", "bad-chunk", "encoding"],
)
def test_server_level_errors_answer_in_the_labs_json_shape(
    server: BackgroundServer, request_bytes: bytes, status: int, code: str
) -> None:
    answer = _raw(server.port, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    assert lines[0].split()[1] == str(status)
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    error = json.loads(body)["error"]
    assert error["code"] == code and error["type"] in ("invalid_request_error", "api_error")
    assert error["message"].endswith(".") and "<" not in error["message"]
    assert error["request_id"] == headers["request-id"] and error["request_id"].startswith("req_")


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",  # a body shorter than it said
        b"GET / HTTP/1.1\r\nHost: x\r\n",  # headers never finished
    ],
    ids=["short-body", "unfinished-headers"],
)
def test_a_request_cut_short_is_closed_without_an_html_page(server: BackgroundServer, request_bytes: bytes) -> None:
    assert _raw(server.port, request_bytes, half_close=True) == b""


def test_http_0_9_style_request_line_gets_a_plain_answer_not_html(server: BackgroundServer) -> None:
    answer = _raw(server.port, b"GET /\r\n\r\n")
    assert b"<html" not in answer.lower()
    assert answer.startswith(b"HTTP/1.")


def test_a_hundred_start_stop_cycles_leak_no_thread_or_descriptor() -> None:
    BackgroundServer(_app).start().stop()
    threads = threading.active_count()
    fds = _open_fds()
    for _ in range(100):
        running = BackgroundServer(_app).start()
        conn = http.client.HTTPConnection(HOST, running.port, timeout=5)
        conn.request("GET", "/")
        conn.getresponse().read()  # a worker thread started, and a keep-alive connection left open
        running.stop()
        conn.close()
    assert threading.active_count() <= threads
    assert fds is None or _open_fds() <= fds  # type: ignore[operator]


def _open_fds() -> int | None:
    import os

    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None


def _get(port: int, path: str = "/") -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def test_idle_sockets_by_the_hundred_do_not_lock_others_out(server: BackgroundServer) -> None:
    # waitress's default limit was 100: 101 idle sockets froze a learner's system for everyone (review R5).
    idle = [socket.create_connection((HOST, server.port), timeout=5) for _ in range(500)]
    try:
        started = time.monotonic()
        assert _get(server.port, "/after-the-flood") == 200
        assert time.monotonic() - started < 1
    finally:
        for sock in idle:
            sock.close()


def _one_answer(sock: socket.socket) -> bytes:
    """One whole answer on a kept-alive connection: its headers, then Content-Length bytes of body."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(
        next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def test_a_connection_that_never_finishes_a_request_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    import simulators.server as serving

    monkeypatch.setattr(serving, "FIRST_REQUEST_S", 0.5)
    monkeypatch.setattr(serving, "SWEEP_S", 0.2)
    running = BackgroundServer(_app, 0, name="test").start()
    try:
        silent = socket.create_connection((HOST, running.port), timeout=8)
        dripping = socket.create_connection((HOST, running.port), timeout=8)
        served = socket.create_connection((HOST, running.port), timeout=8)
        served.sendall(b"GET /kept HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"/kept" in _one_answer(served)
        dripping.sendall(b"GET /never-ends HTTP/1.1\r\n")
        started = time.monotonic()
        for sock in (silent, dripping):
            try:
                while sock.recv(1024):  # the server closes it: EOF (or a reset) within a few seconds
                    pass
            except ConnectionResetError:
                pass
        assert time.monotonic() - started < 6
        served.sendall(b"GET /still-here HTTP/1.1\r\nHost: x\r\n\r\n")  # a served keep-alive connection stays
        assert b"/still-here" in _one_answer(served)
        for sock in (silent, dripping, served):
            sock.close()
    finally:
        running.stop()
