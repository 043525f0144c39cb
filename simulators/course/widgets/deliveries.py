"""Delivery attempts and alerts of a lab, as rows and small HTML tables.

Shared by the control panel and the timeline: every system with an `outbox`
(payments, the CRM) contributes its attempts, labelled with the lab's own
names for senders and receivers rather than ports, so what is shown is the
same run after run.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit


def senders(lab: Any) -> dict[str, Any]:
    """Systems that deliver webhooks, by name."""
    return {name: system.outbox for name, system in lab.systems.items() if getattr(system, "outbox", None) is not None}


def receiver_names(lab: Any) -> dict[int, str]:
    """Port → the lab's name for whoever listens there."""
    names = {system.port: name for name, system in lab.systems.items()}
    names.update({endpoint.port: label for label, endpoint in lab.endpoints.items()})
    return names


def receiver_of(url: str, names: dict[int, str]) -> str:
    try:
        port = urlsplit(url).port
    except ValueError:
        port = None
    return names.get(port, "elsewhere") if port else (url or "nowhere")


def attempts(lab: Any, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Delivery attempts of every sender, oldest first (the newest `limit` if given)."""
    names = receiver_names(lab)
    rows: list[dict[str, Any]] = []
    for sender, outbox in senders(lab).items():
        sql = "SELECT * FROM attempts ORDER BY seq DESC" + (" LIMIT ?" if limit else "")
        found = outbox.store.query(sql, (limit,) if limit else ())
        rows.extend({**row, "sender": sender, "receiver": receiver_of(row["url"], names)} for row in found)
    rows.sort(key=lambda row: (row["at"], row["sender"], row["seq"]))
    return rows[-limit:] if limit else rows


def delivery_counts(lab: Any) -> dict[str, int]:
    """How many deliveries are pending, succeeded and failed, over every sender."""
    counts = {"pending": 0, "succeeded": 0, "failed": 0}
    for outbox in senders(lab).values():
        for row in outbox.store.query("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status"):
            counts[row["status"]] = counts.get(row["status"], 0) + int(row["n"])
    return counts


def lab_time(ts: float | None, fmt: str = "%a %m-%d %H:%M:%S") -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime(fmt)


def attempts_table(rows: list[dict[str, Any]]) -> str:
    """The delivery log as an HTML table, newest first."""
    if not rows:
        return "<p style='color:#666'>No webhook deliveries yet.</p>"
    head = "".join(
        f"<th style='text-align:left;padding:0 8px'>{h}</th>"
        for h in ("lab time", "from", "event", "to", "try", "outcome", "answer", "next try")
    )
    body = []
    for row in reversed(rows):
        ok = row["outcome"] == "succeeded"
        colour = "#1a7f37" if ok else "#b3261e" if row["outcome"] == "failed" else "#666"
        mark = "✔" if ok else "✘" if row["outcome"] == "failed" else "–"
        answer = str(row["status"]) if row["status"] is not None and ok else (row["error"] or str(row["status"] or ""))
        cells = (
            lab_time(row["at"]),
            row["sender"],
            row["event_type"],
            row["receiver"],
            str(row["number"]),
            f"{mark} {row['outcome']}",
            answer,
            lab_time(row["next_attempt_at"]) or "—",
        )
        tds = "".join(f"<td style='padding:0 8px'>{html.escape(cell)}</td>" for cell in cells)
        body.append(f"<tr style='color:{colour}'>{tds}</tr>")
    return f"<table style='font-family:monospace;font-size:90%'><tr>{head}</tr>{''.join(body)}</table>"


def alerts_list(alerts: list[Any]) -> str:
    if not alerts:
        return "<p style='color:#666'>No alerts.</p>"
    items = "".join(f"<li>{html.escape(str(alert))}</li>" for alert in reversed(alerts))
    return f"<ul style='color:#b3261e;margin:0'>{items}</ul>"
