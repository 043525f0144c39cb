"""The delivery log: one sender's deliveries and attempts, kept in its SQLite store.

A sending system writes deliveries with `enqueue()` inside the transaction that
records the event, so an event and its deliveries exist together or not at
all. Every read of "what was sent, when, and how did it go" comes from here;
the deliverer (`deliverer.py`) writes each attempt's outcome back.

Tables (in the sending system's store):
  deliveries  one row per (event, endpoint): status pending|succeeded|failed
  attempts    one row per HTTP attempt: time, outcome, status or error, latency
  endpoint_health  when each endpoint started failing, for disabling it
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..ids import IdFactory
from ..store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    endpoint_id     TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL,
    created         REAL NOT NULL,
    manual          INTEGER NOT NULL DEFAULT 0,
    duplicate_of    TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_event ON deliveries (event_id);
CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status);
CREATE TABLE IF NOT EXISTS attempts (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    delivery_id  TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    endpoint_id  TEXT NOT NULL,
    url          TEXT NOT NULL,
    number       INTEGER NOT NULL,
    at           REAL NOT NULL,
    outcome      TEXT NOT NULL,
    status       INTEGER,
    error        TEXT,
    latency_ms   REAL NOT NULL,
    response     TEXT NOT NULL,
    next_attempt_at REAL
);
CREATE INDEX IF NOT EXISTS attempts_event ON attempts (event_id);
-- A watch job reads one endpoint's attempts every few minutes of lab time, all of them or a stretch.
CREATE INDEX IF NOT EXISTS attempts_endpoint ON attempts (endpoint_id, seq);
CREATE TABLE IF NOT EXISTS endpoint_health (
    endpoint_id   TEXT PRIMARY KEY,
    failing_since REAL,
    last_success  REAL,
    failures      INTEGER NOT NULL DEFAULT 0
);
"""

#: due(delivery_id, unix_time): a delivery should be attempted at that time.
Due = Callable[[str, float], None]


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    outcome: str  # succeeded | failed | skipped
    status: int | None = None
    error: str | None = None
    latency_ms: float = 0.0
    excerpt: str = ""
    #: Seconds the receiver asked us to wait (Retry-After on a 429 or 5xx).
    retry_after: float | None = None


