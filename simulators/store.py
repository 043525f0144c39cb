"""SQLite storage for one simulated system.

One connection per system, guarded by a lock: the request threads of a
threaded server take turns, which keeps writes ordered and simple. Objects are
stored as JSON documents (`Collection`), because every system speaks JSON and
Stripe's objects are documents; systems add their own tables where a query
needs real columns (the webhook outbox does).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_DOCUMENTS = """
CREATE TABLE IF NOT EXISTS documents (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    body    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_kind ON documents (kind, seq);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class Store:
    """A SQLite file (or memory) shared by the threads of one system."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        # isolation_level=None: we open transactions ourselves, explicitly.
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        if self.path is not None:
            # The files hold API keys and webhook secrets: on a shared hub node only their owner may read them.
            self.path.chmod(0o600)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        # synchronous=OFF with WAL survives a crashed process (SQLite's own
        # guarantee; only a crashed OS or a power cut could lose data), which is
        # the failure the course simulates, and never waits for an fsync:
        # a lab starts in milliseconds and delivers without touching the disk's
        # flush path.
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self.script(_DOCUMENTS)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All-or-nothing; nests: an inner block joins the outer transaction, and undoes only itself if it fails.

        The savepoint matters since a request with an Idempotency-Key runs inside one outer transaction (see
        the payments' http layer): a view's block that fails must still leave nothing behind.
        """
        with self._lock:
            outermost = self._depth == 0
            savepoint = f"hooklab_{self._depth}"
            self._conn.execute("BEGIN IMMEDIATE" if outermost else f"SAVEPOINT {savepoint}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._conn.execute("ROLLBACK")
                elif self._conn.in_transaction:
                    self._conn.execute(f"ROLLBACK TO {savepoint}")
                    self._conn.execute(f"RELEASE {savepoint}")
                raise
            self._depth -= 1
            self._conn.execute("COMMIT" if outermost else f"RELEASE {savepoint}")

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> int:
        """Run a statement; return the number of rows changed."""
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    def insert(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> int:
        """Run an INSERT; return the new row id."""
        with self._lock:
            return int(self._conn.execute(sql, params).lastrowid or 0)

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._conn.execute(sql, params).fetchall()]

    def one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
            return dict(row) if row is not None else None

    def script(self, sql: str) -> None:
        with self._lock:
            self._conn.executescript(sql)

    def next_value(self, counter: str) -> int:
        """1, 2, 3, … per counter name, kept across restarts."""
        # One statement, so one implicit transaction: ids are drawn several times a request.
        with self._lock:
            row = self._conn.execute(
                "INSERT INTO counters (name, value) VALUES (?, 1)"
                " ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
                (counter,),
            ).fetchone()
            return int(row[0])

    def collection(self, kind: str) -> Collection:
        return Collection(self, kind)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class Collection:
    """JSON documents of one kind, kept in insertion order."""

    def __init__(self, store: Store, kind: str) -> None:
        self.store = store
        self.kind = kind

    def insert(self, doc: dict[str, Any], *, created: float) -> dict[str, Any]:
        self.store.insert(
            "INSERT INTO documents (kind, id, created, body) VALUES (?, ?, ?, ?)",
            (self.kind, doc["id"], created, json.dumps(doc)),
        )
        return doc

    def get(self, doc_id: str) -> dict[str, Any] | None:
        row = self.store.one("SELECT body FROM documents WHERE kind = ? AND id = ?", (self.kind, doc_id))
        return json.loads(row["body"]) if row else None

    def replace(self, doc: dict[str, Any]) -> dict[str, Any]:
        changed = self.store.execute(
            "UPDATE documents SET body = ? WHERE kind = ? AND id = ?",
            (json.dumps(doc), self.kind, doc["id"]),
        )
        if not changed:
            raise KeyError(doc["id"])
        return doc

    def delete(self, doc_id: str) -> bool:
        return bool(self.store.execute("DELETE FROM documents WHERE kind = ? AND id = ?", (self.kind, doc_id)))

    def find(self, newest_first: bool = False, /, **equals: Any) -> list[dict[str, Any]]:
        """Documents whose top-level fields equal the given values."""
        sql = "SELECT body FROM documents WHERE kind = ?"
        params: list[Any] = [self.kind]
        for key, value in equals.items():
            if not key.isidentifier():
                raise ValueError(f"not a field name: {key!r}")
            sql += f" AND json_extract(body, '$.{key}') IS ?"
            params.append(_sql_value(value))
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        return [json.loads(row["body"]) for row in self.store.query(sql, tuple(params))]

    def count(self, where: str = "", params: tuple[Any, ...] = ()) -> int:
        """How many documents of this kind there are (meeting `where`, an SQL condition as in `page`)."""
        sql = "SELECT COUNT(*) AS n FROM documents WHERE kind = ?" + (f" AND ({where})" if where else "")
        row = self.store.one(sql, (self.kind, *params))
        return int(row["n"]) if row else 0

    def page(
        self,
        *,
        limit: int = 10,
        starting_after: str | None = None,
        ending_before: str | None = None,
        where: str = "",
        params: tuple[Any, ...] = (),
    ) -> tuple[list[dict[str, Any]], bool]:
        """A page of documents, newest first, as Stripe lists them.

        `where` is an extra SQL condition on `body`/`created` (with `params`).
        Returns the page and whether more documents lie beyond it.
        """
        sql = "SELECT seq, body FROM documents WHERE kind = ?"
        args: list[Any] = [self.kind]
        if where:
            sql += f" AND ({where})"
            args.extend(params)
        if starting_after is not None:
            sql += " AND seq < (SELECT seq FROM documents WHERE id = ?)"
            args.append(starting_after)
            sql += " ORDER BY seq DESC LIMIT ?"
        elif ending_before is not None:
            sql += " AND seq > (SELECT seq FROM documents WHERE id = ?)"
            args.append(ending_before)
            sql += " ORDER BY seq ASC LIMIT ?"
        else:
            sql += " ORDER BY seq DESC LIMIT ?"
        args.append(limit + 1)
        rows = self.store.query(sql, tuple(args))
        has_more = len(rows) > limit
        rows = rows[:limit]
        if ending_before is not None:
            rows.reverse()
        return [json.loads(row["body"]) for row in rows], has_more


def _sql_value(value: Any) -> Any:
    # json_extract gives SQLite's 1/0 for JSON booleans
    if isinstance(value, bool):
        return int(value)
    return value
