"""`Idempotency-Key`: the first response to a key is kept and replayed for 24 lab hours.

A key sent again with the same method, path and parameters gets the first
response back (header `Idempotent-Replayed: true`), so a client that retries
after a timeout charges once. A key sent again with anything else is a 400
`idempotency_error`, and a key whose first request is still running is a 409.
Only answers the API committed to (2xx, and 402 declines) are kept: a request
refused by validation did nothing, so retrying it with the same key is fine.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from ...clock import Clock
from ...errors import ApiError
from ...store import Store

TTL = 24 * 3600.0
MAX_KEY_LENGTH = 255
KEPT_STATUSES = frozenset({200, 402})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    api_key     TEXT NOT NULL,
    key         TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    request_id  TEXT,
    created     REAL NOT NULL,
    PRIMARY KEY (api_key, key)
);
"""


@dataclass(frozen=True)
class Replay:
    """The kept answer to an earlier request with the same key."""

    status: int
    body: str
    request_id: str | None


class IdempotencyKeys:
    """Kept answers per (API key, idempotency key), in the payment system's store."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._in_flight: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        store.script(_SCHEMA)

    def begin(self, api_key: str, key: str, method: str, path: str, params: dict[str, Any]) -> Replay | None:
        """Return the replay for a known key, or claim the key for this request."""
        if len(key) > MAX_KEY_LENGTH:
            raise ApiError(
                400,
                f"Idempotency-Key is {len(key)} characters long; keys can be at most {MAX_KEY_LENGTH}.",
                type="idempotency_error",
                code="idempotency_key_too_long",
            )
        with self._lock:
            row = self.store.one("SELECT * FROM idempotency_keys WHERE api_key = ? AND key = ?", (api_key, key))
            if row is not None and row["created"] < self.clock.time() - TTL:
                self.store.execute("DELETE FROM idempotency_keys WHERE api_key = ? AND key = ?", (api_key, key))
                row = None
            if row is not None:
                if (row["method"], row["path"], row["fingerprint"]) != (method, path, fingerprint(params)):
                    raise ApiError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters they were first used "
                        f"with. Try using a key other than {key!r} if you meant to execute a different request.",
                        type="idempotency_error",
                    )
                return Replay(row["status"], row["body"], row["request_id"])
            if (api_key, key) in self._in_flight:
                raise ApiError(
                    409,
                    "There is currently another in-progress request using this Idempotent Key (that probably means "
                    f"you submitted twice, and the other request is still going through): {key!r}. Try again later.",
                    type="idempotency_error",
                )
            self._in_flight.add((api_key, key))
        return None

    def finish(
        self,
        api_key: str,
        key: str,
        method: str,
        path: str,
        params: dict[str, Any],
        status: int,
        body: str,
        request_id: str | None,
    ) -> None:
        """Keep this answer if the API committed to it."""
        if status in KEPT_STATUSES:
            self.store.execute(
                "INSERT OR REPLACE INTO idempotency_keys (api_key, key, method, path, fingerprint, status, body, request_id, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (api_key, key, method, path, fingerprint(params), status, body, request_id, self.clock.time()),
            )

    def release(self, api_key: str, key: str) -> None:
        with self._lock:
            self._in_flight.discard((api_key, key))


def fingerprint(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
