"""The "using [this data]" part: how an action's inputs are read from the trigger event.

A mapping value is one of:
  - a path into the event, such as "data.email" or "data.object.customer";
  - a template with paths in braces, such as "Welcome, {data.name|there}!"
    (after `|`, the text to use when the value is missing);
  - anything else, used as it is (a fixed subject line, a number, a list).
"""

from __future__ import annotations

import re
from typing import Any

_PATH = re.compile(r"^(id|type|timestamp|created|livemode|data(\.[A-Za-z0-9_\-]+)+)$")
_PLACEHOLDER = re.compile(r"\{([^{}|]+)(?:\|([^{}]*))?\}")


class MissingData(LookupError):
    """The event does not carry a value the action needs."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"the event has no {path} ({why})")
        self.path = path


def is_path(value: Any) -> bool:
    return isinstance(value, str) and bool(_PATH.match(value))


def paths_in(value: Any) -> list[str]:
    """Every event path a mapping value reads."""
    if is_path(value):
        return [value]
    if isinstance(value, str):
        return [match.group(1).strip() for match in _PLACEHOLDER.finditer(value)]
    return []


def lookup(event: Any, path: str) -> Any:
    """The value at `path`, or MissingData when it is absent, null or empty."""
    current = event
    walked = []
    for part in path.split("."):
        walked.append(part)
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            where = ".".join(walked[:-1]) or "the event"
            raise MissingData(path, f"{where} has no {part!r}")
    if current is None or current == "":
        raise MissingData(path, "it is null" if current is None else "it is empty")
    return current


def resolve(event: Any, value: Any) -> Any:
    """The input's value for this event: a path looked up, a template filled in, or the value itself."""
    if is_path(value):
        return lookup(event, value)
    if isinstance(value, str) and _PLACEHOLDER.search(value):

        def fill(match: re.Match[str]) -> str:
            path, default = match.group(1).strip(), match.group(2)
            try:
                return str(lookup(event, path))
            except MissingData:
                if default is None:
                    raise
                return default

        return _PLACEHOLDER.sub(fill, value)
    return value


def describe_source(value: Any) -> str:
    """How a mapping value reads in documentation."""
    if is_path(value):
        return f"`{value}` from the event"
    found = paths_in(value)
    if found:
        return f"the text {value!r}, filled in from " + ", ".join(f"`{p}`" for p in found)
    return f"always {value!r}"