class DeliveryLog:
    """Deliveries and attempts of one sending system."""

    def __init__(self, store: Store, clock: Clock, ids: IdFactory, *, knob_rng: random.Random, due: Due) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self._knob_rng = knob_rng
        self._due = due
        #: Share of deliveries held back a while, so later events overtake them (a teaching knob).
        self.out_of_order_rate = 0.0
        self.store.script(_SCHEMA)

    # -- writing ----------------------------------------------------------

    def enqueue(self, event_id: str, event_type: str, payload: bytes, endpoint_ids: list[str]) -> list[str]:
        """Record a delivery per endpoint; call inside the event's transaction."""
        now = self.clock.time()
        created = []
        with self.store.transaction():
            for endpoint_id in endpoint_ids:
                due = now
                if self.out_of_order_rate and self._knob_rng.random() < self.out_of_order_rate:
                    due = now + self._knob_rng.uniform(30, 600)  # held back: later events overtake it
                delivery_id = self.ids.new("whd")
                self.store.insert(
                    "INSERT INTO deliveries (id, event_id, event_type, endpoint_id, payload, next_attempt_at, created)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (delivery_id, event_id, event_type, endpoint_id, payload.decode(), due, now),
                )
                created.append((delivery_id, due))
        for delivery_id, due in created:
            self._due(delivery_id, due)
        return [delivery_id for delivery_id, _ in created]

    def resend(self, event_id: str, endpoint_id: str | None = None) -> list[str]:
        """Try an event's deliveries once more, now (Stripe's "resend"); a manual resend is never retried."""
        sql = "SELECT id FROM deliveries WHERE event_id = ? AND duplicate_of IS NULL"
        params: tuple[Any, ...] = (event_id,)
        if endpoint_id is not None:
            sql += " AND endpoint_id = ?"
            params += (endpoint_id,)
        ids = [row["id"] for row in self.store.query(sql, params)]
        now = self.clock.time()
        for delivery_id in ids:
            self.store.execute(
                "UPDATE deliveries SET status = 'pending', manual = 1, next_attempt_at = ? WHERE id = ?",
                (now, delivery_id),
            )
            self._due(delivery_id, now)
        return ids

    def recover_failed(self, since: float, endpoint_id: str | None = None) -> list[str]:
        """Resend every event whose delivery failed, created at or after `since`."""
        sql = "SELECT DISTINCT event_id FROM deliveries WHERE status = 'failed' AND created >= ?"
        params: tuple[Any, ...] = (since,)
        if endpoint_id is not None:
            sql += " AND endpoint_id = ?"
            params += (endpoint_id,)
        resent: list[str] = []
        for row in self.store.query(sql + " ORDER BY seq", params):
            resent.extend(self.resend(row["event_id"], endpoint_id))
        return resent

    def forget_failures(self, endpoint_id: str) -> None:
        """An endpoint enabled again starts afresh: its failures so far no longer count toward disabling it."""
        self.store.execute("DELETE FROM endpoint_health WHERE endpoint_id = ?", (endpoint_id,))

    # -- reading ----------------------------------------------------------

    def deliveries(
        self, *, event_id: str | None = None, endpoint_id: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Deliveries, oldest first, without their payloads."""
        rows = self._select("deliveries", event_id=event_id, endpoint_id=endpoint_id, status=status)
        for row in rows:
            row.pop("payload")
        return rows

    def attempts(
        self,
        *,
        event_id: str | None = None,
        delivery_id: str | None = None,
        endpoint_id: str | None = None,
        after: float | None = None,
        until: float | None = None,
    ) -> list[dict[str, Any]]:
        """Attempts, oldest first; `after` < at <= `until` (lab time) narrows them to a stretch, as a watch job looks."""
        return self._select(
            "attempts", event_id=event_id, delivery_id=delivery_id, endpoint_id=endpoint_id, after=after, until=until
        )

    def _select(
        self, table: str, *, after: float | None = None, until: float | None = None, **equals: str | None
    ) -> list[dict[str, Any]]:
        # Table and column names come from this module only; values are bound.
        sql = f"SELECT * FROM {table} WHERE 1 = 1"  # noqa: S608
        params: list[object] = []
        for column, value in equals.items():
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        for condition, moment in (("at > ?", after), ("at <= ?", until)):
            if moment is not None:
                sql += f" AND {condition}"
                params.append(moment)
        return self.store.query(sql + " ORDER BY seq", tuple(params))

    def pending_count(self, event_id: str) -> int:
        row = self.store.one(
            "SELECT COUNT(*) AS n FROM deliveries WHERE event_id = ? AND status = 'pending'", (event_id,)
        )
        return int(row["n"]) if row else 0

    def health(self, endpoint_id: str) -> dict[str, Any]:
        row = self.store.one("SELECT * FROM endpoint_health WHERE endpoint_id = ?", (endpoint_id,))
        return row or {"endpoint_id": endpoint_id, "failing_since": None, "last_success": None, "failures": 0}

    def payload(self, event_id: str) -> bytes | None:
        """The exact bytes first delivered (and signed) for an event, if it had a delivery."""
        row = self.store.one("SELECT payload FROM deliveries WHERE event_id = ? ORDER BY seq LIMIT 1", (event_id,))
        return str(row["payload"]).encode() if row is not None else None

    # -- what the deliverer reads and writes ------------------------------

    def pending(self) -> list[dict[str, Any]]:
        """Every delivery still to be attempted, oldest first (to schedule after a restart)."""
        return self.store.query("SELECT id, next_attempt_at FROM deliveries WHERE status = 'pending' ORDER BY seq")

    def delivery(self, delivery_id: str) -> dict[str, Any] | None:
        return self.store.one("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))

    def finish(self, row: dict[str, Any], status: str, attempts: int | None = None) -> None:
        self.store.execute(
            "UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = NULL WHERE id = ?",
            (status, attempts if attempts is not None else row["attempts"], row["id"]),
        )

    def retry_at(self, row: dict[str, Any], attempts: int, next_at: float) -> None:
        self.store.execute(
            "UPDATE deliveries SET attempts = ?, next_attempt_at = ? WHERE id = ?", (attempts, next_at, row["id"])
        )

    def duplicate(self, row: dict[str, Any], due: float) -> str:
        """A second delivery of the same event to the same endpoint (the duplicates knob)."""
        delivery_id = self.ids.new("whd")
        self.store.insert(
            "INSERT INTO deliveries (id, event_id, event_type, endpoint_id, payload, next_attempt_at, created, duplicate_of)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                delivery_id,
                row["event_id"],
                row["event_type"],
                row["endpoint_id"],
                row["payload"],
                due,
                row["created"],
                row["id"],
            ),
        )
        return delivery_id

    def record(self, row: dict[str, Any], url: str, result: Outcome, next_at: float | None) -> None:
        """One attempt, as it went."""
        self.store.insert(
            "INSERT INTO attempts (id, delivery_id, event_id, event_type, endpoint_id, url, number, at, outcome, status,"
            " error, latency_ms, response, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.ids.new("wha"),
                row["id"],
                row["event_id"],
                row["event_type"],
                row["endpoint_id"],
                url,
                row["attempts"] + 1,
                self.clock.time(),
                result.outcome,
                result.status,
                result.error,
                result.latency_ms,
                result.excerpt,
                next_at,
            ),
        )

    def mark_health(self, endpoint_id: str, *, ok: bool) -> float:
        """Update the endpoint's health; return how long it has been failing (seconds)."""
        now = self.clock.time()
        if ok:
            self.store.execute(
                "INSERT INTO endpoint_health (endpoint_id, failing_since, last_success, failures) VALUES (?, NULL, ?, 0)"
                " ON CONFLICT(endpoint_id) DO UPDATE SET failing_since = NULL, last_success = ?, failures = 0",
                (endpoint_id, now, now),
            )
            return 0.0
        self.store.execute(
            "INSERT INTO endpoint_health (endpoint_id, failing_since, failures) VALUES (?, ?, 1)"
            " ON CONFLICT(endpoint_id) DO UPDATE SET failing_since = COALESCE(failing_since, ?), failures = failures + 1",
            (endpoint_id, now, now),
        )
        return now - float(self.health(endpoint_id)["failing_since"])
