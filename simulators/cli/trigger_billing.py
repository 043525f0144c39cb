"""`hooklab trigger` recipes for Checkout, the catalogue, invoices and test clocks.

Events that need time to pass (renewal notices, trials ending, bank debits
settling) are made on a Stripe test clock, advanced over the API, so they
happen at once however the lab's own clock runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..http import loopback_session
from ..payments.client import PaymentsClient

Made = list[tuple[str, str]]
DAY = 86400
#: How long to wait (real seconds) for a test clock's advance to finish.
ADVANCE_TIMEOUT = 30.0
#: Where a trigger's test clock starts: Monday 2 March 2026, 09:00 UTC, the lab's own first morning.
CLOCK_START = 1_772_442_000


def _customer(api: PaymentsClient, made: Made, **params: Any) -> dict[str, Any]:
    customer = api.post("/v1/customers", email="trigger@example.com", name="Triggered Customer", **params)
    made.append(("customer", customer["id"]))
    return customer


def _clock(api: PaymentsClient, made: Made) -> dict[str, Any]:
    clock = api.post("/v1/test_helpers/test_clocks", frozen_time=CLOCK_START, name="hooklab trigger")
    made.append(("test_clock", clock["id"]))
    return clock


def _advance(api: PaymentsClient, clock: dict[str, Any], days: float) -> dict[str, Any]:
    """Advance a test clock and wait until it is ready again."""
    path = f"/v1/test_helpers/test_clocks/{clock['id']}"
    api.post(f"{path}/advance", frozen_time=int(clock["frozen_time"] + days * DAY))
    deadline = time.monotonic() + ADVANCE_TIMEOUT
    while (found := api.get(path))["status"] == "advancing" and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def _clock_customer(api: PaymentsClient, made: Made) -> tuple[dict[str, Any], dict[str, Any]]:
    clock = _clock(api, made)
    return clock, _customer(api, made, test_clock=clock["id"])


def _subscription(api: PaymentsClient, made: Made, customer: dict[str, Any], **params: Any) -> dict[str, Any]:
    subscription = api.post(
        "/v1/subscriptions",
        customer=customer["id"],
        items=[{"price": "price_basic_monthly"}],
        default_payment_method="pm_card_visa",
        **params,
    )
    made.append(("subscription", subscription["id"]))
    return subscription


def _one_off_price(api: PaymentsClient, made: Made) -> dict[str, Any]:
    price = api.post("/v1/prices", currency="usd", unit_amount=2500, product_data={"name": "Triggered product"})
    made.append(("price", price["id"]))
    return price


def _session(api: PaymentsClient, made: Made, customer: dict[str, Any] | None = None) -> dict[str, Any]:
    if customer is None:
        _customer(api, made)
    session = api.post(
        "/v1/checkout/sessions",
        mode="payment",
        line_items=[{"price": _one_off_price(api, made)["id"], "quantity": 1}],
        success_url=api.url + "/checkout/done?session_id={CHECKOUT_SESSION_ID}",
        customer=customer["id"] if customer else None,
    )
    made.append(("checkout_session", session["id"]))
    return session


def _pay_page(api: PaymentsClient, session: dict[str, Any], **fields: str) -> None:
    """Fill in the hosted checkout page, as a customer would."""
    form = {"email": "trigger@example.com", "method": "card", "card_number": "4242424242424242", **fields}
    with loopback_session() as browser:
        browser.post(f"{api.url}/checkout/{session['id']}", data=form, allow_redirects=False, timeout=api.timeout)


def _completed_session(api: PaymentsClient, made: Made) -> None:
    _pay_page(api, _session(api, made))


def _expired_session(api: PaymentsClient, made: Made) -> None:
    api.post(f"/v1/checkout/sessions/{_session(api, made)['id']}/expire")


def _bank_session(api: PaymentsClient, made: Made, account: str, days: float) -> None:
    clock, customer = _clock_customer(api, made)
    _pay_page(api, _session(api, made, customer), method="bank", account_number=account)
    if days:
        _advance(api, clock, days)


def _product(api: PaymentsClient, made: Made) -> dict[str, Any]:
    _customer(api, made)
    product = api.post("/v1/products", name="Triggered product")
    made.append(("product", product["id"]))
    return product


def _price(api: PaymentsClient, made: Made) -> dict[str, Any]:
    _customer(api, made)
    return _one_off_price(api, made)


def _coupon(api: PaymentsClient, made: Made) -> dict[str, Any]:
    _customer(api, made)
    coupon = api.post("/v1/coupons", percent_off=20, duration="once")
    made.append(("coupon", coupon["id"]))
    return coupon


def _invoice_item(api: PaymentsClient, made: Made) -> dict[str, Any]:
    item = api.post("/v1/invoiceitems", customer=_customer(api, made)["id"], amount=1500, currency="usd")
    made.append(("invoiceitem", item["id"]))
    return item


def _draft(api: PaymentsClient, made: Made) -> dict[str, Any]:
    item = _invoice_item(api, made)
    invoice = api.post("/v1/invoices", customer=item["customer"], auto_advance=False)
    made.append(("invoice", invoice["id"]))
    return invoice


def _open_invoice(api: PaymentsClient, made: Made) -> dict[str, Any]:
    return api.post(f"/v1/invoices/{_draft(api, made)['id']}/finalize")


def _upcoming(api: PaymentsClient, made: Made) -> None:
    clock, customer = _clock_customer(api, made)
    _subscription(api, made, customer)
    _advance(api, clock, 25)


def _trial_ending(api: PaymentsClient, made: Made) -> None:
    clock, customer = _clock_customer(api, made)
    _subscription(api, made, customer, trial_period_days=7)
    _advance(api, clock, 5)


def _advanced_clock(api: PaymentsClient, made: Made) -> None:
    clock, _ = _clock_customer(api, made)
    _advance(api, clock, 1)


def _deleted_clock(api: PaymentsClient, made: Made) -> None:
    clock, _ = _clock_customer(api, made)
    api.delete(f"/v1/test_helpers/test_clocks/{clock['id']}")


RECIPES: dict[str, Callable[[PaymentsClient, Made], Any]] = {
    "checkout.session.completed": _completed_session,
    "checkout.session.expired": _expired_session,
    "checkout.session.async_payment_succeeded": lambda api, made: _bank_session(api, made, "000123456789", 5),
    "checkout.session.async_payment_failed": lambda api, made: _bank_session(api, made, "000111111113", 5),
    "payment_intent.processing": lambda api, made: _bank_session(api, made, "000123456789", 0),
    "product.created": _product,
    "product.updated": lambda api, made: api.post(
        f"/v1/products/{_product(api, made)['id']}", metadata={"triggered": "true"}
    ),
    "product.deleted": lambda api, made: api.delete(f"/v1/products/{_product(api, made)['id']}"),
    "price.created": _price,
    "price.updated": lambda api, made: api.post(
        f"/v1/prices/{_price(api, made)['id']}", metadata={"triggered": "true"}
    ),
    "coupon.created": _coupon,
    "coupon.deleted": lambda api, made: api.delete(f"/v1/coupons/{_coupon(api, made)['id']}"),
    "invoiceitem.created": _invoice_item,
    "invoiceitem.deleted": lambda api, made: api.delete(f"/v1/invoiceitems/{_invoice_item(api, made)['id']}"),
    "invoice.updated": lambda api, made: api.post(
        f"/v1/invoices/{_draft(api, made)['id']}", metadata={"triggered": "true"}
    ),
    "invoice.deleted": lambda api, made: api.delete(f"/v1/invoices/{_draft(api, made)['id']}"),
    "invoice.voided": lambda api, made: api.post(f"/v1/invoices/{_open_invoice(api, made)['id']}/void"),
    "invoice.marked_uncollectible": lambda api, made: api.post(
        f"/v1/invoices/{_open_invoice(api, made)['id']}/mark_uncollectible"
    ),
    "invoice.upcoming": _upcoming,
    "customer.subscription.trial_will_end": _trial_ending,
    "test_helpers.test_clock.created": lambda api, made: _clock_customer(api, made),
    "test_helpers.test_clock.advancing": _advanced_clock,
    "test_helpers.test_clock.ready": _advanced_clock,
    "test_helpers.test_clock.deleted": _deleted_clock,
}
