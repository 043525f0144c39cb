"""The payments dashboard, after Stripe's: events, every delivery attempt, endpoints and their health."""

from __future__ import annotations

from typing import Any

from . import sources
from .generic import heading, requests_section
from .layout import (
    badge,
    cards,
    code,
    esc,
    excerpt,
    lab_time,
    link,
    millis,
    pretty_json,
    redact_secret,
    section,
    status_badge,
    table,
    when,
)


def render(view: Any) -> tuple[str, str]:
    system = view.system
    outbox = getattr(system, "outbox", None)
    events = _events(system)
    body = heading(view, "Events, newest first, and every attempt to deliver each one to a webhook endpoint.")
    body += cards(_totals(system, outbox))
    body += section(
        "Webhook endpoints",
        endpoints_table(view, outbox),
        note="Where events are sent. An endpoint that keeps failing is disabled and raises an alert.",
    )
    body += section(
        "Events",
        _events_table(view, events, outbox),
        note=f"The newest {sources.LIMIT} events. Under each event: every delivery attempt, its answer and how long it took.",
    )
    body += requests_section(view)
    return "payments", body


def detail(view: Any, parts: list[str]) -> tuple[str, str] | None:
    system = view.system
    outbox = getattr(system, "outbox", None)
    if len(parts) == 2 and parts[0] == "events":
        return _event_page(view, parts[1], outbox)
    if len(parts) == 2 and parts[0] == "endpoints":
        return _endpoint_page(view, parts[1], outbox)
    return None


# -- reading ------------------------------------------------------------------


def _events(system: Any) -> list[dict[str, Any]]:
    found = sources.objects(system, "event")
    if found or not sources.has_table(system, "deliveries"):
        return found
    # No stored event documents: list what the outbox knows, which is every event that had a delivery.
    rows = system.store.query(
        "SELECT event_id AS id, event_type AS type, MIN(created) AS created FROM deliveries"
        " GROUP BY event_id ORDER BY MIN(seq) DESC LIMIT ?",
        (sources.LIMIT,),
    )
    return [{**row, "object": "event"} for row in rows]


def _totals(system: Any, outbox: Any) -> list[tuple[str, Any]]:
    totals: list[tuple[str, Any]] = [("events", sources.count(system, "event"))]
    if outbox is not None:
        by_status = {
            row["status"]: row["n"]
            for row in system.store.query("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status")
        }
        totals += [
            ("delivered", by_status.get("succeeded", 0)),
            ("failed for good", by_status.get("failed", 0)),
            ("still trying", by_status.get("pending", 0)),
        ]
    totals.append(("endpoints", sources.count(system, "webhook_endpoint")))
    return totals


# -- tables -------------------------------------------------------------------


def endpoints_table(view: Any, outbox: Any) -> str:
    endpoints = sources.objects(view.system, "webhook_endpoint", newest_first=False)

    def health(endpoint: dict[str, Any]) -> str:
        if outbox is None:
            return '<span class="muted">—</span>'
        state = outbox.health(endpoint["id"])
        if state.get("failing_since"):
            return (
                badge("failing", "bad")
                + f" <span class=muted>since {esc(lab_time(state['failing_since'], view.clock))},"
                f" {esc(state['failures'])} failed attempts</span>"
            )
        if state.get("last_success"):
            return (
                badge("healthy", "ok")
                + f" <span class=muted>last success {esc(lab_time(state['last_success'], view.clock))}</span>"
            )
        return badge("no attempts yet", "info")

    columns = [
        ("endpoint", lambda e: link(view.detail("endpoints", e["id"]), e["id"])),
        ("url", lambda e: code(e.get("url"))),
        ("status", lambda e: badge(e.get("status") or "enabled")),
        ("events", lambda e: esc(", ".join(e.get("enabled_events") or []))),
        ("retries", lambda e: esc(_policy_name(e))),
        (
            "secret",
            lambda e: code(redact_secret(e.get("secret"))) if e.get("secret") else '<span class="muted">—</span>',
        ),
        ("health", health),
    ]
    return table(endpoints, columns, empty="No webhook endpoints: events are stored, but nobody is told about them.")


