"""Every `/v1` route the payment system serves answers bodies that match Stripe's published schemas.

The routes come from the Flask url_map, so a route added without a case here
fails `test_every_route_has_a_case`. Each route is called over raw HTTP (with
the lab's key) and, where the SDK can send it, through the official `stripe`
SDK; the body each one received is validated with `stripe_schema.problems`.
Each route also answers one bad request, whose error body is validated too.
Routes whose shapes another part of the issue is still fixing are marked
`xfail(strict=True)` with the problems seen, so they flip to failures (and
get unmarked) the moment they conform.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import stripe

from simulators import Lab
from tests.payments.stripe_schema import problems, published_api_version


@dataclass
class World:
    """One lab with one of everything, shared by every case (cases that delete make their own)."""

    lab: Lab
    http: requests.Session
    sdk: stripe.StripeClient
    ids: dict[str, str]

    def call(self, method: str, path: str, **params: Any) -> requests.Response:
        data = _form(params) if method == "POST" else None
        query = _form(params) if method != "POST" else None
        return self.http.request(method, self.lab.payments.url + path, data=data, params=query, timeout=10)

    def make(self, method: str, path: str, **params: Any) -> dict[str, Any]:
        answer = self.call(method, path, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]


def _form(params: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            pairs += _form(value, name)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                pairs += (
                    _form({str(index): item}, name) if not isinstance(item, dict) else _form(item, f"{name}[{index}]")
                )
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with Lab(seed=23, systems=["payments"]) as lab, requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {lab.payments.api_key}"
        sdk = stripe.StripeClient(lab.payments.api_key, base_addresses={"api": lab.payments.url}, max_network_retries=0)
        made = World(lab, http, sdk, {})
        made.ids["endpoint"] = made.make(
            "POST", "/v1/webhook_endpoints", url="http://127.0.0.1:9/hook", enabled_events=["*"]
        )["id"]
        customer = made.make("POST", "/v1/customers", email="ada@example.com", name="Ada Lovelace")
        made.ids["customer"] = customer["id"]
        paid = made.make(
            "POST",
            "/v1/payment_intents",
            amount=1900,
            currency="usd",
            customer=customer["id"],
            payment_method="pm_card_visa",
            confirm=True,
        )
        made.ids["payment_intent"] = paid["id"]
        made.ids["charge"] = paid["latest_charge"]
        made.ids["refund"] = made.make("POST", "/v1/refunds", payment_intent=paid["id"], amount=100)["id"]
        subscription = made.make(
            "POST",
            "/v1/subscriptions",
            customer=customer["id"],
            items=[{"price": "price_basic_monthly"}],
            default_payment_method="pm_card_visa",
        )
        made.ids["subscription"] = subscription["id"]
        made.ids["invoice"] = subscription["latest_invoice"]
        made.ids["price"] = "price_basic_monthly"
        made.ids["product"] = made.make("GET", "/v1/prices/price_basic_monthly")["product"]
        made.ids["event"] = made.make("GET", "/v1/events", limit=1)["data"][0]["id"]
        yield made


def _unconfirmed(w: World) -> str:
    intent = w.make("POST", "/v1/payment_intents", amount=500, currency="usd", payment_method="pm_card_visa")
    return str(intent["id"])


def _open_invoice(w: World) -> str:
    customer = w.make("POST", "/v1/customers", email="bo@example.com")["id"]
    subscription = w.make(
        "POST",
        "/v1/subscriptions",
        customer=customer,
        items=[{"price": "price_basic_monthly"}],
        default_payment_method="pm_card_chargeDeclined",
    )
    return str(subscription["latest_invoice"])


Raw = Callable[[World], requests.Response]
Sdk = Callable[[World], Any]


@dataclass(frozen=True)
class Case:
    """How to call one route: over raw HTTP, through the SDK (None: the SDK has no call for it), and wrongly."""

    raw: Raw
    sdk: Sdk | None
    bad: Raw


def _missing(method: str, path: str) -> Raw:
    """A call naming an id that does not exist (the 404 Stripe answers with `resource_missing`)."""
    return lambda w: w.call(method, path.replace("{id}", "xx_missing"))


def _retrieved(path: str, key: str, service: str) -> Case:
    """`GET path/<id>` of the world's object `key`, raw and through the SDK's `service`."""
    return Case(
        lambda w: w.call("GET", f"{path}/{w.ids[key]}"),
        lambda w: getattr(w.sdk.v1, service).retrieve(w.ids[key]),
        _missing("GET", path + "/{id}"),
    )


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/v1/customers"): Case(
        lambda w: w.call("GET", "/v1/customers", limit=3, include=["total_count"]),
        lambda w: w.sdk.v1.customers.list({"limit": 3}),
        lambda w: w.call("GET", "/v1/customers", limit=0),
    ),
    ("POST", "/v1/customers"): Case(
        lambda w: w.call("POST", "/v1/customers", email="cy@example.com", metadata={"team": "ops"}),
        lambda w: w.sdk.v1.customers.create({"email": "di@example.com"}),
        lambda w: w.call("POST", "/v1/customers", email="not an email"),
    ),
    ("GET", "/v1/customers/<object_id>"): _retrieved("/v1/customers", "customer", "customers"),
    ("POST", "/v1/customers/<customer_id>"): Case(
        lambda w: w.call("POST", f"/v1/customers/{w.ids['customer']}", name="Ada L."),
        lambda w: w.sdk.v1.customers.update(w.ids["customer"], {"phone": "+15550100"}),
        _missing("POST", "/v1/customers/{id}"),
    ),
    ("DELETE", "/v1/customers/<customer_id>"): Case(
        lambda w: w.call("DELETE", f"/v1/customers/{w.make('POST', '/v1/customers')['id']}"),
        lambda w: w.sdk.v1.customers.delete(w.make("POST", "/v1/customers")["id"]),
        _missing("DELETE", "/v1/customers/{id}"),
    ),
    ("GET", "/v1/payment_intents"): Case(
        lambda w: w.call("GET", "/v1/payment_intents", limit=3),
        lambda w: w.sdk.v1.payment_intents.list({"limit": 3}),
        lambda w: w.call("GET", "/v1/payment_intents", starting_after="pi_missing"),
    ),
    ("POST", "/v1/payment_intents"): Case(
        lambda w: w.call(
            "POST", "/v1/payment_intents", amount=700, currency="usd", payment_method="pm_card_visa", confirm=True
        ),
        lambda w: w.sdk.v1.payment_intents.create({"amount": 800, "currency": "usd"}),
        lambda w: w.call("POST", "/v1/payment_intents", currency="usd"),
    ),
    ("GET", "/v1/payment_intents/<object_id>"): _retrieved("/v1/payment_intents", "payment_intent", "payment_intents"),
    ("POST", "/v1/payment_intents/<intent_id>"): Case(
        lambda w: w.call("POST", f"/v1/payment_intents/{w.ids['payment_intent']}", metadata={"order": "7"}),
        lambda w: w.sdk.v1.payment_intents.update(w.ids["payment_intent"], {"metadata": {"order": "8"}}),
        _missing("POST", "/v1/payment_intents/{id}"),
    ),
    ("POST", "/v1/payment_intents/<intent_id>/confirm"): Case(
        lambda w: w.call("POST", f"/v1/payment_intents/{_unconfirmed(w)}/confirm"),
        lambda w: w.sdk.v1.payment_intents.confirm(_unconfirmed(w)),
        _missing("POST", "/v1/payment_intents/{id}/confirm"),
    ),
    ("POST", "/v1/payment_intents/<intent_id>/cancel"): Case(
        lambda w: w.call("POST", f"/v1/payment_intents/{_unconfirmed(w)}/cancel"),
        lambda w: w.sdk.v1.payment_intents.cancel(_unconfirmed(w)),
        _missing("POST", "/v1/payment_intents/{id}/cancel"),
    ),
    ("GET", "/v1/charges"): Case(
        lambda w: w.call("GET", "/v1/charges", limit=3),
        lambda w: w.sdk.v1.charges.list({"limit": 3}),
        lambda w: w.call("GET", "/v1/charges", limit=101),
    ),
    ("GET", "/v1/charges/<object_id>"): _retrieved("/v1/charges", "charge", "charges"),
    ("GET", "/v1/refunds"): Case(
        lambda w: w.call("GET", "/v1/refunds", limit=3),
        lambda w: w.sdk.v1.refunds.list({"limit": 3}),
        lambda w: w.call("GET", "/v1/refunds", created={"after": 1}),
    ),
    ("POST", "/v1/refunds"): Case(
        lambda w: w.call("POST", "/v1/refunds", payment_intent=w.ids["payment_intent"], amount=100),
        lambda w: w.sdk.v1.refunds.create({"payment_intent": w.ids["payment_intent"], "amount": 100}),
        lambda w: w.call("POST", "/v1/refunds", payment_intent="pi_missing"),
    ),
    ("GET", "/v1/refunds/<object_id>"): _retrieved("/v1/refunds", "refund", "refunds"),
    ("GET", "/v1/prices"): Case(
        lambda w: w.call("GET", "/v1/prices"),
        lambda w: w.sdk.v1.prices.list(),
        lambda w: w.call("GET", "/v1/prices", active="maybe"),
    ),
    ("GET", "/v1/prices/<object_id>"): _retrieved("/v1/prices", "price", "prices"),
    ("GET", "/v1/products"): Case(
        lambda w: w.call("GET", "/v1/products"),
        lambda w: w.sdk.v1.products.list(),
        lambda w: w.call("GET", "/v1/products", active="maybe"),
    ),
    ("GET", "/v1/products/<object_id>"): _retrieved("/v1/products", "product", "products"),
    ("GET", "/v1/subscriptions"): Case(
        lambda w: w.call("GET", "/v1/subscriptions"),
        lambda w: w.sdk.v1.subscriptions.list(),
        lambda w: w.call("GET", "/v1/subscriptions", status="sleeping"),
    ),
    ("POST", "/v1/subscriptions"): Case(
        lambda w: w.call(
            "POST",
            "/v1/subscriptions",
            customer=w.ids["customer"],
            items=[{"price": "price_basic_monthly"}],
            default_payment_method="pm_card_visa",
        ),
        lambda w: w.sdk.v1.subscriptions.create(
            {
                "customer": w.ids["customer"],
                "items": [{"price": "price_pro_monthly"}],
                "default_payment_method": "pm_card_visa",
            }
        ),
        lambda w: w.call("POST", "/v1/subscriptions", customer=w.ids["customer"]),
    ),
    ("GET", "/v1/subscriptions/<object_id>"): _retrieved("/v1/subscriptions", "subscription", "subscriptions"),
    ("POST", "/v1/subscriptions/<subscription_id>"): Case(
        lambda w: w.call("POST", f"/v1/subscriptions/{w.ids['subscription']}", metadata={"seat": "1"}),
        lambda w: w.sdk.v1.subscriptions.update(w.ids["subscription"], {"metadata": {"seat": "2"}}),
        _missing("POST", "/v1/subscriptions/{id}"),
    ),
    ("DELETE", "/v1/subscriptions/<subscription_id>"): Case(
        lambda w: w.call(
            "DELETE",
            f"/v1/subscriptions/{w.make('POST', '/v1/subscriptions', customer=w.ids['customer'], items=[{'price': 'price_basic_monthly'}], default_payment_method='pm_card_visa')['id']}",
        ),
        lambda w: w.sdk.v1.subscriptions.cancel(
            w.make(
                "POST",
                "/v1/subscriptions",
                customer=w.ids["customer"],
                items=[{"price": "price_basic_monthly"}],
                default_payment_method="pm_card_visa",
            )["id"]
        ),
        _missing("DELETE", "/v1/subscriptions/{id}"),
    ),
    ("GET", "/v1/invoices"): Case(
        lambda w: w.call("GET", "/v1/invoices"),
        lambda w: w.sdk.v1.invoices.list(),
        lambda w: w.call("GET", "/v1/invoices", status="lost"),
    ),
    ("GET", "/v1/invoices/<object_id>"): _retrieved("/v1/invoices", "invoice", "invoices"),
    ("POST", "/v1/invoices/<invoice_id>/pay"): Case(
        lambda w: w.call("POST", f"/v1/invoices/{_open_invoice(w)}/pay", payment_method="pm_card_visa"),
        lambda w: w.sdk.v1.invoices.pay(_open_invoice(w), {"payment_method": "pm_card_visa"}),
        _missing("POST", "/v1/invoices/{id}/pay"),
    ),
    ("GET", "/v1/webhook_endpoints"): Case(
        lambda w: w.call("GET", "/v1/webhook_endpoints", include=["total_count"]),
        lambda w: w.sdk.v1.webhook_endpoints.list(),
        lambda w: w.call("GET", "/v1/webhook_endpoints", include=["everything"]),
    ),
    ("POST", "/v1/webhook_endpoints"): Case(
        lambda w: w.call(
            "POST", "/v1/webhook_endpoints", url="http://127.0.0.1:9/a", enabled_events=["customer.created"]
        ),
        lambda w: w.sdk.v1.webhook_endpoints.create({"url": "http://127.0.0.1:9/b", "enabled_events": ["*"]}),
        lambda w: w.call("POST", "/v1/webhook_endpoints", url="http://127.0.0.1:9/c", enabled_events=["made.up"]),
    ),
    ("GET", "/v1/webhook_endpoints/<object_id>"): _retrieved("/v1/webhook_endpoints", "endpoint", "webhook_endpoints"),
    ("POST", "/v1/webhook_endpoints/<endpoint_id>"): Case(
        lambda w: w.call("POST", f"/v1/webhook_endpoints/{w.ids['endpoint']}", description="every event"),
        lambda w: w.sdk.v1.webhook_endpoints.update(w.ids["endpoint"], {"metadata": {"team": "ops"}}),
        _missing("POST", "/v1/webhook_endpoints/{id}"),
    ),
    ("DELETE", "/v1/webhook_endpoints/<endpoint_id>"): Case(
        lambda w: w.call(
            "DELETE",
            f"/v1/webhook_endpoints/{w.make('POST', '/v1/webhook_endpoints', url='http://127.0.0.1:9/d', enabled_events=['*'])['id']}",
        ),
        lambda w: w.sdk.v1.webhook_endpoints.delete(
            w.make("POST", "/v1/webhook_endpoints", url="http://127.0.0.1:9/e", enabled_events=["*"])["id"]
        ),
        _missing("DELETE", "/v1/webhook_endpoints/{id}"),
    ),
    ("GET", "/v1/events"): Case(
        lambda w: w.call("GET", "/v1/events", limit=5, include=["total_count"]),
        lambda w: w.sdk.v1.events.list({"limit": 5, "type": "customer.*"}),
        lambda w: w.call("GET", "/v1/events", type="a", types=["b"]),
    ),
    ("GET", "/v1/events/<object_id>"): _retrieved("/v1/events", "event", "events"),
    ("POST", "/v1/events/<event_id>/retry"): Case(
        lambda w: w.call("POST", f"/v1/events/{w.ids['event']}/retry", webhook_endpoint=w.ids["endpoint"]),
        None,  # `stripe events resend` calls it; the SDK has no method for it
        _missing("POST", "/v1/events/{id}/retry"),
    ),
}

#: Routes with no published schema: hooklab's own tooling, listed in `system.py`'s docstring.
NO_SCHEMA = {
    ("GET", "/v1/events/<event_id>/attempts"): "hooklab extension: delivery attempts, no Stripe object",
    ("GET", "/v1/webhook_endpoints/<endpoint_id>/attempts"): "hooklab extension: delivery attempts, no Stripe object",
    ("POST", "/v1/hooklab/knobs"): "hooklab extension: duplicate and out-of-order delivery rates",
    ("GET", "/v1/hooklab/rate_limit"): "hooklab extension: the sandbox's rate limit",
    ("POST", "/v1/hooklab/rate_limit"): "hooklab extension: the sandbox's rate limit",
    ("POST", "/v1/hooklab/recover_failed"): "hooklab extension: resend failed deliveries",
}

# Shapes the cards and catalogue parts of the work are fixing, with the problems `problems()` reports today
# (for one object, or for each item of a list). Strict: once a shape conforms its routes fail as XPASS, and
# their lines go.
_PAYMENT_INTENT = "payment_intent (cards): capture_method: 'automatic_async' is not one of ['automatic', 'manual']"
_CHARGE = (
    "charge (cards): 'billing_details', 'disputed' and 'refunds' are required properties; "
    "payment_method_details {'card': {'brand', 'last4'}, 'type': 'card'} is not valid under any of the given schemas"
)
_PRODUCT = "product (catalogue): 'images' is a required property"
_SUBSCRIPTION = "subscription (catalogue): 'automatic_tax' is a required property"
_INVOICE = (
    "invoice (catalogue): 'automatic_tax', 'default_tax_rates', 'paid_out_of_band', 'payment_settings', "
    "'post_payment_credit_notes_amount', 'pre_payment_credit_notes_amount', 'starting_balance' and "
    "'total_tax_amounts' are required properties; lines/data/*: 'discountable', 'livemode' and 'proration' are too"
)
PENDING: dict[tuple[str, str], str] = {
    ("GET", "/v1/payment_intents"): _PAYMENT_INTENT,
    ("POST", "/v1/payment_intents"): _PAYMENT_INTENT,
    ("GET", "/v1/payment_intents/<object_id>"): _PAYMENT_INTENT,
    ("POST", "/v1/payment_intents/<intent_id>"): _PAYMENT_INTENT,
    ("POST", "/v1/payment_intents/<intent_id>/confirm"): _PAYMENT_INTENT,
    ("POST", "/v1/payment_intents/<intent_id>/cancel"): _PAYMENT_INTENT,
    ("GET", "/v1/charges"): _CHARGE,
    ("GET", "/v1/charges/<object_id>"): _CHARGE,
    ("GET", "/v1/products"): _PRODUCT,
    ("GET", "/v1/products/<object_id>"): _PRODUCT,
    ("GET", "/v1/subscriptions"): _SUBSCRIPTION,
    ("POST", "/v1/subscriptions"): _SUBSCRIPTION,
    ("GET", "/v1/subscriptions/<object_id>"): _SUBSCRIPTION,
    ("POST", "/v1/subscriptions/<subscription_id>"): _SUBSCRIPTION,
    ("DELETE", "/v1/subscriptions/<subscription_id>"): _SUBSCRIPTION,
    ("GET", "/v1/invoices"): _INVOICE,
    ("GET", "/v1/invoices/<object_id>"): _INVOICE,
    ("POST", "/v1/invoices/<invoice_id>/pay"): _INVOICE,
}


def served_routes() -> set[tuple[str, str]]:
    with Lab(seed=1, systems=["payments"]) as lab:
        return {
            (method, rule.rule)
            for rule in lab.payments.app.url_map.iter_rules()
            if rule.rule.startswith("/v1/")
            for method in rule.methods or ()
            if method not in ("HEAD", "OPTIONS")
        }


def test_every_route_has_a_case() -> None:
    served = served_routes()
    assert sorted(served - CASES.keys() - NO_SCHEMA.keys()) == [], "add a Case (or a NO_SCHEMA reason) for these"
    assert sorted((CASES.keys() | NO_SCHEMA.keys()) - served) == [], "these cases name routes no longer served"


def _params(way: str) -> list[Any]:
    found = []
    for method, rule in CASES:
        if way == "sdk" and CASES[(method, rule)].sdk is None:
            continue
        reason = PENDING.get((method, rule)) if way != "error" else None
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        found.append(pytest.param(method, rule, marks=marks, id=f"{method} {rule}"))
    return found


def _check(body: Any) -> None:
    # A delete answers `{"id", "object": "customer", "deleted": true}`: its schema is `deleted_customer`.
    found = problems(body, f"deleted_{body['object']}" if body.get("deleted") else None)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(("method", "rule"), _params("raw"))
def test_raw_http_body_matches_the_schema(world: World, method: str, rule: str) -> None:
    answer = CASES[(method, rule)].raw(world)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Stripe-Version"] == published_api_version()
    assert answer.headers["Request-Id"].startswith("req_")
    assert answer.text.endswith("}\n") and answer.text.startswith('{\n  "')  # printed as Stripe prints it
    _check(answer.json())


@pytest.mark.parametrize(("method", "rule"), _params("sdk"))
def test_sdk_body_matches_the_schema(world: World, method: str, rule: str) -> None:
    sdk = CASES[(method, rule)].sdk
    assert sdk is not None
    result = sdk(world)
    assert isinstance(result, stripe.StripeObject) and result.last_response is not None
    body = json.loads(result.last_response.body)
    _check(body)
    # The SDK built its own class for what it read (a 2020-08-27 body, whatever version it asked for).
    if body["object"] == "list":
        assert isinstance(result, stripe.ListObject)
        assert [type(item).OBJECT_NAME for item in result.data] == [item["object"] for item in body["data"]]
    else:
        assert type(result).OBJECT_NAME == body["object"], type(result)


@pytest.mark.parametrize(("method", "rule"), _params("error"))
def test_error_body_matches_the_schema(world: World, method: str, rule: str) -> None:
    answer = CASES[(method, rule)].bad(world)
    assert 400 <= answer.status_code < 500, answer.text
    body = answer.json()
    assert problems(body, "error") == []
    assert body["error"]["message"] and body["error"].get("param"), body
    if answer.status_code == 404:
        assert body["error"]["code"] == "resource_missing"


#: The kinds of object events carry, and why their shape does not conform yet (None: it does).
EVENT_OBJECTS = {
    "customer": None,
    "refund": None,
    "payment_intent": _PAYMENT_INTENT,
    "charge": _CHARGE,
    "subscription": _SUBSCRIPTION,
    "invoice": _INVOICE,
}


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(kind, marks=[pytest.mark.xfail(strict=True, reason=why)] if why else [])
        for kind, why in EVENT_OBJECTS.items()
    ],
)
def test_event_payloads_carry_objects_that_match_their_schema(world: World, kind: str) -> None:
    payloads = [json.loads(world.lab.payments.event_payload(event["id"])) for event in world.lab.payments.events()]
    carried = [payload["data"]["object"] for payload in payloads if payload["data"]["object"]["object"] == kind]
    assert carried, f"the world made no event carrying a {kind}"
    assert all(problems(payload) == [] for payload in payloads), "every delivered event is an event"
    for obj in carried:
        assert problems(obj) == [], (kind, problems(obj))
    kinds = {payload["data"]["object"]["object"] for payload in payloads}
    assert kinds <= EVENT_OBJECTS.keys(), f"add these kinds to EVENT_OBJECTS: {sorted(kinds - EVENT_OBJECTS.keys())}"
