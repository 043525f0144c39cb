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

from flask import Flask, Response, jsonify, request

from ..context import SystemContext
from ..errors import ApiError
from ..jsonapi import call, json_body, json_object, query_page
from ..service import Service, flask_app
from ..store import Collection
from ..webhooks import STANDARD_WEBHOOKS, Target, WebhookSender, policy_named
from . import records
from .events import EVENT_TYPES, make_event
from .form import FORM_PAGE, thanks_page
from .webhook_endpoints import DEFAULT_POLICY, endpoint_fields, public


class CrmSystem(Service):
    title = "CRM"

    def __init__(self, ctx: SystemContext) -> None:
        super().__init__(ctx)
        self.contacts_db = self.store.collection("contact")
        self.tasks_db = self.store.collection("task")
        self.submissions_db = self.store.collection("form_submission")
        self.webhooks = WebhookSender.of(
            ctx,
            self.store,
            self.ids,
            signer=STANDARD_WEBHOOKS,
            default_policy=policy_named(DEFAULT_POLICY),
            events_field="events",
            policy_field="retry_policy",
        )
        self.events_db = self.webhooks.events
        self.endpoints_db = self.webhooks.endpoints
        self.outbox = self.webhooks.outbox

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
        return [c for c in self.contacts_db.find() if email is None or (c["email"] or "").lower() == email.lower()]

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
        now = self.clock.time()
        event_id = self.ids.new("evt")
        return self.webhooks.emit(event_type, lambda _: make_event(event_id, event_type, data, now), created=now)

    def _target(self, endpoint_id: str) -> Target | None:
        # tests/robustness/test_security.py prints this to check no secret shows.
        return self.webhooks.target(endpoint_id)

    # -- HTTP -------------------------------------------------------------

    def create_app(self) -> Flask:
        app = flask_app(__name__)
        self._contact_routes(app)
        self._task_routes(app)
        self._form_routes(app)
        self._webhook_routes(app)
        return app

    def _contact_routes(self, app: Flask) -> None:
        @app.post("/contacts")
        def create_contact() -> tuple[Response, int]:
            fields = records.contact_fields(json_body())
            now = self.clock.time()
            with self.store.transaction():
                self._refuse_duplicate(fields["email"])
                contact = {"id": self.ids.new("con"), "object": "contact", **fields, "created": int(now)}
                self.contacts_db.insert(contact, created=now)
                self.emit("contact.created", contact)
            return jsonify(contact), 201

        @app.get("/contacts")
        def list_contacts() -> Response:
            email = request.args.get("email")
            where, params = ("lower(json_extract(body, '$.email')) = lower(?)", (email,)) if email else ("", ())
            return self._page(self.contacts_db, "/contacts", where, params)

        @app.get("/contacts/<contact_id>")
        def get_contact(contact_id: str) -> Response:
            return jsonify(self._get(self.contacts_db, contact_id, "contact"))

        @app.patch("/contacts/<contact_id>")
        def update_contact(contact_id: str) -> Response:
            fields = records.contact_fields(json_body(), partial=True)
            with self.store.transaction():
                contact = self._get(self.contacts_db, contact_id, "contact")
                if "email" in fields and fields["email"].lower() != (contact["email"] or "").lower():
                    self._refuse_duplicate(fields["email"])
                contact.update(fields)
                self.contacts_db.replace(contact)
                self.emit("contact.updated", contact)
            return jsonify(contact)

        @app.delete("/contacts/<contact_id>")
        def delete_contact(contact_id: str) -> Response:
            with self.store.transaction():
                contact = self._get(self.contacts_db, contact_id, "contact")
                self.contacts_db.delete(contact_id)
                self.emit("contact.deleted", contact)
            return jsonify({"id": contact_id, "object": "contact", "deleted": True})

    def _refuse_duplicate(self, email: str) -> None:
        existing = self.contacts(email=email)
        if existing:
            # Real CRMs refuse a second contact with the same email and name the first.
            raise ApiError(
                409,
                f"a contact with email {email!r} already exists: {existing[0]['id']}",
                code="contact_exists",
                param="email",
                type="invalid_request_error",
                contact=existing[0]["id"],
            )

    def _task_routes(self, app: Flask) -> None:
        @app.post("/tasks")
        def create_task() -> tuple[Response, int]:
            fields = records.task_fields(json_body())
            now = self.clock.time()
            with self.store.transaction():
                self._check_contact(fields.get("contact"))
                task = {
                    "id": self.ids.new("task"),
                    "object": "task",
                    "title": fields["title"],
                    "contact": fields["contact"],
                    "notes": fields["notes"],
                    "due": fields["due"],
                    "status": fields.get("status", "open"),
                    "created": int(now),
                    "completed_at": int(now) if fields.get("status") == "done" else None,
                }
                self.tasks_db.insert(task, created=now)
                self.emit("task.created", task)
            return jsonify(task), 201

        @app.get("/tasks")
        def list_tasks() -> Response:
            where, params = [], []
            contact, status = request.args.get("contact"), request.args.get("status")
            if status is not None and status not in records.TASK_STATUSES:
                raise ApiError(
                    400, f"status must be one of {', '.join(records.TASK_STATUSES)}, not {status!r}", param="status"
                )
            for field, value in (("contact", contact), ("status", status)):
                if value is not None:
                    where.append(f"json_extract(body, '$.{field}') = ?")
                    params.append(value)
            return self._page(self.tasks_db, "/tasks", " AND ".join(where), tuple(params))

        @app.get("/tasks/<task_id>")
        def get_task(task_id: str) -> Response:
            return jsonify(self._get(self.tasks_db, task_id, "task"))

        @app.patch("/tasks/<task_id>")
        def update_task(task_id: str) -> Response:
            fields = records.task_fields(json_body(), partial=True)
            with self.store.transaction():
                task = self._get(self.tasks_db, task_id, "task")
                if "contact" in fields:
                    self._check_contact(fields["contact"])
                completing = fields.get("status") == "done" and task["status"] != "done"
                task.update(fields)
                if "status" in fields:
                    task["completed_at"] = (
                        (task["completed_at"] or self.clock.timestamp()) if task["status"] == "done" else None
                    )
                self.tasks_db.replace(task)
                if completing:
                    self.emit("task.completed", task)
            return jsonify(task)

    def _check_contact(self, contact_id: str | None) -> None:
        if contact_id is not None and self.contacts_db.get(contact_id) is None:
            raise ApiError(
                400, f"contact {contact_id!r} does not exist; create it first or leave contact out", param="contact"
            )

    def _form_routes(self, app: Flask) -> None:
        @app.get("/form")
        def show_form() -> Response:
            return Response(FORM_PAGE, mimetype="text/html")

        @app.post("/form")
        def submit_form() -> tuple[Response, int]:
            if request.is_json:
                data = json_object(request.get_json(silent=True), '{"name": "Ada", "email": "ada@example.com"}')
                wants_json = True
            elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                data = request.form.to_dict()
                wants_json = (
                    request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
                )
            else:
                raise ApiError(
                    415, "submit the form as application/x-www-form-urlencoded (as a browser does) or as JSON"
                )
            fields = records.form_fields(data)
            now = self.clock.time()
            with self.store.transaction():
                submission = {"id": self.ids.new("sub"), "object": "form_submission", **fields, "created": int(now)}
                self.submissions_db.insert(submission, created=now)
                self.emit("form.submitted", submission)
            if wants_json:
                return jsonify(submission), 201
            return Response(thanks_page(submission), mimetype="text/html"), 201

        @app.get("/submissions")
        def list_submissions() -> Response:
            return self._page(self.submissions_db, "/submissions", "", ())

        @app.get("/submissions/<submission_id>")
        def get_submission(submission_id: str) -> Response:
            return jsonify(self._get(self.submissions_db, submission_id, "form submission"))

    def _webhook_routes(self, app: Flask) -> None:
        @app.post("/webhook_endpoints")
        def create_endpoint() -> tuple[Response, int]:
            fields = endpoint_fields(json_body())
            now = self.clock.time()
            endpoint_id = self.ids.new("ep")
            endpoint = {
                "id": endpoint_id,
                "object": "webhook_endpoint",
                **fields,
                "status": "enabled",
                "created": int(now),
                "secret": self.webhooks.new_secret(endpoint_id),
            }
            self.endpoints_db.insert(endpoint, created=now)
            return jsonify(endpoint), 201

        @app.get("/webhook_endpoints")
        def list_endpoints() -> Response:
            return self._page(self.endpoints_db, "/webhook_endpoints", "", (), show=public)

        @app.get("/webhook_endpoints/<endpoint_id>")
        def get_endpoint(endpoint_id: str) -> Response:
            return jsonify(public(self._get(self.endpoints_db, endpoint_id, "webhook endpoint")))

        @app.patch("/webhook_endpoints/<endpoint_id>")
        def update_endpoint(endpoint_id: str) -> Response:
            fields = endpoint_fields(json_body(), partial=True)
            endpoint = self._get(self.endpoints_db, endpoint_id, "webhook endpoint")
            if "status" in fields:
                self.webhooks.set_status(endpoint, fields.pop("status"))
            endpoint.update(fields)
            self.endpoints_db.replace(endpoint)
            return jsonify(public(endpoint))

        @app.delete("/webhook_endpoints/<endpoint_id>")
        def delete_endpoint(endpoint_id: str) -> Response:
            self._get(self.endpoints_db, endpoint_id, "webhook endpoint")
            self.endpoints_db.delete(endpoint_id)
            return jsonify({"id": endpoint_id, "object": "webhook_endpoint", "deleted": True})

        @app.get("/events")
        def list_events() -> Response:
            event_type = request.args.get("type")
            if event_type is not None and event_type not in EVENT_TYPES:
                raise ApiError(
                    400, f"unknown event type {event_type!r}; the CRM sends {', '.join(EVENT_TYPES)}", param="type"
                )
            where, params = ("json_extract(body, '$.type') = ?", (event_type,)) if event_type else ("", ())
            return self._page(self.events_db, "/events", where, params)

        @app.get("/events/<event_id>")
        def get_event(event_id: str) -> Response:
            return jsonify(self._get(self.events_db, event_id, "event"))

        @app.get("/events/<event_id>/attempts")
        def list_attempts(event_id: str) -> Response:
            self._get(self.events_db, event_id, "event")
            found = self.outbox.attempts(event_id=event_id)
            return jsonify({"object": "list", "data": found, "has_more": False, "url": f"/events/{event_id}/attempts"})

        @app.post("/events/<event_id>/resend")
        def resend_event(event_id: str) -> Response:
            self._get(self.events_db, event_id, "event")
            return jsonify({"event": event_id, "deliveries": self.outbox.resend(event_id)})

    # -- helpers ----------------------------------------------------------

    def _get(self, collection: Collection, doc_id: str, what: str) -> dict[str, Any]:
        doc = collection.get(doc_id)
        if doc is None:
            raise ApiError(404, f"No such {what}: {doc_id!r}", param="id")
        return doc

    def _page(
        self, collection: Collection, url: str, where: str, params: tuple[Any, ...], show: Any = None
    ) -> Response:
        return jsonify(query_page(collection, url, where, params, show))
