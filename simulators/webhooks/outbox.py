"""The transactional outbox: webhook deliveries written before the API answers.

A sending system calls `enqueue()` inside the transaction that records the
event, so an event and its deliveries exist together or not at all. The lab
clock then runs each attempt at its due time: POST the raw JSON, signed; a 2xx
within the timeout is success, anything else (a redirect, a timeout, a refused
connection, a 5xx) is a failure, recorded, and retried by the endpoint's
policy. A restarted system calls `start()` and picks up every pending delivery,
so the simulator never loses an event.

Tables (in the sending system's store):
  deliveries  one row per (event, endpoint): status pending|succeeded|failed
  attempts    one row per HTTP attempt: time, outcome, status or error, latency
  endpoint_health  when each endpoint started failing, for disabling it
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from ..clock import Clock
from ..http import loopback_session
from ..ids import IdFactory
from ..store import Store
from .retry import RetryPolicy

EXCERPT = 500
USER_AGENT = "hooklab-webhooks/1.0"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

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
CREATE TABLE IF NOT EXISTS endpoint_health (
    endpoint_id   TEXT PRIMARY KEY,
    failing_since REAL,
    last_success  REAL,
    failures      INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class Target:
    """Where a delivery goes, looked up afresh before every attempt."""

    endpoint_id: str
    url: str
    secret: str = field(repr=False)  # a printed target must not show the signing secret
    policy: RetryPolicy
    enabled: bool = True


#: sign(target, event_id, payload, unix_time) -> headers to add
Signer = Callable[[Target, str, bytes, int], dict[str, str]]


class Outbox:
    """Deliveries of one sending system."""

    def __init__(
        self,
        name: str,
        store: Store,
        clock: Clock,
        ids: IdFactory,
        *,
        rng: random.Random,
        knob_rng: random.Random,
        sign: Signer,
        lookup: Callable[[str], Target | None],
        timeout: float,
        on_give_up: Callable[[dict[str, Any]], None] | None = None,
        on_endpoint_failing: Callable[[str, str], None] | None = None,
    ) -> None:
        self.name = name
        self.store = store
        self.clock = clock
        self.ids = ids
        self.timeout = timeout
        self._sign = sign
        self._lookup = lookup
        self._on_give_up = on_give_up
        self._on_endpoint_failing = on_endpoint_failing
        self._rng = rng
        self._knob_rng = knob_rng
        self.duplicate_rate = 0.0
        self.out_of_order_rate = 0.0
        self._session = requests.Session()
        # Loopback targets skip requests' per-request proxy and netrc lookups in
        # the environment (a profile showed them at ~12% of a delivery's CPU).
        self._loopback_session = loopback_session()
        self._alive = False
        self.store.script(_SCHEMA)

    # -- lifecycle --------------------------------------------------------

    def start(self) -> None:
        """Schedule every pending delivery (all of them, after a restart)."""
        self._alive = True
        for row in self.store.query("SELECT id, next_attempt_at FROM deliveries WHERE status = 'pending' ORDER BY seq"):
            self._schedule(row["id"], row["next_attempt_at"])

    def stop(self) -> None:
        self._alive = False
        self._session.close()
        self._loopback_session.close()

    # -- teaching knobs ---------------------------------------------------

    def knobs(self, *, duplicates: float | None = None, out_of_order: float | None = None) -> dict[str, float]:
        """Send some events twice, or hold some back so later ones overtake them."""
        for value in (duplicates, out_of_order):
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"a rate is between 0 and 1, not {value!r}")
        if duplicates is not None:
            self.duplicate_rate = duplicates
        if out_of_order is not None:
            self.out_of_order_rate = out_of_order
        return {"duplicates": self.duplicate_rate, "out_of_order": self.out_of_order_rate}

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
        if self._alive:
            for delivery_id, due in created:
                self._schedule(delivery_id, due)
        return [delivery_id for delivery_id, _ in created]

    def resend(self, event_id: str, endpoint_id: str | None = None) -> list[str]:
        """Try an event's deliveries once more, now (Stripe's "resend")."""
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
            self._schedule(delivery_id, now)
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

    # -- reading ----------------------------------------------------------

    def deliveries(
        self, *, event_id: str | None = None, endpoint_id: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM deliveries WHERE 1 = 1", []
        for column, value in (("event_id", event_id), ("endpoint_id", endpoint_id), ("status", status)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        rows = self.store.query(sql + " ORDER BY seq", tuple(params))
        for row in rows:
            row.pop("payload")
        return rows

    def attempts(
        self, *, event_id: str | None = None, delivery_id: str | None = None, endpoint_id: str | None = None
    ) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM attempts WHERE 1 = 1", []
        for column, value in (("event_id", event_id), ("delivery_id", delivery_id), ("endpoint_id", endpoint_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return self.store.query(sql + " ORDER BY seq", tuple(params))

    def pending_count(self, event_id: str) -> int:
        row = self.store.one(
            "SELECT COUNT(*) AS n FROM deliveries WHERE event_id = ? AND status = 'pending'", (event_id,)
        )
        return int(row["n"]) if row else 0

    def health(self, endpoint_id: str) -> dict[str, Any]:
        row = self.store.one("SELECT * FROM endpoint_health WHERE endpoint_id = ?", (endpoint_id,))
        return row or {"endpoint_id": endpoint_id, "failing_since": None, "last_success": None, "failures": 0}

    # -- delivering -------------------------------------------------------

    def _schedule(self, delivery_id: str, due: float) -> None:
        self.clock.call_at(due, lambda: self._attempt(delivery_id, due), name=f"{self.name}: deliver {delivery_id}")

    def _attempt(self, delivery_id: str, due: float) -> None:
        if not self._alive:
            return  # this system was stopped; its restart reschedules from the store
        row = self.store.one("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
        if row is None or row["status"] != "pending" or row["next_attempt_at"] != due:
            return  # done already, or rescheduled since this job was made
        target = self._lookup(row["endpoint_id"])
        if target is None or not target.enabled:
            reason = "the endpoint was deleted" if target is None else "the endpoint is disabled"
            self._finish(row, "failed")
            self._record(row, target.url if target else "", "skipped", None, reason, 0.0, "", None)
            return
        payload = row["payload"].encode()
        outcome, status, error, latency_ms, excerpt, retry_after = self._post(target, row["event_id"], payload)
        if not self._alive:
            return  # stopped mid-delivery: left pending, so the restart sends it again
        try:
            self._settle_attempt(row, target, outcome, status, error, latency_ms, excerpt, retry_after)
        except sqlite3.ProgrammingError:
            return  # the store closed under us (a simulated crash): still pending, not lost

    def _post(
        self, target: Target, event_id: str, payload: bytes
    ) -> tuple[str, int | None, str | None, float, str, float | None]:
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        headers.update(self._sign(target, event_id, payload, int(time.time())))
        started = time.perf_counter()
        try:
            session = self._loopback_session if _is_loopback(target.url) else self._session
            response = session.post(
                target.url, data=payload, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.Timeout:
            return "failed", None, f"timed out after {self.timeout:g} s", _ms(started), "", None
        except requests.ConnectionError as exc:
            return "failed", None, _connection_error(exc), _ms(started), "", None
        except requests.RequestException as exc:
            return "failed", None, f"{type(exc).__name__}: {exc}", _ms(started), "", None
        latency = _ms(started)
        excerpt = response.text[:EXCERPT]
        if 200 <= response.status_code < 300:
            return "succeeded", response.status_code, None, latency, excerpt, None
        if 300 <= response.status_code < 400:
            error = f"redirect ({response.status_code}) is not success"
        else:
            error = f"HTTP {response.status_code}"
        return "failed", response.status_code, error, latency, excerpt, _retry_after(response)

    def _settle_attempt(
        self,
        row: dict[str, Any],
        target: Target,
        outcome: str,
        status: int | None,
        error: str | None,
        latency_ms: float,
        excerpt: str,
        retry_after: float | None,
    ) -> None:
        now = self.clock.time()
        number = row["attempts"] + 1
        if outcome == "succeeded":
            self._mark_health(target.endpoint_id, ok=True)
            self._finish(row, "succeeded", attempts=number)
            self._record(row, target.url, outcome, status, error, latency_ms, excerpt, None)
            self._maybe_duplicate(row)
            return
        failing_for = self._mark_health(target.endpoint_id, ok=False)
        delay = None if row["manual"] else target.policy.delay_after(number, self._rng)
        if delay is not None and retry_after is not None:
            delay = max(delay, retry_after)  # the receiver asked us to slow down
        next_at = now + delay if delay is not None else None
        if next_at is None:
            self._finish(row, "failed", attempts=number)
        else:
            self.store.execute(
                "UPDATE deliveries SET attempts = ?, next_attempt_at = ? WHERE id = ?", (number, next_at, row["id"])
            )
            self._schedule(row["id"], next_at)
        self._record(row, target.url, outcome, status, error, latency_ms, excerpt, next_at)
        if next_at is None and not row["manual"] and self._on_give_up is not None:
            self._on_give_up(
                {**self.store.one("SELECT * FROM deliveries WHERE id = ?", (row["id"],)), "last_error": error}  # type: ignore[dict-item]
            )
        gone = status == 410
        too_long = target.policy.disable_after is not None and failing_for >= target.policy.disable_after
        if (gone or too_long) and self._on_endpoint_failing is not None:
            why = (
                "it answered 410 Gone"
                if gone
                else f"it has failed for {failing_for / 3600:.0f} hours without a success"
            )
            self._on_endpoint_failing(target.endpoint_id, why)

    def _maybe_duplicate(self, row: dict[str, Any]) -> None:
        if row["duplicate_of"] or not self.duplicate_rate or self._rng.random() >= self.duplicate_rate:
            return
        due = self.clock.time() + self._rng.uniform(1, 120)
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
        self._schedule(delivery_id, due)

    def _finish(self, row: dict[str, Any], status: str, attempts: int | None = None) -> None:
        self.store.execute(
            "UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = NULL WHERE id = ?",
            (status, attempts if attempts is not None else row["attempts"], row["id"]),
        )

    def _record(
        self,
        row: dict[str, Any],
        url: str,
        outcome: str,
        status: int | None,
        error: str | None,
        latency_ms: float,
        excerpt: str,
        next_at: float | None,
    ) -> None:
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
                outcome,
                status,
                error,
                latency_ms,
                excerpt,
                next_at,
            ),
        )

    def _mark_health(self, endpoint_id: str, *, ok: bool) -> float:
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
        health = self.health(endpoint_id)
        return now - float(health["failing_since"])


def _is_loopback(url: str) -> bool:
    try:
        return urlsplit(url).hostname in LOOPBACK
    except ValueError:
        return False  # a malformed URL: the ordinary session fails it with a clear error


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _retry_after(response: requests.Response) -> float | None:
    if response.status_code not in (429, 502, 503, 504):
        return None
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


def _connection_error(exc: requests.ConnectionError) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    if "reset" in text.lower() or "aborted" in text.lower():
        return "connection reset"
    return f"connection failed: {text[:200]}"


def event_json(event: dict[str, Any]) -> bytes:
    """The exact bytes sent for an event (and signed): pretty, as Stripe sends."""
    return json.dumps(event, indent=2).encode()
