"""The payment system: a stateful, Stripe-compatible subset with signed webhooks.

Point the official SDK at it (`stripe.api_base = lab.payments.url`,
`stripe.api_key = lab.payments.api_key`) or use the Python API below.

Stripe API (form-encoded, bearer key, Stripe's list and error shapes): customers, payment intents,
charges and refunds, payment methods, tokens and sources, setup intents (with a 3-D Secure page),
products, prices, coupons, plans, tax rates, subscriptions, invoice items, invoices, Checkout (with
its hosted page), test clocks, webhook endpoints and events, and each resource a module declares.
`lab.payments.routes()` lists every route, read from the app itself.

hooklab extensions (same key, not rate limited):
  GET  /v1/events/{id}/attempts                every delivery attempt of an event
  GET  /v1/webhook_endpoints/{id}/attempts     attempts to one endpoint, oldest first; starting_after=<attempt id>
  POST /v1/hooklab/recover_failed              since=<unix time>, optional webhook_endpoint: resend failed deliveries
  POST /v1/hooklab/knobs                       duplicates=<rate>, out_of_order=<rate>
  GET/POST /v1/hooklab/rate_limit              read the limit; set reads_per_minute, reads_burst, writes_per_minute,
                                               writes_burst, or off=true

Python: the calls of `PaymentsApi` (`create_customer`, `pay`, `subscribe`, …)
go over HTTP; the reads here (`events()`, `payments()`, …) and
`lab.payments.outbox.attempts(event_id=…, endpoint_id=…)` come straight from the store.

Layers, top down: this module (the server and the reads) → `registry` (every
module's declared `RESOURCE` and Blueprint, found by looking) → `listing` (the
list and retrieve views) → the resource modules, in wings (`billing/`,
`checkout/`, `methods/`) and beside them → `core` (collections, showing,
events) → `resource`, `catalogue`, `cards` → `http/` (what every request goes through).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask

from ..clock import to_timestamp
from ..context import SystemContext
from ..service import Service, flask_app, open_storage
from ..webhooks import RetryPolicy, Target
from . import (
    catalogue,
    charges,
    customers,
    events,
    listing,
    payment_intents,
    registry,
    test_clocks,
    webhook_endpoints,
)
from .api import PaymentsApi
from .billing import invoices, prices, renewals
from .checkout import checkout
from .client import PaymentsClient
from .core import PaymentsCore
from .http import httpapi
from .http.ratelimit import DEFAULT_READS, DEFAULT_WRITES, Limit
from .methods import authentication, setup_intents

#: What the API shows of a kind beyond its stored fields.
_PRESENTERS = {
    "customer": customers.show_tax_ids,
    "charge": charges.show_refunds,
    "webhook_endpoint": webhook_endpoints.show,
    "event": events.show_pending,
    "checkout.session": checkout.show_url,
}


class PaymentsSystem(Service, PaymentsApi):
    """Customers, payments, subscriptions and invoices, with events delivered by webhook."""

    title = "payments"

    def __init__(self, ctx: SystemContext) -> None:
        storage = open_storage(ctx)
        self.core = core = PaymentsCore(ctx, *storage, registry.declared())
        super().__init__(ctx, create_app(core), storage=storage)
        self.api_key = self.core.api_key
        self.db = self.core.db
        self.limiter = self.core.limiter
        self.outbox = self.core.outbox
        self._provisioning_id: str | None = None
        prices.seed(self.core)
        self._client: PaymentsClient | None = None

    # -- lifecycle --------------------------------------------------------

    def start(self) -> None:
        super().start()
        self.core.alive = True
        self.core.webhooks.start()
        renewals.schedule_renewals(self.core)
        invoices.schedule_drafts(self.core)
        checkout.schedule_all(self.core)
        test_clocks.resume(self.core)

    def connect_provisioning(self, url: str, events: tuple[str, ...]) -> None:
        """Deliver `events` to provisioning at `url` (the lab calls this once both are listening)."""
        self._provisioning_id = webhook_endpoints.ensure_provisioning(self.core, url, events)["id"]

    @property
    def provisioning_endpoint(self) -> dict[str, Any] | None:
        """The endpoint delivering to provisioning, as it is now, with its signing secret."""
        if self._provisioning_id is None:
            return None
        doc = self.db["webhook_endpoint"].get(self._provisioning_id)
        return {**self.core.public(doc), "secret": doc["secret"]} if doc is not None else None

    def stop(self) -> None:
        self.core.alive = False
        self.core.webhooks.stop()
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

    # -- webhook delivery -------------------------------------------------

    def _target(self, endpoint_id: str) -> Target | None:
        # tests/robustness/test_security.py prints this to check no secret shows.
        return self.core.webhooks.target(endpoint_id)

    def set_retry_policy(
        self, endpoint_id: str, policy: str | RetryPolicy | list[float] | tuple[float, ...] | None
    ) -> dict[str, Any]:
        """Give one endpoint its own retry policy (None: the lab's default)."""
        return webhook_endpoints.set_policy(self.core, endpoint_id, policy)

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

    def routes(self) -> list[str]:
        """Every route this system serves, one `METHODS path` a line, sorted by path: read from the app."""
        rules = sorted(self.app.url_map.iter_rules(), key=lambda rule: (rule.rule, sorted(rule.methods or ())))
        return [f"{','.join(sorted((rule.methods or set()) - {'HEAD', 'OPTIONS'}))} {rule.rule}" for rule in rules]

    @property
    def client(self) -> PaymentsClient:
        """The HTTP client the Python API (`PaymentsApi`) goes through, so it shows in the request log."""
        if self._client is None:
            self._client = PaymentsClient(self.url, self.api_key, after_call=self.ctx.settle)
        self._client.url = self.url  # the port may change after a restart
        return self._client

    # Reads come straight from the store: exact, never rate limited, and usable
    # while the HTTP side is down (they are the lab's view, not a client's).

    def endpoints(self) -> list[dict[str, Any]]:
        """Every webhook endpoint, oldest first (no secrets)."""
        return self._all("webhook_endpoint")

    def events(self, type: str | None = None) -> list[dict[str, Any]]:  # noqa: A002 - Stripe's parameter name
        """Every event, oldest first, optionally of one type (`*` wildcards allowed)."""
        found = self.db["event"].find()
        if type is not None:
            found = [event for event in found if catalogue.type_matches(type, event["type"])]
        return [self.core.public(event) for event in found]

    def payments(self, status: str | None = "succeeded", *, refunded: bool | None = None) -> list[dict[str, Any]]:
        """PaymentIntents, oldest first: the source of truth for reconciliation.

        `refunded=False` leaves out payments whose charge was refunded in full;
        `refunded=True` keeps only those.
        """
        found = self.db["payment_intent"].find(status=status) if status else self.db["payment_intent"].find()
        if refunded is not None:
            # One read of the refunded charges, not one lookup per payment (reconciliation asks nightly).
            gone = {charge["id"] for charge in self.db["charge"].find(refunded=True)}
            found = [pi for pi in found if (pi.get("latest_charge") in gone) is refunded]
        return [self.core.public(pi) for pi in found]

    def customers(self) -> list[dict[str, Any]]:
        return [doc for doc in self._all("customer") if not doc.get("deleted")]

    def subscriptions(self, status: str | None = None) -> list[dict[str, Any]]:
        return self._all("subscription", status)

    def invoices(self, status: str | None = None) -> list[dict[str, Any]]:
        return [doc for doc in self._all("invoice", status) if not doc.get("deleted")]

    def refunds(self) -> list[dict[str, Any]]:
        return self._all("refund")

    def _all(self, kind: str, status: str | None = None) -> list[dict[str, Any]]:
        found = self.db[kind].find(status=status) if status else self.db[kind].find()
        return [self.core.public(doc) for doc in found]

    def event_payload(self, event_id: str) -> bytes:
        """The exact bytes delivered (and signed) for an event."""
        return events.event_payload(self.core, event_id)


def create_app(core: PaymentsCore) -> Flask:
    """The Stripe-compatible app over `core`: every request's checks, each resource's routes, lists and retrieves."""
    app = flask_app(__name__)
    # Answer `/v1//customers` or a trailing slash with a JSON 404, never an HTML redirect.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    httpapi.install(app, api_key=core.api_key, limiter=core.limiter, idempotency=core.idempotency)
    app.extensions["payments"] = core
    # The 3-D Secure page finishes intents that live above it, so it is handed their finishers.
    app.extensions[authentication.FINISHERS] = {
        "payment_intent": payment_intents.authenticated,
        "setup_intent": setup_intents.authenticated,
    }
    for blueprint in registry.blueprints():
        app.register_blueprint(blueprint)
    declared = (listing.Listing.of(resource) for resource in registry.declared() if resource.listed)
    listing.install(app, core, declared)
    for kind, presenter in _PRESENTERS.items():
        core.present(kind, presenter)
    return app
