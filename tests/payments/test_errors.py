"""Stripe's error types, status codes and headers, as the SDK's exception classes and raw HTTP see them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import stripe

from simulators import Lab
from tests.payments.stripe_schema import problems, published_api_version


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with Lab(seed=29, systems=["payments"]) as running:
        yield running


def _client(lab: Lab, key: str | None = None) -> stripe.StripeClient:
    return stripe.StripeClient(
        key or lab.payments.api_key, base_addresses={"api": lab.payments.url}, max_network_retries=0
    )


def _raw(lab: Lab, method: str, path: str, key: str | None = "", **kwargs: Any) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if key is not None:
        headers["Authorization"] = f"Bearer {key or lab.payments.api_key}"
    return requests.request(method, lab.payments.url + path, headers=headers, timeout=10, **kwargs)


def _error(answer: requests.Response) -> dict[str, Any]:
    body = answer.json()
    assert problems(body, "error") == [], body
    assert answer.headers["Request-Id"].startswith("req_")
    assert answer.text.startswith('{\n  "error": {\n    "') and answer.text.endswith("}\n")
    return body["error"]  # type: ignore[no-any-return]


def test_a_missing_key_is_a_401_invalid_request_error(lab: Lab) -> None:
    error = _error(answer := _raw(lab, "GET", "/v1/customers", key=None))
    assert answer.status_code == 401 and error["type"] == "invalid_request_error"
    assert "did not provide an API key" in error["message"]


def test_a_wrong_key_is_a_401_the_sdk_raises_as_authentication_error(lab: Lab) -> None:
    wrong = "sk_test_" + "x" * 20 + "wxyz"
    error = _error(answer := _raw(lab, "GET", "/v1/customers", key=wrong))
    assert answer.status_code == 401 and error["type"] == "invalid_request_error"
    assert error["message"] == "Invalid API Key provided: sk_test_****wxyz"
    with pytest.raises(stripe.AuthenticationError) as caught:
        _client(lab, wrong).v1.customers.list()
    assert caught.value.http_status == 401 and caught.value.error.type == "invalid_request_error"


@pytest.mark.parametrize("key", ["pk_test_abcdefgh1234", "rk_test_abcdefgh1234"])
def test_a_publishable_or_restricted_key_is_a_403_permission_error(lab: Lab, key: str) -> None:
    error = _error(answer := _raw(lab, "POST", "/v1/customers", key=key, data={"email": "a@example.com"}))
    assert answer.status_code == 403 and error["type"] == "invalid_request_error"
    assert f"'{key[:8]}****1234'" in error["message"] and "required permissions" in error["message"]
    with pytest.raises(stripe.PermissionError) as caught:
        _client(lab, key).v1.customers.create({"email": "a@example.com"})
    assert caught.value.http_status == 403
    assert lab.payments.customers() == [], "a refused request writes nothing"


def test_a_rate_limited_request_is_a_429_with_code_rate_limit(lab: Lab) -> None:
    lab.payments.rate_limit(per_minute=1, burst=1)
    try:
        assert _raw(lab, "GET", "/v1/events").status_code == 200
        error = _error(answer := _raw(lab, "GET", "/v1/events"))
        assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
        assert error["type"] == "invalid_request_error" and error["code"] == "rate_limit"
        with pytest.raises(stripe.RateLimitError) as caught:
            _client(lab).v1.events.list()
        assert caught.value.http_status == 429 and caught.value.error.code == "rate_limit"
        asked = _raw(lab, "OPTIONS", "/v1/customers")  # what `hooklab trigger` asks: no work, never limited
        assert asked.status_code == 200 and {"GET", "POST"} <= set(asked.headers["Allow"].split(", "))
    finally:
        lab.payments.rate_limit()


def test_a_reused_idempotency_key_with_other_params_is_an_idempotency_error(lab: Lab) -> None:
    headers = {"Idempotency-Key": "order-17"}
    first = _raw(lab, "POST", "/v1/customers", data={"email": "a@example.com"}, headers=dict(headers))
    replay = _raw(lab, "POST", "/v1/customers", data={"email": "a@example.com"}, headers=dict(headers))
    assert replay.json()["id"] == first.json()["id"] and replay.headers["Idempotent-Replayed"] == "true"
    error = _error(answer := _raw(lab, "POST", "/v1/customers", data={"email": "b@example.com"}, headers=dict(headers)))
    assert answer.status_code == 400 and error["type"] == "idempotency_error"
    with pytest.raises(stripe.IdempotencyError):
        _client(lab).v1.customers.create({"email": "c@example.com"}, {"idempotency_key": "order-17"})


def test_an_unknown_id_is_a_404_resource_missing_naming_the_param(lab: Lab) -> None:
    error = _error(answer := _raw(lab, "GET", "/v1/customers/cus_nobody"))
    assert answer.status_code == 404
    assert error == {
        "type": "invalid_request_error",
        "message": "No such customer: 'cus_nobody'",
        "code": "resource_missing",
        "param": "id",
    }
    with pytest.raises(stripe.InvalidRequestError) as caught:
        _client(lab).v1.refunds.create({"payment_intent": "pi_nothing"})
    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing" and caught.value.param == "payment_intent"


def test_an_unknown_url_is_a_404_with_a_request_id(lab: Lab) -> None:
    error = _error(answer := _raw(lab, "GET", "/v1/nothing_here"))
    assert answer.status_code == 404 and error["type"] == "invalid_request_error"
    assert "Unrecognized request URL (GET: /v1/nothing_here)" in error["message"]


def test_every_answer_carries_request_id_and_the_served_api_version(lab: Lab) -> None:
    seen = set()
    for answer in (
        _raw(lab, "GET", "/v1/customers"),
        _raw(lab, "POST", "/v1/customers", data={"email": "d@example.com"}),
        _raw(lab, "GET", "/v1/customers/cus_nobody"),
        _raw(lab, "GET", "/v1/customers", key=None),
    ):
        assert answer.headers["Request-Id"].startswith("req_")
        assert answer.headers["Stripe-Version"] == published_api_version()
        seen.add(answer.headers["Request-Id"])
    assert len(seen) == 4, "each request has its own id"
    listed = _client(lab).v1.customers.list()
    assert listed.last_response is not None
    assert listed.last_response.request_id == listed.last_response.headers["Request-Id"]


def test_bodies_are_printed_as_stripe_prints_them(lab: Lab) -> None:
    answer = _raw(lab, "POST", "/v1/customers", data={"email": "e@example.com", "name": "Émile"})
    body = answer.json()
    assert answer.text == json.dumps(body, indent=2) + "\n"
    assert list(body)[:2] == ["id", "object"], "Stripe's field order, not sorted"


def test_include_total_count_counts_every_match_not_just_the_page(lab: Lab) -> None:
    client = _client(lab)
    for n in range(3):
        client.v1.customers.create({"email": f"count{n}@example.com"})
    total = len(lab.payments.customers())
    page = _raw(lab, "GET", "/v1/customers", params={"limit": 1, "include[]": "total_count"}).json()
    assert len(page["data"]) == 1 and page["total_count"] == total and problems(page) == []
    one = _raw(lab, "GET", "/v1/customers", params={"email": "count1@example.com", "include[0]": "total_count"})
    assert one.json()["total_count"] == 1
    assert "total_count" not in _raw(lab, "GET", "/v1/customers").json()
    listed = client.v1.customers.list({"limit": 2, "include": ["total_count"]})  # type: ignore[typeddict-unknown-key]
    assert listed["total_count"] == total
    error = _error(answer := _raw(lab, "GET", "/v1/customers", params={"include[]": "everything"}))
    assert answer.status_code == 400 and error["param"] == "include[0]"


def test_events_and_endpoints_declare_the_one_version_served(lab: Lab) -> None:
    client = _client(lab)
    endpoint = client.v1.webhook_endpoints.create({"url": "http://127.0.0.1:9/hook", "enabled_events": ["*"]})
    assert endpoint.api_version == published_api_version()
    client.v1.customers.create({"email": "f@example.com"})
    event = client.v1.events.list({"limit": 1}).data[0]
    assert event.api_version == published_api_version()
    assert isinstance(event.data.object, stripe.Customer), "the SDK still deserialises the 2020-08-27 shape"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.webhook_endpoints.create(
            {"url": "http://127.0.0.1:9/hook", "enabled_events": ["*"], "api_version": stripe.api_version}
        )
    assert caught.value.param == "api_version" and published_api_version() in str(caught.value.user_message)
