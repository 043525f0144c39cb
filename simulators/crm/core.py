"""The CRM's core, beneath its routes: its collections, its webhook sender, reading and events.

The route modules (contacts, tasks, the form, delivery) read it with `current()`
and never the system, as payments' resources do with theirs.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from ..context import SystemContext
from ..errors import ApiError
from ..ids import IdFactory
from ..jsonapi import query_page
from ..store import Collection, Store
from ..webhooks import STANDARD_WEBHOOKS, WebhookSender, policy_named
from .events import make_event
from .webhook_endpoints import DEFAULT_POLICY


class CrmCore:
    """The state every CRM route works on."""

    def __init__(self, ctx: SystemContext, store: Store, ids: IdFactory) -> None:
        self.store = store
        self.ids = ids
        self.clock = ctx.clock
        self.contacts = store.collection("contact")
        self.tasks = store.collection("task")
        self.submissions = store.collection("form_submission")
        self.webhooks = WebhookSender.of(
            ctx,
            store,
            ids,
            signer=STANDARD_WEBHOOKS,
            # The CRM follows Standard Webhooks' schedule whatever the lab's default (payments follows the lab's).
            default_policy=policy_named(DEFAULT_POLICY),
            events_field="events",
            policy_field="retry_policy",
        )
        self.events = self.webhooks.events
        self.endpoints = self.webhooks.endpoints
        self.outbox = self.webhooks.outbox

    def emit(self, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record an event and its deliveries; call inside the transaction that made the change."""
        now = self.clock.time()
        event_id = self.ids.new("evt")
        return self.webhooks.emit(event_type, lambda _: make_event(event_id, event_type, data, now), created=now)

    def get(self, collection: Collection, doc_id: str, what: str) -> dict[str, Any]:
        """A stored document, or a 404 that names what was missing."""
        doc = collection.get(doc_id)
        if doc is None:
            raise ApiError(404, f"No such {what}: {doc_id!r}", param="id")
        return doc

    def page(self, collection: Collection, url: str, where: str, params: tuple[Any, ...], show: Any = None) -> Response:
        return jsonify(query_page(collection, url, where, params, show))


def current() -> CrmCore:
    """The core of the CRM app answering this request (`system.create_app` keeps it in the app's extensions)."""
    core: CrmCore = current_app.extensions["crm"]
    return core
