"""The writable catalogue (products, prices, coupons) driven by the official SDK, every body against Stripe's schema."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import stripe

from simulators import Lab
from tests.payments.receiver import Receiver
from tests.payments.stripe_schema import problems


def _raw(lab: Lab, path: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {lab.payments.api_key}"}
    return requests.get(lab.payments.url + path, params=params, headers=headers, timeout=10).json()


def test_products_create_retrieve_update_list_delete(sdk: Any, lab: Lab, receiver: Receiver) -> None:
    product = sdk.Product.create(name="Workshop", description="A day of webhooks", metadata={"track": "ops"})
    assert isinstance(product, stripe.Product) and product.id.startswith("prod_")
    assert product.active and product.default_price is None and product.images == []
    updated = sdk.Product.modify(product.id, name="Workshop (full day)", active=False)
    assert updated.name == "Workshop (full day)" and updated.active is False
    assert sdk.Product.retrieve(product.id).metadata["track"] == "ops"
    listed = [p.id for p in sdk.Product.list(limit=10).data]
    assert listed[0] == product.id and {"prod_basic", "prod_pro"} <= set(listed)  # the seeded plans are still there
    assert [p.id for p in sdk.Product.list(active=False).data] == [product.id]
    assert sdk.Product.delete(product.id).deleted is True
    assert product.id not in [p.id for p in sdk.Product.list().data]
    for path in (f"/v1/products/{'prod_basic'}", "/v1/products"):
        assert problems(_raw(lab, path)) == []
    lab.settle()
    assert [t for t in receiver.types if t.startswith("product.")] == [
        "product.created",
        "product.updated",
        "product.deleted",
    ]
    assert receiver.events[1].data.previous_attributes.to_dict() == {"name": "Workshop", "active": True}


def test_a_product_with_prices_is_archived_not_deleted(sdk: Any) -> None:
    price = sdk.Price.create(currency="usd", unit_amount=900, product_data={"name": "Stickers"})
    with pytest.raises(stripe.InvalidRequestError, match="archive it with active=false") as caught:
        sdk.Product.delete(price.product)
    assert caught.value.code == "resource_in_use"
    assert sdk.Product.retrieve(price.product).default_price == price.id


def test_prices_one_off_and_recurring_with_lookup_keys(sdk: Any, lab: Lab, receiver: Receiver) -> None:
    product = sdk.Product.create(name="Team plan")
    monthly = sdk.Price.create(
        product=product.id, currency="usd", unit_amount=9900, recurring={"interval": "month"}, lookup_key="team_monthly"
    )
    yearly = sdk.Price.create(
        product=product.id, currency="usd", unit_amount=99000, recurring={"interval": "year"}, nickname="Team yearly"
    )
    fee = sdk.Price.create(product=product.id, currency="usd", unit_amount=5000)
    assert (monthly.type, monthly.recurring.interval, str(monthly.unit_amount_decimal)) == (
        "recurring",
        "month",
        "9900",
    )
    assert fee.type == "one_time" and fee.recurring is None
    assert [p.id for p in sdk.Price.list(lookup_keys=["team_monthly"]).data] == [monthly.id]
    assert [p.id for p in sdk.Price.list(product=product.id, type="one_time").data] == [fee.id]
    assert sdk.Price.retrieve("price_basic_monthly").unit_amount == 1900  # seeded

    with pytest.raises(stripe.InvalidRequestError, match="already uses that lookup key") as taken:
        sdk.Price.create(
            product=product.id,
            currency="usd",
            unit_amount=8900,
            recurring={"interval": "month"},
            lookup_key="team_monthly",
        )
    assert taken.value.param == "lookup_key"
    cheaper = sdk.Price.create(
        product=product.id,
        currency="usd",
        unit_amount=8900,
        recurring={"interval": "month"},
        lookup_key="team_monthly",
        transfer_lookup_key=True,
    )
    assert sdk.Price.retrieve(monthly.id).lookup_key is None
    assert [p.id for p in sdk.Price.list(lookup_keys=["team_monthly"]).data] == [cheaper.id]
    archived = sdk.Price.modify(yearly.id, active=False, metadata={"why": "too cheap"})
    assert archived.active is False and archived.unit_amount == 99000
    with pytest.raises(stripe.InvalidRequestError) as frozen:
        sdk.Price.modify(yearly.id, unit_amount=1)
    assert frozen.value.param == "unit_amount"  # an amount never changes once made
    for path in (f"/v1/prices/{monthly.id}", f"/v1/prices/{fee.id}", "/v1/prices"):
        assert problems(_raw(lab, path)) == []
    lab.settle()
    assert receiver.types.count("price.created") == 4 and receiver.types.count("price.updated") == 2


def test_a_new_recurring_price_can_be_subscribed_to(sdk: Any) -> None:
    price = sdk.Price.create(
        currency="usd",
        unit_amount=1500,
        recurring={"interval": "week", "interval_count": 2},
        product_data={"name": "Fortnightly box"},
    )
    customer = sdk.Customer.create(email="ada@example.com")
    subscription = sdk.Subscription.create(
        customer=customer.id, items=[{"price": price.id, "quantity": 2}], default_payment_method="pm_card_visa"
    )
    assert subscription.current_period_end - subscription.current_period_start == 14 * 86400
    assert sdk.Invoice.retrieve(subscription.latest_invoice).amount_paid == 3000
    one_off = sdk.Price.create(currency="usd", unit_amount=500, product_data={"name": "Extra"})
    with pytest.raises(stripe.InvalidRequestError, match="recurring price") as caught:
        sdk.Subscription.create(
            customer=customer.id, items=[{"price": one_off.id}], default_payment_method="pm_card_visa"
        )
    assert caught.value.param == "items[0][price]"


def test_coupons_create_retrieve_update_list_delete(sdk: Any, lab: Lab, receiver: Receiver) -> None:
    percent = sdk.Coupon.create(percent_off=25, duration="repeating", duration_in_months=3, name="Spring")
    fixed = sdk.Coupon.create(id="WELCOME5", amount_off=500, currency="usd", duration="once")
    assert percent.percent_off == 25 and percent.duration_in_months == 3 and percent.valid
    assert fixed.id == "WELCOME5" and fixed.amount_off == 500
    assert sdk.Coupon.modify(percent.id, name="Spring sale").name == "Spring sale"
    assert [c.id for c in sdk.Coupon.list().data] == ["WELCOME5", percent.id]
    assert problems(_raw(lab, f"/v1/coupons/{percent.id}")) == []
    assert sdk.Coupon.delete("WELCOME5").deleted is True
    assert [c.id for c in sdk.Coupon.list().data] == [percent.id]
    lab.settle()
    assert [t for t in receiver.types if t.startswith("coupon.")] == [
        "coupon.created",
        "coupon.created",
        "coupon.updated",
        "coupon.deleted",
    ]


@pytest.mark.parametrize(
    ("create", "params", "param"),
    [
        ("Product", {}, "name"),
        ("Product", {"name": "x", "images": "not-a-list" * 400}, "images[0]"),
        ("Price", {"currency": "usd", "unit_amount": 100}, "product"),
        ("Price", {"currency": "usd", "product": "prod_missing", "unit_amount": 100}, "product"),
        ("Price", {"currency": "dollars", "product": "prod_basic", "unit_amount": 100}, "currency"),
        ("Price", {"currency": "usd", "product": "prod_basic", "unit_amount": -1}, "unit_amount"),
        (
            "Price",
            {"currency": "usd", "product": "prod_basic", "unit_amount": 1, "recurring": {"interval": "fortnight"}},
            "interval",
        ),
        ("Coupon", {"duration": "once"}, "percent_off"),
        ("Coupon", {"percent_off": 120}, "percent_off"),
        ("Coupon", {"amount_off": 500}, "currency"),
        ("Coupon", {"percent_off": 10, "duration": "repeating"}, "duration_in_months"),
    ],
)
def test_bad_input_names_the_parameter_and_writes_nothing(
    sdk: Any, lab: Lab, create: str, params: dict[str, Any], param: str
) -> None:
    before = {kind: len(lab.payments.db[kind].find()) for kind in ("product", "price", "coupon")}
    with pytest.raises(stripe.InvalidRequestError) as caught:
        getattr(sdk, create).create(**params)
    assert caught.value.http_status in (400, 404) and caught.value.param == param, caught.value
    assert {kind: len(lab.payments.db[kind].find()) for kind in before} == before


def test_price_data_that_fails_leaves_no_product_behind(sdk: Any, lab: Lab) -> None:
    products = len(lab.payments.db["product"].find())
    with pytest.raises(stripe.InvalidRequestError):
        sdk.Price.create(
            currency="usd", unit_amount=100, product_data={"name": "Half"}, recurring={"interval": "never"}
        )
    assert len(lab.payments.db["product"].find()) == products


def test_idempotency_key_makes_one_product(sdk: Any) -> None:
    first = sdk.Product.create(name="Once", idempotency_key="prod-1")
    again = sdk.Product.create(name="Once", idempotency_key="prod-1")
    assert again.id == first.id
    with pytest.raises(stripe.IdempotencyError):
        sdk.Product.create(name="Twice", idempotency_key="prod-1")
