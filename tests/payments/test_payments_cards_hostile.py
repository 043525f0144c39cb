"""Hostile input on the card routes (payment methods, tokens, setup intents, capture, charges, the 3-D Secure page).

Never a 5xx, a JSON error with a message on the API, and nothing already stored is changed by a refused call.
"""

from __future__ import annotations

import json
import random
from typing import Any
from urllib.parse import urlsplit

from werkzeug.test import Client

from simulators import Lab

PATHS = [
    "/v1/payment_methods",
    "/v1/payment_methods/{id}",
    "/v1/payment_methods/{id}/attach",
    "/v1/payment_methods/{id}/detach",
    "/v1/customers/{id}/payment_methods",
    "/v1/customers/{id}/payment_methods/{id}",
    "/v1/tokens",
    "/v1/tokens/{id}",
    "/v1/setup_intents",
    "/v1/setup_intents/{id}",
    "/v1/setup_intents/{id}/confirm",
    "/v1/setup_intents/{id}/cancel",
    "/v1/payment_intents",
    "/v1/payment_intents/{id}/capture",
    "/v1/payment_intents/{id}/confirm",
    "/v1/charges",
    "/v1/charges/{id}",
    "/v1/charges/{id}/capture",
]
NAMES = [
    "type",
    "card[number]",
    "card[exp_month]",
    "card[exp_year]",
    "card[cvc]",
    "card[token]",
    "card",
    "card[number][x]",
    "billing_details[name]",
    "billing_details[address][city]",
    "billing_details[address]",
    "billing_details",
    "customer",
    "payment_method",
    "confirm",
    "usage",
    "return_url",
    "off_session",
    "capture_method",
    "amount_to_capture",
    "amount",
    "currency",
    "source",
    "capture",
    "metadata[k]",
    "payment_method_types[0]",
    "cancellation_reason",
    "tax_id_data[0][type]",
    "expand[]",
]
VALUES = [
    "",
    "card",
    "4242424242424242",
    "4242424242424241",
    "4000002760003184",
    "4000000000000002",
    "12",
    "13",
    "2031",
    "1999",
    "123",
    "true",
    "false",
    "manual",
    "off_session",
    "pm_card_visa",
    "pm_card_chargeDeclined",
    "pm_card_threeDSecure2Required",
    "tok_visa",
    "tok_chargeDeclined",
    "pm_missing",
    "tok_missing",
    "cus_missing",
    "usd",
    "100",
    "-1",
    "99999999999999999999",
    "javascript:alert(1)",
    "http://127.0.0.1:1/back",
    "\u00e9\u4e2d",
    "a" * 6000,
    "[]",
]


def _snapshot(lab: Lab) -> dict[str, str]:
    return {row["id"]: row["body"] for row in lab.payments.store.query("SELECT id, body FROM documents")}


#: The parameters each route takes, so that most junk gets past the name check into the values.
OWN = {
    "payment_methods": [
        "type",
        "card[number]",
        "card[exp_month]",
        "card[exp_year]",
        "card[cvc]",
        "card[token]",
        "billing_details[name]",
        "billing_details[address][city]",
        "metadata[k]",
        "customer",
    ],
    "tokens": ["card[number]", "card[exp_month]", "card[exp_year]", "card[cvc]", "card[name]"],
    "setup_intents": [
        "customer",
        "payment_method",
        "confirm",
        "usage",
        "return_url",
        "cancellation_reason",
        "payment_method_types[0]",
        "metadata[k]",
    ],
    "payment_intents": [
        "amount",
        "currency",
        "payment_method",
        "confirm",
        "capture_method",
        "off_session",
        "return_url",
        "amount_to_capture",
        "metadata[k]",
    ],
    "charges": ["amount", "currency", "source", "customer", "capture", "description", "metadata[k]"],
}
#: Enough for a charge or a card to go through, so the junk reaches the domain code too.
VALID = {
    "payment_methods": "type=card&card[number]=4242424242424242&card[exp_month]=12&card[exp_year]=2031",
    "tokens": "card[number]=4000000000000002&card[exp_month]=12&card[exp_year]=2031",
    "setup_intents": "confirm=true&payment_method=pm_card_visa",
    "payment_intents": "amount=900&currency=usd&confirm=true&payment_method=pm_card_visa",
    "charges": "amount=900&currency=usd&source=tok_visa",
}


