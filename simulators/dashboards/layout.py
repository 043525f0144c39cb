"""The pieces every dashboard page is made of: the frame, tables, badges, times.

Everything that reaches the page goes through `esc` (or is built from escaped
parts here), so a customer named `<script>` shows up as text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

#: Seconds between automatic reloads: often enough to watch a retry land.
REFRESH_SECONDS = 3
#: The reload a reader can pause (WCAG 2.2.1: a page that changes on a timer lets its reader stop it; a
#: screen reader's place is lost at every reload). The choice is kept for the next page in localStorage.
_AUTO_REFRESH = """<button type="button" id="auto-refresh" data-seconds="{seconds}" aria-pressed="false"></button>
<script>(function () {{
  var key = "hooklab-auto-refresh-paused", button = document.getElementById("auto-refresh"), timer = null;
  var seconds = Number(button.dataset.seconds);
  function paused() {{ try {{ return localStorage.getItem(key) === "1"; }} catch (e) {{ return false; }} }}
  function show() {{
    var now = paused();
    button.textContent = now ? "Resume auto-refresh" : "Pause auto-refresh (every " + seconds + " s)";
    button.setAttribute("aria-pressed", now ? "true" : "false");
    clearTimeout(timer);
    if (!now) {{ timer = setTimeout(function () {{ location.reload(); }}, seconds * 1000); }}
  }}
  button.addEventListener("click", function () {{
    try {{ localStorage.setItem(key, paused() ? "0" : "1"); }} catch (e) {{}}
    show();
  }});
  show();
}})();</script>"""

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1f36;background:#f6f8fa}
header{background:#fff;border-bottom:1px solid #e3e8ee;padding:10px 24px;display:flex;gap:18px;align-items:center;flex-wrap:wrap}
header .brand{font-weight:700;color:#4f46e5;text-decoration:none;font-size:16px}
header nav a{color:#425466;text-decoration:none;margin-right:12px}
header nav a.here{color:#1a1f36;font-weight:600;border-bottom:2px solid #635bff}
header .clock{margin-left:auto;color:#425466}
header #auto-refresh{font:inherit;font-size:12px;color:#425466;background:#fff;border:1px solid #c1c9d2;border-radius:6px;padding:2px 8px}
main{max-width:1180px;margin:0 auto;padding:16px 24px 40px}
h1{font-size:22px;margin:8px 0 2px}
h2{font-size:16px;margin:0 0 10px}
.lead{color:#5e6a7d;margin:0 0 14px}
section{background:#fff;border:1px solid #e3e8ee;border-radius:8px;padding:14px 16px;margin:14px 0;overflow-x:auto}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:10px 0}
.card{background:#fff;border:1px solid #e3e8ee;border-radius:8px;padding:10px 16px;min-width:130px}
.card b{display:block;font-size:22px}
.card span{color:#5e6a7d;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;width:100%}
th{text-align:left;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#5e6a7d;border-bottom:1px solid #e3e8ee;padding:6px 8px;white-space:nowrap}
td{border-bottom:1px solid #f0f2f5;padding:6px 8px;vertical-align:top}
tr:last-child td{border-bottom:none}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
td code{overflow-wrap:anywhere}
td code.nowrap{overflow-wrap:normal;white-space:nowrap}
pre{background:#f6f8fa;border:1px solid #e3e8ee;border-radius:6px;padding:10px;overflow:auto;max-height:420px;white-space:pre-wrap;word-break:break-word}
.muted{color:#5e6a7d}
.empty{color:#5e6a7d;font-style:italic}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.ok{background:#d7f7c2;color:#05690d}
.bad{background:#ffe7f2;color:#b3093c}
.warn{background:#fcedb9;color:#a82c00}
.info{background:#e3e8ee;color:#3c4257}
.tries{margin:4px 0 0;padding:0;list-style:none;font-size:12px}
.tries li{margin:2px 0}
.error{border-color:#ffb3c8;background:#fff5f8}
a{color:#4f46e5}
.nowrap{white-space:nowrap}
"""


def esc(value: Any) -> str:
    """Text made safe for HTML (None shows as an empty string)."""
    return html.escape("" if value is None else str(value), quote=True)


def page(
    title: str,
    body: str,
    *,
    clock: Any = None,
    nav: Sequence[tuple[str, str]] = (),
    here: str = "",
    refresh: int | None = REFRESH_SECONDS,
) -> str:
    """A whole HTML document: header with links and the lab clock, then `body` (already HTML)."""
    auto_refresh = _AUTO_REFRESH.format(seconds=int(refresh)) if refresh else ""
    links = "".join(
        f'<a href="{esc(href)}"{" class=here" if label == here else ""}>{esc(label)}</a>' for label, href in nav
    )
    when = ""
    if clock is not None:
        mode = "real time" if getattr(clock, "realtime", False) else "virtual"
        when = f'<span class="clock" title="lab clock ({mode})">Lab clock: <b>{esc(lab_time(clock.time(), clock))}</b></span>'
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · hooklab</title><style>{_CSS}</style></head><body>"
        f'<header><span class="brand">hooklab</span><nav>{links}</nav>{when}{auto_refresh}</header>'
        f"<main>{body}</main></body></html>"
    )


