"""The CRM dashboard: contacts, tasks, web-form submissions and the webhooks they sent."""

from __future__ import annotations

from typing import Any

from . import sources
from .generic import heading, requests_section
from .layout import badge, cards, code, esc, excerpt, field, link, pretty_json, redact_secret, section, table, when
from .payments import attempts_table

#: What the CRM may call a form submission (the first kind with documents wins).
SUBMISSION_KINDS = ("form_submission", "submission")


def render(view: Any) -> tuple[str, str]:
    system = view.system
    contacts = sources.objects(system, "contact")
    tasks = sources.objects(system, "task")
    submissions = _submissions(system)
    body = heading(view, "Contacts and tasks, the web form, and the webhooks each submission sends.")
    form_link = view.href("form")
    body += (
        f"<p>The web form a visitor fills in is at {link(form_link, 'the form page')}; each submission sends a "
        "<code>form.submitted</code> webhook, signed the Standard Webhooks way.</p>"
    )
    body += cards(
        [
            ("contacts", sources.count(system, "contact")),
            ("tasks", sources.count(system, "task")),
            ("open tasks", sum(1 for t in tasks if t.get("status") not in ("done", "completed"))),
            ("form submissions", len(submissions)),
        ]
    )
    body += section(
        "Contacts",
        table(
            contacts,
            [
                ("created", when("created", view.clock)),
                ("contact", lambda c: link(view.detail("objects", c["id"]), c["id"])),
                ("name", field("name")),
                ("email", field("email")),
                ("company", field("company")),
            ],
            empty="No contacts yet.",
        ),
        note="Newest first.",
    )
    body += section(
        "Tasks",
        table(
            tasks,
            [
                ("created", when("created", view.clock)),
                ("task", lambda t: esc(t.get("title") or t.get("subject") or t.get("id"))),
                ("contact", lambda t: code(t.get("contact")) if t.get("contact") else '<span class="muted">—</span>'),
                ("due", field("due_date")),
                ("status", lambda t: badge(t.get("status"))),
            ],
            empty="No tasks yet.",
        ),
        note="Newest first.",
    )
    body += section(
        "Form submissions",
        table(
            submissions,
            [
                ("received", when("created", view.clock)),
                ("submission", lambda s: link(view.detail("objects", s["id"]), s["id"])),
                ("name", field("name")),
                ("email", lambda s: esc(s.get("email")) if s.get("email") else badge("missing", "warn")),
                ("message", lambda s: excerpt(s.get("message"), 80)),
            ],
            empty="Nobody has filled in the form yet.",
        ),
        note="Newest first. A missing field is stored as it came.",
    )
    body += _webhooks(view)
    body += requests_section(view)
    return "crm", body


def detail(view: Any, parts: list[str]) -> tuple[str, str] | None:
    if len(parts) != 2 or parts[0] != "objects":
        return None
    found = sources.find(view.system, parts[1])
    if found is None:
        return None
    shown = {k: (redact_secret(v) if k == "secret" else v) for k, v in found.items()}
    body = f"<h1>{esc(found.get('object', 'object'))} {code(found.get('id'))}</h1>"
    body += f"<p class='lead'><a href='{esc(view.href())}'>Back to the CRM</a></p>" + section(
        "Stored as", pretty_json(shown)
    )
    return f"{found.get('object', 'object')} {found.get('id')}", body


def _submissions(system: Any) -> list[dict[str, Any]]:
    for kind in SUBMISSION_KINDS:
        found = sources.objects(system, kind)
        if found:
            return found
    return []


def _webhooks(view: Any) -> str:
    system = view.system
    endpoints = sources.objects(system, "webhook_endpoint", newest_first=False)
    out = section(
        "Webhook endpoints",
        table(
            endpoints,
            [
                ("endpoint", lambda e: code(e["id"])),
                ("url", lambda e: code(e.get("url"))),
                ("events", lambda e: esc(", ".join(e.get("events") or e.get("enabled_events") or []))),
                (
                    "secret",
                    lambda e: (
                        code(redact_secret(e.get("secret"))) if e.get("secret") else '<span class="muted">—</span>'
                    ),
                ),
            ],
            empty="No webhook endpoints: submissions are stored, but nobody is told.",
        ),
    )
    outbox = getattr(system, "outbox", None)
    if outbox is not None and sources.has_table(system, "attempts"):
        rows = system.store.query("SELECT * FROM attempts ORDER BY seq DESC LIMIT ?", (sources.LIMIT,))
        out += section(
            "Webhook delivery attempts",
            attempts_table(view, rows),
            note="Newest first. Only a 2xx answer counts as delivered.",
        )
    return out
