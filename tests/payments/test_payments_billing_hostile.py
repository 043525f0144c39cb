"""Junk sent to the catalogue, invoicing, Checkout and test clock routes: never a 5xx, nothing stored changes."""

from __future__ import annotations

import random
from typing import Any

import requests
from werkzeug.test import Client

from simulators import Lab
from simulators.payments.http.forms import encode
from tests.payments.test_payments_hostile import IDS, METHODS, VALUES, _body, _check, _snapshot

PATHS = [
    "/v1/products",
    "/v1/products/{product}",
    "/v1/prices",
    "/v1/prices/{price}",
    "/v1/coupons",
    "/v1/coupons/{coupon}",
    "/v1/invoiceitems",
    "/v1/invoiceitems/{invoiceitem}",
    "/v1/invoices",
    "/v1/invoices/{invoice}",
    "/v1/invoices/{invoice}/finalize",
    "/v1/invoices/{invoice}/pay",
    "/v1/invoices/{invoice}/void",
    "/v1/invoices/{invoice}/mark_uncollectible",
    "/v1/invoices/{invoice}/lines",
    "/v1/invoices/upcoming",
    "/v1/invoices/create_preview",
    "/v1/subscriptions",
    "/v1/subscriptions/{subscription}",
    "/v1/checkout/sessions",
    "/v1/checkout/sessions/{session}",
    "/v1/checkout/sessions/{session}/line_items",
    "/v1/checkout/sessions/{session}/expire",
    "/v1/test_helpers/test_clocks",
    "/v1/test_helpers/test_clocks/{clock}",
    "/v1/test_helpers/test_clocks/{clock}/advance",
]
PAGE = "/checkout/{session}"
NAMES = [
    "name", "active", "metadata", "product", "product_data", "currency", "unit_amount", "recurring",
    "lookup_key", "transfer_lookup_key", "percent_off", "amount_off", "duration", "duration_in_months", "id",
    "customer", "amount", "price", "quantity", "invoice", "subscription", "auto_advance", "discounts", "coupon",
    "items", "proration_behavior", "trial_period_days", "trial_end", "cancel_at_period_end", "mode", "line_items",
    "success_url", "cancel_url", "customer_email", "expires_at", "frozen_time", "paid_out_of_band", "limit",
    "subscription_data", "payment_method", "default_payment_method", "pending",
]  # fmt: skip
KEY_SHAPES = [
    "{n}",
    "{n}[0]",
    "{n}[0][price]",
    "{n}[0][price_data][currency]",
    "{n}[interval]",
    "{n}[name]",
    "{n}[]",
    "{n}[[]",
]


def _key(rng: random.Random) -> str:
    return rng.choice(KEY_SHAPES).format(n=rng.choice(NAMES))


def _form(rng: random.Random) -> bytes:
    return "&".join(f"{_key(rng)}={rng.choice(VALUES)}" for _ in range(rng.randint(0, 7))).encode()


def test_junk_never_breaks_the_billing_routes(lab: Lab) -> None:
    pay = lab.payments
    pay.rate_limit(None)
    customer = pay.create_customer("ada@example.com", payment_method="pm_card_visa")
    api = pay.client
    real = {
        "product": api.post("/v1/products", name="Thing")["id"],
        "price": api.post("/v1/prices", currency="usd", unit_amount=900, product_data={"name": "Fee"})["id"],
        "coupon": api.post("/v1/coupons", percent_off=10)["id"],
        "invoiceitem": api.post("/v1/invoiceitems", customer=customer["id"], amount=300, currency="usd")["id"],
        "subscription": pay.subscribe(customer["id"], "basic")["id"],
        "clock": api.post("/v1/test_helpers/test_clocks", frozen_time=1_780_000_000)["id"],
    }
    real["invoice"] = api.post("/v1/invoices", customer=customer["id"], auto_advance=False)["id"]
    real["session"] = pay.checkout("basic", customer_email="ada@example.com")["id"]
    lab.settle()
    before = _snapshot(lab)
    auth = {"Authorization": f"Bearer {pay.api_key}"}
    rng = random.Random(2026)
    wsgi = Client(pay.server.app)

    def target(path: str) -> str:
        for kind, object_id in real.items():
            path = path.replace(f"{{{kind}}}", object_id if rng.random() < 0.7 else rng.choice(IDS))
        return path

    for _ in range(1200):
        path = target(rng.choice(PATHS))
        method = rng.choices(METHODS, weights=[30, 55, 10, 3, 2])[0]
        body, kind = (_form(rng), "application/x-www-form-urlencoded") if rng.random() < 0.75 else _body(rng, path)
        response = wsgi.open(
            path, method=method, query_string=_form(rng).decode(), data=body, headers={**auth, "Content-Type": kind}
        )
        _check(response.status_code, response.get_data(), (method, path, body))
    for _ in range(150):
        fields = {
            name: rng.choice(VALUES)
            for name in rng.sample(["email", "method", "card_number", "account_number", "name"], 3)
        }
        answer = requests.post(pay.url + target(PAGE), data=fields, allow_redirects=False, timeout=10)
        assert answer.status_code < 500, fields
    lab.settle()
    after = {row["id"]: row["body"] for row in _snapshot(lab)}
    changed = [row["id"] for row in before if after.get(row["id"]) != row["body"]]
    # Junk may be valid input now and then (a product renamed "0", a session paid with a test card); what
    # must hold is that nothing vanished and the system still works.
    assert all(row["id"] in after for row in before), changed
    assert api.get(f"/v1/invoices/{real['invoice']}")["object"] == "invoice"
    assert pay.pay(customer["id"], 1900)["status"] == "succeeded"


def test_a_refused_request_writes_nothing(lab: Lab) -> None:
    """Every refusal below happens after some valid work was prepared: the transaction keeps none of it."""
    pay = lab.payments
    customer = pay.create_customer("ada@example.com")
    api = pay.client
    before = _snapshot(lab)
    refusals: list[tuple[str, dict[str, Any]]] = [
        ("/v1/prices", {"currency": "usd", "unit_amount": 100, "product_data": {"name": "Half"}, "lookup_key": "k", "recurring": {"interval": "x"}}),
        ("/v1/products", {"name": "Half", "default_price_data": {"currency": "usd"}}),
        ("/v1/subscriptions", {"customer": customer["id"], "items": [{"price": "price_basic_monthly"}], "coupon": "NOPE"}),
        ("/v1/invoices", {"customer": customer["id"], "discounts": [{"coupon": "NOPE"}]}),
        ("/v1/checkout/sessions", {"mode": "payment", "success_url": "http://x", "line_items": [
            {"price_data": {"currency": "usd", "unit_amount": 100, "product_data": {"name": "A"}}, "quantity": 1},
            {"price": "price_basic_monthly", "quantity": 1}]}),
    ]  # fmt: skip
    for path, params in refusals:
        response = requests.post(
            pay.url + path, data=encode(params), headers={"Authorization": f"Bearer {pay.api_key}"}, timeout=10
        )
        assert 400 <= response.status_code < 500 and response.json()["error"]["param"], (path, response.text)
    assert _snapshot(lab) == before
    assert api.get("/v1/products", limit=100)["data"][-1]["id"] == "prod_basic"