def section(title: str, content: str, *, note: str = "", css: str = "") -> str:
    lead = f'<p class="lead">{esc(note)}</p>' if note else ""
    cls = f' class="{css}"' if css else ""
    return f"<section{cls}><h2>{esc(title)}</h2>{lead}{content}</section>"


def cards(items: Iterable[tuple[str, Any]]) -> str:
    """Big numbers in a row: (label, value)."""
    return (
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for k, v in items)
        + "</div>"
    )


Cell = Callable[[dict[str, Any]], str]


def table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, Cell]], *, empty: str) -> str:
    """A table whose cells are produced by `cell(row)` (each cell returns HTML)."""
    if not rows:
        return f'<p class="empty">{esc(empty)}</p>'
    head = "".join(f"<th>{esc(name)}</th>" for name, _ in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(row)}</td>" for _, cell in columns) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def field(key: str) -> Cell:
    """A cell showing `row[key]` as text, or a dash when there is none."""
    return lambda row: esc(row.get(key)) if row.get(key) not in (None, "") else NOTHING


def millis(key: str = "latency_ms") -> Cell:
    """A cell showing a duration in milliseconds."""
    return lambda row: f'<span class="nowrap">{float(row[key]):.1f} ms</span>'


#: What an empty cell shows.
NOTHING = '<span class="muted">—</span>'


def code(value: Any) -> str:
    return f"<code>{esc(value)}</code>"


def link(href: str, text: Any) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


_TONES = {
    "succeeded": "ok",
    "active": "ok",
    "up": "ok",
    "enabled": "ok",
    "done": "ok",
    "completed": "ok",
    "sent": "ok",
    "failed": "bad",
    "down": "bad",
    "disabled": "bad",
    "alert": "bad",
    "inactive": "warn",
    "pending": "warn",
    "retrying": "warn",
    "open": "warn",
    "skipped": "info",
}


def badge(text: Any, tone: str | None = None) -> str:
    """A coloured label; the colour follows the word unless `tone` (ok, bad, warn, info) is given."""
    word = "" if text is None else str(text)
    return f'<span class="badge {tone or _TONES.get(word.lower(), "info")}">{esc(word)}</span>'


def status_badge(status: int | None) -> str:
    """An HTTP status as a badge: 2xx green, anything else red, none grey."""
    if not status:
        return badge("no answer", "bad")
    return badge(status, "ok" if 200 <= int(status) < 300 else "bad")


def lab_time(ts: float | int | str | None, clock: Any = None) -> str:
    """A moment on the lab clock, as people read it: `Mon 2 Mar 09:00:05 (day 1)`."""
    if ts is None or ts == "":
        return ""
    moment = datetime.fromtimestamp(float(ts), tz=timezone.utc)
    text = f"{moment:%a} {moment.day} {moment:%b %H:%M:%S}"
    start = getattr(clock, "start", None)
    if isinstance(start, datetime):
        day = (moment.date() - start.date()).days + 1
        text += f" (day {day})"
    return text


def when(key: str, clock: Any = None) -> Cell:
    """A cell showing `row[key]` (unix seconds) on the lab clock."""
    return lambda row: f'<span class="nowrap">{esc(lab_time(row.get(key), clock))}</span>'


def excerpt(text: Any, limit: int = 160) -> str:
    """The start of a long text, escaped, with the whole of it on hover."""
    whole = "" if text is None else str(text)
    short = whole if len(whole) <= limit else whole[:limit].rstrip() + "…"
    return f'<code title="{esc(whole[:2000])}">{esc(short)}</code>' if whole else '<span class="muted">—</span>'


def pretty_json(value: Any) -> str:
    """A JSON document (or JSON text) shown indented in a <pre>."""
    original = value if isinstance(value, str) else "(nested too deeply to show)"
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # not JSON, or nested past what the parser can follow: show the text
            return f"<pre>{esc(value)}</pre>"
    try:
        text = json.dumps(value, indent=2, default=str)
    except RecursionError:  # indenting recurses in Python, a level at a time: show the text as it came
        text = original
    return f"<pre>{esc(text)}</pre>"


def fault_text(active: dict[str, dict[str, Any]]) -> str:
    """`{"errors": {"rate": 0.5, "status": 503}}` as badges a person reads: `errors 50% → 503`."""
    if not active:
        return badge("no faults", "ok")
    parts = []
    for kind, params in active.items():
        words = [kind.replace("_", " ")]
        if "rate" in params and params["rate"] != 1.0:
            words.append(f"{float(params['rate']) * 100:.0f}%")
        if "status" in params:
            words.append(f"→ {params['status']}")
        if "seconds" in params:
            words.append(f"{params['seconds']:g} s")
        parts.append(badge(" ".join(words), "bad"))
    return " ".join(parts)


def redact_secret(secret: Any) -> str:
    """Enough of a signing secret to recognise it; the rest stays in Python."""
    text = "" if secret is None else str(secret)
    return text[:10] + "…" if len(text) > 12 else "…"
