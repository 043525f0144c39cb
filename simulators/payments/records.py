"""Stored objects of the billing resources: the live one or its 404, deletion as a tombstone, changes as previous attributes."""

from __future__ import annotations

from typing import Any

from ..errors import ApiError
from .core import PaymentsCore


def live(pay: PaymentsCore, kind: str, object_id: str, *, param: str = "id") -> dict[str, Any]:
    """A stored object that has not been deleted, or the 404 Stripe answers."""
    found = pay.get(kind, object_id, param=param)
    if found.get("deleted"):
        raise ApiError(404, f"No such {kind}: {object_id!r} (it was deleted)", code="resource_missing", param=param)
    return found


def delete(pay: PaymentsCore, doc: dict[str, Any], event_type: str) -> dict[str, Any]:
    """Replace an object by its tombstone and emit the deleted event (inside a transaction)."""
    tombstone = {"id": doc["id"], "object": doc["object"], "deleted": True}
    pay.db[_kind(doc)].replace(tombstone)
    pay.emit(event_type, doc)
    return tombstone


def apply(doc: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Set the fields that differ; return their old values (an update event's `previous_attributes`)."""
    previous = {name: doc.get(name) for name, value in changes.items() if doc.get(name) != value}
    doc.update({name: changes[name] for name in previous})
    return previous


def save(pay: PaymentsCore, doc: dict[str, Any], previous: dict[str, Any]) -> None:
    """Store a changed object and emit its `<object>.updated` with `previous` (inside a transaction); nothing
    when nothing changed."""
    if previous:
        pay.db[_kind(doc)].replace(doc)
        pay.emit(f"{doc['object']}.updated", doc, previous)


def _kind(doc: dict[str, Any]) -> str:
    kind = str(doc["object"])
    return {"test_helpers.test_clock": "test_clock", "checkout.session": "checkout_session"}.get(kind, kind)
