"""SetupIntents: saving a card for later, driven by the official SDK with verified webhooks."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import stripe

from simulators import Lab
from tests.payments.receiver import Receiver
from tests.payments.stripe_schema import problems


def served(obj: Any) -> Any:
    return obj.last_response.data


def test_a_setup_intent_saves_the_card_to_the_customer(
    lab: Lab, client: stripe.StripeClient, receiver: Receiver
) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    intent = client.v1.setup_intents.create(params={"customer": customer.id, "metadata": {"why": "renewals"}})
    assert (intent.status, intent.usage, intent.payment_method) == ("requires_payment_method", "off_session", None)
    assert intent.client_secret.startswith(intent.id + "_secret_")
    assert problems(served(intent)) == []
    updated = client.v1.setup_intents.update(intent.id, params={"payment_method": "pm_card_visa"})
    assert updated.status == "requires_confirmation"
    confirmed = client.v1.setup_intents.confirm(intent.id)
    assert confirmed.status == "succeeded" and confirmed.payment_method.startswith("pm_")
    assert confirmed.payment_method != "pm_card_visa"
    assert problems(served(confirmed)) == []
    saved = client.v1.customers.payment_methods.list(customer.id)
    assert [m.id for m in saved.data] == [confirmed.payment_method]
    assert client.v1.setup_intents.retrieve(intent.id, params={"client_secret": intent.client_secret}).status == (
        "succeeded"
    )
    listed = client.v1.setup_intents.list(params={"customer": customer.id})
    assert [s.id for s in listed.data] == [intent.id]

    lab.settle()
    assert receiver.failures == []
    assert [e.type for e in receiver.events if e.type.startswith(("setup_intent.", "payment_method."))] == [
        "setup_intent.created",
        "payment_method.attached",
        "setup_intent.succeeded",
    ]
    for event in receiver.events:
        if event.type.startswith("setup_intent."):
            assert problems(event.data.object.to_dict()) == []

    # The saved card pays later, off-session.
    paid = client.v1.payment_intents.create(
        params={
            "amount": 1500,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": confirmed.payment_method,
            "confirm": True,
            "off_session": True,
        }
    )
    assert paid.status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError) as done:
        client.v1.setup_intents.cancel(intent.id)
    assert done.value.code == "setup_intent_unexpected_state"


def test_a_declining_card_fails_setup_with_the_intent_embedded(
    lab: Lab, client: stripe.StripeClient, receiver: Receiver
) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    with pytest.raises(stripe.CardError) as caught:
        client.v1.setup_intents.create(
            params={"customer": customer.id, "payment_method": "pm_card_chargeDeclinedLostCard", "confirm": True}
        )
    error = caught.value
    assert error.error.decline_code == "lost_card"
    embedded = error.error.setup_intent
    assert embedded["status"] == "requires_payment_method"
    assert embedded["last_setup_error"]["decline_code"] == "lost_card"
    assert problems(error.json_body["error"], "api_errors") == []
    assert client.v1.customers.payment_methods.list(customer.id).data == []
    lab.settle()
    assert [e.type for e in receiver.events if e.type.startswith("setup_intent.")] == [
        "setup_intent.created",
        "setup_intent.setup_failed",
    ]


def test_cancel_and_bad_input(lab: Lab, client: stripe.StripeClient) -> None:
    intent = client.v1.setup_intents.create(params={"usage": "on_session"})
    canceled = client.v1.setup_intents.cancel(intent.id, params={"cancellation_reason": "abandoned"})
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    assert problems(served(canceled)) == []
    before = lab.payments.db["setup_intent"].count()
    for params, param in (
        ({"usage": "sometimes"}, "usage"),
        ({"confirm": True}, "payment_method"),
        ({"customer": "cus_missing"}, "customer"),
        ({"payment_method": "pm_nothing"}, "payment_method"),
        ({"payment_method_types": ["sepa_debit"]}, "payment_method_types"),
        ({"return_url": "javascript:alert(1)"}, "return_url"),
        ({"colour": "blue"}, "colour"),
    ):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            client.v1.setup_intents.create(params=params)
        assert caught.value.error.param == param, params
        assert caught.value.json_body["error"]["type"] == "invalid_request_error"
    assert lab.payments.db["setup_intent"].count() == before
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.setup_intents.cancel(intent.id, params={"cancellation_reason": "bored"})


def test_a_card_set_up_off_session_then_pays_without_authenticating(lab: Lab, client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4000002500003155", "exp_month": 1, "exp_year": 2032}}
    )
    intent = client.v1.setup_intents.create(
        params={
            "customer": customer.id,
            "payment_method": method.id,
            "confirm": True,
            "return_url": "http://127.0.0.1/",
        }
    )
    assert intent.status == "requires_action" and intent.next_action.type == "redirect_to_url"
    assert problems(served(intent)) == []
    page = intent.next_action.redirect_to_url.url
    answer = requests.post(
        page.split("?")[0],
        data={"client_secret": intent.client_secret, "outcome": "complete"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303
    assert client.v1.setup_intents.retrieve(intent.id).status == "succeeded"
    params = {"amount": 800, "currency": "usd", "customer": customer.id, "payment_method": method.id, "confirm": True}
    assert client.v1.payment_intents.create(params={**params, "off_session": True}).status == "succeeded"
    # On-session, this card still asks.
    assert client.v1.payment_intents.create(params=params).status == "requires_action"
