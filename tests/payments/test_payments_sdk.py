"""The official stripe SDK drives every resource of the payment system."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import stripe

from simulators import Lab


def test_customers_create_retrieve_update_list_delete(sdk: Any) -> None:
    created = sdk.Customer.create(email="ada@example.com", name="Ada", metadata={"plan": "pro"})
    assert isinstance(created, stripe.Customer)
    assert created.id.startswith("cus_") and created.email == "ada@example.com"
    assert created.metadata["plan"] == "pro"

    fetched = sdk.Customer.retrieve(created.id)
    assert fetched.name == "Ada"

    updated = sdk.Customer.modify(created.id, name="Ada L.", metadata={"plan": "", "team": "core"})
    assert updated.name == "Ada L." and updated.metadata.to_dict() == {"team": "core"}

    other = sdk.Customer.create(email="bo@example.com")
    listed = sdk.Customer.list(limit=10)
    assert [c.id for c in listed.data] == [other.id, created.id]  # newest first
    assert listed.object == "list" and listed.url == "/v1/customers" and listed.has_more is False
    assert [c.id for c in sdk.Customer.list(email="bo@example.com").data] == [other.id]

    deleted = sdk.Customer.delete(created.id)
    assert deleted.deleted is True
    assert sdk.Customer.retrieve(created.id).deleted is True
    assert [c.id for c in sdk.Customer.list().data] == [other.id]
    with pytest.raises(stripe.InvalidRequestError) as missing:
        sdk.Customer.modify(created.id, name="ghost")
    assert missing.value.http_status == 404


def test_payment_intent_confirmed_with_visa_succeeds(sdk: Any) -> None:
    customer = sdk.Customer.create(email="ada@example.com")
    intent = sdk.PaymentIntent.create(
        amount=1900,
        currency="usd",
        customer=customer.id,
        payment_method="pm_card_visa",
        confirm=True,
        metadata={"plan": "basic"},
    )
    assert isinstance(intent, stripe.PaymentIntent)
    assert intent.status == "succeeded" and intent.amount_received == 1900
    assert intent.metadata["plan"] == "basic"
    charge = sdk.Charge.retrieve(intent.latest_charge)
    assert charge.paid and charge.payment_intent == intent.id and charge.amount == 1900


@pytest.mark.parametrize(
    ("method", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_insufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_visa_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
    ],
)
def test_declines_raise_card_error_with_the_intent_embedded(
    sdk: Any, method: str, code: str, decline_code: str
) -> None:
    with pytest.raises(stripe.CardError) as caught:
        sdk.PaymentIntent.create(amount=1900, currency="usd", payment_method=method, confirm=True)
    error = caught.value
    assert error.http_status == 402 and error.code == code
    assert error.error.decline_code == decline_code
    embedded = error.error.payment_intent
    assert embedded["status"] == "requires_payment_method"
    assert embedded["last_payment_error"]["decline_code"] == decline_code
    stored = sdk.PaymentIntent.retrieve(embedded["id"])
    assert stored.status == "requires_payment_method"
    assert sdk.Charge.retrieve(stored.latest_charge).status == "failed"


def test_payment_intent_confirm_later_cancel_and_list(sdk: Any) -> None:
    customer = sdk.Customer.create(email="ada@example.com")
    waiting = sdk.PaymentIntent.create(amount=5000, currency="eur", customer=customer.id)
    assert waiting.status == "requires_payment_method"
    confirmed = sdk.PaymentIntent.confirm(waiting.id, payment_method="pm_card_mastercard")
    assert confirmed.status == "succeeded" and confirmed.payment_method == "pm_card_mastercard"
    with pytest.raises(stripe.InvalidRequestError, match="status of succeeded"):
        sdk.PaymentIntent.cancel(waiting.id)

    dropped = sdk.PaymentIntent.create(amount=700, currency="usd", payment_method="pm_card_visa")
    assert dropped.status == "requires_confirmation"
    canceled = sdk.PaymentIntent.cancel(dropped.id, cancellation_reason="abandoned")
    assert canceled.status == "canceled" and canceled.cancellation_reason == "abandoned"

    mine = sdk.PaymentIntent.list(customer=customer.id)
    assert [pi.id for pi in mine.data] == [waiting.id]
    updated = sdk.PaymentIntent.modify(waiting.id, metadata={"order": "42"})
    assert updated.metadata["order"] == "42"


def test_expand_customer_and_latest_invoice(sdk: Any) -> None:
    customer = sdk.Customer.create(email="ada@example.com", name="Ada")
    intent = sdk.PaymentIntent.create(
        amount=1900,
        currency="usd",
        customer=customer.id,
        payment_method="pm_card_visa",
        confirm=True,
        expand=["customer", "latest_charge"],
    )
    assert isinstance(intent.customer, stripe.Customer) and intent.customer.name == "Ada"
    assert isinstance(intent.latest_charge, stripe.Charge)
    again = sdk.PaymentIntent.retrieve(intent.id, expand=["customer"])
    assert again.customer.email == "ada@example.com"
    listed = sdk.PaymentIntent.list(expand=["data.customer"])
    assert listed.data[0].customer.id == customer.id

    subscription = sdk.Subscription.create(
        customer=customer.id,
        items=[{"price": "price_pro_monthly"}],
        default_payment_method="pm_card_visa",
        expand=["latest_invoice"],
    )
    assert isinstance(subscription.latest_invoice, stripe.Invoice)
    assert subscription.latest_invoice.status == "paid"
    with pytest.raises(stripe.InvalidRequestError, match="cannot be expanded"):
        sdk.PaymentIntent.retrieve(intent.id, expand=["nonsense"])


def test_prices_and_products_are_predefined(sdk: Any) -> None:
    prices = sdk.Price.list()
    assert {p.id for p in prices.data} == {"price_basic_monthly", "price_pro_monthly"}
    pro = sdk.Price.retrieve("price_pro_monthly", expand=["product"])
    assert pro.unit_amount == 4900 and pro.recurring.interval == "month" and pro.metadata["plan"] == "pro"
    assert pro.nickname == "Pro monthly" and pro.product.name == "Pro plan"
    assert [p.id for p in sdk.Price.list(lookup_keys=["basic_monthly"]).data] == ["price_basic_monthly"]


def test_subscription_create_pays_first_invoice_and_delete_cancels(sdk: Any) -> None:
    customer = sdk.Customer.create(email="ada@example.com", invoice_settings={"default_payment_method": "pm_card_visa"})
    subscription = sdk.Subscription.create(customer=customer.id, items=[{"price": "price_basic_monthly"}])
    assert subscription.status == "active" and subscription.metadata["plan"] == "basic"
    assert subscription["items"].data[0].price.id == "price_basic_monthly"
    invoice = sdk.Invoice.retrieve(subscription.latest_invoice)
    assert invoice.status == "paid" and invoice.amount_paid == 1900 and invoice.amount_remaining == 0
    assert invoice.lines.data[0].price.id == "price_basic_monthly"
    assert [i.id for i in sdk.Invoice.list(customer=customer.id).data] == [invoice.id]

    canceled = sdk.Subscription.cancel(subscription.id)
    assert canceled.status == "canceled" and canceled.canceled_at is not None
    assert sdk.Subscription.list().data == []
    assert [s.id for s in sdk.Subscription.list(status="all").data] == [subscription.id]


def test_incomplete_subscription_is_activated_by_paying_its_invoice(sdk: Any) -> None:
    customer = sdk.Customer.create(email="bo@example.com")
    with pytest.raises(stripe.InvalidRequestError, match="no attached payment source"):
        sdk.Subscription.create(customer=customer.id, items=[{"price": "price_pro_monthly"}])
    declined = sdk.Subscription.create(
        customer=customer.id, items=[{"price": "price_pro_monthly"}], default_payment_method="pm_card_chargeDeclined"
    )
    assert declined.status == "incomplete"
    invoice = sdk.Invoice.retrieve(declined.latest_invoice)
    assert invoice.status == "open" and invoice.attempt_count == 1
    with pytest.raises(stripe.CardError):
        sdk.Invoice.pay(invoice.id)
    paid = sdk.Invoice.pay(invoice.id, payment_method="pm_card_visa")
    assert paid.status == "paid"
    assert sdk.Subscription.retrieve(declined.id).status == "active"
    with pytest.raises(stripe.InvalidRequestError, match="already paid"):
        sdk.Invoice.pay(invoice.id)


def test_refunds_mark_the_charge_refunded(sdk: Any) -> None:
    intent = sdk.PaymentIntent.create(amount=2000, currency="usd", payment_method="pm_card_visa", confirm=True)
    partial = sdk.Refund.create(payment_intent=intent.id, amount=500)
    assert partial.status == "succeeded" and partial.amount == 500
    assert sdk.Charge.retrieve(intent.latest_charge).refunded is False
    rest = sdk.Refund.create(payment_intent=intent.id)
    assert rest.amount == 1500
    charge = sdk.Charge.retrieve(intent.latest_charge)
    assert charge.refunded is True and charge.amount_refunded == 2000
    with pytest.raises(stripe.InvalidRequestError, match="already been refunded"):
        sdk.Refund.create(charge=charge.id)
    assert {r.id for r in sdk.Refund.list(payment_intent=intent.id).data} == {partial.id, rest.id}


def test_webhook_endpoints_secret_shown_once(sdk: Any) -> None:
    created = sdk.WebhookEndpoint.create(url="http://127.0.0.1:9/hook", enabled_events=["payment_intent.succeeded"])
    assert created.secret.startswith("whsec_") and created.status == "enabled"
    fetched = sdk.WebhookEndpoint.retrieve(created.id)
    assert "secret" not in fetched
    updated = sdk.WebhookEndpoint.modify(
        created.id, url="http://127.0.0.1:9/other", enabled_events=["*"], disabled=True
    )
    assert updated.url.endswith("/other") and updated.enabled_events == ["*"] and updated.status == "disabled"
    assert created.id in {e.id for e in sdk.WebhookEndpoint.list().data}
    assert sdk.WebhookEndpoint.delete(created.id).deleted is True
    with pytest.raises(stripe.InvalidRequestError):
        sdk.WebhookEndpoint.retrieve(created.id)
    with pytest.raises(stripe.InvalidRequestError, match="enabled_events"):
        sdk.WebhookEndpoint.create(url="http://127.0.0.1:9/hook", enabled_events=["payment_intent.exploded"])


def test_events_have_stripes_shape(sdk: Any) -> None:
    intent = sdk.PaymentIntent.create(amount=1900, currency="usd", payment_method="pm_card_visa", confirm=True)
    event = sdk.Event.list(type="payment_intent.succeeded").data[0]
    assert isinstance(event, stripe.Event)
    assert event.id.startswith("evt_") and event.object == "event" and event.livemode is False
    assert isinstance(event.data.object, stripe.PaymentIntent) and event.data.object.id == intent.id
    assert event.request.id.startswith("req_") and event.api_version
    assert sdk.Event.retrieve(event.id).type == "payment_intent.succeeded"


def test_stripe_client_works_too(client: stripe.StripeClient) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    intent = client.v1.payment_intents.create(
        params={
            "amount": 1900,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    assert intent.status == "succeeded"
    assert client.v1.customers.retrieve(customer.id).email == "ada@example.com"
    assert [e.type for e in client.v1.events.list(params={"limit": 3}).data] == [
        "payment_intent.succeeded",
        "charge.succeeded",
        "payment_intent.created",
    ]


def test_authentication_is_required(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stripe, "api_base", lab.payments.url)
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    monkeypatch.setattr(stripe, "api_key", "sk_test_wrongwrongwrong1234")
    with pytest.raises(stripe.AuthenticationError, match=r"sk_test_\*\*\*\*1234"):
        stripe.Customer.list()
    bare = requests.get(lab.payments.url + "/v1/customers")
    assert bare.status_code == 401 and "API key" in bare.json()["error"]["message"]
    assert bare.headers["Request-Id"].startswith("req_")
    basic = requests.get(lab.payments.url + "/v1/customers", auth=(lab.payments.api_key, ""))
    assert basic.status_code == 200


def test_every_response_has_a_request_id(sdk: Any) -> None:
    customer = sdk.Customer.create(email="ada@example.com")
    assert customer.last_response.request_id.startswith("req_")
    with pytest.raises(stripe.InvalidRequestError) as missing:
        sdk.Customer.retrieve("cus_nope")
    assert missing.value.request_id.startswith("req_")
    assert missing.value.code == "resource_missing"


def test_limit_outside_1_to_100_is_refused(sdk: Any) -> None:
    for bad in (0, 101):
        with pytest.raises(stripe.InvalidRequestError, match="limit"):
            sdk.Customer.list(limit=bad)
    assert sdk.Customer.list(limit=100).data == []
