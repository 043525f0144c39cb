"""waitress against cheroot, as the lab would embed each: the measurement behind simulators/server.py.

    .venv/bin/python benchmarks/server_choice.py [--requests 1500] [--rounds 3] [--cycles 30]

Per server: keep-alive requests/s of a Flask hello-world (one `http.client`
connection posting ~1 KB of JSON), start and stop medians, whether a stopped
server's port refuses a pooled keep-alive connection, threads and descriptors
left after the cycles, and what a request line over 64 KiB gets back. The raw
socket floor runs in the same rounds. Both servers must be installed
(`pip install waitress cheroot`); a missing one is reported, not guessed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import median, ms  # noqa: E402
from floors import RawServer, hello_app, interleaved, post_loop  # noqa: E402

BODY = json.dumps({"id": "evt_" + "x" * 24, "data": {"object": {"note": "y" * 900}}}).encode()


class _Waitress:
    name = "waitress"

    def __init__(self, app: Any) -> None:
        from waitress.server import create_server

        self._server: Any = create_server(app, host="127.0.0.1", port=0, threads=4, asyncore_use_poll=True)
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        from waitress import wasyncore

        server = self._server
        # The loop thread owns the socket map: close everything from inside it, then the loop ends.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        self._thread.join(5)
        server.task_dispatcher.shutdown()


class _Cheroot:
    name = "cheroot"

    def __init__(self, app: Any) -> None:
        from cheroot import wsgi

        self._server = wsgi.Server(("127.0.0.1", 0), app, numthreads=4)
        self._server.expiration_interval = 0.02  # the serve loop's poll; 0.5 s would bound stop()
        self._server.prepare()
        self.port = self._server.bind_addr[1]
        self._thread = threading.Thread(target=self._server.serve, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.stop()
        self._thread.join(5)


def _available() -> list[type]:
    found: list[type] = []
    for kind, module in ((_Waitress, "waitress"), (_Cheroot, "cheroot")):
        try:
            __import__(module)
        except ImportError:
            continue
        found.append(kind)
    return found


def _fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1


def _refuses_after_stop(kind: type) -> bool:
    """A keep-alive connection is open when the server stops; a new request must fail, not hang or answer."""
    import http.client

    server = kind(hello_app())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
    conn.request("POST", "/", body=b"{}", headers={"Content-Type": "application/json"})
    conn.getresponse().read()
    server.stop()
    try:
        conn.request("POST", "/", body=b"{}", headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        old_answered = True
    except (OSError, http.client.HTTPException):
        old_answered = False
    finally:
        conn.close()
    probe = socket.socket()
    try:
        probe.settimeout(2)
        refused = probe.connect_ex(("127.0.0.1", server.port)) != 0
    finally:
        probe.close()
    return refused and not old_answered


def _long_request_line(kind: type) -> dict[str, Any]:
    server = kind(hello_app())
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while True:
                try:
                    chunk = sock.recv(65536)
                except (ConnectionResetError, TimeoutError):
                    break
                if not chunk:
                    break
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        content_type = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-type")]
        return {
            "status_line": head.split(b"\r\n", 1)[0].decode("latin-1"),
            "content_type": content_type[0].decode("latin-1") if content_type else None,
            "body_starts": body[:60].decode("latin-1"),
        }
    finally:
        server.stop()


def _cycles(kind: type, cycles: int) -> dict[str, Any]:
    app = hello_app()
    kind(app).stop()  # first-use imports are not part of the median
    threads, fds = threading.active_count(), _fds()
    starts, stops = [], []
    for _ in range(cycles):
        started = time.perf_counter()
        server = kind(app)
        starts.append(time.perf_counter() - started)
        started = time.perf_counter()
        server.stop()
        stops.append(time.perf_counter() - started)
    time.sleep(0.2)  # let daemon threads that were told to end finish ending
    return {
        "start_ms_median": ms(median(starts)),
        "stop_ms_median": ms(median(stops)),
        "stop_ms_max": ms(max(stops)),
        "threads_left": threading.active_count() - threads,
        "fds_left": _fds() - fds,
    }


def measure(requests: int = 1500, rounds: int = 3, cycles: int = 30) -> dict[str, Any]:
    kinds = _available()
    out: dict[str, Any] = {"body_bytes": len(BODY), "requests_per_figure": requests, "rounds": rounds}
    raw = RawServer()
    servers = {kind.name: kind(hello_app()) for kind in kinds}
    try:
        for port in [raw.port, *(s.port for s in servers.values())]:
            post_loop(port, BODY, 100)  # warm up
        measures = {"raw_socket_floor": lambda: requests / post_loop(raw.port, BODY, requests)}
        for name, server in servers.items():
            measures[name] = lambda port=server.port: requests / post_loop(port, BODY, requests)
        rates = interleaved(measures, rounds)
    finally:
        raw.stop()
        for server in servers.values():
            server.stop()
    out["keepalive_requests_per_s"] = {name: [round(r) for r in values] for name, values in rates.items()}
    for kind in kinds:
        out[kind.name] = {
            **_cycles(kind, cycles),
            "stopped_port_refuses_pooled_connection": _refuses_after_stop(kind),
            "request_line_over_64k": _long_request_line(kind),
        }
    missing = {"waitress", "cheroot"} - {kind.name for kind in kinds}
    if missing:
        out["not_installed"] = sorted(missing)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=30)
    args = parser.parse_args()
    result = measure(args.requests, args.rounds, args.cycles)
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
