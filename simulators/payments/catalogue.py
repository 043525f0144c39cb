"""What the payment system speaks of beyond its declared resources: its API version, and the event types and
id prefixes no resource module declares (a plan is stored as its price; discounts, tokens and cards are parts of
other resources). A module with a `resource.Resource` says its own; `registry` finds it."""

from __future__ import annotations

import fnmatch

from .http.version import API_VERSION as API_VERSION  # why this version: see version.py

TYPES = (
    "plan.created",
    "plan.deleted",
    "plan.updated",
)

#: Id prefix -> the kind of object (the collection) it names, for the kinds no module declares.
PREFIXES = {
    "di": "discount",
    "tok": "token",
    "card": "card",
}


def type_matches(pattern: str, event_type: str) -> bool:
    """`invoice.*` matches `invoice.paid`; a pattern without `*` matches itself only."""
    return fnmatch.fnmatchcase(event_type, pattern) if "*" in pattern else pattern == event_type
