"""The payment system's 3-D Secure page in a real headless Chromium: a person completes or fails authentication."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import stripe

from simulators import Lab
from tests.payments.receiver import Receiver


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11, systems=["payments"]) as running:
        yield running


@pytest.fixture
def client(lab: Lab) -> stripe.StripeClient:
    return stripe.StripeClient(lab.payments.api_key, base_addresses={"api": lab.payments.url}, max_network_retries=0)


@pytest.fixture
def receiver(lab: Lab) -> Receiver:
    made = Receiver(lab)
    made.register()
    return made


@pytest.fixture
def shop(lab: Lab) -> str:
    """The shop's return_url: a page that shows the query Stripe appends."""
    endpoint = lab.host(lambda request: {"back": True, **request.args.to_dict()}, name="shop")
    return endpoint.url + "/order/17/done"


def requires_action(client: stripe.StripeClient, return_url: str | None, **more: Any) -> Any:
    params = {
        "amount": 4200,
        "currency": "usd",
        "payment_method": "pm_card_threeDSecure2Required",
        "confirm": True,
        **more,
    }
    if return_url:
        params["return_url"] = return_url
    intent = client.v1.payment_intents.create(params=params)
    assert intent.status == "requires_action" and intent.next_action.type == "redirect_to_url"
    return intent


def watch_hosts(page: Any) -> list[str]:
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or ""))
    return hosts


def test_completing_authentication_pays_and_returns_to_the_shop(
    lab: Lab, client: stripe.StripeClient, receiver: Receiver, shop: str, page: Any, snap: Any
) -> None:
    intent = requires_action(client, shop, description="Order 17 for Ada")
    url = intent.next_action.redirect_to_url.url
    assert urlsplit(url).hostname == "127.0.0.1" and url.startswith(lab.payments.url)
    assert intent.next_action.redirect_to_url.return_url == shop
    hosts = watch_hosts(page)
    page.goto(url)
    assert page.title() == "3D Secure authentication · hooklab"
    assert page.get_by_text("$42.00 USD").is_visible()
    assert page.get_by_text("Visa card ending 3220").is_visible()
    assert page.get_by_text("For: Order 17 for Ada").is_visible()
    snap("authentication-page")
    page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_url(shop + "?*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["payment_intent"] == [intent.id]
    assert query["payment_intent_client_secret"] == [intent.client_secret]
    assert query["redirect_status"] == ["succeeded"]
    assert set(hosts) == {"127.0.0.1"}  # no outside assets: every request stayed on the loopback host

    paid = client.v1.payment_intents.retrieve(intent.id)
    assert paid.status == "succeeded" and paid.next_action is None and paid.amount_received == 4200
    lab.settle()
    assert receiver.failures == []
    assert [e.type for e in receiver.events if e.type.startswith(("payment_intent.", "charge."))] == [
        "payment_intent.created",
        "payment_intent.requires_action",
        "charge.succeeded",
        "payment_intent.succeeded",
    ]
    page.goto(url)  # the link is spent
    assert page.get_by_text("not waiting for authentication").is_visible()  # a page for a browser


def test_failing_authentication_leaves_the_payment_needing_a_new_card(
    lab: Lab, client: stripe.StripeClient, receiver: Receiver, shop: str, page: Any, snap: Any
) -> None:
    intent = requires_action(client, shop)
    page.goto(intent.next_action.redirect_to_url.url)
    page.get_by_role("button", name="Fail authentication").click()
    page.wait_for_url(shop + "?*")
    assert parse_qs(urlsplit(page.url).query)["redirect_status"] == ["failed"]
    snap("authentication-failed-returned")
    failed = client.v1.payment_intents.retrieve(intent.id)
    assert failed.status == "requires_payment_method" and failed.latest_charge is None
    assert failed.last_payment_error.code == "payment_intent_authentication_failure"
    lab.settle()
    assert receiver.types[-1] == "payment_intent.payment_failed"


def test_manual_capture_after_authentication_waits_to_be_captured(
    client: stripe.StripeClient, shop: str, page: Any
) -> None:
    intent = requires_action(client, shop, capture_method="manual")
    page.goto(intent.next_action.redirect_to_url.url)
    page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_url(shop + "?*")
    held = client.v1.payment_intents.retrieve(intent.id)
    assert (held.status, held.amount_capturable) == ("requires_capture", 4200)
    assert client.v1.payment_intents.capture(intent.id).status == "succeeded"


def test_a_setup_intent_without_return_url_shows_the_result_page(
    client: stripe.StripeClient, page: Any, snap: Any
) -> None:
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    intent = client.v1.setup_intents.create(
        params={"customer": customer.id, "payment_method": "pm_card_authenticationRequired", "confirm": True}
    )
    assert intent.status == "requires_action" and intent.next_action.redirect_to_url.return_url is None
    page.goto(intent.next_action.redirect_to_url.url)
    assert page.get_by_text("Save the Visa card ending 3184 for future payments.").is_visible()
    page.get_by_role("button", name="Complete authentication").click()
    assert page.get_by_role("heading", name="Authentication complete").is_visible()
    snap("authentication-setup-complete")
    done = client.v1.setup_intents.retrieve(intent.id)
    assert done.status == "succeeded"
    assert [m.id for m in client.v1.customers.payment_methods.list(customer.id).data] == [done.payment_method]


def test_the_page_escapes_what_it_shows_and_refuses_a_wrong_secret(
    lab: Lab, client: stripe.StripeClient, page: Any
) -> None:
    sneaky = "<b>bold</b><script>window.pwned = 1</script>"
    intent = requires_action(client, None, description=sneaky)
    page.goto(intent.next_action.redirect_to_url.url)
    assert page.get_by_text(f"For: {sneaky}").is_visible()
    assert page.evaluate("window.pwned") is None
    assert page.locator("script").count() == 0

    wrong = f"{lab.payments.url}/hooklab/authenticate/{intent.id}?client_secret=guess"
    answer = page.goto(wrong)
    assert answer.status == 404 and page.get_by_text("not valid").is_visible()
    forged = requests.post(
        wrong.split("?")[0], data={"client_secret": "guess", "outcome": "complete"}, allow_redirects=False, timeout=10
    )
    assert forged.status_code == 404 and forged.json()["error"]["message"]  # JSON for a client that is no browser
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_action"
