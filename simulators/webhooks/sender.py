"""One system's webhooks: its endpoints, their retry policies, signing, alerts, and the outbox.

Payments and the CRM each hold one `WebhookSender`; what differs between
them is only what the lesson says differs: the signature scheme (Stripe v1 or
Standard Webhooks), the event envelope (built by the system and handed to
`emit`), and the names of two endpoint fields in their APIs. Everything else
is here once: which endpoints an event goes to, which policy retries it, what
happens when a receiver keeps failing, and the alerts raised about it.

Endpoints are documents in the sender's store (kind `webhook_endpoint`) with
at least `id`, `url`, `status` (enabled|disabled) and `secret`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from ..alerts import AlertSink
from ..clock import Clock
from ..context import SystemContext
from ..errors import ApiError
from ..ids import IdFactory
from ..store import Store
from .deliverer import LOOPBACK, Target
from .outbox import Outbox, event_json
from .retry import POLICIES, RetryPolicy, policy_named
from .signing import Signer

#: A retry policy as an endpoint document stores it: None (the sender's default), a name, delays, or the whole policy.
PolicySpec = str | list[float] | dict[str, Any] | None


class WebhookSender:
    """The endpoints, policies and outbox of one sending system."""

    def __init__(
        self,
        name: str,
        store: Store,
        clock: Clock,
        ids: IdFactory,
        alerts: AlertSink,
        *,
        signer: Signer,
        default_policy: RetryPolicy,
        rng: random.Random,
        knob_rng: random.Random,
        timeout: float,
        events_field: str = "enabled_events",
        policy_field: str = "retry_policy",
    ) -> None:
        self.name = name
        self.store = store
        self.ids = ids
        self.signer = signer
        #: The policy of an endpoint that has none of its own.
        self.default_policy = default_policy
        self._alerts = alerts
        self._events_field = events_field
        self._policy_field = policy_field
        self.endpoints = store.collection("webhook_endpoint")
        self.events = store.collection("event")
        self.outbox = Outbox(
            name,
            store,
            clock,
            ids,
            rng=rng,
            knob_rng=knob_rng,
            sign=signer,
            lookup=self.target,
            timeout=timeout,
            on_give_up=self._gave_up,
            on_endpoint_failing=self._endpoint_failing,
        )

    @classmethod
    def of(
        cls,
        ctx: SystemContext,
        store: Store,
        ids: IdFactory,
        *,
        signer: Signer,
        default_policy: RetryPolicy,
        events_field: str,
        policy_field: str,
    ) -> WebhookSender:
        """The sender of the system `ctx` describes: its clock, alerts, seeded randomness and delivery timeout."""
        return cls(
            ctx.name,
            store,
            ctx.clock,
            ids,
            ctx.alerts,
            signer=signer,
            default_policy=default_policy,
            rng=ctx.random("retries"),
            knob_rng=ctx.random("knobs"),
            timeout=ctx.delivery_timeout,
            events_field=events_field,
            policy_field=policy_field,
        )

    def start(self) -> None:
        self.outbox.start()

    def stop(self) -> None:
        self.outbox.stop()

    # -- endpoints --------------------------------------------------------

    def new_secret(self, endpoint_id: str) -> str:
        """The endpoint's signing secret, in the scheme's format (seeded: the same lab makes the same one)."""
        return self.signer.new_secret(self.ids.token(f"whsec:{endpoint_id}", 32))

    def subscribed(self, event_type: str) -> list[str]:
        """Ids of the enabled endpoints that listen to this event type, oldest first."""
        return [
            doc["id"]
            for doc in self.endpoints.find(status="enabled")
            if "*" in doc[self._events_field] or event_type in doc[self._events_field]
        ]

    def target(self, endpoint_id: str) -> Target | None:
        """Where and how a delivery to this endpoint goes now (None once it is deleted)."""
        doc = self.endpoints.get(endpoint_id)
        if doc is None:
            return None
        return Target(endpoint_id, doc["url"], doc["secret"], self.policy_of(doc), enabled=doc["status"] == "enabled")

    def policy_of(self, doc: dict[str, Any]) -> RetryPolicy:
        spec = doc.get(self._policy_field)
        if spec is None:
            return self.default_policy
        if isinstance(spec, (str, list)):
            return policy_named(spec)
        return RetryPolicy(
            spec["name"],
            tuple(spec["delays"]),
            spec["jitter"],
            spec["disable_after"],
            "your own schedule" if spec["name"] not in POLICIES else "",
        )

    def set_policy(
        self, endpoint_id: str, policy: str | RetryPolicy | list[float] | tuple[float, ...] | None
    ) -> dict[str, Any]:
        """Store a retry policy on an endpoint (None: the sender's default); return the endpoint document."""
        spec = None if policy is None else policy_spec(policy_named(policy))
        with self.store.transaction():
            doc = self.endpoints.get(endpoint_id)
            if doc is None:
                raise KeyError(f"no webhook endpoint {endpoint_id!r}")
            doc[self._policy_field] = spec
            self.endpoints.replace(doc)
        return doc

    def set_status(self, doc: dict[str, Any], status: str) -> None:
        """Enable or disable an endpoint (in `doc`, which the caller stores); enabled, it starts afresh."""
        if status == "enabled":
            self.outbox.forget_failures(doc["id"])
        doc["status"] = status

    def disable(self, endpoint_id: str) -> dict[str, Any] | None:
        """Mark an endpoint disabled; return it if this call disabled it, None if it already was (or is gone)."""
        with self.store.transaction():
            doc = self.endpoints.get(endpoint_id)
            if doc is None or doc["status"] == "disabled":
                return None
            doc["status"] = "disabled"
            self.endpoints.replace(doc)
        return doc

    # -- events -----------------------------------------------------------

    def emit(self, event_type: str, make_event: Callable[[int], dict[str, Any]], *, created: float) -> dict[str, Any]:
        """Record an event and its deliveries in one transaction (call inside the change's own).

        `make_event(n)` builds the event document for `n` subscribed endpoints;
        its bytes are frozen here, as Stripe's snapshots are.
        """
        with self.store.transaction():
            endpoint_ids = self.subscribed(event_type)
            event = make_event(len(endpoint_ids))
            self.events.insert(event, created=created)
            if endpoint_ids:
                self.outbox.enqueue(str(event["id"]), event_type, event_json(event), endpoint_ids)
        return event

    # -- when a receiver keeps failing ------------------------------------

    def _gave_up(self, delivery: dict[str, Any]) -> None:
        doc = self.endpoints.get(delivery["endpoint_id"])
        url = doc["url"] if doc is not None else "(deleted endpoint)"
        attempts = int(delivery["attempts"])
        self._alerts.raise_alert(
            self.name,
            "delivery_failed",
            f"gave up delivering {delivery['event_type']} {delivery['event_id']} to {delivery['endpoint_id']} "
            f"({url}) after {attempts} attempt{'s' if attempts != 1 else ''}; last error: {delivery.get('last_error')}",
            event_id=delivery["event_id"],
            event_type=delivery["event_type"],
            endpoint_id=delivery["endpoint_id"],
            url=url,
            attempts=attempts,
            last_error=delivery.get("last_error"),
        )

    def _endpoint_failing(self, endpoint_id: str, why: str) -> None:
        disabled = self.disable(endpoint_id)
        if disabled is not None:
            self._alerts.raise_alert(
                self.name,
                "endpoint_disabled",
                f"webhook endpoint {endpoint_id} ({disabled['url']}) was disabled: {why}",
                endpoint_id=endpoint_id,
                url=disabled["url"],
                reason=why,
            )


def policy_spec(policy: RetryPolicy) -> PolicySpec:
    """How an endpoint document stores a policy: a known one by name, any other whole."""
    if POLICIES.get(policy.name) == policy:
        return policy.name
    return {
        "name": policy.name,
        "delays": list(policy.delays),
        "jitter": policy.jitter,
        "disable_after": policy.disable_after,
    }


def check_loopback(url: str, *, param: str = "url") -> str:
    """The lab sends traffic to this machine only: refuse an endpoint URL on any other host."""
    try:
        host = urlsplit(url).hostname
    except ValueError:  # a malformed URL (say, an unclosed "[" of an IPv6 host)
        raise ApiError(400, f"{param} is not a URL one can send to: {url[:100]!r}", param=param) from None
    if host not in LOOPBACK:
        raise ApiError(
            400,
            f"the lab only delivers to this machine (127.0.0.1 or localhost), not {host!r}: "
            "host the receiver with lab.host() or run it locally",
            param=param,
        )
    return url
