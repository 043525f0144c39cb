"""Hostile input: junk values, broken bodies, huge keys, unknown ids, wrong methods.

Never a 5xx, always a JSON error with a message, and nothing already stored
is lost or changed. Most requests go through the system's whole WSGI stack
in-process (request log, fault layer, app) to keep the test fast; a share go
over real HTTP as well.
"""

from __future__ import annotations

import json
import random
from typing import Any
from urllib.parse import urlsplit

import requests
from werkzeug.test import Client

from simulators import Lab

PATHS = [
    "/v1/customers",
    "/v1/customers/{id}",
    "/v1/payment_intents",
    "/v1/payment_intents/{id}",
    "/v1/payment_intents/{id}/confirm",
    "/v1/payment_intents/{id}/cancel",
    "/v1/charges",
    "/v1/charges/{id}",
    "/v1/refunds",
    "/v1/refunds/{id}",
    "/v1/prices",
    "/v1/prices/{id}",
    "/v1/products/{id}",
    "/v1/subscriptions",
    "/v1/subscriptions/{id}",
    "/v1/invoices",
    "/v1/invoices/{id}",
    "/v1/invoices/{id}/pay",
    "/v1/webhook_endpoints",
    "/v1/webhook_endpoints/{id}",
    "/v1/webhook_endpoints/{id}/attempts",
    "/v1/events",
    "/v1/events/{id}",
    "/v1/events/{id}/retry",
    "/v1/events/{id}/attempts",
    "/v1/hooklab/recover_failed",
    "/v1/hooklab/knobs",
    "/v1/hooklab/rate_limit",
    "/v1/nothing/here",
    "/v1/",
    "/v1/customers/",
    "/v1//customers",
]
METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH"]
NAMES = [
    "amount",
    "currency",
    "customer",
    "payment_method",
    "confirm",
    "metadata",
    "items",
    "expand",
    "limit",
    "starting_after",
    "ending_before",
    "created",
    "types",
    "type",
    "delivery_success",
    "url",
    "enabled_events",
    "retry_policy",
    "disabled",
    "email",
    "name",
    "invoice_settings",
    "default_payment_method",
    "since",
    "charge",
    "payment_intent",
    "reason",
    "duplicates",
    "cancellation_reason",
    "quantity",
    "price",
    "off",
]
VALUES = [
    "",
    "0",
    "-1",
    "1e9",
    "99999999999999999999",
    "true",
    "false",
    "null",
    "NaN",
    "pm_card_visa",
    "pm_card_chargeDeclined",
    "cus_missing",
    "price_basic_monthly",
    "usd",
    "USD",
    "xx",
    "*",
    "%",
    "%ZZ",
    "[]",
    "{}",
    "a" * 6000,
    "\u00e9\u4e2d",
    "http://",
    "http://127.0.0.1:1/x",
    "ftp://x",
    "' OR 1=1 --",
    "payment_intent.succeeded",
    "1.5",
    "2",
    "100",
    "101",
    "1900",
    "standard",
    "none",
    "0.5",
    "all",
    "requested_by_customer",
    "default_incomplete",
    "1772442000",
]
IDS = [
    "cus_missing",
    "pi_missing",
    "x",
    "%00",
    "evt_" + "z" * 300,
    "we_missing",
    "in_missing",
    "sub_missing",
    "ch_missing",
    "re_missing",
    "price_nope",
    "..",
    "cus_%FF",
]


#: The parameters each resource takes, so that most junk gets past the name check into the values.
FIELDS = {
    "customers": [
        "email",
        "name",
        "metadata",
        "invoice_settings",
        "payment_method",
        "limit",
        "starting_after",
        "created",
    ],
    "payment_intents": [
        "amount",
        "currency",
        "customer",
        "payment_method",
        "confirm",
        "metadata",
        "capture_method",
        "cancellation_reason",
        "limit",
        "created",
    ],
    "refunds": ["payment_intent", "charge", "amount", "reason", "metadata"],
    "subscriptions": [
        "customer",
        "items",
        "default_payment_method",
        "payment_behavior",
        "metadata",
        "status",
        "price",
        "cancel_at_period_end",
    ],
    "invoices": ["payment_method", "status", "customer", "subscription"],
    "webhook_endpoints": ["url", "enabled_events", "retry_policy", "disabled", "metadata", "description"],
    "events": [
        "type",
        "types",
        "created",
        "delivery_success",
        "limit",
        "starting_after",
        "ending_before",
        "webhook_endpoint",
    ],
    "hooklab": ["since", "webhook_endpoint", "duplicates", "out_of_order", "reads_per_minute", "off"],
}


def _key(rng: random.Random, path: str = "") -> str:
    resource = path.split("/")[2] if path.count("/") >= 2 else ""
    own = FIELDS.get(resource)
    name = rng.choice(own) if own and rng.random() < 0.85 else rng.choice(NAMES)
    shape = rng.random()
    if shape < 0.55:
        return name
    if shape < 0.7:
        return f"{name}[{rng.choice(['0', '1', '', 'k', 'gte', 'price', '999999'])}]"
    if shape < 0.8:
        return f"{name}[0][{rng.choice(['price', 'quantity', 'x'])}]"
    if shape < 0.88:
        return name + "[" * rng.randint(1, 3) + "]" * rng.randint(0, 3)
    if shape < 0.95:
        return name + "[a]" * rng.randint(4, 9)
    return rng.choice(["", "[x]", "]", "k" * 5000, "\u2603", "%5B", name + "[]" * 3, "%FF"])


