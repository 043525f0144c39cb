"""What `hooklab trigger` runs: one row per event type, like the Stripe CLI's `pkg/fixtures/triggers/*.json`.

A row names the API calls that make its event happen (Stripe's own fixture's
calls, over the sandbox's `/v1` API) and the events those calls cause, in the
order Stripe creates them: an invoice is paid through a PaymentIntent, a
refund's `charge.refunded` comes before its `refund.created`. tests/payments/test_triggers.py runs every row the sandbox
can run and checks it sends exactly these events, in this order. A step's path and parameters may name an earlier
step's answer, `${customer:id}` or `${subscription:latest_invoice}`, as the
Stripe CLI's do. Rows for resources the sandbox does not serve yet are here
too: `hooklab trigger --list` finds their routes missing (it asks the sandbox,
with OPTIONS) and shows them as not available yet, so serving the route is all
it takes to enable them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    """One API call: its name (for `${name:field}`), method, path and parameters."""

    name: str
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    #: A decline answers 402 with the failed object inside the error; the fixture goes on with it.
    declines: bool = False


@dataclass(frozen=True)
class Fixture:
    """The steps that cause `event`, and every event they cause, in Stripe's order."""

    event: str
    steps: tuple[Step, ...]
    events: tuple[str, ...]


BY_CLI = "(created by hooklab trigger)"

# -- steps more than one row starts with ----------------------------------------------------------

CUSTOMER = Step("customer", "POST", "/v1/customers", {"description": BY_CLI})
CUSTOMER_WITH_CARD = Step(
    "customer",
    "POST",
    "/v1/customers",
    {
        "description": BY_CLI,
        "payment_method": "pm_card_visa",
        "invoice_settings": {"default_payment_method": "pm_card_visa"},
    },
)
PRODUCT = Step("product", "POST", "/v1/products", {"name": "myproduct", "description": BY_CLI})
PRICE = Step(
    "price",
    "POST",
    "/v1/prices",
    {"product": "${product:id}", "unit_amount": 1500, "currency": "usd", "recurring": {"interval": "month"}},
)
ONE_OFF_PRICE = Step(
    "price", "POST", "/v1/prices", {"product": "${product:id}", "unit_amount": 1500, "currency": "usd"}
)
SUBSCRIPTION = Step(
    "subscription", "POST", "/v1/subscriptions", {"customer": "${customer:id}", "items": [{"price": "${price:id}"}]}
)
COUPON = Step("coupon", "POST", "/v1/coupons", {"percent_off": 20})
INVOICE_ITEM = Step(
    "invoiceitem",
    "POST",
    "/v1/invoiceitems",
    {"amount": 2000, "currency": "usd", "customer": "${customer:id}", "description": BY_CLI},
)
DRAFT_INVOICE = Step(
    "invoice",
    "POST",
    "/v1/invoices",
    {"customer": "${customer:id}", "description": BY_CLI, "pending_invoice_items_behavior": "include"},
)
FINALIZE = Step("invoice_finalize", "POST", "/v1/invoices/${invoice:id}/finalize")
SETUP_INTENT = Step(
    "setup_intent", "POST", "/v1/setup_intents", {"description": BY_CLI, "payment_method_types": ["card"]}
)
TEST_CLOCK = Step("test_clock", "POST", "/v1/test_helpers/test_clocks", {"frozen_time": 1577836800, "name": BY_CLI})
ADVANCE_CLOCK = Step(
    "advance_test_clock", "POST", "/v1/test_helpers/test_clocks/${test_clock:id}/advance", {"frozen_time": 1580515200}
)
CHECKOUT_SESSION = Step(
    "checkout_session",
    "POST",
    "/v1/checkout/sessions",
    {
        "success_url": "http://127.0.0.1/success",
        "cancel_url": "http://127.0.0.1/cancel",
        "mode": "payment",
        "line_items": [{"price": "${price:id}", "quantity": 2}],
    },
)
TAX_RATE = Step(
    "tax_rate",
    "POST",
    "/v1/tax_rates",
    {"display_name": "test", "inclusive": True, "percentage": 10, "description": BY_CLI},
)
PLAN = Step(
    "plan",
    "POST",
    "/v1/plans",
    {"currency": "usd", "interval": "month", "amount": 2000, "product": {"name": "myproduct"}},
)


