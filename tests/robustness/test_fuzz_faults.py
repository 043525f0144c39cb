"""Per system: random fault settings through the admin API, then hostile requests made *under* the fault.

The older admin fuzz cleared every fault after each example, so a setting the
admin accepted was never met by a request (that hid `status: 429.5`). Here
each example sets a drawn fault (well formed or not), sends one to three drawn
requests (any method, path, headers, Host and body) while it is on, and only
then clears it. What must hold:

- the admin answers 200 or a JSON 4xx naming the field, never a 5xx;
- no 5xx unless the fault asked for it or a learner's handler raised;
- every error is JSON with a message (the HTML pages of the dashboards aside);
- a request refused (4xx, or turned away by the fault) changes no stored object;
- the lab still answers afterwards.

Set HOOKLAB_FUZZ_REPORT to a file path to get the figures of a run as JSON.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators import Lab
from simulators.faultspec import KINDS
from tests.robustness.fuzzhttp import Route, json_values, loopback_only, routes, scalar_text, snapshot
from tests.robustness.slow import fuzz_settings

SYSTEMS = ["payments", "provisioning", "crm", "mailer", "echo"]
NAN, INF = float("nan"), float("inf")
#: Values each fault field may be given: good ones (only short delays, so a run stays quick) and hostile ones.
FIELD_VALUES: dict[str, list[Any]] = {
    "rate": [0, 1, 0.5, 1.0, True, False, -1, 5, NAN, INF, "0.5", None, 2**70, [0.5]],
    "status": [429, 429.5, 503, 500.0, 502, 404, 200, 302, 999, 99, "503", "abc", True, None, {"code": 503}],
    "retry_after": [
        30,
        "30",
        "Wed, 21 Oct 2026 07:28:00 GMT",
        "1\r\nSet-Cookie: pwn=1",
        -5,
        1e308,
        True,
        "x",
        86401,
        2.5,
    ],
    "seconds": [0.01, 0.02, 0, -1, NAN, INF, -INF, True, "0.01", 601, 1e308, None],
    "colour": ["red"],
}
HOSTS = ["good", "good", "good", "good", "localhost", "evil.example", "127.0.0.1:1", "", "[::1]"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW", "get"]
HEADER_NAMES = ["Content-Type", "Accept", "X-Forwarded-For", "Idempotency-Key", "Cookie", "X-Custom", "Referer"]
FIGURES: dict[str, Counter[str]] = {}


def _fault_settings() -> st.SearchStrategy[dict[str, Any]]:
    kind = st.one_of(st.sampled_from(KINDS), st.sampled_from(KINDS), st.sampled_from(["", "flood", 1, None]))
    fields = st.fixed_dictionaries(
        {}, optional={field: st.sampled_from(values) for field, values in FIELD_VALUES.items()}
    )
    return st.builds(lambda k, f: {"kind": k, **f}, kind, fields)


@st.composite
def _hostile_request(
    draw: st.DrawFn, rules: list[Route], ids: list[str], port: int, auth: dict[str, str]
) -> dict[str, Any]:
    route = draw(st.sampled_from(rules))
    path = route.rule
    for _ in range(path.count("<")):
        start, end = path.index("<"), path.index(">")
        path = path[:start] + draw(st.sampled_from([*ids[:8], "x", "..", "%00", "a" * 200])) + path[end + 1 :]
    if draw(st.booleans()):
        path += "?" + draw(st.sampled_from(["limit=3", "limit=-1", "limit=abc", "a[b]=c", "%zz", "x=" + "y" * 500]))
    method = draw(st.one_of(st.just(route.method), st.sampled_from(METHODS)))
    headers: dict[str, str] = {}
    host = draw(st.sampled_from(HOSTS))
    if host == "good":
        headers["Host"] = f"127.0.0.1:{port}"
    elif host:
        headers["Host"] = host if ":" in host and not host.startswith("[") else f"{host}:{port}"
    if auth and draw(st.integers(0, 3)):
        headers.update(auth)
    for _ in range(draw(st.integers(0, 3))):
        value = draw(st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60))
        headers[draw(st.sampled_from(HEADER_NAMES))] = value
    kind = draw(st.sampled_from(["none", "json", "json", "nested", "form", "raw"]))
    body: bytes | None = None
    if kind == "json":
        body = json.dumps(draw(json_values(ids, ["email", "name", "amount", "customer", "to", "kind"]))).encode()
        headers["Content-Type"] = "application/json"
    elif kind == "nested":
        depth = draw(st.sampled_from([101, 2_000, 60_000]))
        body = draw(st.sampled_from([b"[" * depth, b'{"a":' * depth, b"[" * depth + b"]" * depth]))
        headers["Content-Type"] = draw(st.sampled_from(["application/json", "text/plain", ""]))
    elif kind == "form":
        body = f"email={draw(scalar_text(ids))}&amount={draw(scalar_text(ids))}".encode("utf-8", "surrogatepass")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif kind == "raw":
        body = draw(st.binary(max_size=300))
    return {"route": route, "method": method, "path": path, "headers": headers, "body": body}


def _send(service: Any, sent: dict[str, Any]) -> tuple[int, dict[str, str], bytes] | None:
    """Send over a fresh connection, under the lab's key; None when the server dropped it without an answer."""
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    try:
        path = service.base_path + sent["path"]
        connection.request(sent["method"], path, body=sent["body"], headers=sent["headers"])
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except (TimeoutError, http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        return None
    finally:
        connection.close()


def _error_of(headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
    if not headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else None


@pytest.fixture(scope="module")
def fault_lab() -> Iterator[Lab]:
    with loopback_only(), Lab(seed=31) as lab:
        lab.payments.rate_limit(None)
        customer = lab.payments.create_customer("fault@example.com", name="Fault")
        lab.payments.pay(customer["id"], 1900)
        lab.crm.create_contact("ada@example.com", name="Ada")
        lab.mailer.send("ops@example.com", "hello", "a body")
        lab.host(lambda request: request.json, name="echo")
        lab.settle()
        yield lab


def _admin(lab: Lab, name: str, setting: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", lab.control.port, timeout=30)
    try:
        # allow_nan: the hostile settings include NaN and Infinity, which Python's json writes and reads.
        body = json.dumps(setting, allow_nan=True)
        headers = {"Authorization": f"Bearer {lab.admin_token}", "Content-Type": "application/json"}
        connection.request("POST", f"{lab.control.base_path}/admin/systems/{name}/faults", body=body, headers=headers)
        response = connection.getresponse()
        headers_seen = {k.lower(): v for k, v in response.getheaders()}
        raw = response.read()
    finally:
        connection.close()
    assert headers_seen.get("content-type", "").startswith("application/json"), raw[:200]
    return response.status, json.loads(raw)


def _lab_answers(lab: Lab, name: str) -> None:
    service = lab.system(name)
    answer = _send(service, {"method": "GET", "path": "/", "headers": {}, "body": None})
    assert answer is not None and answer[0] == 200, f"{name} no longer answers its dashboard: {answer!r}"
    status = _send(lab.control, {"method": "GET", "path": "/", "headers": {}, "body": None})
    assert status is not None and status[0] == 200 and b"could not be drawn" not in status[2]


@pytest.mark.parametrize("name", SYSTEMS)
def test_requests_under_each_accepted_fault(fault_lab: Lab, name: str) -> None:
    service = fault_lab.system(name)
    rules = routes(service.app)
    ids = [row["id"] for row in service.store.query("SELECT id FROM documents ORDER BY seq DESC LIMIT 20")]
    figures = FIGURES.setdefault(name, Counter())
    learner_routes = ("/webhooks/payments",) if name == "provisioning" else ("/",) if name == "echo" else ()
    auth = {"Authorization": f"Bearer {fault_lab.payments.api_key}"} if name == "payments" else {}

    @fuzz_settings(20)
    @given(setting=_fault_settings(), data=st.data())
    def run(setting: dict[str, Any], data: st.DataObject) -> None:
        status, answer = _admin(fault_lab, name, setting)
        figures["fault settings tried"] += 1
        assert status in (200, 400), f"admin answered {status} to {setting!r}: {answer}"
        if status == 400:
            figures["fault settings refused (400)"] += 1
            error = answer["error"]
            assert error["message"].strip() and error.get("param"), f"{setting!r}: {error}"
            assert service.faults.active() == {}, f"a refused setting changed the faults: {setting!r}"
        else:
            figures["fault settings accepted"] += 1
        fault = service.faults.active().get(str(setting.get("kind")), {})
        try:
            for _ in range(data.draw(st.integers(1, 3), label="requests")):
                sent = data.draw(_hostile_request(rules, ids, service.port, auth))
                _check_one(fault_lab, name, service, sent, setting, fault, figures, learner_routes)
        finally:
            service.faults.clear()
            fault_lab.settle()
        _lab_answers(fault_lab, name)

    with loopback_only():
        run()
    _report()


def _check_one(
    lab: Lab,
    name: str,
    service: Any,
    sent: dict[str, Any],
    setting: dict[str, Any],
    fault: dict[str, Any],
    figures: Counter[str],
    learner_routes: tuple[str, ...],
) -> None:
    route: Route = sent["route"]
    figures["requests"] += 1
    lab.settle()
    before = snapshot(service.store)
    if service.faults.is_down:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", service.port), timeout=2).close()
        figures["refused while down"] += 1
        return
    answer = _send(service, sent)
    where = f"{setting!r} then {sent['method']} {sent['path']} {sent['headers']!r}"
    assert answer is not None, f"connection dropped without an answer: {where}"
    status, headers, body = answer
    error = _error_of(headers, body)
    injected = error is not None and error.get("code") == "injected_fault"
    if sent["method"] == "HEAD" and fault.get("status") == status:
        injected = True  # a HEAD answer has no body to say so
    learner = route.rule.startswith(learner_routes) if learner_routes else False
    if learner and name == "echo" and status == _status_asked(sent["body"]):
        figures["statuses a learner handler chose"] += 1
        return  # the echo handler returned the int it was sent: a status the learner chose
    if injected:
        figures["answered by the fault"] += 1
        assert status == int(fault["status"]), f"the fault answered {status}, not its {fault['status']}: {where}"
    elif status >= 500:
        figures["5xx"] += 1
        assert learner and error is not None and error.get("type") in ("handler_error", "handler_bad_return"), (
            f"server error: {where} -> {status} {body[:300]!r}"
        )
        figures["5xx from learner code"] += 1
    browser = "html" in sent["headers"].get("Accept", "")
    is_page = sent["method"] in ("GET", "HEAD") and route.is_page() and (status not in (404, 405, 421) or browser)
    if status >= 400 and not is_page and sent["method"] != "HEAD":
        if error is None:
            figures["non-JSON errors"] += 1
        assert error is not None, f"error without the JSON error shape: {where} -> {status} {body[:300]!r}"
        assert isinstance(error.get("message"), str) and error["message"].strip(), f"no message: {where}"
    if status == 421:
        figures["refused for its Host (421)"] += 1
    if "set-cookie" in headers:
        raise AssertionError(f"a header was injected: {where} -> {headers!r}")
    lab.settle()
    work_done_then_failed = injected and fault and setting.get("kind") == "fail_after_work"
    if (sent["method"] in ("GET", "HEAD") or 400 <= status < 500 or injected) and not work_done_then_failed:
        if status != 402:  # a declined card is kept, as Stripe keeps it
            assert snapshot(service.store) == before, f"a refused request changed stored objects: {where}"
            figures["refused requests with data intact"] += 1


def _status_asked(body: bytes | None) -> int | None:
    try:
        value = json.loads(body or b"")
    except (ValueError, RecursionError):
        return None
    return value if type(value) is int else None


def _report() -> None:
    target = os.environ.get("HOOKLAB_FUZZ_REPORT")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump({name: dict(counts) for name, counts in FIGURES.items()}, out, indent=2, sort_keys=True)
