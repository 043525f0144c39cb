"""Contacts over HTTP: create, list (by email), read, change, delete; each change emits its event."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..errors import ApiError
from ..jsonapi import json_body
from . import records
from .core import CrmCore, current

bp = Blueprint("contacts", __name__)


@bp.post("/contacts")
def create_contact() -> tuple[Response, int]:
    return jsonify(create(current(), records.contact_fields(json_body()))), 201


@bp.get("/contacts")
def list_contacts() -> Response:
    crm = current()
    email = request.args.get("email")
    where, params = ("lower(json_extract(body, '$.email')) = lower(?)", (email,)) if email else ("", ())
    return crm.page(crm.contacts, "/contacts", where, params)


@bp.get("/contacts/<contact_id>")
def get_contact(contact_id: str) -> Response:
    crm = current()
    return jsonify(crm.get(crm.contacts, contact_id, "contact"))


@bp.patch("/contacts/<contact_id>")
def update_contact(contact_id: str) -> Response:
    return jsonify(update(current(), contact_id, records.contact_fields(json_body(), partial=True)))


@bp.delete("/contacts/<contact_id>")
def delete_contact(contact_id: str) -> Response:
    return jsonify(delete(current(), contact_id))


def create(crm: CrmCore, fields: dict[str, Any]) -> dict[str, Any]:
    now = crm.clock.time()
    with crm.store.transaction():
        _refuse_duplicate(crm, fields["email"])
        contact = {"id": crm.ids.new("con"), "object": "contact", **fields, "created": int(now)}
        crm.contacts.insert(contact, created=now)
        crm.emit("contact.created", contact)
    return contact


def update(crm: CrmCore, contact_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    with crm.store.transaction():
        contact = crm.get(crm.contacts, contact_id, "contact")
        if "email" in fields and fields["email"].lower() != (contact["email"] or "").lower():
            _refuse_duplicate(crm, fields["email"])
        contact.update(fields)
        crm.contacts.replace(contact)
        crm.emit("contact.updated", contact)
    return contact


def delete(crm: CrmCore, contact_id: str) -> dict[str, Any]:
    with crm.store.transaction():
        contact = crm.get(crm.contacts, contact_id, "contact")
        crm.contacts.delete(contact_id)
        crm.emit("contact.deleted", contact)
    return {"id": contact_id, "object": "contact", "deleted": True}


def with_email(crm: CrmCore, email: str | None) -> list[dict[str, Any]]:
    """Contacts, oldest first, optionally only those with this email (in any case)."""
    return [c for c in crm.contacts.find() if email is None or (c["email"] or "").lower() == email.lower()]


def _refuse_duplicate(crm: CrmCore, email: str) -> None:
    existing = with_email(crm, email)
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
