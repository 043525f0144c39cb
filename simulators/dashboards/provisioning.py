"""The provisioning dashboard: who has an account, and every webhook that arrived."""

from __future__ import annotations

import json
from typing import Any

from . import sources
from .generic import heading, requests_section
from .layout import (
    badge,
    cards,
    code,
    esc,
    excerpt,
    field,
    lab_time,
    link,
    millis,
    pretty_json,
    section,
    status_badge,
    table,
    when,
)

WEBHOOK_PATH = "/webhooks/payments"


def render(view: Any) -> tuple[str, str]:
    system = view.system
    accounts = list(reversed(system.accounts()))
    activations = list(reversed(system.activations()))
    received = system.requests.entries(path_prefix=WEBHOOK_PATH, newest_first=True, limit=sources.LIMIT)
    total_received = _count_received(system)
    body = heading(view, "Accounts this system gives to paying customers, and the webhooks that tell it to.")
    body += cards(
        [
            ("active accounts", sum(1 for a in accounts if a.get("status") == "active")),
            ("inactive accounts", sum(1 for a in accounts if a.get("status") != "active")),
            ("activations", len(activations)),
            ("webhooks received", total_received),
            ("handler failures", len(getattr(system, "failures", []))),
        ]
    )
    body += section("Accounts", _accounts_table(view, accounts[: sources.LIMIT]), note="Newest first.")
    body += section(
        "Webhooks received",
        _received_table(view, received),
        note=f"Deliveries that reached {WEBHOOK_PATH}, newest first, and what the handler answered. "
        "A webhook that never arrived is not here: compare with the payment system's attempts.",
    )
    body += _failures_section(view)
    body += section(
        "Activations",
        _activations_table(view, activations[: sources.LIMIT]),
        note="One row per time access was granted: a customer listed twice was activated twice.",
    )
    body += requests_section(view)
    return "provisioning", body


def detail(view: Any, parts: list[str]) -> tuple[str, str] | None:
    system = view.system
    if len(parts) == 2 and parts[0] == "requests" and parts[1].isdigit():
        row = system.store.one("SELECT * FROM requests WHERE seq = ?", (int(parts[1]),))
        if row is None:
            return None
        event = sources.event_of(row["body"])
        title = f"webhook {event.get('type') or '#' + parts[1]}"
        body = f"<h1>{esc(title)}</h1><p class='lead'>Received {esc(lab_time(row['at'], view.clock))}; answered {status_badge(row['status'])}"
        body += f" in {float(row['latency_ms']):.1f} ms. <a href='{esc(view.href())}'>Back to provisioning</a></p>"
        body += section("Request headers", pretty_json(json.loads(row["headers"])))
        body += section("Request body", pretty_json(row["body"]))
        body += section("Response", pretty_json(row["response"]) if row["response"] else '<p class="empty">Empty.</p>')
        return title, body
    if len(parts) == 2 and parts[0] == "accounts":
        account = system.accounts_db.get(parts[1])
        if account is None:
            return None
        mine = system.activations(account["customer"])
        body = f"<h1>Account {esc(account['id'])} {badge(account.get('status'))}</h1>"
        body += f"<p class='lead'><a href='{esc(view.href())}'>Back to provisioning</a></p>"
        body += section("Account", pretty_json(account))
        body += section("Activations", _activations_table(view, list(reversed(mine))))
        return f"account {account['id']}", body
    return None


def _count_received(system: Any) -> int:
    row = system.store.one("SELECT COUNT(*) AS n FROM requests WHERE path = ?", (WEBHOOK_PATH,))
    return int(row["n"]) if row else 0


def _accounts_table(view: Any, accounts: list[dict[str, Any]]) -> str:
    columns = [
        ("account", lambda a: link(view.detail("accounts", a["id"]), a["id"])),
        ("customer", lambda a: code(a.get("customer"))),
        ("email", field("email")),
        ("plan", field("plan")),
        ("status", lambda a: badge(a.get("status"))),
        ("activated", when("activated_at", view.clock)),
        ("times activated", lambda a: f'<span class="num">{esc(a.get("activations"))}</span>'),
    ]
    return table(accounts, columns, empty="No accounts yet: none is made until a payment webhook is handled.")


def _received_table(view: Any, rows: list[dict[str, Any]]) -> str:
    def event(row: dict[str, Any]) -> str:
        found = sources.event_of(row["body"])
        if not found.get("type"):
            return '<span class="muted">not an event</span>'
        return f"{esc(found['type'])}<br><code class=muted>{esc(found.get('id'))}</code>"

    columns = [
        ("received", when("at", view.clock)),
        ("event", event),
        (
            "answer",
            lambda r: (
                status_badge(r["status"])
                + (" " + badge("injected fault: " + str(r["fault"]), "warn") if r.get("fault") else "")
            ),
        ),
        ("took", millis()),
        ("response", lambda r: excerpt(r["response"], 80)),
        ("", lambda r: link(view.detail("requests", str(r["seq"])), "details")),
    ]
    return table(rows, columns, empty="No webhook has arrived yet.")


def _failures_section(view: Any) -> str:
    failures = list(reversed(getattr(view.system, "failures", [])))[:10]
    if not failures:
        return ""
    rows = [{"at": f.at.timestamp(), "where": f.where, "error": f.error, "traceback": f.traceback} for f in failures]
    columns = [
        ("when", when("at", view.clock)),
        ("where", field("where")),
        ("error", lambda r: excerpt(r["error"], 160)),
    ]
    return section(
        "Handler failures",
        table(rows, columns, empty=""),
        note="The handler raised; the sender got a 500. Newest first.",
        css="error",
    )


def _activations_table(view: Any, rows: list[dict[str, Any]]) -> str:
    columns = [
        ("when", when("at", view.clock)),
        ("account", lambda a: code(a.get("account"))),
        ("customer", lambda a: code(a.get("customer"))),
        ("plan", field("plan")),
        ("because of event", lambda a: code(a.get("event")) if a.get("event") else '<span class="muted">—</span>'),
    ]
    return table(rows, columns, empty="No activations yet.")
