"""The CRM system: contacts, tasks, a web form, and webhooks for what happens.

HTTP (JSON in and out; errors in the one JSON shape):
  POST/GET   /contacts                  ?email=&limit=&starting_after=&ending_before=
  GET/PATCH/DELETE /contacts/{id}
  POST/GET   /tasks                     ?contact=&status=open|done
  GET/PATCH  /tasks/{id}                {"status": "done"} completes a task
  GET/POST   /form                      the web form (form-encoded from a browser, or JSON)
  GET        /submissions, /submissions/{id}
  POST/GET   /webhook_endpoints         {url, events, retry_policy?}; create returns the secret once
  GET/PATCH/DELETE /webhook_endpoints/{id}
  GET        /events, /events/{id}, /events/{id}/attempts;  POST /events/{id}/resend

Python calls that change something (`submit_form`, `create_contact`, …) go over
real HTTP and, on the virtual clock, return once the webhooks they set off
have been delivered, so notebook output repeats exactly.

Every change emits an event (`form.submitted`, `contact.created`, …) that the
transactional outbox delivers to the subscribed endpoints, signed with the
Standard Webhooks scheme (webhook-id is the event id, and stays the same
across retries). The default retry policy is the Standard Webhooks schedule.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..context import SystemContext
from ..jsonapi import call
from ..service import Service, hosting_app, open_storage
from ..webhooks import Target
from . import contacts, delivery, form, tasks
from .core import CrmCore
from .webhook_endpoints import public


class CrmSystem(Service):
    title = "CRM"

    def __init__(self, ctx: SystemContext) -> None:
        storage = open_storage(ctx)
        self.core = CrmCore(ctx, *storage)
        super().__init__(ctx, create_app(self.core), storage=storage)
        self.contacts_db = self.core.contacts
        self.tasks_db = self.core.tasks
        self.submissions_db = self.core.submissions
        self.webhooks = self.core.webhooks
        self.events_db = self.core.events
        self.endpoints_db = self.core.endpoints
        self.outbox = self.core.outbox

    def start(self) -> None:
        super().start()
        self.webhooks.start()

    def stop(self) -> None:
        self.webhooks.stop()  # before the store closes: a delivery in flight stays pending, not lost
        super().stop()

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            contacts=self.contacts_db.count(),
            tasks=self.tasks_db.count(),
            form=self.url + "/form",
            webhook_endpoints=[public(e) for e in self.endpoints_db.find()],
        )
        return info

    # -- the Python API ---------------------------------------------------

    def submit_form(
        self, name: str | None = None, email: str | None = None, company: str | None = None, message: str | None = None
    ) -> dict[str, Any]:
        """Fill in and submit the web form over HTTP; return the stored submission."""
        fields = {"name": name, "email": email, "company": company, "message": message}
        return self._call("POST", "/form", {k: v for k, v in fields.items() if v is not None}, expect=201)

    def create_contact(
        self, email: str, name: str | None = None, company: str | None = None, notes: str | None = None
    ) -> dict[str, Any]:
        body = {"email": email, "name": name, "company": company, "notes": notes}
        return self._call("POST", "/contacts", {k: v for k, v in body.items() if v is not None}, expect=201)

    def create_task(
        self, title: str, contact: str | None = None, notes: str | None = None, due: str | None = None
    ) -> dict[str, Any]:
        body = {"title": title, "contact": contact, "notes": notes, "due": due}
        return self._call("POST", "/tasks", {k: v for k, v in body.items() if v is not None}, expect=201)

    def complete_task(self, task_id: str) -> dict[str, Any]:
        return self._call("PATCH", f"/tasks/{task_id}", {"status": "done"}, expect=200)

    def add_endpoint(
        self,
        url: str,
        events: list[str] | tuple[str, ...] = ("form.submitted",),
        retry_policy: str | list[float] | None = None,
    ) -> dict[str, Any]:
        """Subscribe `url` to CRM events; the answer holds the `whsec_` secret (shown only now)."""
        body: dict[str, Any] = {"url": url, "events": list(events)}
        if retry_policy is not None:
            body["retry_policy"] = retry_policy
        return self._call("POST", "/webhook_endpoints", body, expect=201)

    def delete_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        return self._call("DELETE", f"/webhook_endpoints/{endpoint_id}", None, expect=200)

    def contacts(self, email: str | None = None) -> list[dict[str, Any]]:
        """Contacts, oldest first."""
        return contacts.with_email(self.core, email)

    def tasks(self, contact: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        filters = {key: value for key, value in (("contact", contact), ("status", status)) if value is not None}
        return self.tasks_db.find(**filters)

    def submissions(self) -> list[dict[str, Any]]:
        return self.submissions_db.find()

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        return self.events_db.find(type=type) if type else self.events_db.find()

    def endpoints(self) -> list[dict[str, Any]]:
        return [public(e) for e in self.endpoints_db.find()]

    def _call(self, method: str, path: str, body: dict[str, Any] | None, *, expect: int) -> dict[str, Any]:
        try:
            return call("CRM", method, self.url + path, body, expect=expect, timeout=self.ctx.delivery_timeout * 5)
        finally:
            self.ctx.settle()

    def emit(self, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record an event and its deliveries; call inside the transaction that made the change."""
        return self.core.emit(event_type, data)

    def _target(self, endpoint_id: str) -> Target | None:
        # tests/robustness/test_security.py prints this to check no secret shows.
        return self.webhooks.target(endpoint_id)


def create_app(core: CrmCore) -> Flask:
    """The CRM app: its routes over `core`."""
    return hosting_app(__name__, "crm", core, [module.bp for module in (contacts, tasks, form, delivery)])
