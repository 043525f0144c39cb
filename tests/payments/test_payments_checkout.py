"""Checkout Sessions driven by the official SDK, paid on the hosted page over real HTTP, every webhook verified."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import stripe

from simulators import Lab
from simulators.course.automations import Automation, Step
from tests.payments.receiver import Receiver

SHOP = "http://127.0.0.1:9/shop"


@pytest.fixture
def one_off(sdk: Any) -> Any:
    return sdk.Price.create(currency="usd", unit_amount=1250, product_data={"name": "Workshop ticket"})


def _session(sdk: Any, price: str, **params: Any) -> Any:
    return sdk.checkout.Session.create(
        mode=params.pop("mode", "payment"),
        line_items=[{"price": price, "quantity": params.pop("quantity", 2)}],
        success_url=SHOP + "/thanks?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=SHOP + "/cart",
        **params,
    )


def _submit(session: Any, **fields: str) -> requests.Response:
    form = {"email": "ada@example.com", "name": "Ada Lovelace", "method": "card", **fields}
    return requests.post(session.url, data=form, allow_redirects=False, timeout=10)


def test_a_paid_session_redirects_to_success_and_sends_its_events_in_order(
    sdk: Any, lab: Lab, receiver: Receiver, one_off: Any
) -> None:
    session = _session(sdk, one_off.id, client_reference_id="order-17", metadata={"order": "17"})
    assert isinstance(session, stripe.checkout.Session)
    assert session.status == "open" and session.payment_status == "unpaid" and session.amount_total == 2500
    assert session.url == f"{lab.payments.url}/checkout/{session.id}"
    assert session.expires_at == session.created + 24 * 3600

    declined = _submit(session, card_number="4000 0000 0000 0002")
    assert declined.status_code == 402 and "Your card was declined." in declined.text
    assert sdk.checkout.Session.retrieve(session.id).status == "open"

    paid = _submit(session, card_number="4242 4242 4242 4242")
    assert paid.status_code == 303
    assert paid.headers["Location"] == f"{SHOP}/thanks?session_id={session.id}"
    done = sdk.checkout.Session.retrieve(session.id, expand=["payment_intent"])
    assert done.status == "complete" and done.payment_status == "paid"
    assert done.customer_details.email == "ada@example.com" and done.client_reference_id == "order-17"
    assert done.payment_intent.status == "succeeded" and done.payment_intent.amount == 2500
    assert done.customer is None  # payment mode makes no customer unless customer_creation=always

    lab.settle()
    assert receiver.failures == []
    assert receiver.types[-6:] == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    completed = receiver.events[-1].data.object
    assert completed.id == session.id and completed.metadata["order"] == "17" and completed.payment_status == "paid"
    again = _submit(session, card_number="4242 4242 4242 4242")
    assert again.status_code == 409 and "already complete" in again.text


def test_subscription_mode_makes_the_customer_and_subscription(sdk: Any, lab: Lab, receiver: Receiver) -> None:
    session = _session(sdk, "price_pro_monthly", mode="subscription", quantity=1, customer_email="grace@example.com")
    assert session.mode == "subscription" and session.amount_total == 4900
    assert _submit(session, email="grace@example.com", card_number="4242424242424242").status_code == 303
    done = sdk.checkout.Session.retrieve(session.id)
    subscription = sdk.Subscription.retrieve(done.subscription)
    assert subscription.status == "active" and subscription.customer == done.customer
    assert sdk.Customer.retrieve(done.customer).email == "grace@example.com"
    assert sdk.Invoice.retrieve(done.invoice).status == "paid"
    lab.settle()
    assert receiver.types == [
        "customer.created",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "invoice.payment_succeeded",
        "checkout.session.completed",
    ]


def test_line_items_price_data_list_and_filters(sdk: Any) -> None:
    session = sdk.checkout.Session.create(
        mode="payment",
        line_items=[
            {
                "price_data": {"currency": "usd", "unit_amount": 700, "product_data": {"name": "Stickers"}},
                "quantity": 3,
            },
            {"price_data": {"currency": "usd", "unit_amount": 1500, "product_data": {"name": "Mug"}}, "quantity": 1},
        ],
        success_url=SHOP,
        client_reference_id="cart-9",
    )
    assert session.amount_subtotal == 3600
    items = sdk.checkout.Session.list_line_items(session.id)
    assert [(i.description, i.quantity, i.amount_total) for i in items.data] == [
        ("Stickers", 3, 2100),
        ("Mug", 1, 1500),
    ]
    assert items.url == f"/v1/checkout/sessions/{session.id}/line_items"
    assert [s.id for s in sdk.checkout.Session.list(client_reference_id="cart-9").data] == [session.id]
    assert [s.id for s in sdk.checkout.Session.list(status="complete").data] == []


def test_expire_and_expires_at_on_the_lab_clock(sdk: Any, lab: Lab, receiver: Receiver, one_off: Any) -> None:
    first = _session(sdk, one_off.id)
    expired = sdk.checkout.Session.expire(first.id)
    assert expired.status == "expired"
    with pytest.raises(stripe.InvalidRequestError, match="Only an open Checkout Session"):
        sdk.checkout.Session.expire(first.id)
    assert _submit(first, card_number="4242424242424242").status_code == 410

    second = _session(sdk, one_off.id, expires_at=lab.clock.timestamp() + 3600)
    lab.advance(minutes=59)
    assert sdk.checkout.Session.retrieve(second.id).status == "open"
    lab.advance(minutes=2)
    assert sdk.checkout.Session.retrieve(second.id).status == "expired"
    assert [e.data.object.id for e in receiver.events if e.type == "checkout.session.expired"] == [first.id, second.id]


@pytest.mark.parametrize(
    ("account", "outcome", "status"),
    [
        ("000123456789", "checkout.session.async_payment_succeeded", "paid"),
        ("000111111113", "checkout.session.async_payment_failed", "unpaid"),
    ],
)
def test_a_bank_debit_completes_unpaid_and_settles_days_later(
    sdk: Any, lab: Lab, receiver: Receiver, one_off: Any, account: str, outcome: str, status: str
) -> None:
    session = _session(sdk, one_off.id)
    assert _submit(session, method="bank", account_number=account).status_code == 303
    done = sdk.checkout.Session.retrieve(session.id, expand=["payment_intent"])
    assert done.status == "complete" and done.payment_status == "unpaid"
    assert done.payment_intent.status == "processing"
    lab.advance(days=3)
    assert sdk.checkout.Session.retrieve(session.id).payment_status == "unpaid"
    lab.advance(days=1.5)
    settled = sdk.checkout.Session.retrieve(session.id, expand=["payment_intent"])
    assert settled.payment_status == status
    assert settled.payment_intent.status == ("succeeded" if status == "paid" else "requires_payment_method")
    assert [t for t in receiver.types if t.startswith("checkout.")] == ["checkout.session.completed", outcome]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"mode": "setup"}, "mode"),
        ({"success_url": "/relative"}, "success_url"),
        ({"line_items": [{"price": "price_basic_monthly", "quantity": 1}]}, "line_items[0][price]"),
        ({"line_items": [{"price": "price_nope", "quantity": 1}]}, "line_items[0][price]"),
        ({"line_items": [{"price": "price_basic_monthly"}], "mode": "subscription"}, "line_items[0][quantity]"),
        ({"customer_email": "not-an-email"}, "customer_email"),
        ({"customer": "cus_missing"}, "customer"),
        ({"expires_at": 1}, "expires_at"),
    ],
)
def test_bad_input_names_the_parameter_and_stores_nothing(
    sdk: Any, one_off: Any, params: dict[str, Any], param: str
) -> None:
    base: dict[str, Any] = {
        "mode": "payment",
        "line_items": [{"price": one_off.id, "quantity": 1}],
        "success_url": SHOP,
    }
    with pytest.raises(stripe.InvalidRequestError) as caught:
        sdk.checkout.Session.create(**{**base, **params})
    assert caught.value.http_status in (400, 404) and caught.value.param == param
    assert sdk.checkout.Session.list().data == []


def test_idempotency_key_replays_the_same_session(sdk: Any, one_off: Any) -> None:
    first = _session(sdk, one_off.id, idempotency_key="order-1")
    again = _session(sdk, one_off.id, idempotency_key="order-1")
    assert again.id == first.id and len(sdk.checkout.Session.list().data) == 1


def test_the_page_is_escaped_relative_and_self_contained(sdk: Any) -> None:
    session = sdk.checkout.Session.create(
        mode="payment",
        line_items=[
            {
                "price_data": {
                    "currency": "usd",
                    "unit_amount": 500,
                    "product_data": {"name": "<script>alert(1)</script>"},
                },
                "quantity": 1,
            }
        ],
        success_url=SHOP,
        cancel_url=SHOP + "/cart?a=1&b=<2>",
    )
    html = requests.get(session.url, timeout=10).text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<form method="post" action="">' in html
    assert "href='http://127.0.0.1:9/shop/cart?a=1&amp;b=&lt;2&gt;'" in html
    # nothing is loaded from anywhere: no src attributes, no stylesheet links, only the cancel link is absolute
    assert not re.search(r"\ssrc=|<link", html)
    assert re.findall(r"href='([^']*)'", html) == ["http://127.0.0.1:9/shop/cart?a=1&amp;b=&lt;2&gt;"]


def test_a_notebook_opens_and_completes_checkout_from_python(lab: Lab) -> None:
    pay = lab.payments
    session = pay.checkout("basic", customer_email="ada@example.com", client_reference_id="ada")
    assert session["mode"] == "subscription" and session["url"].endswith(f"/checkout/{session['id']}")
    declined = pay.complete_checkout(session["id"], card="4000 0000 0000 0002")
    assert declined["status"] == "open"
    done = pay.complete_checkout(session["id"], email="ada@example.com", name="Ada Lovelace")
    assert done["status"] == "complete" and done["payment_status"] == "paid"
    assert pay.subscriptions()[0]["id"] == done["subscription"]
    thanks = requests.get(pay.url + f"/checkout/done?session_id={done['id']}", timeout=10)
    assert thanks.status_code == 200 and "Thank you" in thanks.text


@pytest.fixture
def course_lab() -> Iterator[Lab]:
    with Lab(seed=8, systems=["mailer", "crm", "provisioning", "payments"]) as running:
        yield running


def test_checkout_completed_is_a_trigger_the_course_accepts(course_lab: Lab) -> None:
    automation = Automation(
        "Welcome new buyers",
        when="checkout.session.completed",
        source="payments",
        then=Step(
            "send_email",
            "mailer",
            using={"to": "data.object.customer_details.email", "subject": "Welcome! Order {data.object.id}"},
        ),
        alert="ops@example.com",
    ).install(course_lab)
    session = course_lab.payments.checkout("basic", customer_email="ada@example.com")
    course_lab.payments.complete_checkout(session["id"], email="ada@example.com")
    course_lab.settle()
    [run] = automation.runs()
    assert run["outcome"] == "succeeded", run
    [email] = course_lab.mailer.inbox(to="ada@example.com")
    assert email["subject"] == f"Welcome! Order {session['id']}"


def test_the_hosted_page_refuses_to_be_framed_by_another_site(sdk: Any, lab: Lab, one_off: Any) -> None:
    session = _session(sdk, one_off.id)
    browser = {"Accept": "text/html"}
    for url in (session.url, lab.payments.url + "/checkout/cs_nope"):
        page = requests.get(url, headers=browser, timeout=10)
        assert page.headers["Content-Type"].startswith("text/html")
        assert page.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Content-Type-Options"] == "nosniff"
