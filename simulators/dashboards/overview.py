"""The lab overview, served at the control server's root: every system, the faults, the clock, the alerts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import learner
from ..links import public_url
from . import could_not_draw, nav_links
from .layout import (
    badge,
    cards,
    code,
    esc,
    excerpt,
    fault_text,
    lab_time,
    link,
    page,
    section,
    status_badge,
    table,
    when,
)

RECENT_ALERTS = 20
#: One line on what each system is, for someone meeting it for the first time.
PURPOSES = {
    "payments": "Stripe-compatible payments: customers, payments, subscriptions, and the webhook events they cause",
    "provisioning": "Gives paying customers an account; the payment webhooks are sent here",
    "crm": "Contacts, tasks, and a web form whose submissions send webhooks",
    "mailer": "Every email and alert the automations send lands in its inbox",
}


def render_overview(lab: Any) -> str:
    """The HTML page at `lab.url + "/"`."""
    drawn = learner.call(_body, lab, where="lab overview", now=lab.clock.now)
    body = could_not_draw("the lab overview", drawn.failure) if drawn.failure is not None else str(drawn.value)
    nav = nav_links(lab.control, list(lab.systems.items()))
    return page("lab overview", body, clock=lab.clock, nav=nav, here="overview")


def _body(lab: Any) -> str:
    clock = lab.clock
    systems = list(lab.systems.values())
    endpoints = list(lab.endpoints.values())
    up = sum(1 for s in systems if not s.faults.is_down)
    mode = f"real time × {clock.speed:g}" if lab.realtime else "virtual: it moves only when the lab advances it"
    body = "<h1>Your lab</h1>"
    body += (
        f'<p class="lead">Every simulated system, where to find it, and what is wrong with it right now. '
        f"Seed {code(lab.seed)} · clock {esc(mode)} · state in {_state_folder(lab)}</p>"
    )
    body += cards(
        [
            ("lab clock", lab_time(clock.time(), clock)),
            ("systems up", f"{up} of {len(systems)}"),
            ("your endpoints", len(endpoints)),
            ("alerts", len(lab.alerts)),
        ]
    )
    body += section(
        "Systems",
        _systems_table(lab, systems),
        note="Open a system to see its dashboard. Code in your notebook uses the address in the last column.",
    )
    body += section(
        "Your endpoints",
        _endpoints_table(lab, endpoints),
        note="Functions you serve with lab.host(fn): each has its own address, fault switches and request log.",
    )
    body += _alerts_section(lab)
    return body


def _state_folder(lab: Any) -> str:
    # Its name, not its path: a page never maps this machine's folders (the kernel has lab.state_dir).
    if getattr(lab, "_temporary", False):
        return "a temporary folder, removed when the lab stops"
    return code(Path(lab.state_dir).name)


def _systems_table(lab: Any, systems: list[Any]) -> str:
    rows = [{"system": s} for s in systems]
    columns = [
        ("system", lambda r: link(public_url(r["system"]), r["system"].name)),
        ("what it is", lambda r: esc(PURPOSES.get(r["system"].name, r["system"].title))),
        ("state", lambda r: _state(r["system"])),
        ("faults now", lambda r: fault_text(r["system"].faults.active())),
        ("planned faults", lambda r: _planned(lab, r["system"])),
        ("address for code", lambda r: address(r["system"].url)),
    ]
    return table(rows, columns, empty="This lab runs no systems.")


def _endpoints_table(lab: Any, endpoints: list[Any]) -> str:
    def last_answer(endpoint: Any) -> str:
        newest = endpoint.requests.entries(newest_first=True, limit=1)
        if not newest:
            return '<span class="muted">no requests yet</span>'
        return (
            f"{status_badge(newest[0]['status'])} <span class=muted>{esc(lab_time(newest[0]['at'], lab.clock))}</span>"
        )

    rows = [{"endpoint": e} for e in endpoints]
    columns = [
        ("endpoint", lambda r: esc(getattr(r["endpoint"], "label", r["endpoint"].name))),
        ("state", lambda r: _state(r["endpoint"])),
        ("faults now", lambda r: fault_text(r["endpoint"].faults.active())),
        ("requests", lambda r: esc(r["endpoint"].requests.count())),
        ("last answer", lambda r: last_answer(r["endpoint"])),
        ("failures", lambda r: _failures(r["endpoint"])),
        ("address for code", lambda r: address(r["endpoint"].url)),
    ]
    return table(rows, columns, empty="None yet. Serve a function with lab.host(fn) and it shows up here.")


def address(url: str) -> str:
    """A URL kept on one line, since a port number broken in two reads as two numbers."""
    return f'<code class="nowrap">{esc(url)}</code>'


def _state(service: Any) -> str:
    return badge("down", "bad") if service.faults.is_down else badge("up", "ok")


def _planned(lab: Any, service: Any) -> str:
    now = lab.clock.time()
    coming = [w for w in service.faults.scheduled if w.end is None or w.end > now]
    if not coming:
        return '<span class="muted">none</span>'
    return "<br>".join(
        f"{esc(w.kind.replace('_', ' '))} {esc(lab_time(w.start, lab.clock))} → {esc(lab_time(w.end, lab.clock)) if w.end else 'until cleared'}"
        for w in coming[:4]
    )


def _failures(endpoint: Any) -> str:
    failures = getattr(endpoint, "failures", [])
    if not failures:
        return '<span class="muted">none</span>'
    return badge(f"{len(failures)} raised", "bad") + f" {excerpt(failures[-1].error, 60)}"


def _alerts_section(lab: Any) -> str:
    alerts = list(reversed(lab.alerts[-RECENT_ALERTS:]))
    rows = [{"at": a.at.timestamp(), "source": a.source, "kind": a.kind, "message": a.message} for a in alerts]
    columns = [
        ("when", when("at", lab.clock)),
        ("from", lambda r: esc(r["source"])),
        ("what", lambda r: badge(r["kind"].replace("_", " "), "bad")),
        ("message", lambda r: esc(r["message"])),
    ]
    return section(
        f"Recent alerts (last {RECENT_ALERTS})",
        table(rows, columns, empty="No alerts. Quiet can mean all is well, or that nobody is watching."),
        note="Newest first. Route them to an inbox with lab.mailer.route_alerts().",
        css="error" if rows else "",
    )
