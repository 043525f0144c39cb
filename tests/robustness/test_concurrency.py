"""Eight threads of mixed API calls against one lab: no error, no duplicate id, books that balance, every event delivered.

Each thread is its own client (the official stripe SDK, as a developer's
integration would be). The default run is 8 x 30; --run-slow adds 8 x 500.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import stripe

from simulators import Lab
from simulators.learner import WebhookRequest
from tests.robustness.slow import run_slow

THREADS = 8


@dataclass
class Ledger:
    """What one thread did and saw."""

    customers: list[str] = field(default_factory=list)
    paid: dict[str, int] = field(default_factory=dict)
    declined: list[str] = field(default_factory=list)
    refunded: dict[str, int] = field(default_factory=dict)
    subscriptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Receiver:
    """Every event delivered to one endpoint, verified with the SDK."""

    def __init__(self) -> None:
        self.secret = ""
        self.ids: list[str] = []
        self.bad: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, request: WebhookRequest) -> int:
        try:
            event = stripe.Webhook.construct_event(request.body, request.headers.get("Stripe-Signature"), self.secret)
        except (stripe.SignatureVerificationError, ValueError) as exc:
            self.bad.append(str(exc))
            return 400
        with self._lock:
            self.ids.append(event.id)
        return 200


def _work(lab: Lab, number: int, calls: int) -> Ledger:
    client = stripe.StripeClient(lab.payments.api_key, base_addresses={"api": lab.payments.url}, max_network_retries=0)
    v1 = client.v1
    rng = random.Random(number)
    ledger = Ledger()
    for call in range(calls):
        roll = rng.random()
        try:
            if not ledger.customers or roll < 0.15:
                ledger.customers.append(v1.customers.create(params={"email": f"t{number}-{call}@example.com"}).id)
            elif roll < 0.45:
                amount = rng.randint(50, 10_000)
                intent = v1.payment_intents.create(
                    params={
                        "amount": amount,
                        "currency": "usd",
                        "confirm": True,
                        "customer": rng.choice(ledger.customers),
                        "payment_method": "pm_card_visa",
                    }
                )
                assert intent.status == "succeeded"
                ledger.paid[intent.id] = amount
            elif roll < 0.55:
                try:
                    v1.payment_intents.create(
                        params={
                            "amount": 700,
                            "currency": "usd",
                            "confirm": True,
                            "payment_method": "pm_card_chargeDeclined",
                        }
                    )
                    ledger.errors.append("a declining card was charged")
                except stripe.CardError as exc:
                    ledger.declined.append(exc.error.payment_intent.id)  # type: ignore[union-attr]
            elif roll < 0.65 and set(ledger.paid) - set(ledger.refunded):
                target = rng.choice(sorted(set(ledger.paid) - set(ledger.refunded)))
                amount = rng.randint(1, ledger.paid[target])
                v1.refunds.create(params={"payment_intent": target, "amount": amount})
                ledger.refunded[target] = amount
            elif roll < 0.72:
                subscription = v1.subscriptions.create(
                    params={
                        "customer": rng.choice(ledger.customers),
                        "items": [{"price": "price_basic_monthly"}],
                        "default_payment_method": "pm_card_visa",
                    }
                )
                ledger.subscriptions.append(subscription.id)
            elif roll < 0.86:
                assert len(v1.customers.list(params={"limit": 3}).data) <= 3
            else:
                own = rng.choice(ledger.customers)
                assert v1.customers.retrieve(own).id == own
        except stripe.StripeError as exc:
            ledger.errors.append(f"thread {number} call {call}: {type(exc).__name__}: {exc}")
    return ledger


def test_eight_threads_of_mixed_calls_keep_every_record_and_deliver_every_event() -> None:
    _run(calls=60 if run_slow() else 30)


@pytest.mark.slow
def test_eight_threads_of_five_hundred_calls_each() -> None:
    _run(calls=500)


def _run(calls: int) -> None:
    with Lab(seed=51, systems=["provisioning", "payments"]) as lab:
        lab.payments.rate_limit(None)
        receiver = Receiver()
        registered = lab.payments.add_endpoint(lab.host(receiver, name="all-events").url)
        receiver.secret = registered["secret"]
        with ThreadPoolExecutor(THREADS) as pool:
            ledgers = list(pool.map(lambda n: _work(lab, n, calls), range(THREADS)))
        lab.settle()

        errors = [error for ledger in ledgers for error in ledger.errors]
        assert errors == []
        created = [
            i for ledger in ledgers for i in [*ledger.customers, *ledger.paid, *ledger.declined, *ledger.subscriptions]
        ]
        assert len(created) == len(set(created)), "an id was handed out twice"

        pay = lab.payments
        paid = {k: v for ledger in ledgers for k, v in ledger.paid.items()}
        # Subscriptions pay their invoices through PaymentIntents too, as Stripe's do: those are the invoices' own.
        assert {pi["id"]: pi["amount"] for pi in pay.payments() if pi["invoice"] is None} == paid
        subscribed = sorted(i for ledger in ledgers for i in ledger.subscriptions)
        assert sorted(invoice["subscription"] for invoice in pay.invoices("paid")) == subscribed
        assert {pi["id"] for pi in pay.payments("requires_payment_method")} == {
            i for ledger in ledgers for i in ledger.declined
        }
        refunded = {k: v for ledger in ledgers for k, v in ledger.refunded.items()}
        assert sorted((r["payment_intent"], r["amount"]) for r in pay.refunds()) == sorted(refunded.items())
        assert len(pay.customers()) == sum(len(ledger.customers) for ledger in ledgers)
        assert len(pay.subscriptions("active")) == sum(len(ledger.subscriptions) for ledger in ledgers)

        events = pay.events()
        assert len({event["id"] for event in events}) == len(events)
        assert receiver.bad == []
        # At least once, deduplicated by id: every event exactly once after dedupe, none unknown.
        assert set(receiver.ids) == {event["id"] for event in events}
        assert max(Counter(receiver.ids).values()) == 1, "sent more than once without a duplicates knob"
        wanted = set(lab.payments.provisioning_endpoint["enabled_events"])
        to_provisioning = pay.outbox.deliveries(endpoint_id=lab.payments.provisioning_endpoint["id"])
        assert {d["event_id"] for d in to_provisioning} == {e["id"] for e in events if e["type"] in wanted}
        assert {d["status"] for d in to_provisioning} == {"succeeded"}
        # Provisioning saw each paying customer: one activation per payment_intent.succeeded or invoice.paid event.
        paid_events = [e for e in events if e["type"] in ("payment_intent.succeeded", "invoice.paid")]
        assert len(lab.provisioning.activations()) == len(paid_events)