def _body(rng: random.Random, path: str) -> tuple[bytes, str]:
    shape = rng.random()
    if shape < 0.7:
        pairs = [f"{_key(rng, path)}={rng.choice(VALUES)}" for _ in range(rng.randint(0, 6))]
        return "&".join(pairs).encode("utf-8", "surrogateescape"), "application/x-www-form-urlencoded"
    if shape < 0.8:
        junk: Any = rng.choice(
            [
                [],
                1,
                "x",
                None,
                {"amount": [1]},
                {"metadata": {"k": {"deep": 1}}},
                {"items": [{"price": None}]},
                {"amount": True, "currency": 5},
                {"expand": "customer"},
                {"created": {"gt": "x"}},
                {"limit": 1.5},
            ]
        )
        return json.dumps(junk).encode(), "application/json"
    if shape < 0.88:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 200))), rng.choice(
            ["application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data"]
        )
    if shape < 0.97:
        return b"a=" + b"%" * 50 + b"&&&===&", "application/x-www-form-urlencoded"
    return b"&".join(b"k%d=v" % n for n in range(1200)), "application/x-www-form-urlencoded"


def _request(rng: random.Random) -> dict[str, Any]:
    path = rng.choice(PATHS).replace("{id}", rng.choice(IDS))
    method = rng.choices(METHODS, weights=[35, 45, 12, 4, 4])[0]
    body, kind = _body(rng, path)
    query = "&".join(f"{_key(rng, path)}={rng.choice(VALUES)}" for _ in range(rng.randint(0, 3)))
    headers = {"Content-Type": kind}
    if rng.random() < 0.2:
        headers["Idempotency-Key"] = rng.choice(["", "k", "x" * 400, "same-key", "\u00e9"])
    return {"method": method, "path": path, "query": query, "body": body, "headers": headers}


def _snapshot(lab: Lab) -> list[dict[str, Any]]:
    return lab.payments.store.query("SELECT id, body FROM documents ORDER BY seq")


def _check(status: int, body: bytes, what: Any) -> None:
    assert status < 500, f"{what} -> {status} {body[:300]!r}"
    if status >= 400:
        error = json.loads(body)["error"]
        assert error["message"] and error["type"], what


def test_thousands_of_junk_requests_never_break_anything(lab: Lab) -> None:
    pay = lab.payments
    pay.rate_limit(None)
    customer = pay.create_customer("ada@example.com", metadata={"plan": "pro"})
    intent = pay.pay(customer["id"], 1900)
    pay.subscribe(customer["id"], "basic")
    lab.settle()
    before = _snapshot(lab)
    auth = {"Authorization": f"Bearer {pay.api_key}"}
    rng = random.Random(2024)
    wsgi = Client(pay.server.app)
    # The server's address and the lab's key prefix, as the SDK sends them: without both, every request
    # would stop at the Host check or the key guard and the fuzz would test nothing behind them.
    base, key = f"http://{urlsplit(pay.url).netloc}", urlsplit(pay.url).path
    statuses: set[int] = set()
    for _ in range(1700):
        req = _request(rng)
        headers = {
            **req["headers"],
            **(
                auth
                if rng.random() < 0.95
                else {"Authorization": rng.choice(["", "Bearer", "Basic !!", "Bearer sk_test_x"])}
            ),
        }
        response = wsgi.open(
            key + req["path"],
            base_url=base,
            method=req["method"],
            query_string=req["query"],
            data=req["body"],
            headers=headers,
        )
        statuses.add(response.status_code)
        _check(response.status_code, response.get_data(), req)
    assert {200, 400, 401} <= statuses  # the junk reached the routes themselves, not only the guards
    session = requests.Session()
    for _ in range(300):
        req = _request(rng)
        url = f"{pay.url}{req['path']}" + (f"?{req['query']}" if req["query"] else "")
        response = session.request(req["method"], url, data=req["body"], headers={**req["headers"], **auth})
        _check(response.status_code, response.content, req)
    lab.settle()
    after = {row["id"]: row["body"] for row in _snapshot(lab)}
    for row in before:
        assert after.get(row["id"]) == row["body"], f"{row['id']} changed or vanished"
    # still a working payment system
    pay.rate_limit()
    assert pay.pay(customer["id"], 4900, metadata={"plan": "pro"})["status"] == "succeeded"
    assert pay.client.get(f"/v1/payment_intents/{intent['id']}")["status"] == "succeeded"
    lab.settle()
    assert lab.provisioning.accounts()[0]["customer"] == customer["id"]


def test_oversized_body_is_a_413_json_error(lab: Lab) -> None:
    response = requests.post(
        lab.payments.url + "/v1/customers",
        data=b"email=" + b"a" * (2 * 1024 * 1024),
        auth=(lab.payments.api_key, ""),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413 and response.json()["error"]["message"]


def test_wrong_method_and_unknown_url_are_json(lab: Lab) -> None:
    auth = (lab.payments.api_key, "")
    wrong = requests.put(lab.payments.url + "/v1/customers", auth=auth)
    assert wrong.status_code == 405 and "PUT" in wrong.json()["error"]["message"]
    unknown = requests.get(lab.payments.url + "/v1/widgets", auth=auth)
    assert unknown.status_code == 404 and "Unrecognized request URL" in unknown.json()["error"]["message"]
    unknown_param = requests.post(lab.payments.url + "/v1/customers", data={"colour": "red"}, auth=auth)
    assert unknown_param.status_code == 400
    assert unknown_param.json()["error"]["message"] == "Received unknown parameter: colour"
    assert lab.payments.customers() == []
