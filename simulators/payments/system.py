"""The payment system: a stateful, Stripe-compatible subset with signed webhooks.

Point the official SDK at it (`stripe.api_base = lab.payments.url`,
`stripe.api_key = lab.payments.api_key`) or use the Python API below.

Stripe API (form-encoded, bearer key, Stripe's list and error shapes):
  customers            POST/GET /v1/customers, GET/POST/DELETE /v1/customers/{id}
  payment intents      POST/GET /v1/payment_intents, GET/POST /v1/payment_intents/{id},
                       POST /v1/payment_intents/{id}/confirm, POST /v1/payment_intents/{id}/cancel
  charges, refunds     GET /v1/charges[/{id}], POST/GET /v1/refunds, GET /v1/refunds/{id}
  prices, products     GET /v1/prices[/{id}], GET /v1/products[/{id}]  (price_basic_monthly, price_pro_monthly)
  subscriptions        POST/GET /v1/subscriptions, GET/POST/DELETE /v1/subscriptions/{id}
  invoices             GET /v1/invoices[/{id}], POST /v1/invoices/{id}/pay
  webhook endpoints    POST/GET /v1/webhook_endpoints, GET/POST/DELETE /v1/webhook_endpoints/{id}
                       (hooklab extension: retry_policy=none|stripe|standard or retry_policy[0]=<seconds>…)
  events               GET /v1/events (type, types[], created[...], delivery_success), GET /v1/events/{id},
                       POST /v1/events/{id}/retry (optional webhook_endpoint)

hooklab extensions (same key, not rate limited):
  GET  /v1/events/{id}/attempts                every delivery attempt of an event
  GET  /v1/webhook_endpoints/{id}/attempts     attempts to one endpoint, oldest first; starting_after=<attempt id>
  POST /v1/hooklab/recover_failed              since=<unix time>, optional webhook_endpoint: resend failed deliveries
  POST /v1/hooklab/knobs                       duplicates=<rate>, out_of_order=<rate>
  GET/POST /v1/hooklab/rate_limit              read the limit; set reads_per_minute, reads_burst, writes_per_minute,
                                               writes_burst, or off=true

Python: `lab.payments.outbox.attempts(event_id=…, endpoint_id=…)` and
`lab.payments.outbox.deliveries(...)` read the same delivery log.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import Flask, Response, jsonify

from ..clock import to_timestamp
from ..context import SystemContext
from ..errors import ApiError
from ..service import Service, flask_app
from ..webhooks import Outbox, RetryPolicy, Target, sign_stripe
from ..webhooks.outbox import event_json
from . import (
    cards,
    charges,
    customers,
    events,
    extensions,
    httpapi,
    invoices,
    listing,
    payment_intents,
    prices,
    subscriptions,
    webhook_endpoints,
)
from .client import PaymentsClient, PaymentsError
from .expand import expand, expand_list
from .idempotency import IdempotencyKeys
from .params import Params
from .ratelimit import DEFAULT_READS, DEFAULT_WRITES, Limit, RateLimiter

#: Id prefix -> the kind of object (the collection) it names.
PREFIXES = {
    "cus": "customer",
    "pi": "payment_intent",
    "ch": "charge",
    "re": "refund",
    "price": "price",
    "prod": "product",
    "sub": "subscription",
    "in": "invoice",
    "we": "webhook_endpoint",
    "evt": "event",
}


class PaymentsSystem(Service):
    """Customers, payments, subscriptions and invoices, with events delivered by webhook."""

    title = "payments"

    def __init__(self, ctx: SystemContext) -> None:
        super().__init__(ctx)
        #: The retry policy of an endpoint that has none of its own (`Lab(retry_policy=…)`).
        self.default_retry_policy = ctx.retry_policy
        self.api_key = "sk_test_" + self.ids.token("api-key", 32)
        self.db = {kind: self.store.collection(kind) for kind in PREFIXES.values()}
        self.idempotency = IdempotencyKeys(self.store, self.clock)
        self.limiter = RateLimiter(self.clock)
        self.outbox = Outbox(
            self.name,
            self.store,
            self.clock,
            self.ids,
            rng=ctx.random("retries"),
            knob_rng=ctx.random("knobs"),
            sign=lambda target, event_id, payload, t: {"Stripe-Signature": sign_stripe(payload, target.secret, t)},
            lookup=self._target,
            timeout=ctx.delivery_timeout,
            on_give_up=self._gave_up,
            on_endpoint_failing=self._endpoint_failing,
        )
        self._provisioning_id: str | None = None
        self._alive = False
        self._lock = threading.RLock()
        prices.seed(self)
        self._client: PaymentsClient | None = None

    def create_app(self) -> Flask:
        app = flask_app(__name__)
        # Answer `/v1//customers` or a trailing slash with a JSON 404, never an HTML redirect.
        app.url_map.merge_slashes = False
        app.url_map.strict_slashes = False
        httpapi.install(app, self)
        for module in (
            customers,
            payment_intents,
            charges,
            prices,
            subscriptions,
            invoices,
            webhook_endpoints,
            events,
            extensions,
        ):
            module.init_app(app, self)
        return app

    # -- lifecycle --------------------------------------------------------

    def start(self) -> None:
        super().start()
        self._alive = True
        self.outbox.start()
        subscriptions.schedule_renewals(self)

    def connect_provisioning(self, url: str, events: tuple[str, ...]) -> None:
        """Deliver `events` to provisioning at `url` (the lab calls this once both are listening)."""
        self._provisioning_id = webhook_endpoints.ensure_provisioning(self, url, events)["id"]

    @property
    def provisioning_endpoint(self) -> dict[str, Any] | None:
        """The endpoint delivering to provisioning, as it is now, with its signing secret."""
        if self._provisioning_id is None:
            return None
        doc = self.db["webhook_endpoint"].get(self._provisioning_id)
        return {**self.public(doc), "secret": doc["secret"]} if doc is not None else None

    def stop(self) -> None:
        self._alive = False
        self.outbox.stop()
        if self._client is not None:
            self._client.close()
        super().stop()

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["api_key"] = self.api_key
        info["rate_limit"] = self.limiter.describe()
        endpoint = self.provisioning_endpoint
        if endpoint:
            info["provisioning_endpoint"] = {k: endpoint[k] for k in ("id", "url", "secret", "status")}
        return info

    # -- objects ------------------------------------------------------------

    def now(self) -> int:
        return self.clock.timestamp()

    def get(self, kind: str, object_id: str, *, param: str = "id") -> dict[str, Any]:
        """A stored object, or the 404 Stripe answers for an unknown id."""
        doc = self.db[kind].get(object_id) if isinstance(object_id, str) else None
        if doc is None:
            shown = object_id if isinstance(object_id, str) and len(object_id) <= 80 else f"{str(object_id)[:77]}…"
            raise ApiError(404, f"No such {kind}: {shown!r}", code="resource_missing", param=param)
        return doc

    def lookup(self, object_id: str) -> dict[str, Any] | None:
        """The public form of whatever object an id names (for expand)."""
        if object_id in cards.CARDS:
            return cards.CARDS[object_id].as_payment_method(None, int(to_timestamp(self.clock.start)))
        kind = PREFIXES.get(object_id.partition("_")[0])
        if kind is None:
            return None
        doc = self.db[kind].get(object_id)
        return self.public(doc) if doc is not None else None

    def public(self, doc: dict[str, Any]) -> dict[str, Any]:
        """What the API shows of a stored object (no secrets, no bookkeeping)."""
        shown = {key: copy.deepcopy(value) for key, value in doc.items() if not key.startswith("_")}
        kind = doc.get("object")
        if kind == "webhook_endpoint" and not doc.get("deleted"):
            shown.pop("secret", None)
            shown["retry_policy"] = webhook_endpoints.policy_view(self, doc)
        elif kind == "event":
            shown["pending_webhooks"] = self.outbox.pending_count(doc["id"])
        return shown

    def render(self, doc: dict[str, Any], paths: Iterable[str] = (), status: int = 200) -> Response:
        body = expand(self.public(doc), list(paths), self.lookup)
        response = jsonify(body)
        response.status_code = status
        return response

    def retrieve(self, kind: str, object_id: str) -> Response:
        """`GET /v1/<kinds>/<id>`: one object, with any `expand[]` the request asks for."""
        return self.render(self.get(kind, object_id), httpapi.params().expand())

    def render_list(self, kind: str, params: Params, *, url: str, where: listing.Where | None = None) -> Response:
        """`GET /v1/<kinds>`: one page of them, newest first, each with any `expand[]` asked for."""
        paths = params.expand()
        body = listing.page(self.db[kind], params, url=url, where=where, render=self.public)
        return jsonify(expand_list(body, paths, self.lookup))

    def emit(self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record an event and its webhook deliveries together (call inside the change's transaction)."""
        return events.emit(self, event_type, obj, previous)

    # -- webhook delivery -------------------------------------------------

    def _target(self, endpoint_id: str) -> Target | None:
        doc = self.db["webhook_endpoint"].get(endpoint_id)
        if doc is None:
            return None
        return Target(
            endpoint_id,
            doc["url"],
            doc["secret"],
            webhook_endpoints.policy_of(self, doc),
            enabled=doc["status"] == "enabled",
        )

    def _gave_up(self, delivery: dict[str, Any]) -> None:
        self.ctx.alerts.raise_alert(
            "payments",
            "delivery_failed",
            f"gave up delivering {delivery['event_type']} {delivery['event_id']} to {delivery['endpoint_id']} after "
            f"{delivery['attempts']} attempt(s); last error: {delivery.get('last_error')}",
            event=delivery["event_id"],
            endpoint=delivery["endpoint_id"],
            attempts=delivery["attempts"],
        )

    def _endpoint_failing(self, endpoint_id: str, why: str) -> None:
        disabled = webhook_endpoints.disable(self, endpoint_id)
        if disabled is not None:
            self.ctx.alerts.raise_alert(
                "payments",
                "endpoint_disabled",
                f"webhook endpoint {endpoint_id} ({disabled['url']}) was disabled: {why}",
                endpoint=endpoint_id,
                url=disabled["url"],
            )

    def set_retry_policy(
        self, endpoint_id: str, policy: str | RetryPolicy | list[float] | tuple[float, ...] | None
    ) -> dict[str, Any]:
        """Give one endpoint its own retry policy (None: the lab's default)."""
        return webhook_endpoints.set_policy(self, endpoint_id, policy)

    def recover_failed(self, since: datetime | float | int, endpoint_id: str | None = None) -> list[str]:
        """Resend every delivery that failed for events created at or after `since`; return the delivery ids."""
        return self.outbox.recover_failed(to_timestamp(since), endpoint_id)

    def knobs(self, *, duplicates: float | None = None, out_of_order: float | None = None) -> dict[str, float]:
        """Send some events twice, or hold some back so later ones overtake them (seeded)."""
        return self.outbox.knobs(duplicates=duplicates, out_of_order=out_of_order)

    def rate_limit(
        self,
        per_minute: float | None = DEFAULT_READS.per_minute,
        burst: int = DEFAULT_READS.burst,
        *,
        writes_per_minute: float = DEFAULT_WRITES.per_minute,
        writes_burst: int = DEFAULT_WRITES.burst,
    ) -> dict[str, Any]:
        """Set the read limit (requests per lab minute, and burst); `rate_limit(None)` switches limits off."""
        if per_minute is None:
            self.limiter.configure(None, None)
        else:
            self.limiter.configure(Limit(per_minute, burst), Limit(writes_per_minute, writes_burst))
        return self.limiter.describe()

    # -- the Python API (over real HTTP, so it shows in the request log) --------

    @property
    def client(self) -> PaymentsClient:
        if self._client is None:
            self._client = PaymentsClient(self.url, self.api_key, after_call=self.ctx.settle)
        self._client.url = self.url  # the port may change after a restart
        return self._client

    def create_customer(
        self,
        email: str,
        name: str | None = None,
        metadata: dict[str, str] | None = None,
        payment_method: str | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"email": email, "name": name, "metadata": metadata}
        if payment_method:
            params["invoice_settings"] = {"default_payment_method": payment_method}
        return self.client.post("/v1/customers", **params)

    def pay(
        self,
        customer_id: str | None,
        amount: int,
        currency: str = "usd",
        payment_method: str = "pm_card_visa",
        metadata: dict[str, str] | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Charge a customer now; a decline returns the failed PaymentIntent rather than raising."""
        try:
            return self.client.post(
                "/v1/payment_intents",
                customer=customer_id,
                amount=amount,
                currency=currency,
                payment_method=payment_method,
                confirm=True,
                metadata=metadata,
                description=description,
            )
        except PaymentsError as exc:
            if exc.status == 402 and "payment_intent" in exc.error:
                return exc.error["payment_intent"]
            raise

    def subscribe(
        self,
        customer_id: str,
        price: str,
        payment_method: str | None = "pm_card_visa",
        metadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Subscribe a customer to a price (or a plan name: "basic", "pro"); the first invoice is paid at once."""
        price_id = prices.PLANS.get(price, price)
        return self.client.post(
            "/v1/subscriptions",
            customer=customer_id,
            items=[{"price": price_id}],
            default_payment_method=payment_method,
            metadata=metadata,
        )

    def cancel_subscription(self, subscription_id: str) -> dict[str, Any]:
        return self.client.delete(f"/v1/subscriptions/{subscription_id}")

    def refund(self, payment_intent_id: str, amount: int | None = None) -> dict[str, Any]:
        return self.client.post("/v1/refunds", payment_intent=payment_intent_id, amount=amount)

    def add_endpoint(
        self,
        url: str,
        enabled_events: Iterable[str] = ("*",),
        retry_policy: str | RetryPolicy | list[float] | tuple[float, ...] | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Register a webhook endpoint; the answer holds its `whsec_` secret (shown only here)."""
        params: dict[str, Any] = {"url": url, "enabled_events": list(enabled_events), "description": description}
        if isinstance(retry_policy, (str, list, tuple)):
            params["retry_policy"] = list(retry_policy) if not isinstance(retry_policy, str) else retry_policy
        endpoint = self.client.post("/v1/webhook_endpoints", **params)
        if isinstance(retry_policy, RetryPolicy):
            secret = endpoint["secret"]
            endpoint = {**self.set_retry_policy(endpoint["id"], retry_policy), "secret": secret}
        return endpoint

    def update_endpoint(self, endpoint_id: str, **params: Any) -> dict[str, Any]:
        return self.client.post(f"/v1/webhook_endpoints/{endpoint_id}", **params)

    def delete_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        return self.client.delete(f"/v1/webhook_endpoints/{endpoint_id}")

    def endpoints(self) -> list[dict[str, Any]]:
        """Every webhook endpoint, oldest first (no secrets)."""
        return [self.public(doc) for doc in self.db["webhook_endpoint"].find()]

    # Reads come straight from the store: exact, never rate limited, and usable
    # while the HTTP side is down (they are the lab's view, not a client's).

    def events(self, type: str | None = None) -> list[dict[str, Any]]:  # noqa: A002 - Stripe's parameter name
        """Every event, oldest first, optionally of one type (`*` wildcards allowed)."""
        found = self.db["event"].find()
        if type is not None:
            found = [event for event in found if events.type_matches(type, event["type"])]
        return [self.public(event) for event in found]

    def payments(self, status: str | None = "succeeded", *, refunded: bool | None = None) -> list[dict[str, Any]]:
        """PaymentIntents, oldest first: the source of truth for reconciliation.

        `refunded=False` leaves out payments whose charge was refunded in full;
        `refunded=True` keeps only those.
        """
        found = self.db["payment_intent"].find(status=status) if status else self.db["payment_intent"].find()
        if refunded is not None:
            found = [pi for pi in found if charges.fully_refunded(self, pi) is refunded]
        return [self.public(pi) for pi in found]

    def customers(self) -> list[dict[str, Any]]:
        return [self.public(doc) for doc in self.db["customer"].find() if not doc.get("deleted")]

    def subscriptions(self, status: str | None = None) -> list[dict[str, Any]]:
        found = self.db["subscription"].find(status=status) if status else self.db["subscription"].find()
        return [self.public(doc) for doc in found]

    def invoices(self, status: str | None = None) -> list[dict[str, Any]]:
        found = self.db["invoice"].find(status=status) if status else self.db["invoice"].find()
        return [self.public(doc) for doc in found]

    def refunds(self) -> list[dict[str, Any]]:
        return [self.public(doc) for doc in self.db["refund"].find()]

    def event_payload(self, event_id: str) -> bytes:
        """The exact bytes delivered (and signed) for an event."""
        row = self.store.one("SELECT payload FROM deliveries WHERE event_id = ? ORDER BY seq LIMIT 1", (event_id,))
        if row is not None:
            return str(row["payload"]).encode()
        return event_json(self.get("event", event_id))