def _policy_name(endpoint: dict[str, Any]) -> str:
    policy = endpoint.get("retry_policy")
    if isinstance(policy, dict):
        return str(policy.get("name", "custom"))
    return str(policy) if policy else "default"


def _events_table(view: Any, events: list[dict[str, Any]], outbox: Any) -> str:
    columns = [
        ("created", when("created", view.clock)),
        ("event", lambda e: f"{esc(e.get('type'))}<br>{link(view.detail('events', e['id']), e['id'])}"),
        ("about", lambda e: _about(e)),
        ("deliveries", lambda e: _deliveries_cell(view, e["id"], outbox)),
    ]
    return table(events, columns, empty="No events yet. A payment, a subscription or a refund makes one.")


def _about(event: dict[str, Any]) -> str:
    """The object an event is about, in a few words: `payment_intent pi_… · $20.00 · cus_…`."""
    obj = (event.get("data") or {}).get("object")
    if not isinstance(obj, dict):
        return '<span class="muted">—</span>'
    words = [f"{obj.get('object', '')} {obj.get('id', '')}".strip()]
    amount = obj.get("amount") if obj.get("amount") is not None else obj.get("amount_paid")
    if isinstance(amount, int) and not isinstance(amount, bool):
        words.append(f"{amount / 100:,.2f} {str(obj.get('currency', '')).upper()}".strip())
    customer = obj.get("customer")
    if isinstance(customer, str):
        words.append(customer)
    return esc(" · ".join(w for w in words if w))


def _delivery_state(delivery: dict[str, Any]) -> str:
    if delivery["status"] == "pending" and delivery["attempts"]:
        return "retrying"
    return str(delivery["status"])


def _deliveries_cell(view: Any, event_id: str, outbox: Any) -> str:
    if outbox is None:
        return '<span class="muted">no webhook outbox</span>'
    deliveries = outbox.deliveries(event_id=event_id)
    if not deliveries:
        return '<span class="muted">no endpoint was subscribed</span>'
    attempts = outbox.attempts(event_id=event_id)
    parts = []
    for delivery in deliveries:
        mine = [a for a in attempts if a["delivery_id"] == delivery["id"]]
        label = f"→ {delivery['endpoint_id']}" + (" (duplicate)" if delivery.get("duplicate_of") else "")
        tries = "".join(f"<li>{_attempt_line(view, a)}</li>" for a in mine[-6:])
        if len(mine) > 6:
            tries = f"<li class=muted>… {len(mine) - 6} earlier attempts</li>" + tries
        if delivery["status"] == "pending" and delivery.get("next_attempt_at"):
            tries += f"<li class=muted>next attempt {esc(lab_time(delivery['next_attempt_at'], view.clock))}</li>"
        parts.append(
            f"{badge(_delivery_state(delivery))} <span class=muted>{esc(label)}</span><ul class=tries>{tries}</ul>"
        )
    return "".join(parts)


def _attempt_line(view: Any, attempt: dict[str, Any]) -> str:
    answer = (
        status_badge(attempt["status"])
        if attempt["status"]
        else badge(attempt.get("error") or attempt["outcome"], "bad")
    )
    if attempt["outcome"] == "skipped":
        answer = badge("skipped", "info") + f" {esc(attempt.get('error'))}"
    elif attempt["status"] and attempt.get("error"):
        answer += f" <span class=muted>{esc(attempt['error'])}</span>"
    return (
        f"#{esc(attempt['number'])} {esc(lab_time(attempt['at'], view.clock))} {answer}"
        f" <span class=muted>{float(attempt['latency_ms']):.1f} ms</span> {excerpt(attempt.get('response'), 60) if attempt.get('response') else ''}"
    )


