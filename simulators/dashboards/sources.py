"""Reading a system's state for a page, straight from its store.

Dashboards read in-process (never over HTTP), so looking at a page does not
count against a rate limit or show up as API traffic. Objects are found by
their `object` field, which every Stripe-shaped document carries, so a page
works whatever a system names its collections.
"""

from __future__ import annotations

import json
from typing import Any

#: How many rows a page lists before it says "and N more".
LIMIT = 50


def objects(system: Any, kind: str, *, limit: int = LIMIT, newest_first: bool = True) -> list[dict[str, Any]]:
    """Stored documents whose `object` is `kind`."""
    order = "DESC" if newest_first else "ASC"
    rows = system.store.query(
        f"SELECT body FROM documents WHERE json_extract(body, '$.object') = ? ORDER BY seq {order} LIMIT ?",
        (kind, limit),
    )
    return [json.loads(row["body"]) for row in rows]


def count(system: Any, kind: str) -> int:
    row = system.store.one("SELECT COUNT(*) AS n FROM documents WHERE json_extract(body, '$.object') = ?", (kind,))
    return int(row["n"]) if row else 0


def find(system: Any, object_id: str) -> dict[str, Any] | None:
    row = system.store.one("SELECT body FROM documents WHERE id = ?", (object_id,))
    return json.loads(row["body"]) if row else None


def recent_requests(system: Any, *, limit: int = 20) -> list[dict[str, Any]]:
    """The newest requests the system got, without the dashboard's own page views."""
    rows: list[dict[str, Any]] = system.store.query(
        "SELECT * FROM requests WHERE NOT (method = 'GET' AND (path = '/' OR path LIKE '/dashboard/%'))"
        " ORDER BY seq DESC LIMIT ?",
        (limit,),
    )
    for row in rows:
        row["headers"] = json.loads(row["headers"])
    return rows


def has_table(system: Any, table: str) -> bool:
    return system.store.one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)) is not None


def event_of(body: str) -> dict[str, Any]:
    """The `id` and `type` a webhook body names, when it is JSON that names them."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # a logged body may be anything, nested past the parser's reach too
        return {}
    if not isinstance(data, dict):
        return {}
    kind = data.get("type")
    return {"id": data.get("id"), "type": kind if isinstance(kind, str) else None}
