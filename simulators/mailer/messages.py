"""What a message is, and the checks a new one must pass."""

from __future__ import annotations

from typing import Any

from ..errors import ApiError
from ..jsonapi import json_object

KINDS = ("email", "alert")
DEFAULT_SENDER = "hooklab@example.com"
FIELDS = ("to", "subject", "body", "kind", "from", "tags")
MAX_SUBJECT = 300
MAX_BODY = 100_000
MAX_TAGS = 20


def looks_like_address(value: Any) -> bool:
    """Loose on purpose: a real mailer accepts far more than a regex would."""
    return isinstance(value, str) and "@" in value and " " not in value.strip() and len(value) <= 320


def validate_message(data: Any) -> dict[str, Any]:
    """The message fields from a request body, or an ApiError that says what is wrong."""
    data = json_object(data, '{"to": "ada@example.com", "subject": "Hi", "body": "…"}')
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ApiError(400, f"unknown field {unknown[0]!r}; a message has {', '.join(FIELDS)}", param=unknown[0])
    to = data.get("to")
    if to is None or to == "":
        raise ApiError(400, "to is required: the recipient's address, such as 'ada@example.com'", param="to")
    if not looks_like_address(to):
        raise ApiError(400, f"to must be an email address (with an @), not {to!r}", param="to")
    subject = data.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        raise ApiError(400, "subject is required and must be a non-empty string", param="subject")
    if len(subject) > MAX_SUBJECT:
        raise ApiError(400, f"subject is {len(subject)} characters; keep it under {MAX_SUBJECT}", param="subject")
    body = data.get("body", "")
    if not isinstance(body, str):
        raise ApiError(400, f"body must be a string, not {type(body).__name__}", param="body")
    if len(body) > MAX_BODY:
        raise ApiError(400, f"body is {len(body)} characters; the mailer takes up to {MAX_BODY}", param="body")
    kind = data.get("kind", "email")
    if kind not in KINDS:
        raise ApiError(400, f"kind must be one of {', '.join(KINDS)}, not {kind!r}", param="kind")
    sender = data.get("from") or DEFAULT_SENDER
    if not looks_like_address(sender):
        raise ApiError(400, f"from must be an email address (with an @), not {sender!r}", param="from")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) and tag for tag in tags):
        raise ApiError(400, 'tags must be a list of non-empty strings, such as ["welcome"]', param="tags")
    if len(tags) > MAX_TAGS:
        raise ApiError(400, f"at most {MAX_TAGS} tags per message, not {len(tags)}", param="tags")
    return {
        "to": to.strip(),
        "from": sender.strip(),
        "subject": subject.strip(),
        "body": body,
        "kind": kind,
        "tags": tags,
    }
