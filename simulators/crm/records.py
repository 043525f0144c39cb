"""The checks a contact, a task or a form submission must pass before it is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import ApiError
from ..jsonapi import json_object
from ..mailer.messages import looks_like_address

CONTACT_FIELDS = ("email", "name", "company", "notes")
TASK_FIELDS = ("title", "contact", "notes", "due", "status")
TASK_STATUSES = ("open", "done")
FORM_FIELDS = ("name", "email", "company", "message")
MAX_TEXT = 5000


def reject_unknown(data: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ApiError(400, f"unknown field {unknown[0]!r}; a {what} has {', '.join(allowed)}", param=unknown[0])


def text(data: dict[str, Any], field: str, *, required: bool = False) -> str | None:
    """A trimmed string field; empty counts as missing."""
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ApiError(400, f"{field} is required", param=field)
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"{field} must be a string, not {type(value).__name__}", param=field)
    if len(value) > MAX_TEXT:
        raise ApiError(400, f"{field} is {len(value)} characters; the CRM keeps up to {MAX_TEXT}", param=field)
    return value.strip()


def email(data: dict[str, Any], *, required: bool) -> str | None:
    value = text(data, "email", required=required)
    if value is not None and not looks_like_address(value):
        raise ApiError(400, f"email must be an email address (with an @), not {value!r}", param="email")
    return value


def contact_fields(data: Any, *, partial: bool = False) -> dict[str, Any]:
    """Fields for a new contact (or, with `partial`, the ones a PATCH changes)."""
    data = json_object(data, '{"email": "ada@example.com", "name": "Ada Lovelace"}')
    reject_unknown(data, CONTACT_FIELDS, "contact")
    fields: dict[str, Any] = {}
    if not partial or "email" in data:
        fields["email"] = email(data, required=True)
    for field in ("name", "company", "notes"):
        if not partial or field in data:
            fields[field] = text(data, field)
    if partial and not fields:
        raise ApiError(400, f"nothing to change; send one of {', '.join(CONTACT_FIELDS)}")
    return fields


def due_date(data: dict[str, Any]) -> str | None:
    value = text(data, "due")
    if value is None:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(
            400,
            f"due must be an ISO date such as '2026-03-09' or '2026-03-09T10:00:00+00:00', not {value!r}",
            param="due",
        ) from None
    return value


def task_fields(data: Any, *, partial: bool = False) -> dict[str, Any]:
    """Fields for a new task (or, with `partial`, the ones a PATCH changes)."""
    data = json_object(data, '{"title": "Call Ada back", "contact": "con_…"}')
    reject_unknown(data, TASK_FIELDS, "task")
    fields: dict[str, Any] = {}
    if not partial or "title" in data:
        fields["title"] = text(data, "title", required=True)
    if not partial or "contact" in data:
        fields["contact"] = text(data, "contact")
    for field in ("notes",):
        if not partial or field in data:
            fields[field] = text(data, field)
    if not partial or "due" in data:
        fields["due"] = due_date(data)
    if "status" in data:
        status = data["status"]
        if status not in TASK_STATUSES:
            raise ApiError(400, f"status must be one of {', '.join(TASK_STATUSES)}, not {status!r}", param="status")
        fields["status"] = status
    if partial and not fields:
        raise ApiError(400, f"nothing to change; send one of {', '.join(TASK_FIELDS)}")
    return fields


def form_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A form submission's fields: anything may be missing (that is the point), nothing unknown."""
    reject_unknown(data, FORM_FIELDS, "form submission")
    fields = {field: text(data, field) for field in FORM_FIELDS}
    if not any(fields.values()):
        raise ApiError(400, f"the form is empty: fill in at least one of {', '.join(FORM_FIELDS)}")
    return fields
