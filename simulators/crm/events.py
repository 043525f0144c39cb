"""CRM events, in the Standard Webhooks shape: {id, type, timestamp, data}."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

#: Every event the CRM sends, and what it means.
EVENT_TYPES: dict[str, str] = {
    "form.submitted": "someone submitted the web form (any field may be missing)",
    "contact.created": "a contact was added",
    "contact.updated": "a contact's details changed",
    "contact.deleted": "a contact was removed",
    "task.created": "a task was added",
    "task.completed": "a task was marked done",
}


def make_event(event_id: str, event_type: str, data: dict[str, Any], at: float) -> dict[str, Any]:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"the CRM has no {event_type!r} event")
    return {
        "id": event_id,
        "type": event_type,
        "timestamp": datetime.fromtimestamp(at, tz=timezone.utc).isoformat().replace("+00:00", "Z"),
        "data": data,
    }
