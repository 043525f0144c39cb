"""A lab clock that never goes back across restarts on a named state folder.

A lab on a state folder used to start at the same Monday morning every time: old
retries and renewals then waited as long as the last run had lasted, and new
objects got `created` times before older ones (review R2). So the clock's time is
kept in the folder (`lab.sqlite3`) at every stop and, in real time, every second,
and a restart resumes from the latest of: the start asked for, the time kept, and
the newest object any system stored (which a kill between two saves still left).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from .clock import Clock, to_timestamp
from .store import Store

KIND = "clock"
#: How often (in real seconds) a real-time lab writes its time down.
SAVE_EVERY_S = 1.0


def resumed_start(state_dir: Path, start: datetime) -> datetime:
    """Where a lab on `state_dir` starts its clock: never before anything the folder already holds."""
    latest = to_timestamp(start)
    for path in sorted(state_dir.glob("*.sqlite3")):
        latest = max(latest, _newest_in(path))
    return datetime.fromtimestamp(latest, tz=timezone.utc)


def _newest_in(path: Path) -> float:
    try:
        conn = sqlite3.connect(str(path))
    except sqlite3.Error:
        return 0.0
    try:
        newest = conn.execute("SELECT MAX(created) FROM documents WHERE kind != ?", (KIND,)).fetchone()[0] or 0.0
        saved = conn.execute("SELECT body FROM documents WHERE kind = ? AND id = ?", (KIND, KIND)).fetchone()
        if saved is not None:
            newest = max(newest, float(json.loads(saved[0])["now"]))
        return float(newest)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return 0.0  # not a store of ours, or one from before clocks were kept
    finally:
        conn.close()


class ClockKeeper:
    """Writes a lab clock's time into the lab's own store: at stop, and every second in real time."""

    def __init__(self, clock: Clock, store: Store) -> None:
        self._clock = clock
        self._store = store
        self._job = (
            clock.every(SAVE_EVERY_S * clock.speed, self.save, name="keep the clock") if clock.realtime else None
        )

    def save(self) -> None:
        body = json.dumps({"id": KIND, "now": self._clock.time()})
        self._store.execute(
            "INSERT INTO documents (kind, id, created, body) VALUES (?, ?, 0, ?)"
            " ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            (KIND, KIND, body),
        )

    def stop(self) -> None:
        if self._job is not None:
            self._job.cancel()
        self.save()
