"""Server-rendered HTML dashboards: one page per system, and the lab overview.

`Service` serves `render_dashboard(system)` at each system's root URL and
`render_page(system, rest)` at `/dashboard/<rest>` (detail pages). Every page
is plain HTML with a little CSS, reloads itself every few seconds, and shows
times on the lab clock. Links between a system's own pages are relative, so
they keep working behind jupyter-server-proxy; links to other systems come
from `simulators.links.public_url`.

A page never answers 500: if drawing it fails, the page says what failed.
"""

from __future__ import annotations

import importlib
import traceback
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..links import public_url
from .layout import esc, page, section

__all__ = ["View", "render_dashboard", "render_page"]

#: The page module for each system, by the system's name.
PAGES = {
    "payments": "payments",
    "provisioning": "provisioning",
    "crm": "crm",
    "mailer": "mailer",
}


@dataclass(frozen=True)
class View:
    """Where a page is drawn: the system, its lab clock, and how to link from here."""

    system: Any
    rest: str = ""

    @property
    def clock(self) -> Any:
        return self.system.clock

    def href(self, path: str = "") -> str:
        """A relative link to `path` inside this system (`""` is its dashboard root)."""
        depth = len(self.rest.split("/")) if self.rest else 0
        return ("../" * depth or "./") + path.lstrip("/")

    def detail(self, *parts: str) -> str:
        """A relative link to one of this system's detail pages."""
        return self.href("dashboard/" + "/".join(parts))


def render_dashboard(system: Any) -> str:
    """The HTML page at a system's root URL."""
    html, _ = _render(system, "")
    return html


def render_page(system: Any, rest: str) -> tuple[str, int]:
    """A detail page under `/dashboard/<rest>`, with its HTTP status (404 when there is no such page)."""
    return _render(system, rest.strip("/"))


def _render(system: Any, rest: str) -> tuple[str, int]:
    view = View(system, rest)
    title = getattr(system, "title", system.name)
    try:
        module = _page_module(system)
        if rest:
            drawn = module.detail(view, rest.split("/"))
            if drawn is None:
                body = section(
                    "No such page",
                    f"<p>{esc(system.name)} has nothing at <code>/dashboard/{esc(rest)}</code>.</p>"
                    f'<p><a href="{esc(view.href())}">Back to the {esc(system.name)} dashboard</a></p>',
                )
                return _frame(system, f"{system.name}: not found", body), 404
            title, body = drawn
        else:
            title, body = module.render(view)
    except Exception as exc:  # noqa: BLE001 - the page boundary: show what broke, never a 500
        body = section(
            "This page could not be drawn",
            f"<p>Drawing the {esc(system.name)} dashboard raised <code>{esc(type(exc).__name__)}: {esc(exc)}</code>."
            " The system itself may be fine; the page reloads by itself.</p>"
            f"<pre>{esc(traceback.format_exc(limit=6))}</pre>",
            css="error",
        )
    return _frame(system, title, body), 200


def _frame(system: Any, title: str, body: str) -> str:
    return page(title, body, clock=system.clock, nav=nav_links(system.lab), here=system.name)


def nav_links(lab: Any) -> list[tuple[str, str]]:
    """The header links: the overview and every system's dashboard."""
    found = []
    control = getattr(lab, "control", None)
    if control is not None and control.port:
        found.append(("overview", public_url(control.port)))
    for name, system in getattr(lab, "systems", {}).items():
        if system.port:
            found.append((name, public_url(system.port)))
    return found


def _page_module(system: Any) -> ModuleType:
    name = PAGES.get(system.name)
    if name is None:
        package = type(system).__module__.split(".")
        name = next((PAGES[part] for part in package if part in PAGES), "generic")
    return importlib.import_module(f"{__name__}.{name}")
