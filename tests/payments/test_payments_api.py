"""Idempotency, pagination, event filters and the rate limit, over real HTTP."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
import stripe

from simulators import Clock, Lab
from simulators.jsonapi import ClientError
from simulators.payments import PaymentsError
from simulators.payments.http.ratelimit import RateLimiter


def _post(lab: Lab, path: str, data: Any, key: str | None = None) -> requests.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return requests.post(lab.payments.url + path, data=data, headers=headers, auth=(lab.payments.api_key, ""))


def _get(lab: Lab, path: str, params: Any = None) -> requests.Response:
    return requests.get(lab.payments.url + path, params=params, auth=(lab.payments.api_key, ""))


# -- idempotency -------------------------------------------------------------


def test_same_key_replays_the_first_response_and_charges_once(lab: Lab) -> None:
    body = {"amount": 1900, "currency": "usd", "payment_method": "pm_card_visa", "confirm": "true"}
    first = _post(lab, "/v1/payment_intents", body, key="order-42")
    again = _post(lab, "/v1/payment_intents", body, key="order-42")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert len(lab.payments.payments()) == 1
    assert len(lab.payments.events(type="payment_intent.succeeded")) == 1


def test_a_replayed_decline_is_still_a_decline(lab: Lab) -> None:
    body = {"amount": 1900, "currency": "usd", "payment_method": "pm_card_chargeDeclined", "confirm": "true"}
    first = _post(lab, "/v1/payment_intents", body, key="k1")
    again = _post(lab, "/v1/payment_intents", body, key="k1")
    assert first.status_code == again.status_code == 402 and again.json() == first.json()
    assert len(lab.payments.payments(status=None)) == 1


def test_same_key_with_other_params_is_an_idempotency_error(lab: Lab, sdk: Any) -> None:
    sdk.Customer.create(email="a@example.com", idempotency_key="same")
    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        sdk.Customer.create(email="b@example.com", idempotency_key="same")
    reused_elsewhere = _post(lab, "/v1/payment_intents", {"amount": 100, "currency": "usd"}, key="same")
    assert reused_elsewhere.status_code == 400 and reused_elsewhere.json()["error"]["type"] == "idempotency_error"
    assert len(lab.payments.customers()) == 1


def test_validation_errors_are_not_kept_and_keys_expire(lab: Lab) -> None:
    refused = _post(lab, "/v1/customers", {"email": "not-an-email"}, key="k")
    assert refused.status_code == 400
    accepted = _post(lab, "/v1/customers", {"email": "not-an-email"}.__class__(email="a@example.com"), key="k2")
    assert accepted.status_code == 200
    lab.advance(hours=25)
    fresh = _post(lab, "/v1/customers", {"email": "c@example.com"}, key="k2")
    assert fresh.status_code == 200 and fresh.json()["id"] != accepted.json()["id"]
    too_long = _post(lab, "/v1/customers", {"email": "d@example.com"}, key="x" * 300)
    assert too_long.status_code == 400 and too_long.json()["error"]["type"] == "idempotency_error"


def test_concurrent_requests_with_one_key_create_one_object(lab: Lab) -> None:
    answers: list[requests.Response] = []
    body = {"amount": 1900, "currency": "usd", "payment_method": "pm_card_visa", "confirm": "true"}
    threads = [
        threading.Thread(target=lambda: answers.append(_post(lab, "/v1/payment_intents", body, key="race")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {a.status_code for a in answers} <= {200, 409}
    assert len({a.json()["id"] for a in answers if a.status_code == 200}) == 1
    assert len(lab.payments.payments()) == 1


# -- pagination ----------------------------------------------------------------


def test_pagination_walks_every_object_once(sdk: Any, lab: Lab) -> None:
    made = [sdk.Customer.create(email=f"c{n}@example.com").id for n in range(25)]
    first = sdk.Customer.list(limit=10)
    assert first.has_more and [c.id for c in first.data] == made[::-1][:10]
    walked = [c.id for c in sdk.Customer.list(limit=7).auto_paging_iter()]
    assert walked == made[::-1]
    after = sdk.Customer.list(limit=5, starting_after=made[10])
    assert [c.id for c in after.data] == made[9:4:-1]
    before = sdk.Customer.list(limit=5, ending_before=made[10])
    assert [c.id for c in before.data] == made[15:10:-1]
    with pytest.raises(stripe.InvalidRequestError, match="only specify one"):
        sdk.Customer.list(starting_after=made[1], ending_before=made[2])
    with pytest.raises(stripe.InvalidRequestError, match="No such customer"):
        sdk.Customer.list(starting_after="cus_unknown")


# -- event filters ---------------------------------------------------------------


def test_event_filters(sdk: Any, lab: Lab) -> None:
    customer = sdk.Customer.create(email="ada@example.com")
    lab.advance(minutes=10)
    middle = lab.clock.timestamp()
    sdk.PaymentIntent.create(
        amount=1900, currency="usd", customer=customer.id, payment_method="pm_card_visa", confirm=True
    )
    lab.advance(minutes=10)
    try:
        sdk.PaymentIntent.create(amount=1900, currency="usd", payment_method="pm_card_chargeDeclined", confirm=True)
    except stripe.CardError:
        pass
    types = lambda page: [e.type for e in page.data]  # noqa: E731
    assert types(sdk.Event.list(type="payment_intent.succeeded")) == ["payment_intent.succeeded"]
    assert types(sdk.Event.list(type="payment_intent.*")) == [
        "payment_intent.payment_failed",
        "payment_intent.created",
        "payment_intent.succeeded",
        "payment_intent.created",
    ]
    assert set(types(sdk.Event.list(types=["customer.created", "charge.failed"]))) == {
        "customer.created",
        "charge.failed",
    }
    assert types(sdk.Event.list(created={"lt": middle})) == ["customer.created"]
    assert "customer.created" not in types(sdk.Event.list(created={"gte": middle}))
    assert len(sdk.Event.list(created={"gte": middle, "lte": middle}).data) == 3
    every = [e.id for e in sdk.Event.list(limit=2).auto_paging_iter()]
    assert every == [e["id"] for e in reversed(lab.payments.events())]
    with pytest.raises(stripe.InvalidRequestError, match="created"):
        sdk.Event.list(created={"after": 1})


def test_query_strings_may_be_percent_encoded_or_not(lab: Lab) -> None:
    lab.payments.create_customer("ada@example.com")
    encoded = requests.get(
        lab.payments.url + "/v1/events?types%5B0%5D=customer.created&created%5Bgte%5D=0",
        auth=(lab.payments.api_key, ""),
    )
    plain = requests.get(
        lab.payments.url + "/v1/events?types[]=customer.created&created[gte]=0", auth=(lab.payments.api_key, "")
    )
    assert encoded.json()["data"] == plain.json()["data"] and len(plain.json()["data"]) == 1


# -- rate limit ----------------------------------------------------------------


def test_notebook_bursts_stay_under_the_rate_limit(lab: Lab, sdk: Any) -> None:
    for n in range(60):
        sdk.Customer.create(email=f"c{n}@example.com")
    assert len(list(sdk.Customer.list(limit=10).auto_paging_iter())) == 60
    for _ in range(20):
        sdk.Event.list(limit=3)


def test_default_limit_over_a_simulated_hour() -> None:
    clock = Clock()
    try:
        limiter = RateLimiter(clock)
        assert all(limiter.take("k", "write") is None for _ in range(1500))  # a big setup loop in one instant
        assert all(limiter.take("k", "read") is None for _ in range(100))  # a few pages, many retrieves
        every_second, every_two = RateLimiter(clock), RateLimiter(clock)
        refused_fast = refused_slow = 0
        for second in range(3600):
            refused_fast += every_second.take("k", "read") is not None
            if second % 2 == 0:
                refused_slow += every_two.take("k", "read") is not None
            clock.advance(seconds=1)
        assert refused_fast > 1000 and refused_slow == 0
    finally:
        clock.stop()


def test_polling_every_second_meets_429_over_http(lab: Lab) -> None:
    session = requests.Session()
    session.auth = (lab.payments.api_key, "")
    url = lab.payments.url + "/v1/events?limit=1"
    answers: list[requests.Response] = []
    poller = lab.clock.every(1, lambda: answers.append(session.get(url)), name="poller")
    lab.advance(minutes=4)
    poller.cancel()
    limited = [a for a in answers if a.status_code == 429]
    assert limited, "a poller asking every second must meet the rate limit"
    assert answers.index(limited[0]) > 150  # the burst lasts a few lab minutes
    error = limited[0].json()["error"]
    assert (
        error["type"] == "invalid_request_error" and error["code"] == "rate_limit" and "Retry-After" in error["message"]
    )
    assert int(limited[0].headers["Retry-After"]) >= 1
    with pytest.raises(stripe.RateLimitError):
        stripe.StripeClient(
            lab.payments.api_key, base_addresses={"api": lab.payments.url}, max_network_retries=0
        ).v1.events.list()
    assert lab.payments.client.get("/v1/hooklab/rate_limit")["reads"]["per_minute"] == 30  # tooling is exempt


def test_rate_limit_is_configurable_and_can_be_switched_off(lab: Lab) -> None:
    lab.payments.rate_limit(per_minute=1, burst=2)
    assert [_get(lab, "/v1/customers").status_code for _ in range(3)] == [200, 200, 429]
    lab.payments.rate_limit(None)
    assert {_get(lab, "/v1/customers").status_code for _ in range(150)} == {200}
    assert lab.payments.client.get("/v1/hooklab/rate_limit")["reads"] is None
    lab.payments.client.post("/v1/hooklab/rate_limit", reads_per_minute=1, reads_burst=1)
    assert [_get(lab, "/v1/customers").status_code for _ in range(2)] == [200, 429]
    lab.payments.rate_limit()
    assert lab.payments.limiter.describe()["reads"] == {"per_minute": 30, "burst": 100}


def test_a_payments_error_is_the_one_client_error_every_system_raises(lab: Lab) -> None:
    with pytest.raises(requests.HTTPError) as raised:
        lab.payments.client.get("/v1/customers/cus_nobody")
    error = raised.value
    assert isinstance(error, PaymentsError) and isinstance(error, ClientError)
    assert (error.status, error.code, error.param, error.response.status_code) == (404, "resource_missing", "id", 404)
    assert str(error) == "404 invalid_request_error: No such customer: 'cus_nobody'"
