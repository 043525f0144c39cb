"""Tax rates, plans, refund updates and sending invoices, driven by the official SDK; bodies against Stripe's schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import stripe

from simulators import Lab
from tests.payments.receiver import Receiver
from tests.payments.stripe_schema import problems


def _body(result: Any) -> dict[str, Any]:
    """What the SDK received for a call, as sent."""
    return json.loads(result.last_response.body)  # type: ignore[no-any-return]


def _post(lab: Lab, path: str, data: dict[str, Any]) -> requests.Response:
    headers = {"Authorization": f"Bearer {lab.payments.api_key}"}
    return requests.post(lab.payments.url + path, data=data, headers=headers, timeout=10)


def _refused(lab: Lab, path: str, data: dict[str, Any], param: str, status: int = 400) -> dict[str, Any]:
    """POST something wrong: a 4xx naming `param`, and no event."""
    before = len(lab.payments.events())
    answer = _post(lab, path, data)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["param"] == param and param.split("[")[0] in error["message"], error
    assert len(lab.payments.events()) == before, "a refused call changes nothing"
    return error  # type: ignore[no-any-return]


def test_tax_rates_create_retrieve_update_list(client: stripe.StripeClient, lab: Lab, receiver: Receiver) -> None:
    vat = client.v1.tax_rates.create(
        {"display_name": "VAT", "percentage": 20.0, "inclusive": True, "country": "gb", "jurisdiction": "UK"}
    )
    assert isinstance(vat, stripe.TaxRate) and vat.id.startswith("txr_")
    assert (vat.percentage, vat.inclusive, vat.country, vat.active) == (20.0, True, "GB", True)
    assert problems(_body(vat)) == []
    sales = client.v1.tax_rates.create(
        {"display_name": "Sales tax", "percentage": 8.25, "inclusive": False, "country": "US", "state": "CA"}
    )
    updated = client.v1.tax_rates.update(vat.id, {"active": False, "metadata": {"region": "uk"}})
    assert updated.active is False and updated.metadata.to_dict() == {"region": "uk"}
    assert updated.percentage == 20.0  # a rate's percentage never changes
    assert problems(_body(client.v1.tax_rates.retrieve(vat.id))) == []
    listed = client.v1.tax_rates.list({"limit": 10})
    assert [rate.id for rate in listed.data] == [sales.id, vat.id] and problems(_body(listed)) == []
    assert [rate.id for rate in client.v1.tax_rates.list({"active": False}).data] == [vat.id]
    lab.settle()
    assert receiver.types == ["tax_rate.created", "tax_rate.created", "tax_rate.updated"]
    assert receiver.events[2].data.previous_attributes.to_dict() == {"active": True, "metadata": {}}
    assert all(problems(payload["data"]["object"]) == [] for payload in receiver.payloads())


@pytest.mark.parametrize(
    ("data", "param"),
    [
        ({"display_name": "Too much", "percentage": "120", "inclusive": "false"}, "percentage"),
        ({"display_name": "Words", "percentage": "ten", "inclusive": "false"}, "percentage"),
        ({"display_name": "No inclusive", "percentage": "5"}, "inclusive"),
        ({"percentage": "5", "inclusive": "true"}, "display_name"),
        ({"display_name": "Kind", "percentage": "5", "inclusive": "true", "tax_type": "toll"}, "tax_type"),
    ],
)
def test_a_wrong_tax_rate_is_refused_and_not_stored(lab: Lab, data: dict[str, Any], param: str) -> None:
    _refused(lab, "/v1/tax_rates", data, param)
    assert lab.payments.client.get("/v1/tax_rates")["data"] == []


def test_a_tax_rate_percentage_cannot_change(client: stripe.StripeClient, lab: Lab) -> None:
    rate = client.v1.tax_rates.create({"display_name": "GST", "percentage": 10.0, "inclusive": True})
    _refused(lab, f"/v1/tax_rates/{rate.id}", {"percentage": "12"}, "percentage")
    assert client.v1.tax_rates.retrieve(rate.id).percentage == 10.0


def test_plans_are_prices_and_change_with_them(client: stripe.StripeClient, lab: Lab, receiver: Receiver) -> None:
    plan = client.v1.plans.create(
        {"amount": 2000, "currency": "usd", "interval": "month", "product": {"name": "Gold"}, "nickname": "Gold"}
    )
    assert isinstance(plan, stripe.Plan) and plan.id.startswith("price_")
    assert (plan.amount, plan.interval, plan.interval_count, plan.nickname) == (2000, "month", 1, "Gold")
    price = client.v1.prices.retrieve(plan.id)
    assert (price.unit_amount, price.recurring.interval, price.product) == (2000, "month", plan.product)
    assert problems(_body(price)) == []
    assert client.v1.products.retrieve(str(plan.product)).name == "Gold"
    updated = client.v1.plans.update(plan.id, {"nickname": "Gold monthly", "metadata": {"tier": "3"}})
    assert updated.nickname == "Gold monthly" and client.v1.prices.retrieve(plan.id).metadata["tier"] == "3"
    assert [each.id for each in client.v1.plans.list().data] == [plan.id]  # the seeded prices are no plans
    assert client.v1.plans.retrieve(plan.id).amount == 2000
    assert client.v1.plans.delete(plan.id).deleted is True
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.plans.retrieve(plan.id)
    assert caught.value.code == "resource_missing"
    assert client.v1.prices.retrieve(plan.id).deleted is True  # the price went with its plan
    assert plan.id not in [each.id for each in client.v1.prices.list({"limit": 100}).data]
    assert client.v1.plans.list().data == []
    lab.settle()
    assert receiver.types == [
        "product.created",
        "plan.created",
        "price.created",
        "plan.updated",
        "price.updated",
        "plan.deleted",
        "price.deleted",
    ]
    assert receiver.events[3].data.previous_attributes.to_dict() == {"nickname": "Gold", "metadata": {}}
    assert receiver.events[1].data.object.object == "plan" and receiver.events[2].data.object.object == "price"


def test_a_plan_subscribes_as_its_price(client: stripe.StripeClient) -> None:
    product = client.v1.products.create({"name": "Team"})
    plan = client.v1.plans.create({"amount": 4500, "currency": "usd", "interval": "year", "product": product.id})
    customer = client.v1.customers.create({"email": "grace@example.com"})
    subscription = client.v1.subscriptions.create(
        {"customer": customer.id, "items": [{"plan": plan.id}], "default_payment_method": "pm_card_visa"}
    )
    assert subscription.status == "active" and subscription["items"].data[0].price.id == plan.id
    assert client.v1.invoices.retrieve(str(subscription.latest_invoice)).amount_paid == 4500


@pytest.mark.parametrize(
    ("data", "param", "status"),
    [
        ({"amount": "2000", "currency": "usd", "interval": "fortnight", "product[name]": "X"}, "interval", 400),
        ({"currency": "usd", "interval": "month", "product[name]": "X"}, "amount", 400),
        ({"amount": "2000", "currency": "dollars", "interval": "month", "product[name]": "X"}, "currency", 400),
        ({"amount": "2000", "currency": "usd", "interval": "month"}, "product", 400),
        ({"amount": "2000", "currency": "usd", "interval": "month", "product": "prod_missing"}, "product", 404),
        (
            {"amount": "2000", "currency": "usd", "interval": "month", "interval_count": "13", "product": "prod_basic"},
            "interval_count",
            400,
        ),
        (
            {"id": "price_basic_monthly", "amount": "1", "currency": "usd", "interval": "month", "product[name]": "X"},
            "id",
            400,
        ),
        (
            {"id": "prod_basic", "amount": "1", "currency": "usd", "interval": "month", "product[name]": "X"},
            "id",
            400,
        ),
    ],
)
def test_a_wrong_plan_is_refused_and_nothing_is_made(lab: Lab, data: dict[str, Any], param: str, status: int) -> None:
    products_before = len(lab.payments.client.get("/v1/products", limit=100)["data"])
    _refused(lab, "/v1/plans", data, param, status)
    assert lab.payments.client.get("/v1/plans")["data"] == []
    assert len(lab.payments.client.get("/v1/products", limit=100)["data"]) == products_before


def test_updating_a_refund_sends_charge_refund_updated_then_refund_updated(
    client: stripe.StripeClient, lab: Lab, receiver: Receiver
) -> None:
    paid = client.v1.payment_intents.create(
        {"amount": 1500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    refund = client.v1.refunds.create({"payment_intent": paid.id, "amount": 500})
    updated = client.v1.refunds.update(refund.id, {"metadata": {"order_id": "6735"}})
    assert isinstance(updated, stripe.Refund) and updated.metadata.to_dict() == {"order_id": "6735"}
    assert problems(_body(updated)) == []
    assert client.v1.refunds.retrieve(refund.id).metadata["order_id"] == "6735"
    same = client.v1.refunds.update(refund.id, {"metadata": {"order_id": "6735"}})  # nothing changes: no event
    assert same.metadata.to_dict() == {"order_id": "6735"}
    _refused(lab, f"/v1/refunds/{refund.id}", {"amount": "100"}, "amount")
    lab.settle()
    assert receiver.types[-2:] == ["charge.refund.updated", "refund.updated"]
    assert receiver.types.count("refund.updated") == 1
    for event in receiver.events[-2:]:
        assert event.data.object.id == refund.id and event.data.previous_attributes.to_dict() == {"metadata": {}}
        assert problems(event.data.object.to_dict()) == []


def _sendable(client: stripe.StripeClient, *, auto_advance: bool = False) -> Any:
    customer = client.v1.customers.create({"email": "bob@example.com"})
    client.v1.invoice_items.create({"customer": customer.id, "amount": 3000, "currency": "usd"})
    return client.v1.invoices.create(
        {
            "customer": customer.id,
            "collection_method": "send_invoice",
            "days_until_due": 30,
            "auto_advance": auto_advance,
        }
    )


def test_sending_an_open_invoice(client: stripe.StripeClient, lab: Lab, receiver: Receiver) -> None:
    draft = _sendable(client)
    assert draft.collection_method == "send_invoice" and draft.due_date == draft.created + 30 * 86_400
    with pytest.raises(stripe.InvalidRequestError, match="open"):
        client.v1.invoices.send_invoice(draft.id)  # a draft is not sent
    client.v1.invoices.finalize_invoice(draft.id)
    sent = client.v1.invoices.send_invoice(draft.id)
    assert sent.status == "open" and sent.amount_due == 3000 and problems(_body(sent)) == []
    lab.settle()
    assert receiver.types[-2:] == ["invoice.finalized", "invoice.sent"]
    assert receiver.events[-1].data.object.id == draft.id
    paid = client.v1.invoices.pay(draft.id, {"payment_method": "pm_card_visa"})  # the customer pays it
    assert paid.status == "paid"


def test_a_send_invoice_draft_is_finalized_but_never_charged(client: stripe.StripeClient, lab: Lab) -> None:
    draft = _sendable(client, auto_advance=True)
    lab.advance(hours=2)
    lab.settle()
    invoice = client.v1.invoices.retrieve(draft.id)
    assert invoice.status == "open" and invoice.attempt_count == 0 and invoice.amount_paid == 0


def test_only_a_send_invoice_invoice_is_sent(client: stripe.StripeClient, lab: Lab) -> None:
    customer = client.v1.customers.create({"email": "ann@example.com"})
    client.v1.invoice_items.create({"customer": customer.id, "amount": 800, "currency": "usd"})
    charged = client.v1.invoices.create({"customer": customer.id, "auto_advance": False})
    client.v1.invoices.finalize_invoice(charged.id)
    _refused(lab, f"/v1/invoices/{charged.id}/send", {}, "collection_method")
    _refused(
        lab,
        "/v1/invoices",
        {"customer": customer.id, "collection_method": "send_invoice"},
        "days_until_due",
    )
    _refused(lab, "/v1/invoices", {"customer": customer.id, "days_until_due": "30"}, "days_until_due")