def attempts_table(view: Any, attempts: list[dict[str, Any]], *, with_event: bool = False) -> str:
    columns = [
        ("#", lambda a: esc(a["number"])),
        ("when", when("at", view.clock)),
        ("outcome", lambda a: badge(a["outcome"])),
        ("answer", lambda a: status_badge(a["status"]) if a["status"] else esc(a.get("error") or "")),
        ("latency", millis()),
        ("response", lambda a: excerpt(a.get("response"), 200)),
        (
            "next attempt",
            lambda a: esc(lab_time(a.get("next_attempt_at"), view.clock)) or '<span class="muted">none</span>',
        ),
    ]
    if with_event:
        columns.insert(
            2,
            (
                "event",
                lambda a: f"{esc(a['event_type'])}<br>{link(view.detail('events', a['event_id']), a['event_id'])}",
            ),
        )
    else:
        columns.insert(
            2, ("endpoint", lambda a: f"{code(a['endpoint_id'])}<br><span class=muted>{esc(a['url'])}</span>")
        )
    return table(attempts, columns, empty="No attempts yet.")


# -- detail pages -------------------------------------------------------------


def _event_page(view: Any, event_id: str, outbox: Any) -> tuple[str, str] | None:
    event = sources.find(view.system, event_id)
    if event is None and outbox is not None and sources.has_table(view.system, "deliveries"):
        rows = outbox.deliveries(event_id=event_id)
        if rows:
            event = {"id": event_id, "object": "event", "type": rows[0]["event_type"], "created": rows[0]["created"]}
    if event is None or event.get("object") != "event":
        return None
    body = f"<h1>{esc(event.get('type'))}</h1>"
    body += f"<p class='lead'>{code(event_id)} · created {esc(lab_time(event.get('created'), view.clock))} · <a href='{esc(view.href())}'>all events</a></p>"
    if outbox is not None:
        deliveries = outbox.deliveries(event_id=event_id)
        body += section(
            "Deliveries",
            table(
                deliveries,
                [
                    ("delivery", lambda d: code(d["id"])),
                    ("endpoint", lambda d: link(view.detail("endpoints", d["endpoint_id"]), d["endpoint_id"])),
                    ("state", lambda d: badge(_delivery_state(d))),
                    ("attempts", lambda d: esc(d["attempts"])),
                    (
                        "next attempt",
                        lambda d: (
                            esc(lab_time(d.get("next_attempt_at"), view.clock)) or '<span class="muted">none</span>'
                        ),
                    ),
                ],
                empty="No endpoint was subscribed to this event.",
            ),
        )
        body += section(
            "Delivery attempts",
            attempts_table(view, outbox.attempts(event_id=event_id)),
            note="Only a 2xx answer within the timeout counts as delivered.",
        )
    body += section("Event data", pretty_json(event))
    return f"event {event_id}", body


def _endpoint_page(view: Any, endpoint_id: str, outbox: Any) -> tuple[str, str] | None:
    endpoint = sources.find(view.system, endpoint_id)
    if endpoint is None or endpoint.get("object") != "webhook_endpoint":
        return None
    shown = {k: (redact_secret(v) if k == "secret" else v) for k, v in endpoint.items()}
    body = f"<h1>Endpoint {esc(endpoint_id)} {badge(endpoint.get('status') or 'enabled')}</h1>"
    body += f"<p class='lead'>{code(endpoint.get('url'))} · <a href='{esc(view.href())}'>back to payments</a></p>"
    if outbox is not None:
        attempts = list(reversed(outbox.attempts(endpoint_id=endpoint_id)))[: sources.LIMIT]
        body += section("Latest attempts", attempts_table(view, attempts, with_event=True), note="Newest first.")
    body += section("Endpoint", pretty_json(shown))
    return f"endpoint {endpoint_id}", body
