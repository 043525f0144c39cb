"""The payment system's core, beneath every resource: its collections, reading, showing and events.

Resource modules (customers, charges, …) take a `PaymentsCore` and never the
system: they read and write its collections, answer with `render()` and
`render_list()`, and record what happened with `emit()`. A kind that shows
more or less than what is stored (an endpoint hides its secret, an event
counts its pending webhooks) registers its own presenter with `present()`, so
the core never needs to know about any resource.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from flask import Response, current_app, jsonify

from ..clock import Clock, to_timestamp
from ..context import SystemContext
from ..errors import ApiError
from ..ids import IdFactory
from ..store import Store
from ..webhooks import STRIPE_V1, WebhookSender, policy_named
from . import cards
from .catalogue import API_VERSION, PREFIXES, TYPES
from .http import httpapi, query
from .http.expand import expand, expand_list
from .http.idempotency import IdempotencyKeys
from .http.params import Params
from .http.ratelimit import RateLimiter
from .resource import Resource

#: Adds what the API shows of one kind to the plain copy of a stored document.
Presenter = Callable[["PaymentsCore", dict[str, Any], dict[str, Any]], None]


class PaymentsCore:
    """The state every payments resource works on."""

    def __init__(self, ctx: SystemContext, store: Store, ids: IdFactory, resources: Iterable[Resource] = ()) -> None:
        self.store = store
        self.ids = ids
        self.clock: Clock = ctx.clock
        declared = tuple(resources)
        #: Id prefix -> kind: the catalogue's, and each declared resource's.
        self.prefixes = {**PREFIXES, **{resource.prefix: resource.kind for resource in declared}}
        #: Every event type this system may send, sorted.
        self.types = tuple(sorted({*TYPES, *(event for resource in declared for event in resource.events)}))
        self.db = {kind: store.collection(kind) for kind in self.prefixes.values()}
        # The lab's random key, not a seeded one: every learner on a hub runs the same seed.
        self.api_key = "sk_test_" + ctx.key
        self.idempotency = IdempotencyKeys(store, ctx.clock)
        self.limiter = RateLimiter(ctx.clock)
        self.webhooks = WebhookSender.of(
            ctx,
            store,
            ids,
            signer=STRIPE_V1,
            default_policy=policy_named(ctx.retry_policy),  # `Lab(retry_policy=…)`, given once
            events_field="enabled_events",
            policy_field="_retry_policy",
        )
        self.outbox = self.webhooks.outbox
        #: False once the system is stopped: clock jobs left behind (renewals) do nothing.
        self.alive = False
        self._presenters: dict[str, Presenter] = {}
        #: A Stripe test clock's frozen time, while work for that clock's customers runs (see test_clocks.py).
        self._frozen: ContextVar[int | None] = ContextVar(f"frozen-{id(self)}", default=None)

    # -- reading ----------------------------------------------------------

    def now(self) -> int:
        frozen = self._frozen.get()
        return self.clock.timestamp() if frozen is None else frozen

    @contextlib.contextmanager
    def frozen_at(self, moment: int | None) -> Iterator[None]:
        """Read `now()` as `moment` inside the block (None: the lab clock, as usual)."""
        token = self._frozen.set(moment)
        try:
            yield
        finally:
            self._frozen.reset(token)

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
        kind = self.prefixes.get(object_id.partition("_")[0])
        if kind is None:
            return None
        doc = self.db[kind].get(object_id)
        return self.public(doc) if doc is not None else None

    # -- showing ----------------------------------------------------------

    def present(self, kind: str, presenter: Presenter) -> None:
        """Register how the API shows one kind beyond its stored fields."""
        self._presenters[kind] = presenter

    def public(self, doc: dict[str, Any]) -> dict[str, Any]:
        """What the API shows of a stored object (no secrets, no bookkeeping)."""
        shown = {key: _copied(value) for key, value in doc.items() if not key.startswith("_")}
        presenter = self._presenters.get(str(doc.get("object")))
        if presenter is not None and not doc.get("deleted"):
            presenter(self, doc, shown)
        return shown

    def render(self, doc: dict[str, Any], paths: Iterable[str] = (), status: int = 200) -> Response:
        body = expand(self.public(doc), list(paths), self.lookup)
        response = jsonify(body)
        response.status_code = status
        return response

    def retrieve(self, kind: str, object_id: str, params: Params | None = None) -> Response:
        """`GET /v1/<kinds>/<id>`: one object, with any `expand[]` the request asks for."""
        return self.render(self.get(kind, object_id), (params or httpapi.params()).expand())

    def render_list(self, kind: str, params: Params, *, url: str, where: query.Where | None = None) -> Response:
        """`GET /v1/<kinds>`: one page of them, newest first, each with any `expand[]` asked for."""
        paths = params.expand()
        body = query.page(self.db[kind], params, url=url, where=where, render=self.public)
        return jsonify(expand_list(body, paths, self.lookup))

    # -- events -----------------------------------------------------------

    def emit(self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record an event and its webhook deliveries together (call inside the change's transaction)."""
        if event_type not in self.types:
            raise ValueError(f"unknown event type {event_type!r}")
        now = self.now()

        def event(pending: int) -> dict[str, Any]:
            data: dict[str, Any] = {"object": self.public(obj)}
            if previous is not None:
                data["previous_attributes"] = _copied(previous)
            return {
                "id": self.ids.new("evt"),
                "object": "event",
                "api_version": API_VERSION,
                "created": now,
                "data": data,
                "livemode": False,
                "pending_webhooks": pending,
                "request": httpapi.request_info(),
                "type": event_type,
            }

        return self.webhooks.emit(event_type, event, created=now)


def current() -> PaymentsCore:
    """The core of the payments app answering this request (`system.create_app` keeps it in the app's extensions)."""
    core: PaymentsCore = current_app.extensions["payments"]
    return core


def asked(allowed: tuple[str, ...] = (), ignored: tuple[str, ...] = ()) -> tuple[PaymentsCore, Params, list[str]]:
    """What a view starts from: the core, this request's parameters (refusing unknown ones) and its `expand[]`."""
    p = httpapi.params(allowed, ignored)
    return current(), p, p.expand()


def _copied(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars): what deepcopy does here, several times faster."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value
