"""The page for a system without a page of its own, and the parts every page shares."""

from __future__ import annotations

from typing import Any

from . import sources
from .layout import badge, code, esc, excerpt, fault_text, millis, section, status_badge, table, when


def render(view: Any) -> tuple[str, str]:
    system = view.system
    body = heading(view, "Requests this system received, newest first.") + requests_section(view)
    return system.name, body


def detail(view: Any, parts: list[str]) -> tuple[str, str] | None:
    return None


#: How a system's name is written in a heading, where plain capitalising would be wrong.
DISPLAY_NAMES = {"crm": "CRM"}


def display_name(system: Any) -> str:
    name = str(getattr(system, "title", None) or system.name)
    return DISPLAY_NAMES.get(name, name[:1].upper() + name[1:])


def heading(view: Any, lead: str) -> str:
    """The page title, what the page shows, and whether the system is up or faulty right now."""
    system = view.system
    state = badge("down", "bad") if system.faults.is_down else badge("up", "ok")
    return (
        f"<h1>{esc(display_name(system))} {state}</h1>"
        f'<p class="lead">{esc(lead)} Served at {code(system.url)}. Faults now: {fault_text(system.faults.active())}</p>'
    )


def requests_section(view: Any, *, limit: int = 20) -> str:
    """The newest requests the system received (page views left out)."""
    rows = sources.recent_requests(view.system, limit=limit)
    columns = [
        ("received", when("at", view.clock)),
        ("request", lambda r: code(f"{r['method']} {r['path']}" + (f"?{r['query']}" if r["query"] else ""))),
        (
            "answer",
            lambda r: (
                status_badge(r["status"])
                + (" " + badge("injected fault: " + str(r["fault"]), "warn") if r.get("fault") else "")
            ),
        ),
        ("took", millis()),
        ("response", lambda r: excerpt(r["response"], 90)),
    ]
    return section(
        f"Recent requests (last {limit})",
        table(rows, columns, empty="No requests yet."),
        note="Every request that reached this server, including ones an injected fault turned away.",
    )
