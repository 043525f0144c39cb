"""The CRM's public web form, as plain HTML a browser can submit."""

from __future__ import annotations

import html
from typing import Any

FORM_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contact us</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto}label{display:block;margin-top:.8rem}
input,textarea{width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1.2rem}</style>
</head><body>
<h1>Contact us</h1>
<p>Tell us who you are and we will get back to you.</p>
<form method="post" action="form">
<label for="name">Name</label><input id="name" name="name" autocomplete="name">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email">
<label for="company">Company</label><input id="company" name="company" autocomplete="organization">
<label for="message">Message</label><textarea id="message" name="message" rows="4"></textarea>
<button type="submit">Send</button>
</form>
</body></html>
"""


def thanks_page(submission: dict[str, Any]) -> str:
    """What a browser sees after submitting."""
    who = html.escape(submission.get("name") or "there")
    ref = html.escape(submission["id"])
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Thank you</title></head>"
        f"<body><h1>Thank you, {who}!</h1><p>We received your message (reference <code>{ref}</code>).</p>"
        "<p><a href='form'>Send another</a></p></body></html>"
    )
