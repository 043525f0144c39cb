"""The mailer dashboard: an inbox of every email and alert the lab sent."""

from __future__ import annotations

from typing import Any

from . import sources
from .generic import heading, requests_section
from .layout import badge, cards, code, esc, excerpt, field, lab_time, link, section, table, when


def render(view: Any) -> tuple[str, str]:
    system = view.system
    messages = sources.objects(system, "message")
    alerts = [m for m in messages if m.get("kind") == "alert"]
    unsent = list(getattr(system, "unsent_alerts", []))
    body = heading(view, "Every email and alert the lab's automations sent, newest first.")
    body += cards(
        [
            ("messages", sources.count(system, "message")),
            ("alerts", sum(1 for m in messages if m.get("kind") == "alert")),
            ("alerts not delivered", len(unsent)),
        ]
    )
    if alerts:
        body += section(
            "Alerts",
            _inbox_table(view, alerts[:10]),
            note="Someone was told something failed. Newest first.",
            css="error",
        )
    if unsent:
        rows = list(reversed(unsent))[:10]
        body += section(
            "Alerts the mailer could not take",
            table(
                rows,
                [
                    ("when", when("at", view.clock)),
                    ("to", field("to")),
                    ("subject", field("subject")),
                    ("error", lambda r: excerpt(r.get("error"), 120)),
                ],
                empty="",
            ),
            note="The mailer was down or failing when these alerts were raised: an alert path can fail too.",
            css="error",
        )
    body += section("Inbox", _inbox_table(view, messages), note=f"The newest {sources.LIMIT} messages.")
    body += requests_section(view)
    return "mailer", body


def detail(view: Any, parts: list[str]) -> tuple[str, str] | None:
    if len(parts) != 2 or parts[0] != "messages":
        return None
    message = sources.find(view.system, parts[1])
    if message is None or message.get("object") != "message":
        return None
    body = f"<h1>{esc(message.get('subject'))} {badge(message.get('kind'), 'bad' if message.get('kind') == 'alert' else 'info')}</h1>"
    body += (
        f"<p class='lead'>From {code(message.get('from'))} to {code(message.get('to'))}, "
        f"{esc(lab_time(message.get('created'), view.clock))}. <a href='{esc(view.href())}'>Back to the inbox</a></p>"
    )
    tags = " ".join(badge(tag, "info") for tag in message.get("tags") or [])
    body += section("Message", f"<pre>{esc(message.get('body'))}</pre>" + (f"<p>{tags}</p>" if tags else ""))
    return f"message {message['id']}", body


def _inbox_table(view: Any, messages: list[dict[str, Any]]) -> str:
    columns = [
        ("received", when("created", view.clock)),
        ("kind", lambda m: badge(m.get("kind"), "bad" if m.get("kind") == "alert" else "info")),
        ("to", lambda m: esc(m.get("to"))),
        ("subject", lambda m: link(view.detail("messages", m["id"]), m.get("subject") or "(no subject)")),
        ("message", lambda m: excerpt(m.get("body"), 100)),
    ]
    return table(messages, columns, empty="The inbox is empty: nothing has been sent yet.")
