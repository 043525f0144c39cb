"""The hosted checkout page in a real headless Chromium: a person types a test card, is declined, retries, pays."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
import stripe

from simulators import Lab


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11, systems=["payments"]) as running:
        yield running


@pytest.fixture
def client(lab: Lab) -> stripe.StripeClient:
    return stripe.StripeClient(lab.payments.api_key, base_addresses={"api": lab.payments.url}, max_network_retries=0)


def _session(lab: Lab, client: stripe.StripeClient, mode: str = "payment") -> Any:
    if mode == "payment":
        line = {
            "price_data": {"currency": "usd", "unit_amount": 4500, "product_data": {"name": "Webhook workshop"}},
            "quantity": 1,
        }
    else:
        line = {"price": "price_pro_monthly", "quantity": 1}
    return client.v1.checkout.sessions.create(
        {
            "mode": mode,
            "line_items": [line],
            "success_url": lab.payments.url + "/checkout/done?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": lab.url + "/",
            "customer_email": "ada@example.com",
        }
    )


def test_a_declined_card_is_shown_then_a_good_one_pays_and_redirects(
    lab: Lab, client: stripe.StripeClient, page: Any, snap: Any
) -> None:
    session = _session(lab, client)
    page.goto(session.url)
    assert page.get_by_label("Email").input_value() == "ada@example.com"
    assert page.locator("#total").inner_text() == "$45.00"
    snap("checkout-open")
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name="Pay $45.00").click()
    assert page.get_by_role("alert").inner_text() == "Your card was declined."
    snap("checkout-declined")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Name on card").fill("Ada Lovelace")
    page.get_by_role("button", name="Pay $45.00").click()
    page.wait_for_url(f"{lab.payments.url}/checkout/done?session_id={session.id}")
    assert page.get_by_text("Thank you! Your payment went through.").is_visible()
    snap("checkout-paid")
    done = client.v1.checkout.sessions.retrieve(session.id)
    assert done.status == "complete" and done.payment_status == "paid" and done.customer_details.name == "Ada Lovelace"


def test_subscription_checkout_and_the_cancel_link(lab: Lab, client: stripe.StripeClient, page: Any) -> None:
    session = _session(lab, client, mode="subscription")
    page.goto(session.url)
    assert page.get_by_text("US bank account").count() == 0  # bank debit is for one-off payments
    page.get_by_role("link", name="Cancel and go back").click()
    page.wait_for_url(lab.url + "/")
    page.goto(session.url)
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_role("button", name="Subscribe $49.00").click()
    page.wait_for_url(f"{lab.payments.url}/checkout/done?session_id={session.id}")
    subscription = client.v1.subscriptions.retrieve(client.v1.checkout.sessions.retrieve(session.id).subscription)
    assert subscription.status == "active"


def test_a_bank_debit_settles_when_the_lab_clock_moves(
    lab: Lab, client: stripe.StripeClient, page: Any, snap: Any
) -> None:
    session = _session(lab, client)
    page.goto(session.url)
    page.get_by_label("US bank account").check()
    page.get_by_label("Bank account number").fill("000123456789")
    snap("checkout-bank")
    page.get_by_role("button", name="Pay $45.00").click()
    page.wait_for_url(f"{lab.payments.url}/checkout/done?session_id={session.id}")
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "unpaid"
    lab.advance(days=5)
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    assert [e["type"] for e in lab.payments.events(type="checkout.session.*")] == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]


class _PrefixProxy(BaseHTTPRequestHandler):
    """Forward `/proxy/PORT/rest` to 127.0.0.1:PORT/rest, as jupyter-server-proxy does."""

    def _forward(self) -> None:
        parts = self.path.split("/", 3)
        if len(parts) < 4 or parts[1] != "proxy" or not parts[2].isdigit():  # the browser's own /favicon.ico
            self.send_error(404)
            return
        _, _, port, rest = parts
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream.request(self.command, "/" + rest, body=body or None, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = _forward

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PrefixProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_page_works_through_a_path_prefixed_proxy(
    lab: Lab, client: stripe.StripeClient, page: Any, proxy: str
) -> None:
    session = _session(lab, client)
    # The page's own path (under the lab's key), behind the proxy's prefix.
    proxied = f"{proxy}/proxy/{lab.payments.port}{urlsplit(session.url).path}"
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(proxied)
    page.get_by_label("Card number").fill("4000000000000002")
    page.get_by_role("button", name="Pay $45.00").click()
    assert page.url == proxied and page.get_by_role("alert").is_visible()  # the form posted back through the proxy
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_role("button", name="Pay $45.00").click()
    page.wait_for_url(f"{lab.payments.url}/checkout/done?session_id={session.id}")
    assert failed == []
