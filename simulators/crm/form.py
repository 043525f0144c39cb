"""The CRM's public web form, as plain HTML a browser can submit, and its submissions."""

from __future__ import annotations

import html
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..errors import ApiError
from ..jsonapi import json_object
from . import records
from .core import CrmCore, current

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


bp = Blueprint("form", __name__)


@bp.get("/form")
def show_form() -> Response:
    return Response(FORM_PAGE, mimetype="text/html")


@bp.post("/form")
def submit_form() -> tuple[Response, int]:
    if request.is_json:
        data = json_object(request.get_json(silent=True), '{"name": "Ada", "email": "ada@example.com"}')
        wants_json = True
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data = request.form.to_dict()
        wants_json = request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    else:
        raise ApiError(415, "submit the form as application/x-www-form-urlencoded (as a browser does) or as JSON")
    submission = submit(current(), records.form_fields(data))
    if wants_json:
        return jsonify(submission), 201
    return Response(thanks_page(submission), mimetype="text/html"), 201


@bp.get("/submissions")
def list_submissions() -> Response:
    crm = current()
    return crm.page(crm.submissions, "/submissions", "", ())


@bp.get("/submissions/<submission_id>")
def get_submission(submission_id: str) -> Response:
    crm = current()
    return jsonify(crm.get(crm.submissions, submission_id, "form submission"))


def submit(crm: CrmCore, fields: dict[str, Any]) -> dict[str, Any]:
    """Store a submission and emit `form.submitted`."""
    now = crm.clock.time()
    with crm.store.transaction():
        submission = {"id": crm.ids.new("sub"), "object": "form_submission", **fields, "created": int(now)}
        crm.submissions.insert(submission, created=now)
        crm.emit("form.submitted", submission)
    return submission
