"""The lab's pooled HTTP client against a real server: requests' shapes, keep-alive, webhook delivery."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask, Response, redirect, request

from simulators.http import WebhookClient, forget_server, lab_request, loopback_session, post_webhook
from simulators.server import BackgroundServer


def _app() -> Flask:
    app = Flask("http-client-test")

    @app.route("/echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def echo() -> Any:
        return {
            "method": request.method,
            "args": request.args.to_dict(flat=False),
            "json": request.get_json(silent=True),
            "form": request.form.to_dict(),
            "body": request.get_data(as_text=True),
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "client_port": request.environ["REMOTE_PORT"],
        }

    @app.post("/hook")
    def hook() -> Any:
        return Response(f"got {len(request.get_data())} bytes, sig {request.headers.get('X-Sig')}", 200)

    @app.route("/moved", methods=["GET", "POST"])
    def moved() -> Any:
        return redirect("/echo", code=302)

    @app.route("/slow", methods=["GET", "POST"])
    def slow() -> Any:
        time.sleep(1.0)
        return {"slow": True}

    @app.post("/big")
    def big() -> Any:
        return Response("é" * 100_000, mimetype="text/plain")

    @app.get("/latin")
    def latin() -> Any:
        return Response("café".encode("latin-1"), content_type="text/plain; charset=latin-1")

    @app.get("/status/<int:code>")
    def status(code: int) -> Any:
        return Response("not json", status=code)

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    running = BackgroundServer(_app(), 0, name="http-client").start()
    try:
        yield running
    finally:
        running.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_lab_request_sends_json_and_reads_it_back(server: BackgroundServer) -> None:
    response = lab_request("POST", server.url + "/echo", json={"a": [1, 2]}, timeout=5)
    assert isinstance(response, requests.Response)
    assert response.status_code == 200 and response.ok
    assert response.headers["content-type"] == response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["json"] == {"a": [1, 2]}
    assert body["headers"]["content-type"] == "application/json"
    assert response.text == response.content.decode()


def test_form_data_params_and_headers_go_out_as_requests_sends_them(server: BackgroundServer) -> None:
    response = lab_request(
        "PUT",
        server.url + "/echo?x=1",
        params={"y": ["2", "3"]},
        data={"name": "Ada Lovelace"},
        headers={"X-Trace": "t1"},
        timeout=5,
    )
    body = response.json()
    assert body["method"] == "PUT"
    assert body["args"] == {"x": ["1"], "y": ["2", "3"]}
    assert body["form"] == {"name": "Ada Lovelace"}
    assert body["headers"]["x-trace"] == "t1"


def test_string_and_bytes_bodies_are_sent_as_given(server: BackgroundServer) -> None:
    for data in ("a=1&b=2", b"raw bytes"):
        body = lab_request("POST", server.url + "/echo", data=data, timeout=5).json()
        assert body["body"] == (data if isinstance(data, str) else data.decode())


def test_calls_reuse_one_keep_alive_connection(server: BackgroundServer) -> None:
    ports = {lab_request("GET", server.url + "/echo", timeout=5).json()["client_port"] for _ in range(5)}
    assert len(ports) == 1


def test_redirects_are_followed_unless_told_not_to(server: BackgroundServer) -> None:
    followed = lab_request("GET", server.url + "/moved", timeout=5)
    assert followed.status_code == 200 and followed.json()["method"] == "GET"
    kept = lab_request("GET", server.url + "/moved", timeout=5, allow_redirects=False)
    assert kept.status_code == 302 and kept.headers["Location"].endswith("/echo")


def test_errors_are_requests_exceptions(server: BackgroundServer) -> None:
    with pytest.raises(requests.Timeout):
        lab_request("GET", server.url + "/slow", timeout=0.2)
    with pytest.raises(requests.ConnectionError, match="refused"):
        lab_request("GET", f"http://127.0.0.1:{_free_port()}/", timeout=2)
    answer = lab_request("GET", server.url + "/status/503", timeout=5)
    with pytest.raises(requests.HTTPError, match="503 Server Error"):
        answer.raise_for_status()
    with pytest.raises(ValueError):
        answer.json()
    with pytest.raises(requests.RequestException):
        answer.json()


def test_text_uses_the_declared_charset(server: BackgroundServer) -> None:
    assert lab_request("GET", server.url + "/latin", timeout=5).text == "café"


def test_a_session_sends_its_own_headers_and_closes(server: BackgroundServer) -> None:
    with loopback_session() as session:
        session.headers["Authorization"] = "Bearer sk_test"
        body = session.get(server.url + "/echo", params={"limit": 3}, timeout=5).json()
        assert body["headers"]["authorization"] == "Bearer sk_test"
        assert body["headers"]["user-agent"].startswith("hooklab")
        assert body["args"] == {"limit": ["3"]}
        assert session.delete(server.url + "/echo", timeout=5).json()["method"] == "DELETE"


def test_a_restarted_server_is_reached_again_on_fresh_connections() -> None:
    server = BackgroundServer(_app(), 0, name="restart").start()
    try:
        first = lab_request("GET", server.url + "/echo", timeout=5).json()["client_port"]
        server.stop()
        with pytest.raises(requests.ConnectionError):
            lab_request("GET", server.url + "/echo", timeout=2)
        server.start()
        again = lab_request("GET", server.url + "/echo", timeout=5).json()["client_port"]
        assert again != first
    finally:
        server.stop()


def test_forget_server_closes_idle_pooled_connections(server: BackgroundServer) -> None:
    with loopback_session() as session:
        session.get(server.url + "/echo", timeout=5)
        pools = session._manager.pools
        assert len(pools) == 1
        forget_server(server.port)
        assert len(pools) == 0
        assert session.get(server.url + "/echo", timeout=5).status_code == 200  # a new pool, on demand


def test_post_webhook_answers_status_headers_and_excerpt(server: BackgroundServer) -> None:
    answer = post_webhook(server.url + "/hook", b'{"id": "evt_1"}', {"X-Sig": "v1=abc"}, timeout=5)
    status, headers, excerpt = answer
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert excerpt == "got 15 bytes, sig v1=abc"


def test_post_webhook_never_follows_a_redirect(server: BackgroundServer) -> None:
    answer = post_webhook(server.url + "/moved", b"{}", {}, timeout=5)
    assert answer.status == 302 and answer.headers["Location"].endswith("/echo")


def test_post_webhook_cuts_the_excerpt_and_keeps_working_after_a_huge_answer(server: BackgroundServer) -> None:
    with WebhookClient(excerpt_chars=500, user_agent="hooklab-webhooks/1.0") as client:
        answer = client.post(server.url + "/big", b"{}", {}, timeout=5)
        assert answer.status == 200 and answer.excerpt == "é" * 500
        echoed = client.post(server.url + "/echo", b'{"n": 1}', {"Content-Type": "application/json"}, timeout=5)
        assert echoed.status == 200
        assert json.loads(echoed.excerpt)["headers"]["user-agent"] == "hooklab-webhooks/1.0"


def test_post_webhook_timeout_and_refusal_are_requests_exceptions(server: BackgroundServer) -> None:
    started = time.perf_counter()
    with pytest.raises(requests.Timeout):
        post_webhook(server.url + "/slow", b"{}", {}, timeout=0.3)
    assert time.perf_counter() - started < 0.9
    with pytest.raises(requests.ConnectionError, match="refused"):
        post_webhook(f"http://127.0.0.1:{_free_port()}/hook", b"{}", {}, timeout=2)
