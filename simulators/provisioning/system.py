"""Accounts that are activated for paying customers and deactivated on cancel.

Every activation is recorded, not only the account's latest state, so a
handler that activates the same customer twice is visible (`activations()`),
and a handler that misses one leaves a paid customer without an account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from ..context import SystemContext
from ..errors import ApiError
from ..jsonapi import json_object
from ..learner import HandlerFailure, WebhookRequest, run_handler
from ..service import Service, hosting_app, open_storage
from .handlers import EVENTS, naive_handler

Handler = Callable[[WebhookRequest, "ProvisioningSystem"], Any]
STATUSES = ("active", "inactive")
WEBHOOK_PATH = "/webhooks/payments"


class ProvisioningSystem(Service):
    title = "provisioning"
    #: The payment events its webhook endpoint listens to.
    EVENTS = EVENTS

    def __init__(self, ctx: SystemContext) -> None:
        self.handler: Handler = naive_handler
        self.failures: list[HandlerFailure] = []
        storage = open_storage(ctx)
        self.accounts_db = storage.store.collection("account")
        self.activations_db = storage.store.collection("activation")
        super().__init__(ctx, create_app(self), storage=storage)

    @property
    def webhook_url(self) -> str:
        return self.url + WEBHOOK_PATH

    # -- the handler ------------------------------------------------------

    def set_handler(self, fn: Handler) -> None:
        """Deliveries to the webhook endpoint now run `fn(request, provisioning)`."""
        self.handler = fn

    def reset_handler(self) -> None:
        self.handler = naive_handler

    # -- the Python API (what handlers and the notebooks call) -------------

    def activate(
        self, customer: str, *, plan: str = "basic", email: str | None = None, event_id: str | None = None
    ) -> dict[str, Any]:
        """Give `customer` access (again, if called again: each call is recorded)."""
        if not customer or not isinstance(customer, str):
            raise ValueError("activate() needs the customer id, such as 'cus_…'")
        now = self.clock.time()
        with self.store.transaction():
            account = self.account_for(customer)
            if account is None:
                account = {
                    "id": self.ids.new("acct"),
                    "object": "account",
                    "customer": customer,
                    "email": email,
                    "plan": plan,
                    "status": "active",
                    "activated_at": int(now),
                    "deactivated_at": None,
                    "activations": 1,
                    "created": int(now),
                }
                self.accounts_db.insert(account, created=now)
            else:
                account.update(status="active", plan=plan, activated_at=int(now), deactivated_at=None)
                account["activations"] += 1
                if email:
                    account["email"] = email
                self.accounts_db.replace(account)
            self.activations_db.insert(
                {
                    "id": self.ids.new("actv"),
                    "object": "activation",
                    "account": account["id"],
                    "customer": customer,
                    "plan": plan,
                    "event": event_id,
                    "at": int(now),
                },
                created=now,
            )
        return account

    def deactivate(self, customer: str, *, event_id: str | None = None) -> dict[str, Any] | None:
        """Take access away; None if the customer never had an account."""
        with self.store.transaction():
            account = self.account_for(customer)
            if account is None:
                return None
            account.update(status="inactive", deactivated_at=self.clock.timestamp())
            self.accounts_db.replace(account)
        return account

    def account_for(self, customer: str) -> dict[str, Any] | None:
        found = self.accounts_db.find(customer=customer)
        return found[0] if found else None

    def accounts(
        self, *, status: str | None = None, plan: str | None = None, customer: str | None = None
    ) -> list[dict[str, Any]]:
        filters = {
            key: value
            for key, value in (("status", status), ("plan", plan), ("customer", customer))
            if value is not None
        }
        return self.accounts_db.find(**filters)

    def activations(self, customer: str | None = None) -> list[dict[str, Any]]:
        return self.activations_db.find(customer=customer) if customer else self.activations_db.find()

    def received(self) -> list[dict[str, Any]]:
        """Every webhook delivery provisioning got: time, body, status."""
        return self.requests.entries(path_prefix=WEBHOOK_PATH)


def create_app(system: ProvisioningSystem) -> Flask:
    """The provisioning app over `system`: its webhook endpoint and its accounts."""
    return hosting_app(__name__, "provisioning", system, [bp])


def current() -> ProvisioningSystem:
    system: ProvisioningSystem = current_app.extensions["provisioning"]
    return system


bp = Blueprint("provisioning", __name__)


@bp.post(WEBHOOK_PATH)
def receive_webhook() -> Response:
    system = current()
    return run_handler(
        system.handler,
        (WebhookRequest(request), system),
        where="provisioning webhook handler",
        now=system.clock.now,
        failures=system.failures,
    )


@bp.get("/accounts")
def list_accounts() -> Response:
    system = current()
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise ApiError(400, f"status must be one of {', '.join(STATUSES)}, not {status!r}", param="status")
    found = system.accounts(status=status, plan=request.args.get("plan"), customer=request.args.get("customer"))
    return jsonify({"object": "list", "data": found, "count": len(found)})


@bp.get("/accounts/<account_id>")
def get_account(account_id: str) -> Response:
    system = current()
    account = system.accounts_db.get(account_id)
    if account is None:
        raise ApiError(404, f"No such account: {account_id!r}", param="id")
    return jsonify(account)


@bp.post("/accounts/activate")
def activate_account() -> Response:
    system = current()
    body = _json_body()
    customer = body.get("customer")
    if not isinstance(customer, str) or not customer:
        raise ApiError(400, "customer is required: the payment system's customer id, such as 'cus_…'", param="customer")
    plan = body.get("plan", "basic")
    if not isinstance(plan, str) or not plan:
        raise ApiError(400, "plan must be a non-empty string", param="plan")
    email = body.get("email")
    if email is not None and not isinstance(email, str):
        raise ApiError(400, "email must be a string", param="email")
    event = body.get("event")
    if event is not None and not isinstance(event, str):
        raise ApiError(400, "event must be a string (the event id)", param="event")
    return jsonify(system.activate(customer, plan=plan, email=email, event_id=event))


@bp.post("/accounts/deactivate")
def deactivate_account() -> Response:
    system = current()
    body = _json_body()
    customer = body.get("customer")
    if not isinstance(customer, str) or not customer:
        raise ApiError(400, "customer is required", param="customer")
    account = system.deactivate(customer, event_id=body.get("event") if isinstance(body.get("event"), str) else None)
    if account is None:
        raise ApiError(404, f"No account for customer {customer!r}", param="customer")
    return jsonify(account)


@bp.get("/activations")
def list_activations() -> Response:
    system = current()
    found = system.activations(request.args.get("customer"))
    return jsonify({"object": "list", "data": found, "count": len(found)})


@bp.get("/webhooks/received")
def list_received() -> Response:
    system = current()
    found = system.received()
    return jsonify({"object": "list", "data": found, "count": len(found)})


def _json_body() -> dict[str, Any]:
    return json_object(request.get_json(silent=True), '{"customer": "cus_…"}')
