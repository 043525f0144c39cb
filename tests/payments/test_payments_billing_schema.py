"""Every billing body (API answers and event payloads) against Stripe's published schemas, where one exists."""

from __future__ import annotations

from collections import Counter
from typing import Any

import requests

from simulators import Lab
from tests.payments.stripe_schema import known, problems

#: The objects this part of the sandbox makes; payment intents and charges are checked with their own routes.
BILLING = ("invoice", "line_item", "subscription", "product", "price", "coupon", "discount", "customer")


def _walk(body: Any) -> list[dict[str, Any]]:
    """Every object in a body, nested ones too."""
    found = []
    if isinstance(body, dict):
        if body.get("object") in BILLING:
            found.append(body)
        for value in body.values():
            found += _walk(value)
    elif isinstance(body, list):
        for item in body:
            found += _walk(item)
    return found


def test_every_billing_body_matches_its_published_schema(lab: Lab) -> None:
    pay = lab.payments
    api = pay.client
    coupon = api.post("/v1/coupons", percent_off=20, duration="repeating", duration_in_months=2)
    price = api.post(
        "/v1/prices", currency="usd", unit_amount=1200, recurring={"interval": "month"}, product_data={"name": "Box"}
    )
    ada = pay.create_customer("ada@example.com", payment_method="pm_card_visa")
    subscription = api.post(
        "/v1/subscriptions", customer=ada["id"], items=[{"price": price["id"]}], coupon=coupon["id"]
    )
    api.post("/v1/subscriptions", customer=ada["id"], items=[{"price": "price_basic_monthly"}], trial_period_days=10)
    api.post("/v1/invoiceitems", customer=ada["id"], amount=900, currency="usd")
    draft = api.post("/v1/invoices", customer=ada["id"], auto_advance=False)
    api.post(f"/v1/invoices/{draft['id']}/finalize")
    lab.advance(days=15)
    api.post(f"/v1/subscriptions/{subscription['id']}", items=[{"price": "price_pro_monthly"}])
    lab.advance(days=20)
    headers = {"Authorization": f"Bearer {pay.api_key}"}
    bodies = [
        requests.get(pay.url + path, params=params, headers=headers, timeout=10).json()
        for path, params in [
            ("/v1/invoices", {"limit": 100}),
            ("/v1/subscriptions", {"status": "all"}),
            ("/v1/products", {"limit": 100}),
            ("/v1/prices", {"limit": 100}),
            ("/v1/coupons", {}),
            (f"/v1/invoices/{draft['id']}", {}),
            (f"/v1/invoices/{draft['id']}/lines", {}),
            ("/v1/invoices/upcoming", {"customer": ada["id"], "subscription": subscription["id"]}),
        ]
    ]
    bodies += [event["data"]["object"] for event in pay.events()]
    checked: Counter[str] = Counter()
    failures = []
    for body in bodies:
        for obj in _walk(body):
            assert known(obj["object"])
            checked[obj["object"]] += 1
            failures += [f"{obj['object']} {obj.get('id')}: {p}" for p in problems(obj)]
    assert failures == []
    assert set(checked) == set(BILLING), checked
    assert sum(checked.values()) > 150
