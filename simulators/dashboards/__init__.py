"""Server-rendered HTML dashboards, one per system, and the lab overview."""

from __future__ import annotations

import html
from typing import Any


def render_dashboard(system: Any) -> str:
    """The HTML page at a system's root URL."""
    title = html.escape(f"hooklab · {system.name}")
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1></body></html>"
