"""Every request a system receives, kept in its store: time, body, status.

The log is what answers "did provisioning ever get that webhook?", so it sits
outside the fault layer: a request that an injected fault turned away is
logged too, marked with the fault.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from .clock import Clock
from .store import Store

EXCERPT = 2000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         REAL NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    query      TEXT NOT NULL,
    status     INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    fault      TEXT,
    headers    TEXT NOT NULL,
    body       TEXT NOT NULL,
    response   TEXT NOT NULL,
    error      TEXT
);
"""
_KEPT_HEADERS = (
    "Content-Type",
    "Stripe-Signature",
    "Webhook-Id",
    "Webhook-Timestamp",
    "Webhook-Signature",
    "Idempotency-Key",
    "Authorization",
    "User-Agent",
)


#: Secrets a body can carry (an endpoint's signing secret in the answer to creating it, keys).
_SECRET = re.compile(r"\b(?:whsec|sk_test|sk_live|rk_test|hl_admin)_[A-Za-z0-9+/=_-]{8,}")


def redact_secrets(text: str) -> str:
    """Shorten every secret-looking token in `text` to a recognisable stub."""
    return _SECRET.sub(lambda match: redact(match.group(0)), text)


def redact(value: str) -> str:
    """Keep enough of a secret to recognise it, never the whole of it."""
    scheme, _, token = value.rpartition(" ")
    shown = token[:8] + "…" + token[-4:] if len(token) > 16 else "…"
    return f"{scheme} {shown}".strip()


class RequestLog:
    """Reads and writes the `requests` table of one store."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        store.script(_SCHEMA)

    def record(self, entry: dict[str, Any]) -> None:
        self.store.insert(
            "INSERT INTO requests (at, method, path, query, status, latency_ms, fault, headers, body, response, error)"
            " VALUES (:at, :method, :path, :query, :status, :latency_ms, :fault, :headers, :body, :response, :error)",
            entry,
        )

    def entries(
        self, *, path_prefix: str = "", limit: int | None = None, newest_first: bool = False
    ) -> list[dict[str, Any]]:
        sql = "SELECT * FROM requests WHERE path LIKE ? ORDER BY seq " + ("DESC" if newest_first else "ASC")
        params: tuple[Any, ...] = (path_prefix.replace("%", r"\%") + "%",)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        rows = self.store.query(sql, params)
        for row in rows:
            row["headers"] = json.loads(row["headers"])
        return rows

    def count(self) -> int:
        row = self.store.one("SELECT COUNT(*) AS n FROM requests")
        return int(row["n"]) if row else 0


class RequestLogLayer:
    """WSGI middleware that records each request and its answer."""

    def __init__(self, app: Any, log: RequestLog) -> None:
        self.app = app
        self.log = log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        body = _peek_body(environ)
        seen: dict[str, Any] = {}

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        chunks = list(_drain(self.app(environ, recording_start_response)))
        response = b"".join(chunks)
        headers = {}
        for name in _KEPT_HEADERS:
            value = environ.get("HTTP_" + name.upper().replace("-", "_")) or (
                environ.get("CONTENT_TYPE") if name == "Content-Type" else None
            )
            if value:
                headers[name] = redact(value) if name == "Authorization" else value
        self.log.record(
            {
                "at": self.log.clock.time(),
                "method": environ.get("REQUEST_METHOD", ""),
                "path": environ.get("PATH_INFO", ""),
                "query": environ.get("QUERY_STRING", ""),
                "status": seen.get("status", 0),
                "latency_ms": round((time.perf_counter() - started) * 1000, 3),
                "fault": environ.get("hooklab.fault"),
                "headers": json.dumps(headers),
                "body": redact_secrets(body[:EXCERPT].decode("utf-8", "replace")),
                "response": redact_secrets(response[:EXCERPT].decode("utf-8", "replace")),
                "error": environ.get("hooklab.error"),
            }
        )
        return chunks


def _peek_body(environ: dict[str, Any]) -> bytes:
    """Read the body and put it back, so the app still sees all of it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b""
    if length <= 0 or length > 1024 * 1024:
        return b""  # too large: the app answers 413 without reading it
    data: bytes = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(data)
    return data


def _drain(result: Iterable[bytes]) -> Iterable[bytes]:
    try:
        yield from result
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
