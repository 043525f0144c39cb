"""Manual capture of PaymentIntents, and the Charges API, driven by the official SDK with verified webhooks."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from simulators import Lab
from tests.payments.receiver import Receiver
from tests.payments.stripe_schema import problems


def served(obj: Any) -> Any:
    return obj.last_response.data


def authorize(client: stripe.StripeClient, amount: int = 5000, method: str = "pm_card_visa") -> Any:
    return client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "usd",
            "payment_method": method,
            "confirm": True,
            "capture_method": "manual",
        }
    )


def events_of(lab: Lab, receiver: Receiver, object_ids: set[str]) -> list[Any]:
    lab.settle()
    assert receiver.failures == []
    return [e for e in receiver.events if e.data.object.id in object_ids]


def test_manual_capture_authorizes_then_captures_in_full(
    lab: Lab, client: stripe.StripeClient, receiver: Receiver
) -> None:
    intent = authorize(client)
    assert (intent.status, intent.capture_method, intent.amount_capturable, intent.amount_received) == (
        "requires_capture",
        "manual",
        5000,
        0,
    )
    assert problems(served(intent)) == []
    held = client.v1.charges.retrieve(intent.latest_charge)
    assert (held.status, held.paid, held.captured, held.amount_captured) == ("succeeded", True, False, 0)
    assert problems(served(held)) == []

    captured = client.v1.payment_intents.capture(intent.id)
    assert (captured.status, captured.amount_received, captured.amount_capturable) == ("succeeded", 5000, 0)
    assert problems(served(captured)) == []
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.captured, charge.amount_captured, charge.amount_refunded, charge.refunded) == (True, 5000, 0, False)

    seen = events_of(lab, receiver, {intent.id, held.id})
    assert [e.type for e in seen] == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
        "charge.captured",
        "payment_intent.succeeded",
    ]
    assert seen[2].data.object.amount_capturable == 5000
    assert seen[3].data.previous_attributes.captured is False
    for event in seen:
        assert problems(event.data.object.to_dict()) == []


def test_partial_capture_releases_the_rest_as_stripe_does(client: stripe.StripeClient, sdk: Any) -> None:
    intent = authorize(client, 5000)
    captured = client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 3250})
    assert (captured.status, captured.amount_received, captured.amount_capturable) == ("succeeded", 3250, 0)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount, charge.amount_captured, charge.amount_refunded) == (5000, 3250, 1750)
    assert (charge.captured, charge.refunded) == (True, False)
    # Only what was captured can be refunded.
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 3251})
    assert too_much.value.code == "amount_too_large"
    client.v1.refunds.create(params={"payment_intent": intent.id})
    refunded = client.v1.charges.retrieve(intent.latest_charge)
    assert (refunded.amount_refunded, refunded.refunded) == (5000, True)
    assert [r.amount for r in refunded.refunds.data] == [3250]
    listed = sdk.Charge.list_refunds(refunded.id)
    assert [r.amount for r in listed.data] == [3250] and listed.url == refunded.refunds.url
    assert sdk.Charge.retrieve_refund(refunded.id, listed.data[0].id).amount == 3250
    assert problems(served(refunded)) == []


def test_capture_refuses_what_stripe_refuses_and_changes_nothing(lab: Lab, client: stripe.StripeClient) -> None:
    intent = authorize(client, 5000)
    events = lab.payments.db["event"].count()
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 5001})
    assert (too_much.value.code, too_much.value.error.param) == ("amount_too_large", "amount_to_capture")
    with pytest.raises(stripe.InvalidRequestError) as bad:
        client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": "lots"})
    assert bad.value.error.param == "amount_to_capture"
    assert lab.payments.db["event"].count() == events
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_capture"

    automatic = client.v1.payment_intents.create(
        params={"amount": 900, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    assert automatic.capture_method == "automatic"
    with pytest.raises(stripe.InvalidRequestError) as done:
        client.v1.payment_intents.capture(automatic.id)
    assert done.value.code == "payment_intent_unexpected_state"
    assert "requires_capture" in str(done.value.user_message)


def test_canceling_an_authorization_releases_it(lab: Lab, client: stripe.StripeClient, receiver: Receiver) -> None:
    intent = authorize(client, 2500)
    canceled = client.v1.payment_intents.cancel(intent.id, params={"cancellation_reason": "requested_by_customer"})
    assert (canceled.status, canceled.cancellation_reason, canceled.amount_capturable) == (
        "canceled",
        "requested_by_customer",
        0,
    )
    assert problems(served(canceled)) == []
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.captured, charge.refunded, charge.amount_refunded) == (False, True, 2500)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.capture(intent.id)
    seen = events_of(lab, receiver, {intent.id, charge.id})
    assert [e.type for e in seen][-2:] == ["charge.refunded", "payment_intent.canceled"]


def test_a_declined_authorization_leaves_nothing_to_capture(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.CardError) as caught:
        authorize(client, 2500, "pm_card_chargeDeclinedInsufficientFunds")
    intent = caught.value.error.payment_intent
    assert (intent["status"], intent["amount_capturable"]) == ("requires_payment_method", 0)


def test_capture_with_the_same_idempotency_key_replays(lab: Lab, client: stripe.StripeClient) -> None:
    intent = authorize(client, 5000)
    first = client.v1.payment_intents.capture(
        intent.id, params={"amount_to_capture": 1000}, options={"idempotency_key": "cap-1"}
    )
    again = client.v1.payment_intents.capture(
        intent.id, params={"amount_to_capture": 1000}, options={"idempotency_key": "cap-1"}
    )
    assert again.amount_received == first.amount_received == 1000
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.capture(
            intent.id, params={"amount_to_capture": 2000}, options={"idempotency_key": "cap-1"}
        )
    assert len(lab.payments.events("charge.captured")) == 1


def test_charges_api_charges_a_token_and_captures_later(
    lab: Lab, client: stripe.StripeClient, receiver: Receiver
) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    charge = client.v1.charges.create(
        params={
            "amount": 4000,
            "currency": "usd",
            "source": "tok_visa",
            "customer": customer.id,
            "capture": False,
            "metadata": {"order": "17"},
        }
    )
    assert (charge.status, charge.paid, charge.captured, charge.amount_captured) == ("succeeded", True, False, 0)
    assert problems(served(charge)) == []
    captured = client.v1.charges.capture(charge.id, params={"amount": 3000})
    assert (captured.captured, captured.amount_captured, captured.amount_refunded) == (True, 3000, 1000)
    with pytest.raises(stripe.InvalidRequestError) as twice:
        client.v1.charges.capture(charge.id)
    assert twice.value.code == "charge_already_captured"

    updated = client.v1.charges.update(charge.id, params={"description": "Order 17", "metadata": {"order": ""}})
    assert updated.description == "Order 17" and updated.metadata.to_dict() == {}
    listed = client.v1.charges.list(params={"customer": customer.id})
    assert [c.id for c in listed.data] == [charge.id]
    assert problems(served(listed)) == []

    seen = events_of(lab, receiver, {charge.id})
    assert [e.type for e in seen] == ["charge.succeeded", "charge.captured", "charge.updated"]
    assert seen[2].data.previous_attributes.description is None


def test_charges_api_declines_with_card_error_and_keeps_the_failed_charge(
    lab: Lab, client: stripe.StripeClient, receiver: Receiver
) -> None:
    with pytest.raises(stripe.CardError) as caught:
        client.v1.charges.create(params={"amount": 4000, "currency": "usd", "source": "tok_chargeDeclinedStolenCard"})
    error = caught.value
    assert (error.http_status, error.code, error.error.decline_code) == (402, "card_declined", "stolen_card")
    failed = client.v1.charges.retrieve(error.error.charge)
    assert failed.status == "failed" and failed.outcome.reason == "stolen_card"
    with pytest.raises(stripe.CardError) as three_ds:
        client.v1.charges.create(params={"amount": 4000, "currency": "usd", "source": "tok_authenticationRequired"})
    assert three_ds.value.code == "authentication_required"
    assert [e.type for e in events_of(lab, receiver, {failed.id})] == ["charge.failed"]


def test_charges_api_uses_the_customers_saved_card_or_says_it_has_none(lab: Lab, client: stripe.StripeClient) -> None:
    saved = client.v1.customers.create(
        params={"email": "ada@example.com", "invoice_settings": {"default_payment_method": "pm_card_mastercard"}}
    )
    charge = client.v1.charges.create(params={"amount": 1200, "currency": "usd", "customer": saved.id})
    assert charge.paid and charge.payment_method_details.card.brand == "mastercard"
    bare = client.v1.customers.create(params={"email": "bo@example.com"})
    charges = lab.payments.db["charge"].count()
    with pytest.raises(stripe.CardError) as none:
        client.v1.charges.create(params={"amount": 1200, "currency": "usd", "customer": bare.id})
    assert none.value.code == "missing"
    with pytest.raises(stripe.InvalidRequestError) as neither:
        client.v1.charges.create(params={"amount": 1200, "currency": "usd"})
    assert neither.value.error.param == "source"
    with pytest.raises(stripe.InvalidRequestError) as small:
        client.v1.charges.create(params={"amount": 10, "currency": "usd", "source": "tok_visa"})
    assert small.value.error.param == "amount"
    assert lab.payments.db["charge"].count() == charges


def test_off_session_needs_confirm_and_a_3ds_card_declines_off_session(lab: Lab, client: stripe.StripeClient) -> None:
    intents = lab.payments.db["payment_intent"].count()
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(
            params={"amount": 900, "currency": "usd", "payment_method": "pm_card_visa", "off_session": True}
        )
    assert caught.value.http_status == 400 and caught.value.error.param == "off_session"
    assert "confirm" in str(caught.value.user_message)
    assert lab.payments.db["payment_intent"].count() == intents
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.create(
            params={
                "amount": 900,
                "currency": "usd",
                "payment_method": "pm_card_authenticationRequired",
                "confirm": True,
                "off_session": True,
            }
        )
    assert declined.value.code == "authentication_required"
    assert declined.value.error.payment_intent["status"] == "requires_payment_method"


def test_customer_create_accepts_tax_id_data_and_refuses_a_bad_one(lab: Lab, client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(
        params={"email": "ada@example.com", "tax_id_data": [{"type": "eu_vat", "value": "DE123456789"}]}
    )
    assert customer.id.startswith("cus_") and problems(served(customer)) == []
    customers = lab.payments.db["customer"].count()
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create(params={"email": "bo@example.com", "tax_id_data": [{"type": "vat"}]})
    assert caught.value.error.param == "tax_id_data[0][type]"
    assert lab.payments.db["customer"].count() == customers


def test_the_python_api_authorizes_and_captures(lab: Lab) -> None:
    pay = lab.payments
    customer = pay.create_customer("ada@example.com")
    held = pay.authorize(customer["id"], 3000)
    assert (held["status"], held["amount_capturable"]) == ("requires_capture", 3000)
    taken = pay.capture(held["id"], 2000)
    assert (taken["status"], taken["amount_received"]) == ("succeeded", 2000)
    declined = pay.authorize(customer["id"], 3000, payment_method="pm_card_chargeDeclined")
    assert declined["status"] == "requires_payment_method"
    assert [p["id"] for p in pay.payments()] == [held["id"]]


def test_a_declined_charge_replays_under_its_idempotency_key(lab: Lab, client: stripe.StripeClient) -> None:
    params = {"amount": 900, "currency": "usd", "source": "tok_chargeDeclinedInsufficientFunds"}
    errors = []
    for _ in range(2):
        with pytest.raises(stripe.CardError) as caught:
            client.v1.charges.create(params=params, options={"idempotency_key": "order-17"})
        errors.append(caught.value)
    assert errors[0].error.charge == errors[1].error.charge
    assert lab.payments.db["charge"].count() == 1
