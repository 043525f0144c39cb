"""The lab overview page served by the control server."""

from __future__ import annotations

import html
from typing import Any


def render_overview(lab: Any) -> str:
    rows = "".join(
        f"<li><a href='{html.escape(s.url)}/'>{html.escape(name)}</a></li>" for name, s in lab.systems.items()
    )
    return f"<!doctype html><html><head><meta charset='utf-8'><title>hooklab lab</title></head><body><h1>hooklab</h1><ul>{rows}</ul></body></html>"
