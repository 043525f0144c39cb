"""PaymentMethods and tokens from Stripe's test card numbers, driven by the official SDK over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from simulators import Lab
from tests.payments.receiver import Receiver
from tests.payments.stripe_schema import problems


def served(obj: Any) -> Any:
    """The exact JSON body the payment system answered with."""
    return obj.last_response.data


def card(number: str, /, **more: Any) -> dict[str, Any]:
    """`type=card` params for a test number; `more` overrides or adds card fields."""
    return {"type": "card", "card": {**{"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"}, **more}}


def counts(lab: Lab) -> tuple[int, int, int]:
    db = lab.payments.db
    return db["payment_method"].count(), db["token"].count(), db["event"].count()


@pytest.mark.parametrize(
    ("number", "brand", "funding"),
    [
        ("4242424242424242", "visa", "credit"),
        ("4000056655665556", "visa", "debit"),
        ("5555555555554444", "mastercard", "credit"),
        ("2223003122003222", "mastercard", "credit"),
        ("5200828282828210", "mastercard", "debit"),
        ("378282246310005", "amex", "credit"),
        ("6011111111111117", "discover", "credit"),
        ("3056930009020004", "diners", "credit"),
        ("3566002020360505", "jcb", "credit"),
        ("6200000000000005", "unionpay", "credit"),
    ],
)
def test_success_cards_make_payment_methods_that_pay(
    client: stripe.StripeClient, number: str, brand: str, funding: str
) -> None:
    method = client.v1.payment_methods.create(params=card(number, cvc="1234" if brand == "amex" else "123"))
    assert method.id.startswith("pm_") and method.type == "card"
    assert (method.card.brand, method.card.last4, method.card.funding) == (brand, number[-4:], funding)
    assert (method.card.exp_month, method.card.exp_year) == (12, 2031)
    assert problems(served(method)) == []
    intent = client.v1.payment_intents.create(
        params={"amount": 1900, "currency": "usd", "payment_method": method.id, "confirm": True}
    )
    assert intent.status == "succeeded" and intent.payment_method == method.id
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.payment_method_details.card.last4 == number[-4:]
    assert problems(served(charge)) == []


@pytest.mark.parametrize(
    ("number", "code", "decline_code"),
    [
        ("4000000000000002", "card_declined", "generic_decline"),
        ("4000000000009995", "card_declined", "insufficient_funds"),
        ("4000000000009987", "card_declined", "lost_card"),
        ("4000000000009979", "card_declined", "stolen_card"),
        ("4000000000000069", "expired_card", "expired_card"),
        ("4000000000000127", "incorrect_cvc", "incorrect_cvc"),
        ("4000000000000119", "processing_error", "processing_error"),
    ],
)
def test_decline_cards_are_saved_then_decline_when_charged(
    client: stripe.StripeClient, number: str, code: str, decline_code: str
) -> None:
    method = client.v1.payment_methods.create(params=card(number))
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_intents.create(
            params={"amount": 1900, "currency": "usd", "payment_method": method.id, "confirm": True}
        )
    error = caught.value
    assert error.http_status == 402 and error.code == code and error.error.decline_code == decline_code
    assert problems(error.json_body["error"], "api_errors") == []
    intent = error.error.payment_intent
    assert intent["status"] == "requires_payment_method"
    assert intent["last_payment_error"]["payment_method"]["id"] == method.id
    failed = client.v1.charges.retrieve(error.error.charge)
    assert failed.status == "failed" and failed.failure_code == code
    assert problems(served(failed)) == []


@pytest.mark.parametrize(
    ("fields", "status", "code", "param"),
    [
        ({"number": "4242424242424241"}, 402, "incorrect_number", "card[number]"),
        ({"number": "4242 4242 4242 424x"}, 402, "invalid_number", "card[number]"),
        ({"number": "42424242"}, 402, "invalid_number", "card[number]"),
        ({"exp_month": 13}, 402, "invalid_expiry_month", "card[exp_month]"),
        ({"exp_year": 2019}, 402, "invalid_expiry_year", "card[exp_year]"),
        ({"exp_year": 2099}, 402, "invalid_expiry_year", "card[exp_year]"),
        ({"cvc": "12"}, 402, "invalid_cvc", "card[cvc]"),
        ({"number": "4111111111111111"}, 402, "card_declined", "card[number]"),
        ({"number": ""}, 400, None, "card[number]"),
        ({"exp_month": ""}, 400, None, "card[exp_month]"),
        ({"colour": "blue"}, 400, None, "card[colour]"),
    ],
)
def test_bad_card_details_are_refused_with_stripes_code_and_nothing_is_made(
    lab: Lab, client: stripe.StripeClient, fields: dict[str, Any], status: int, code: str | None, param: str
) -> None:
    before = counts(lab)
    with pytest.raises(stripe.StripeError) as caught:
        client.v1.payment_methods.create(params=card("4242424242424242", **fields))
    error = caught.value
    assert (error.http_status, error.code, error.error.param) == (status, code, param)
    assert isinstance(error, stripe.CardError if status == 402 else stripe.InvalidRequestError)
    assert error.json_body["error"]["message"]
    assert problems(error.json_body["error"], "api_errors") == []
    with pytest.raises(stripe.StripeError):
        client.v1.tokens.create(params={"card": card("4242424242424242", **fields)["card"]})
    assert counts(lab) == before


def test_a_live_card_number_is_declined_as_stripe_declines_it_in_test_mode(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_methods.create(params=card("4111111111111111"))
    assert caught.value.error.decline_code == "test_mode_live_card"


def test_attach_update_list_detach_with_verified_events(
    lab: Lab, client: stripe.StripeClient, receiver: Receiver
) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    method = client.v1.payment_methods.create(
        params={**card("5555555555554444"), "billing_details": {"name": "Ada", "address": {"city": "Leeds"}}}
    )
    assert method.customer is None and method.billing_details.address.city == "Leeds"

    with pytest.raises(stripe.InvalidRequestError) as unattached:
        client.v1.payment_methods.update(method.id, params={"metadata": {"a": "b"}})
    assert unattached.value.code == "payment_method_unexpected_state"

    attached = client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    assert attached.customer == customer.id and problems(served(attached)) == []
    again = client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    assert again.customer == customer.id
    other = client.v1.customers.create(params={"email": "bo@example.com"})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_methods.attach(method.id, params={"customer": other.id})

    updated = client.v1.payment_methods.update(
        method.id, params={"metadata": {"nickname": "work"}, "billing_details": {"email": "ada@example.com"}}
    )
    assert updated.metadata["nickname"] == "work" and updated.billing_details.email == "ada@example.com"
    assert updated.billing_details.name == "Ada"

    visa = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    assert visa.id.startswith("pm_") and visa.id != "pm_card_visa" and visa.card.last4 == "4242"

    listed = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [m.id for m in listed.data] == [visa.id, method.id]
    assert listed.url == "/v1/payment_methods"
    by_customer = client.v1.customers.payment_methods.list(customer.id)
    assert [m.id for m in by_customer.data] == [visa.id, method.id]
    assert client.v1.customers.payment_methods.retrieve(customer.id, method.id).id == method.id
    assert client.v1.payment_methods.list(params={"customer": other.id}).data == []

    detached = client.v1.payment_methods.detach(method.id)
    assert detached.customer is None
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_methods.detach(method.id)
    assert [m.id for m in client.v1.customers.payment_methods.list(customer.id).data] == [visa.id]

    lab.settle()
    assert receiver.failures == []
    mine = [e for e in receiver.events if e.type.startswith("payment_method.")]
    assert [e.type for e in mine] == [
        "payment_method.attached",
        "payment_method.updated",
        "payment_method.attached",
        "payment_method.detached",
    ]
    assert mine[1].data.previous_attributes.metadata.to_dict() == {}
    assert mine[3].data.previous_attributes.customer == customer.id
    for event in mine:
        assert problems(event.data.object.to_dict()) == []


def test_attaching_a_card_that_declines_fails_but_0341_attaches_and_declines_later(
    lab: Lab, client: stripe.StripeClient
) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    declining = client.v1.payment_methods.create(params=card("4000000000000002"))
    events = lab.payments.db["event"].count()
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_methods.attach(declining.id, params={"customer": customer.id})
    assert caught.value.error.decline_code == "generic_decline"
    assert client.v1.payment_methods.retrieve(declining.id).customer is None
    assert lab.payments.db["event"].count() == events

    later = client.v1.payment_methods.create(params=card("4000000000000341"))
    assert client.v1.payment_methods.attach(later.id, params={"customer": customer.id}).customer == customer.id
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.create(
            params={
                "amount": 1900,
                "currency": "usd",
                "customer": customer.id,
                "payment_method": later.id,
                "confirm": True,
            }
        )


def test_a_saved_card_pays_a_subscription_and_belongs_to_its_customer(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    method = client.v1.payment_methods.create(params=card("4242424242424242"))
    client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    subscription = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": "price_basic_monthly"}],
            "default_payment_method": method.id,
        }
    )
    assert subscription.status == "active"
    stranger = client.v1.customers.create(params={"email": "eve@example.com"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(
            params={"amount": 500, "currency": "usd", "customer": stranger.id, "payment_method": method.id}
        )
    assert caught.value.error.param == "payment_method"


def test_shortcuts_retrieve_as_payment_methods_and_tokens(client: stripe.StripeClient) -> None:
    shortcut = client.v1.payment_methods.retrieve("pm_card_mastercard")
    assert shortcut.card.brand == "mastercard" and problems(served(shortcut)) == []
    token = client.v1.tokens.retrieve("tok_visa")
    assert token.card.brand == "Visa" and token.card.last4 == "4242"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_methods.retrieve("pm_card_nonsense")
    assert missing.value.http_status == 404


def test_a_token_from_a_card_number_pays_once(lab: Lab, client: stripe.StripeClient) -> None:
    token = client.v1.tokens.create(params={"card": {"number": "4242424242424242", "exp_month": 3, "exp_year": 2030}})
    assert token.id.startswith("tok_") and token.used is False and token.card.exp_month == 3
    assert problems(served(token)["card"], "card") == []
    charge = client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": token.id})
    assert charge.paid and charge.payment_method == token.card.id
    assert client.v1.tokens.retrieve(token.id).used is True
    charges = lab.payments.db["charge"].count()
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": token.id})
    assert again.value.code == "token_already_used"
    assert lab.payments.db["charge"].count() == charges
    method = client.v1.payment_methods.create(params={"type": "card", "card": {"token": "tok_mastercard"}})
    assert (method.card.brand, method.card.last4) == ("mastercard", "4444")


def test_tokens_remember_the_outcome_of_their_test_card(client: stripe.StripeClient) -> None:
    token = client.v1.tokens.create(params={"card": {"number": "4000000000009995", "exp_month": 3, "exp_year": 2030}})
    with pytest.raises(stripe.CardError) as caught:
        client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": token.id})
    assert caught.value.error.decline_code == "insufficient_funds"
    with pytest.raises(stripe.CardError) as shortcut:
        client.v1.charges.create(params={"amount": 700, "currency": "usd", "source": "tok_chargeDeclined"})
    assert shortcut.value.error.decline_code == "generic_decline"


def test_idempotency_key_replays_a_payment_method_and_refuses_other_params(
    lab: Lab, client: stripe.StripeClient
) -> None:
    first = client.v1.payment_methods.create(params=card("4242424242424242"), options={"idempotency_key": "pm-1"})
    replay = client.v1.payment_methods.create(params=card("4242424242424242"), options={"idempotency_key": "pm-1"})
    assert replay.id == first.id and lab.payments.db["payment_method"].count() == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_methods.create(params=card("5555555555554444"), options={"idempotency_key": "pm-1"})
    assert lab.payments.db["payment_method"].count() == 1


def test_customer_create_attaches_a_saved_payment_method_as_stripe_does(
    lab: Lab, client: stripe.StripeClient, receiver: Receiver
) -> None:
    method = client.v1.payment_methods.create(params=card("4242424242424242"))
    customer = client.v1.customers.create(
        params={
            "email": "ada@example.com",
            "payment_method": method.id,
            "invoice_settings": {"default_payment_method": method.id},
        }
    )
    assert client.v1.payment_methods.retrieve(method.id).customer == customer.id
    invoice_paid = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": "price_pro_monthly"}]}
    )
    assert invoice_paid.status == "active"
    lab.settle()
    assert receiver.types[:2] == ["customer.created", "payment_method.attached"]

    declining = client.v1.payment_methods.create(params=card("4000000000009995"))
    customers = lab.payments.db["customer"].count()
    with pytest.raises(stripe.CardError):
        client.v1.customers.create(params={"email": "bo@example.com", "payment_method": declining.id})
    assert lab.payments.db["customer"].count() == customers


def test_card_sources_saved_from_tokens_pay_charges_for_their_customer(
    lab: Lab, client: stripe.StripeClient, sdk: Any
) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com", "source": "tok_mastercard"})
    assert customer.default_source.startswith("card_")
    charge = client.v1.charges.create(params={"amount": 1500, "currency": "usd", "customer": customer.id})
    assert charge.paid and charge.payment_method == customer.default_source
    assert charge.payment_method_details.card.brand == "mastercard"

    token = client.v1.tokens.create(params={"card": {"number": "4000000000000341", "exp_month": 2, "exp_year": 2031}})
    added = sdk.Customer.create_source(customer.id, source=token.id)
    assert added.object == "card" and added.customer == customer.id and added.last4 == "0341"
    assert problems(added.last_response.data, "card") == []
    listed = sdk.Customer.list_sources(customer.id, object="card")
    assert [s.id for s in listed.data] == [added.id, customer.default_source]
    with pytest.raises(stripe.InvalidRequestError) as again:
        sdk.Customer.create_source(customer.id, source=token.id)
    assert again.value.code == "token_already_used"
    with pytest.raises(stripe.CardError):
        client.v1.charges.create(
            params={"amount": 1500, "currency": "usd", "customer": customer.id, "source": added.id}
        )
    customers = lab.payments.db["customer"].count()
    with pytest.raises(stripe.CardError):
        client.v1.customers.create(params={"email": "bo@example.com", "source": "tok_chargeDeclined"})
    assert lab.payments.db["customer"].count() == customers
