"""Server-rendered HTML dashboards: one page per system, and the lab overview.

The lab mounts each system's page module with `mount(system, pages, nav)`: the
dashboard at the system's root URL and detail pages at `/dashboard/<rest>`. Every page
is plain HTML with a little CSS, reloads itself every few seconds, and shows
times on the lab clock. Links between a system's own pages are relative, so
they keep working behind jupyter-server-proxy; links to other systems come
from `simulators.links.public_url`.

A page never answers 500: if drawing it fails, the page says what failed.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from flask import Response

from ..links import public_url
from . import generic
from .layout import esc, page, section

__all__ = ["Nav", "View", "mount", "nav_links", "render_dashboard", "render_page"]

#: The header links of every page: (label, URL) pairs, asked for afresh each time a page is drawn.
Nav = Callable[[], list[tuple[str, str]]]


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


def mount(system: Any, pages: ModuleType = generic, nav: Nav = list) -> None:
    """Serve `pages` (a module with `render(view)` and `detail(view, parts)`) on `system`'s Flask app.

    A system whose app already answers `/` keeps it (learner endpoints answer every path).
    """
    app = system.app
    if any(rule.rule == "/" for rule in app.url_map.iter_rules()):
        return

    @app.get("/")
    def dashboard() -> Response:
        return Response(render_dashboard(system, pages, nav), mimetype="text/html")

    @app.get("/dashboard/<path:rest>")
    def dashboard_page(rest: str) -> Response:
        html, status = render_page(system, rest, pages, nav)
        return Response(html, status=status, mimetype="text/html")


def render_dashboard(system: Any, pages: ModuleType = generic, nav: Nav = list) -> str:
    """The HTML page at a system's root URL."""
    html, _ = _render(system, "", pages, nav)
    return html


def render_page(system: Any, rest: str, pages: ModuleType = generic, nav: Nav = list) -> tuple[str, int]:
    """A detail page under `/dashboard/<rest>`, with its HTTP status (404 when there is no such page)."""
    return _render(system, rest.strip("/"), pages, nav)


def _render(system: Any, rest: str, module: ModuleType, nav: Nav) -> tuple[str, int]:
    view = View(system, rest)
    title = getattr(system, "title", system.name)
    try:
        if rest:
            drawn = module.detail(view, rest.split("/"))
            if drawn is None:
                body = section(
                    "No such page",
                    f"<p>{esc(system.name)} has nothing at <code>/dashboard/{esc(rest)}</code>.</p>"
                    f'<p><a href="{esc(view.href())}">Back to the {esc(system.name)} dashboard</a></p>',
                )
                return _frame(system, f"{system.name}: not found", body, nav), 404
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
    return _frame(system, title, body, nav), 200


def _frame(system: Any, title: str, body: str, nav: Nav) -> str:
    return page(title, body, clock=system.clock, nav=nav(), here=system.name)


def nav_links(control_port: int, systems: Iterable[tuple[str, int]]) -> list[tuple[str, str]]:
    """The header links: the overview and every system's dashboard (a port of 0 is not listening yet)."""
    found = [("overview", public_url(control_port))] if control_port else []
    found += [(name, public_url(port)) for name, port in systems if port]
    return found