def _payment(amount: int = 2000, method: str = "pm_card_visa", **extra: Any) -> Step:
    params = {"amount": amount, "currency": "usd", "payment_method_types": ["card"], "description": BY_CLI, **extra}
    if method:
        params.update(payment_method=method, confirm=True)
    return Step("payment_intent", "POST", "/v1/payment_intents", params, declines=method not in ("", "pm_card_visa"))


def _metadata(name: str, path: str) -> Step:
    return Step(name, "POST", path, {"metadata": {"foo": "bar"}})


def _pay_invoice(method: str) -> tuple[Step, ...]:
    attach = Step("payment_method", "POST", f"/v1/payment_methods/{method}/attach", {"customer": "${customer:id}"})
    pay = Step(
        "invoice_pay",
        "POST",
        "/v1/invoices/${invoice:id}/pay",
        {"payment_method": "${payment_method:id}"},
        declines=True,
    )
    return (CUSTOMER, attach, INVOICE_ITEM, DRAFT_INVOICE, pay)


# -- the events each kind of call causes, in Stripe's order ---------------------------------------

# No `charge.updated` after the charge: that one comes with asynchronous capture (`automatic_async`, the
# default only from API versions after the sandbox's 2020-08-27), when the balance transaction lands later.
PAID = ("payment_intent.created", "charge.succeeded", "payment_intent.succeeded")
DECLINED = ("payment_intent.created", "charge.failed", "payment_intent.payment_failed")
AUTHORIZED = ("payment_intent.created", "charge.succeeded", "payment_intent.amount_capturable_updated")
REFUNDED = ("charge.refunded", "refund.created")
NEW_CUSTOMER_WITH_CARD = ("customer.created", "payment_method.attached")
CATALOGUE = ("product.created", "price.created")
SUBSCRIBED = (
    "customer.subscription.created",
    "invoice.created",
    "invoice.finalized",
    *PAID,
    "invoice.paid",
    "invoice.payment_succeeded",
)
DRAFTED = ("customer.created", "invoiceitem.created", "invoice.created")
INVOICE_PAID = ("invoice.finalized", *PAID, "invoice.paid", "invoice.payment_succeeded")
INVOICE_FAILED = ("invoice.finalized", *DECLINED, "invoice.payment_failed")
CHECKOUT = CATALOGUE  # Stripe has no `checkout.session.created` event


def _subscription_rows() -> list[Fixture]:
    made = (CUSTOMER_WITH_CARD, PRODUCT, PRICE, SUBSCRIPTION)
    before = (*NEW_CUSTOMER_WITH_CARD, *CATALOGUE, *SUBSCRIBED)
    trial = (
        CUSTOMER,
        PRODUCT,
        PRICE,
        Step("subscription", "POST", "/v1/subscriptions", {**SUBSCRIPTION.params, "trial_period_days": 1}),
    )
    trial_events = (
        "customer.created",
        *CATALOGUE,
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    )
    return [
        Fixture("customer.subscription.created", made, before),
        Fixture(
            "customer.subscription.updated",
            (*made, _metadata("subscription_updated", "/v1/subscriptions/${subscription:id}")),
            (*before, "customer.subscription.updated"),
        ),
        Fixture(
            "customer.subscription.deleted",
            (*made, Step("subscription_deleted", "DELETE", "/v1/subscriptions/${subscription:id}")),
            (*before, "customer.subscription.deleted"),
        ),
        # Stripe sends `trial_will_end` three days before a trial ends: a one-day trial is inside that at once.
        Fixture("customer.subscription.trial_will_end", trial, (*trial_events, "customer.subscription.trial_will_end")),
    ]