def _request(rng: random.Random, ids: list[str]) -> dict[str, Any]:
    path = rng.choice(PATHS)
    while "{id}" in path:
        path = path.replace("{id}", rng.choice(ids), 1)
    resource = path.split("/")[-1] if path.count("/") == 2 else path.split("/")[2]
    own = OWN.get(resource, NAMES)
    pairs = [VALID[resource]] if resource in VALID and rng.random() < 0.4 else []
    pairs += [
        f"{rng.choice(own if rng.random() < 0.8 else NAMES)}={rng.choice(VALUES)}" for _ in range(rng.randint(0, 4))
    ]
    method = rng.choices(["GET", "POST", "DELETE"], weights=[30, 65, 5])[0]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if rng.random() < 0.15:
        headers["Idempotency-Key"] = rng.choice(["k", "same-key", "x" * 300])
    return {"path": path, "method": method, "data": "&".join(pairs), "headers": headers}


def test_junk_on_the_card_routes_never_breaks_anything(lab: Lab) -> None:
    pay = lab.payments
    pay.rate_limit(None)
    customer = pay.create_customer("ada@example.com")
    kept = pay.client.post("/v1/payment_methods/pm_card_visa/attach", customer=customer["id"])
    held = pay.client.post(
        "/v1/payment_intents",
        amount=1000,
        currency="usd",
        payment_method="pm_card_visa",
        confirm=True,
        capture_method="manual",
    )
    lab.settle()
    ids = [customer["id"], kept["id"], held["id"], held["latest_charge"], "pm_card_visa", "tok_visa", "x", "%00"]
    before = _snapshot(lab)
    auth = {"Authorization": f"Bearer {pay.api_key}"}
    rng = random.Random(13)
    wsgi = Client(pay.server.app)
    # The server's address and the lab's key prefix, as a browser or the SDK sends them.
    base, key = f"http://{urlsplit(pay.url).netloc}", urlsplit(pay.url).path
    statuses: set[int] = set()
    for _ in range(900):
        req = _request(rng, ids)
        response = wsgi.open(
            key + req["path"], base_url=base, method=req["method"], data=req["data"], headers={**req["headers"], **auth}
        )
        statuses.add(response.status_code)
        assert response.status_code < 500, (req, response.get_data()[:300])
        if response.status_code >= 400:
            error = json.loads(response.get_data())["error"]
            assert error["message"] and error["type"], req
    for _ in range(200):
        outcome = rng.choice(["complete", "fail", "", "x", "complete\u0000"])
        secret = rng.choice([held["client_secret"], "", "guess", "a" * 3000])
        target = rng.choice([held["id"], "seti_missing", "x", "pi_%00"])
        page = wsgi.open(
            f"{key}/hooklab/authenticate/{target}",
            base_url=base,
            method=rng.choice(["GET", "POST"]),
            data={"client_secret": secret, "outcome": outcome},
            query_string={"client_secret": secret},
        )
        assert page.status_code < 500 and page.mimetype in ("text/html", "application/json"), page.status_code
    assert {200, 400, 402, 404} <= statuses  # the junk reached every layer, up to charging cards
    lab.settle()
    after = _snapshot(lab)
    # What existed is still there; the one authorization is untouched unless the junk captured or canceled it.
    assert set(before) <= set(after)
    assert json.loads(after[customer["id"]])["email"] == "ada@example.com"
    assert pay.pay(customer["id"], 4900)["status"] == "succeeded"
