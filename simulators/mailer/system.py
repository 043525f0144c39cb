"""The mailer system: every email and every alert the automations send lands here.

HTTP:
  POST /messages            {to, subject, body, kind?: email|alert, from?, tags?} → 201 the message
  GET  /messages            ?to=&kind=&limit=&starting_after=&ending_before= → a list, newest first
  GET  /messages/{id}       one message

Python (on `lab.mailer`): `send()` goes over real HTTP, so it shows in the
request log and meets the mailer's faults; `inbox()` and `alerts()` read the
store directly, oldest first, so a test can always look.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from flask import Blueprint, Flask, Response, current_app, jsonify, request

from ..alerts import Alert
from ..context import SystemContext
from ..errors import ApiError
from ..jsonapi import call, json_body, query_page
from ..service import Service, hosting_app, open_storage
from .messages import KINDS, looks_like_address, validate_message


class MailerSystem(Service):
    title = "mailer"

    def __init__(self, ctx: SystemContext) -> None:
        storage = open_storage(ctx)
        self.messages_db = storage.store.collection("message")
        super().__init__(ctx, create_app(self), storage=storage)
        #: Alerts `route_alerts` could not mail (the mailer was down): kept, never silently dropped.
        self.unsent_alerts: list[dict[str, Any]] = []

    # -- the Python API ---------------------------------------------------

    def send(
        self,
        to: str,
        subject: str,
        body: str = "",
        kind: str = "email",
        *,
        sender: str | None = None,
        tags: list[str] | tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Send a message through the mailer's HTTP API; return the stored message."""
        payload: dict[str, Any] = {"to": to, "subject": subject, "body": body, "kind": kind, "tags": list(tags)}
        if sender is not None:
            payload["from"] = sender
        return call(
            "mailer", "POST", self.url + "/messages", payload, expect=201, timeout=self.ctx.delivery_timeout * 5
        )

    def inbox(self, to: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Messages, oldest first, optionally for one address or of one kind."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind is one of {', '.join(KINDS)}, not {kind!r}")
        filters = {key: value for key, value in (("to", to), ("kind", kind)) if value is not None}
        return self.messages_db.find(**filters)

    def alerts(self, to: str | None = None) -> list[dict[str, Any]]:
        """Alert messages, oldest first."""
        return self.inbox(to=to, kind="alert")

    def route_alerts(self, to: str = "ops@example.com") -> Callable[[], None]:
        """Mail every lab alert from now on to `to`; return a function that stops it."""
        if not looks_like_address(to):
            raise ValueError(f"route_alerts needs an email address, not {to!r}")

        def mail_alert(alert: Alert) -> None:
            subject = f"[{alert.source}] {alert.kind}: {alert.message}"[:300]
            body = f"{alert}\n\n" + "".join(
                f"{key}: {value}\n" for key, value in alert.details.items() if key != "traceback"
            )
            try:
                self.send(to, subject, body, kind="alert", tags=[alert.source, alert.kind])
            except requests.RequestException as exc:  # ClientError included: the mailer answered an error
                # An alert path that shares fate with the thing it watches is a
                # lesson in itself: keep what could not be sent where it shows.
                self.unsent_alerts.append(
                    {"to": to, "subject": subject, "error": str(exc), "at": self.clock.timestamp()}
                )

        return self.ctx.alerts.subscribe(mail_alert)

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["messages"] = self.messages_db.count()
        return info

    # -- storing ----------------------------------------------------------

    def _store_message(self, fields: dict[str, Any]) -> dict[str, Any]:
        now = self.clock.time()
        message = {"id": self.ids.new("msg"), "object": "message", **fields, "created": int(now)}
        return self.messages_db.insert(message, created=now)


def create_app(mailer: MailerSystem) -> Flask:
    """The mailer app over `mailer`'s messages."""
    return hosting_app(__name__, "mailer", mailer, [bp])


def current() -> MailerSystem:
    mailer: MailerSystem = current_app.extensions["mailer"]
    return mailer


bp = Blueprint("mailer", __name__)


@bp.post("/messages")
def create_message() -> tuple[Response, int]:
    mailer = current()
    fields = validate_message(json_body())
    return jsonify(mailer._store_message(fields)), 201


@bp.get("/messages")
def list_messages() -> Response:
    mailer = current()
    where, params = [], []
    for field in ("to", "kind"):
        value = request.args.get(field)
        if value is None:
            continue
        if field == "kind" and value not in KINDS:
            raise ApiError(400, f"kind must be one of {', '.join(KINDS)}, not {value!r}", param="kind")
        where.append(f"json_extract(body, '$.{field}') = ?")
        params.append(value)
    return jsonify(query_page(mailer.messages_db, "/messages", " AND ".join(where), tuple(params)))


@bp.get("/messages/<message_id>")
def get_message(message_id: str) -> Response:
    mailer = current()
    message = mailer.messages_db.get(message_id)
    if message is None:
        raise ApiError(404, f"No such message: {message_id!r}", param="id")
    return jsonify(message)