def _rows() -> list[Fixture]:
    refund = Step("refund", "POST", "/v1/refunds", {"payment_intent": "${payment_intent:id}"})
    capture = Step("capture", "POST", "/v1/payment_intents/${payment_intent:id}/capture")
    manual = _payment(capture_method="manual", confirmation_method="manual")
    attach = Step(
        "payment_method_attach", "POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": "${customer:id}"}
    )
    confirmed_setup = Step(
        "setup_intent",
        "POST",
        "/v1/setup_intents",
        {"customer": "${customer:id}", "payment_method": "pm_card_visa", "confirm": True, "description": BY_CLI},
    )

    def setup(method: str) -> Step:
        return Step(
            "setup_intent",
            "POST",
            "/v1/setup_intents",
            {"confirm": True, "description": BY_CLI, "payment_method": method, "payment_method_types": ["card"]},
            declines=method != "pm_card_visa",
        )

    def checkout(*more: Step) -> tuple[Step, ...]:
        return (PRODUCT, ONE_OFF_PRICE, CHECKOUT_SESSION, *more)

    pay_page = Step(
        "payment_page_confirm",
        "POST",
        "/v1/payment_pages/${checkout_session:id}/confirm",
        {"payment_method": "pm_card_visa", "expected_amount": 3000},
    )

    def bank_page(account: str) -> Step:
        # A bank debit: the session completes unpaid, and settles when the test helper says it does.
        return Step(
            "payment_page_confirm",
            "POST",
            "/v1/payment_pages/${checkout_session:id}/confirm",
            {"payment_method": account, "expected_amount": 3000},
        )

    # What a bank debit that settles sends, from the session's creation to its settling.
    settled_debit = (
        *CHECKOUT,
        "payment_intent.created",
        "payment_intent.processing",
        "checkout.session.completed",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.async_payment_succeeded",
    )
    settle_now = Step(
        "async_payment", "POST", "/v1/test_helpers/checkout/sessions/${checkout_session:id}/async_payment"
    )
    coupon_customer = Step("customer", "POST", "/v1/customers", {"coupon": "${coupon:id}", "description": BY_CLI})
    rows = [
        # customers
        Fixture("customer.created", (CUSTOMER,), ("customer.created",)),
        Fixture(
            "customer.updated",
            (CUSTOMER, _metadata("customer_updated", "/v1/customers/${customer:id}")),
            ("customer.created", "customer.updated"),
        ),
        Fixture(
            "customer.deleted",
            (CUSTOMER, Step("customer_deleted", "DELETE", "/v1/customers/${customer:id}")),
            ("customer.created", "customer.deleted"),
        ),
        Fixture(
            "customer.source.created",
            (CUSTOMER, Step("customer_source", "POST", "/v1/customers/${customer:id}/sources", {"source": "tok_visa"})),
            ("customer.created", "customer.source.created", "customer.updated"),
        ),
        # payment intents and charges
        Fixture("payment_intent.created", (_payment(method=""),), ("payment_intent.created",)),
        Fixture("payment_intent.succeeded", (_payment(),), PAID),
        Fixture("payment_intent.payment_failed", (_payment(method="pm_card_chargeDeclined"),), DECLINED),
        Fixture(
            "payment_intent.canceled",
            (
                _payment(method=""),
                Step(
                    "payment_intent_canceled",
                    "POST",
                    "/v1/payment_intents/${payment_intent:id}/cancel",
                    {"cancellation_reason": "requested_by_customer"},
                ),
            ),
            ("payment_intent.created", "payment_intent.canceled"),
        ),
        Fixture("payment_intent.amount_capturable_updated", (manual,), AUTHORIZED),
        Fixture(
            "payment_intent.requires_action",
            (_payment(method="pm_card_authenticationRequired"),),
            ("payment_intent.created", "payment_intent.requires_action"),
        ),
        Fixture("charge.succeeded", (_payment(100),), PAID),
        Fixture("charge.failed", (_payment(100, "pm_card_visa_chargeDeclined"),), DECLINED),
        Fixture("charge.captured", (manual, capture), (*AUTHORIZED, "charge.captured", "payment_intent.succeeded")),
        Fixture("charge.refunded", (_payment(100), refund), (*PAID, *REFUNDED)),
        Fixture("refund.created", (_payment(100), refund), (*PAID, *REFUNDED)),
        Fixture(
            "charge.refund.updated",
            (
                _payment(100),
                refund,
                Step("updated_refund", "POST", "/v1/refunds/${refund:id}", {"metadata": {"order_id": "6735"}}),
            ),
            (*PAID, *REFUNDED, "charge.refund.updated", "refund.updated"),
        ),
        Fixture(
            "refund.updated",
            (
                _payment(100),
                refund,
                Step("updated_refund", "POST", "/v1/refunds/${refund:id}", {"metadata": {"order_id": "6735"}}),
            ),
            (*PAID, *REFUNDED, "charge.refund.updated", "refund.updated"),
        ),
        Fixture(
            "charge.updated",
            (_payment(100), _metadata("charge_updated", "/v1/charges/${payment_intent:latest_charge}")),
            (*PAID, "charge.updated"),
        ),
        # payment methods and setup intents
        Fixture("payment_method.attached", (CUSTOMER, attach), ("customer.created", "payment_method.attached")),
        Fixture(
            "payment_method.detached",
            (
                CUSTOMER,
                attach,
                Step("payment_method_detach", "POST", "/v1/payment_methods/${payment_method_attach:id}/detach"),
            ),
            ("customer.created", "payment_method.attached", "payment_method.detached"),
        ),
        Fixture(
            "payment_method.updated",
            (
                CUSTOMER,
                confirmed_setup,
                _metadata("payment_method_updated", "/v1/payment_methods/${setup_intent:payment_method}"),
            ),
            (
                "customer.created",
                "setup_intent.created",
                "payment_method.attached",
                "setup_intent.succeeded",
                "payment_method.updated",
            ),
        ),
        Fixture("setup_intent.created", (SETUP_INTENT,), ("setup_intent.created",)),
        Fixture(
            "setup_intent.canceled",
            (
                SETUP_INTENT,
                Step(
                    "setup_intent_canceled",
                    "POST",
                    "/v1/setup_intents/${setup_intent:id}/cancel",
                    {"cancellation_reason": "requested_by_customer"},
                ),
            ),
            ("setup_intent.created", "setup_intent.canceled"),
        ),
        Fixture("setup_intent.succeeded", (setup("pm_card_visa"),), ("setup_intent.created", "setup_intent.succeeded")),
        Fixture(
            "setup_intent.setup_failed",
            (setup("pm_card_chargeDeclined"),),
            ("setup_intent.created", "setup_intent.setup_failed"),
        ),
        Fixture(
            "setup_intent.requires_action",
            (setup("pm_card_authenticationRequired"),),
            ("setup_intent.created", "setup_intent.requires_action"),
        ),
        # checkout
        Fixture("checkout.session.completed", checkout(pay_page), (*CHECKOUT, *PAID, "checkout.session.completed")),
        Fixture(
            "checkout.session.async_payment_succeeded",
            checkout(bank_page("pm_usBankAccount_success"), settle_now),
            settled_debit,
        ),
        Fixture(
            "payment_intent.processing",
            checkout(bank_page("pm_usBankAccount_success"), settle_now),
            settled_debit,
        ),
        Fixture(
            "checkout.session.async_payment_failed",
            checkout(bank_page("pm_usBankAccount_accountClosed"), settle_now),
            (
                *CHECKOUT,
                "payment_intent.created",
                "payment_intent.processing",
                "checkout.session.completed",
                "charge.failed",
                "payment_intent.payment_failed",
                "checkout.session.async_payment_failed",
            ),
        ),
        Fixture(
            "checkout.session.expired",
            checkout(Step("checkout_session_expired", "POST", "/v1/checkout/sessions/${checkout_session:id}/expire")),
            (*CHECKOUT, "checkout.session.expired"),
        ),
        # catalogue
        Fixture("product.created", (PRODUCT,), ("product.created",)),
        Fixture(
            "product.updated",
            (PRODUCT, _metadata("product_updated", "/v1/products/${product:id}")),
            ("product.created", "product.updated"),
        ),
        Fixture(
            "product.deleted",
            (PRODUCT, Step("product_deleted", "DELETE", "/v1/products/${product:id}")),
            ("product.created", "product.deleted"),
        ),
        Fixture("price.created", (PRODUCT, PRICE), CATALOGUE),
        Fixture(
            "price.updated",
            (PRODUCT, PRICE, _metadata("price_updated", "/v1/prices/${price:id}")),
            (*CATALOGUE, "price.updated"),
        ),
        Fixture("plan.created", (PLAN,), ("product.created", "plan.created", "price.created")),
        Fixture(
            "plan.updated",
            (PLAN, _metadata("plan_updated", "/v1/plans/${plan:id}")),
            ("product.created", "plan.created", "price.created", "plan.updated", "price.updated"),
        ),
        Fixture(
            "plan.deleted",
            (PLAN, Step("plan_deleted", "DELETE", "/v1/plans/${plan:id}")),
            ("product.created", "plan.created", "price.created", "plan.deleted", "price.deleted"),
        ),
        # Stripe's API never deletes a price: deleting the plan it belongs to does.
        Fixture(
            "price.deleted",
            (PLAN, Step("plan_deleted", "DELETE", "/v1/plans/${plan:id}")),
            ("product.created", "plan.created", "price.created", "plan.deleted", "price.deleted"),
        ),
        Fixture("tax_rate.created", (TAX_RATE,), ("tax_rate.created",)),
        Fixture(
            "tax_rate.updated",
            (TAX_RATE, _metadata("tax_rate_updated", "/v1/tax_rates/${tax_rate:id}")),
            ("tax_rate.created", "tax_rate.updated"),
        ),
        # the customer portal
        Fixture(
            "billing_portal.session.created",
            (
                CUSTOMER,
                Step(
                    "billing_portal_session",
                    "POST",
                    "/v1/billing_portal/sessions",
                    {"customer": "${customer:id}", "return_url": "http://127.0.0.1/account"},
                ),
            ),
            ("customer.created", "billing_portal.session.created"),
        ),
        # coupons and discounts
        Fixture("coupon.created", (COUPON,), ("coupon.created",)),
        Fixture(
            "coupon.updated",
            (COUPON, _metadata("coupon_updated", "/v1/coupons/${coupon:id}")),
            ("coupon.created", "coupon.updated"),
        ),
        Fixture(
            "coupon.deleted",
            (COUPON, Step("coupon_deleted", "DELETE", "/v1/coupons/${coupon:id}")),
            ("coupon.created", "coupon.deleted"),
        ),
        Fixture(
            "customer.discount.created",
            (COUPON, coupon_customer),
            ("coupon.created", "customer.created", "customer.discount.created"),
        ),
        Fixture(
            "customer.discount.updated",
            (
                Step("coupon_1", "POST", "/v1/coupons", {"percent_off": 20}),
                Step("customer", "POST", "/v1/customers", {"coupon": "${coupon_1:id}", "description": BY_CLI}),
                Step("coupon_2", "POST", "/v1/coupons", {"percent_off": 30}),
                Step("customer_updated", "POST", "/v1/customers/${customer:id}", {"coupon": "${coupon_2:id}"}),
            ),
            (
                "coupon.created",
                "customer.created",
                "customer.discount.created",
                "coupon.created",
                "customer.discount.updated",
                "customer.updated",
            ),
        ),
        Fixture(
            "customer.discount.deleted",
            (COUPON, coupon_customer, Step("customer_updated", "POST", "/v1/customers/${customer:id}", {"coupon": ""})),
            (
                "coupon.created",
                "customer.created",
                "customer.discount.created",
                "customer.discount.deleted",
                "customer.updated",
            ),
        ),
        # invoices
        Fixture("invoiceitem.created", (CUSTOMER, INVOICE_ITEM), ("customer.created", "invoiceitem.created")),
        Fixture(
            "invoiceitem.deleted",
            (CUSTOMER, INVOICE_ITEM, Step("invoiceitem_delete", "DELETE", "/v1/invoiceitems/${invoiceitem:id}")),
            ("customer.created", "invoiceitem.created", "invoiceitem.deleted"),
        ),
        Fixture("invoice.created", (CUSTOMER, INVOICE_ITEM, DRAFT_INVOICE), DRAFTED),
        Fixture(
            "invoice.finalized", (CUSTOMER, INVOICE_ITEM, DRAFT_INVOICE, FINALIZE), (*DRAFTED, "invoice.finalized")
        ),
        Fixture(
            "invoice.updated",
            (CUSTOMER, INVOICE_ITEM, DRAFT_INVOICE, _metadata("invoice_updated", "/v1/invoices/${invoice:id}")),
            (*DRAFTED, "invoice.updated"),
        ),
        Fixture(
            "invoice.deleted",
            (CUSTOMER, INVOICE_ITEM, DRAFT_INVOICE, Step("invoice_delete", "DELETE", "/v1/invoices/${invoice:id}")),
            (*DRAFTED, "invoice.deleted"),
        ),
        Fixture(
            "invoice.voided",
            (
                CUSTOMER,
                INVOICE_ITEM,
                DRAFT_INVOICE,
                FINALIZE,
                Step("invoice_void", "POST", "/v1/invoices/${invoice:id}/void"),
            ),
            (*DRAFTED, "invoice.finalized", "invoice.voided"),
        ),
        Fixture(
            "invoice.marked_uncollectible",
            (
                CUSTOMER,
                INVOICE_ITEM,
                DRAFT_INVOICE,
                FINALIZE,
                Step("invoice_mark_uncollectible", "POST", "/v1/invoices/${invoice:id}/mark_uncollectible"),
            ),
            (*DRAFTED, "invoice.finalized", "invoice.marked_uncollectible"),
        ),
        Fixture(
            "invoice.sent",
            (
                Step("customer", "POST", "/v1/customers", {"email": "bob@example.com", "description": BY_CLI}),
                INVOICE_ITEM,
                Step(
                    "invoice",
                    "POST",
                    "/v1/invoices",
                    {**DRAFT_INVOICE.params, "collection_method": "send_invoice", "days_until_due": 30},
                ),
                FINALIZE,
                Step("invoice_send", "POST", "/v1/invoices/${invoice:id}/send"),
            ),
            (*DRAFTED, "invoice.finalized", "invoice.sent"),
        ),
        Fixture(
            "invoice.paid",
            _pay_invoice("pm_card_visa"),
            ("customer.created", "payment_method.attached", "invoiceitem.created", "invoice.created", *INVOICE_PAID),
        ),
        Fixture(
            "invoice.payment_succeeded",
            _pay_invoice("pm_card_visa"),
            ("customer.created", "payment_method.attached", "invoiceitem.created", "invoice.created", *INVOICE_PAID),
        ),
        Fixture(
            "invoice.payment_failed",
            _pay_invoice("pm_card_chargeCustomerFail"),
            ("customer.created", "payment_method.attached", "invoiceitem.created", "invoice.created", *INVOICE_FAILED),
        ),
        Fixture(
            "invoice.payment_action_required",
            _pay_invoice("pm_card_threeDSecure2Required"),
            (
                "customer.created",
                "payment_method.attached",
                "invoiceitem.created",
                "invoice.created",
                "invoice.finalized",
                "payment_intent.created",
                "payment_intent.requires_action",
                "invoice.payment_action_required",
            ),
        ),
        Fixture(
            "invoice.upcoming",
            (
                TEST_CLOCK,
                Step(
                    "customer", "POST", "/v1/customers", {**CUSTOMER_WITH_CARD.params, "test_clock": "${test_clock:id}"}
                ),
                PRODUCT,
                PRICE,
                SUBSCRIPTION,
                Step(  # 28 days on: Stripe tells of the renewal a few days before it
                    "advance_test_clock",
                    "POST",
                    "/v1/test_helpers/test_clocks/${test_clock:id}/advance",
                    {"frozen_time": 1577836800 + 28 * 86400},
                ),
            ),
            (
                "test_helpers.test_clock.created",
                *NEW_CUSTOMER_WITH_CARD,
                *CATALOGUE,
                *SUBSCRIBED,
                "test_helpers.test_clock.advancing",
                "invoice.upcoming",
                "test_helpers.test_clock.ready",
            ),
        ),
        # test clocks
        Fixture("test_helpers.test_clock.created", (TEST_CLOCK,), ("test_helpers.test_clock.created",)),
        Fixture(
            "test_helpers.test_clock.advancing",
            (TEST_CLOCK, ADVANCE_CLOCK),
            ("test_helpers.test_clock.created", "test_helpers.test_clock.advancing", "test_helpers.test_clock.ready"),
        ),
        Fixture(
            "test_helpers.test_clock.ready",
            (TEST_CLOCK, ADVANCE_CLOCK),
            ("test_helpers.test_clock.created", "test_helpers.test_clock.advancing", "test_helpers.test_clock.ready"),
        ),
        Fixture(
            "test_helpers.test_clock.deleted",
            (TEST_CLOCK, Step("delete_test_clock", "DELETE", "/v1/test_helpers/test_clocks/${test_clock:id}")),
            ("test_helpers.test_clock.created", "test_helpers.test_clock.deleted"),
        ),
    ]
    return [*rows, *_subscription_rows()]


#: Every fixture, by the event type it is named for.
FIXTURES: dict[str, Fixture] = {row.event: row for row in _rows()}
