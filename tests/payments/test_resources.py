"""A resource declares itself once: the customer portal's sessions are one module, and the rest reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from simulators import Lab
from simulators.payments import registry
from simulators.payments.billing import portal_sessions
from tests.payments.receiver import Receiver

PAYMENTS = Path(__file__).parents[2] / "simulators" / "payments"
#: The fields of Stripe's billing_portal.session object (API reference, "The Session object").
SESSION_FIELDS = {
    "id",
    "object",
    "configuration",
    "created",
    "customer",
    "flow",
    "livemode",
    "locale",
    "on_behalf_of",
    "return_url",
    "url",
}


def test_the_portal_is_one_module_no_other_payments_file_names() -> None:
    naming = sorted(
        str(path.relative_to(PAYMENTS)) for path in PAYMENTS.rglob("*.py") if "billing_portal" in path.read_text()
    )
    assert naming == ["billing/portal_sessions.py"]
    assert portal_sessions.RESOURCE in registry.declared()


def test_a_portal_session_has_stripes_shape_and_its_page_shows_the_customer(lab: Lab, sdk: Any) -> None:
    customer = sdk.Customer.create(email="ada@example.com")
    lab.payments.subscribe(customer.id, "basic")
    session = sdk.billing_portal.Session.create(customer=customer.id, return_url="https://shop.example/account")
    assert set(session.to_dict()) == SESSION_FIELDS
    assert session.object == "billing_portal.session" and session.id.startswith("bps_")
    assert (session.customer, session.return_url, session.flow, session.livemode) == (
        customer.id,
        "https://shop.example/account",
        None,
        False,
    )
    assert session.configuration.startswith("bpc_")
    again = sdk.billing_portal.Session.create(customer=customer.id)
    assert again.configuration == session.configuration and again.return_url is None

    page = requests.get(session.url, timeout=5)
    assert page.status_code == 200 and "ada@example.com" in page.text and "active" in page.text
    assert 'href="https://shop.example/account"' in page.text
    assert [event["type"] for event in lab.payments.events("billing_portal.*")] == [
        "billing_portal.session.created"
    ] * 2


def test_portal_sessions_are_delivered_to_endpoints_that_ask_for_them(lab: Lab, sdk: Any, receiver: Receiver) -> None:
    sdk.WebhookEndpoint.modify(receiver.id, enabled_events=["billing_portal.session.created"])
    customer = sdk.Customer.create()
    session = sdk.billing_portal.Session.create(customer=customer.id)
    lab.settle()
    assert [(event.type, event.data.object.id) for event in receiver.events] == [
        ("billing_portal.session.created", session.id)
    ]


@pytest.mark.parametrize(
    ("params", "status", "param"),
    [
        ({}, 400, "customer"),
        ({"customer": "cus_nobody"}, 404, "customer"),
        ({"customer": "<customer>", "return_url": "javascript:alert(1)"}, 400, "return_url"),
        ({"customer": "<customer>", "locale": "xx"}, 400, "locale"),
        ({"customer": "<customer>", "colour": "red"}, 400, "colour"),
    ],
)
def test_a_bad_portal_request_is_refused_with_the_parameter_named(
    lab: Lab, params: dict[str, str], status: int, param: str
) -> None:
    customer = lab.payments.create_customer(email="bo@example.com")
    sent = {key: customer["id"] if value == "<customer>" else value for key, value in params.items()}
    with pytest.raises(requests.HTTPError) as refused:
        lab.payments.client.post("/v1/billing_portal/sessions", **sent)
    assert refused.value.response.status_code == status
    assert refused.value.error["param"] == param


def test_stripe_neither_lists_nor_retrieves_portal_sessions(lab: Lab) -> None:
    customer = lab.payments.create_customer(email="cy@example.com")
    session = lab.payments.client.post("/v1/billing_portal/sessions", customer=customer["id"])
    for path in ("/v1/billing_portal/sessions", f"/v1/billing_portal/sessions/{session['id']}"):
        with pytest.raises(requests.HTTPError) as refused:
            lab.payments.client.get(path)
        assert refused.value.response.status_code in (404, 405)


def test_the_route_list_is_read_from_the_app_and_holds_every_declared_resource(lab: Lab) -> None:
    routes = lab.payments.routes()
    assert "POST /v1/billing_portal/sessions" in routes
    for resource in registry.declared():
        if resource.listed:
            assert f"GET {resource.url}" in routes and f"GET {resource.url}/<object_id>" in routes
    assert "GET /v1/tax_rates" in routes and "POST /v1/tax_rates/<rate_id>" in routes
    assert len(routes) == len(set(routes)) > 100
