"""`hooklab trigger <event-type>`: create the real objects that cause an event, like `stripe trigger`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import requests

from ..payments.client import PaymentsClient, PaymentsError
from ..payments.connection import ConnectionMissing, connect
from . import trigger_billing

Made = list[tuple[str, str]]


def _customer(api: PaymentsClient, made: Made) -> str:
    customer = api.post(
        "/v1/customers", email="trigger@example.com", name="Triggered Customer", description="made by hooklab trigger"
    )
    made.append(("customer", customer["id"]))
    return str(customer["id"])


def _payment(api: PaymentsClient, made: Made, method: str = "pm_card_visa", confirm: bool = True) -> dict[str, Any]:
    customer = _customer(api, made)
    try:
        intent = api.post(
            "/v1/payment_intents",
            amount=1900,
            currency="usd",
            customer=customer,
            payment_method=method,
            confirm=confirm,
            metadata={"plan": "basic"},
        )
    except PaymentsError as exc:
        if exc.status != 402:
            raise
        intent = exc.error["payment_intent"]
    made.append(("payment_intent", intent["id"]))
    return intent


def _subscription(api: PaymentsClient, made: Made, method: str = "pm_card_visa") -> dict[str, Any]:
    customer = _customer(api, made)
    subscription = api.post(
        "/v1/subscriptions", customer=customer, items=[{"price": "price_basic_monthly"}], default_payment_method=method
    )
    made.append(("subscription", subscription["id"]))
    made.append(("invoice", subscription["latest_invoice"]))
    return subscription


def _updated_customer(api: PaymentsClient, made: Made) -> None:
    api.post(f"/v1/customers/{_customer(api, made)}", metadata={"triggered": "true"})


def _deleted_customer(api: PaymentsClient, made: Made) -> None:
    api.delete(f"/v1/customers/{_customer(api, made)}")


def _canceled_payment(api: PaymentsClient, made: Made) -> None:
    api.post(f"/v1/payment_intents/{_payment(api, made, confirm=False)['id']}/cancel")


def _refund(api: PaymentsClient, made: Made) -> None:
    refund = api.post("/v1/refunds", payment_intent=_payment(api, made)["id"])
    made.append(("refund", refund["id"]))


def _updated_subscription(api: PaymentsClient, made: Made) -> None:
    api.post(f"/v1/subscriptions/{_subscription(api, made)['id']}", metadata={"triggered": "true"})


def _canceled_subscription(api: PaymentsClient, made: Made) -> None:
    api.delete(f"/v1/subscriptions/{_subscription(api, made)['id']}")


#: Each event type and the steps that make it happen.
RECIPES: dict[str, Callable[[PaymentsClient, Made], Any]] = {
    "customer.created": _customer,
    "customer.updated": _updated_customer,
    "customer.deleted": _deleted_customer,
    "payment_intent.created": lambda api, made: _payment(api, made, confirm=False),
    "payment_intent.succeeded": _payment,
    "payment_intent.payment_failed": lambda api, made: _payment(api, made, "pm_card_chargeDeclined"),
    "payment_intent.canceled": _canceled_payment,
    "charge.succeeded": _payment,
    "charge.failed": lambda api, made: _payment(api, made, "pm_card_chargeDeclined"),
    "charge.refunded": _refund,
    "refund.created": _refund,
    "customer.subscription.created": _subscription,
    "customer.subscription.updated": _updated_subscription,
    "customer.subscription.deleted": _canceled_subscription,
    "invoice.created": _subscription,
    "invoice.finalized": _subscription,
    "invoice.paid": _subscription,
    "invoice.payment_succeeded": _subscription,
    "invoice.payment_failed": lambda api, made: _subscription(api, made, "pm_card_chargeDeclined"),
    **trigger_billing.RECIPES,
}


# -- cards: manual capture, 3-D Secure, saved payment methods, setup intents --


def _authorized(api: PaymentsClient, made: Made) -> dict[str, Any]:
    intent = api.post(
        "/v1/payment_intents",
        amount=1900,
        currency="usd",
        customer=_customer(api, made),
        payment_method="pm_card_visa",
        confirm=True,
        capture_method="manual",
    )
    made.append(("payment_intent", intent["id"]))
    return intent


def _captured(api: PaymentsClient, made: Made) -> None:
    api.post(f"/v1/payment_intents/{_authorized(api, made)['id']}/capture")


def _updated_charge(api: PaymentsClient, made: Made) -> None:
    charge = _payment(api, made)["latest_charge"]
    made.append(("charge", charge))
    api.post(f"/v1/charges/{charge}", metadata={"triggered": "true"})


def _attached(api: PaymentsClient, made: Made) -> str:
    method = api.post("/v1/payment_methods/pm_card_visa/attach", customer=_customer(api, made))
    made.append(("payment_method", method["id"]))
    return str(method["id"])


def _setup(api: PaymentsClient, made: Made, method: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"customer": _customer(api, made)}
    if method:
        params.update(payment_method=method, confirm=True)
    try:
        intent = api.post("/v1/setup_intents", **params)
    except PaymentsError as exc:
        if exc.status != 402:
            raise
        intent = exc.error["setup_intent"]
    made.append(("setup_intent", intent["id"]))
    return intent


RECIPES.update(
    {
        "payment_intent.amount_capturable_updated": _authorized,
        "payment_intent.requires_action": lambda api, made: _payment(api, made, "pm_card_threeDSecure2Required"),
        "charge.captured": _captured,
        "charge.updated": _updated_charge,
        "payment_method.attached": _attached,
        "payment_method.updated": lambda api, made: api.post(
            f"/v1/payment_methods/{_attached(api, made)}", metadata={"triggered": "true"}
        ),
        "payment_method.detached": lambda api, made: api.post(f"/v1/payment_methods/{_attached(api, made)}/detach"),
        "setup_intent.created": _setup,
        "setup_intent.succeeded": lambda api, made: _setup(api, made, "pm_card_visa"),
        "setup_intent.setup_failed": lambda api, made: _setup(api, made, "pm_card_chargeDeclined"),
        "setup_intent.requires_action": lambda api, made: _setup(api, made, "pm_card_authenticationRequired"),
        "setup_intent.canceled": lambda api, made: api.post(f"/v1/setup_intents/{_setup(api, made)['id']}/cancel"),
    }
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "trigger",
        help="create the objects that cause a payment event (like `stripe trigger`)",
        description="Create, over the payment system's API, the real objects that cause EVENT, so every webhook "
        "endpoint listening to it gets a delivery. Connects to --api-base/--api-key, else HOOKLAB_API_BASE/"
        "HOOKLAB_API_KEY, else the details `hooklab serve` saved.",
    )
    parser.add_argument(
        "event", metavar="EVENT", help=f"an event type, such as payment_intent.succeeded ({len(RECIPES)} supported)"
    )
    parser.add_argument("--api-base", default=None, help="the payment system's URL")
    parser.add_argument("--api-key", default=None, help="its API key (sk_test_…)")
    return parser


def run(args: argparse.Namespace) -> int:
    recipe = RECIPES.get(args.event)
    if recipe is None:
        print(
            f"hooklab trigger: unknown event {args.event!r}; one of:\n  " + "\n  ".join(sorted(RECIPES)),
            file=sys.stderr,
        )
        return 2
    try:
        api = connect(args.api_base, args.api_key)
    except ConnectionMissing as exc:
        print(f"hooklab trigger: {exc}", file=sys.stderr)
        return 1
    made: Made = []
    try:
        recipe(api, made)
        latest = api.get("/v1/events", type=args.event, limit=1)["data"]
    except PaymentsError as exc:
        print(f"hooklab trigger: the payment system refused a step: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"hooklab trigger: cannot reach the payment system at {api.url}: {exc}", file=sys.stderr)
        return 1
    finally:
        api.close()
    for kind, object_id in made:
        print(f"  {kind:<15} {object_id}")
    event = latest[0]["id"] if latest else "?"
    print(f"Trigger succeeded: {args.event} ({event})")
    return 0
