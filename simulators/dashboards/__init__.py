"""Server-rendered HTML dashboards: one page per system, and the lab overview.

The lab mounts each system's page module with `mount(system, pages, nav)`: the
dashboard at the system's root URL and detail pages at `/dashboard/<rest>`. Every page
is plain HTML with a little CSS, reloads itself every few seconds, and shows
times on the lab clock. Links between a system's own pages are relative, so
they keep working behind jupyter-server-proxy; links to other systems come
from `simulators.links.public_url`.

A page never answers 500: if drawing it fails, the page says what failed (the
exception's type and message, never a traceback, which names files on this
machine; the traceback goes to the log). An unknown detail page is a 404: an
HTML page for a browser that asked for one (`Accept: text/html`), the lab's
JSON error for everything else, as every other unknown URL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from flask import Flask, Response, request

from .. import learner
from ..errors import ApiError
from ..links import public_url
from . import generic
from .layout import esc, page, section

log = logging.getLogger("hooklab")

__all__ = ["Nav", "View", "could_not_draw", "mount", "nav_links", "render_dashboard", "render_page", "without_paths"]

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
    app: Flask = system.app
    if any(rule.rule == "/" for rule in app.url_map.iter_rules()):
        return

    @app.get("/")
    def dashboard() -> Response:
        return html_page(render_dashboard(system, pages, nav))

    @app.get("/dashboard/<path:rest>")
    def dashboard_page(rest: str) -> Response:
        html, status = render_page(system, rest, pages, nav)
        if status == 404 and not browser_wants_html():
            raise ApiError(404, f"{system.name} has no dashboard page at /dashboard/{rest}.")
        return html_page(html, status)


def html_page(html: str, status: int = 200) -> Response:
    """A lab page, which only a page of the same origin may frame.

    Behind jupyter-server-proxy the lab's pages share JupyterLab's origin, so JupyterLab could still show one
    in a panel; another site cannot frame it and draw over its buttons (review C1, issue 28).
    """
    page = Response(html, status=status, mimetype="text/html")
    page.headers["X-Frame-Options"] = "SAMEORIGIN"
    page.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    page.headers["X-Content-Type-Options"] = "nosniff"
    return page


def browser_wants_html() -> bool:
    """Whether this request asked for a page (a browser's Accept), rather than taking anything (`*/*`)."""
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


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
    drawn: learner.Outcome[Any]
    if rest:
        # A page module may be a learner's, and any page may meet stored data it did not expect: the page boundary.
        drawn = learner.call(module.detail, view, rest.split("/"), where=f"{system.name} page", now=system.clock.now)
        if drawn.ok and drawn.value is None:
            body = section(
                "No such page",
                f"<p>{esc(system.name)} has nothing at <code>/dashboard/{esc(rest)}</code>.</p>"
                f'<p><a href="{esc(view.href())}">Back to the {esc(system.name)} dashboard</a></p>',
            )
            return _frame(system, f"{system.name}: not found", body, nav), 404
    else:
        drawn = learner.call(module.render, view, where=f"{system.name} dashboard", now=system.clock.now)
    if drawn.failure is None:
        parts: Any = drawn.value
        title, body = parts
    else:
        body = could_not_draw(f"the {system.name} dashboard", drawn.failure, "The system itself may be fine; the page")
    return _frame(system, title, body, nav), 200


def could_not_draw(what: str, failure: learner.HandlerFailure, more: str = "The page") -> str:
    """The section a page shows instead of what failed: what raised, never the traceback (it goes to the log)."""
    log.error("drawing %s failed\n%s", what, failure.traceback)
    return section(
        "This page could not be drawn",
        f"<p>Drawing {esc(what)} raised <code>{esc(without_paths(failure.error))}</code>."
        f" {esc(more)} reloads by itself.</p>",
        css="error",
    )


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/'\"<>]+){2,}")


def without_paths(text: str) -> str:
    """`text` with every absolute file path cut to its last part: a page must not map this machine's folders."""
    return _PATH.sub(lambda match: "…/" + re.split(r"[\\/]", match.group(0))[-1], text)


def _frame(system: Any, title: str, body: str, nav: Nav) -> str:
    return page(title, body, clock=system.clock, nav=nav(), here=system.name)


def nav_links(control: Any, systems: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """The header links: the overview (the control server) and every system's dashboard (a port of 0 is not listening yet)."""
    found = [("overview", public_url(control))] if control is not None and control.port else []
    found += [(name, public_url(system)) for name, system in systems if system.port]
    return found
