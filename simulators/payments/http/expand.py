"""`expand[]`: replace an id in a response with the object it names (`payment_intent.customer`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import ApiError

Lookup = Callable[[str], dict[str, Any] | None]


def expand(obj: dict[str, Any], paths: list[str], lookup: Lookup) -> dict[str, Any]:
    """Expand each dotted path in place; an id that names nothing stays an id."""
    for path in paths:
        _expand(obj, path.split("."), path, lookup)
    return obj


def expand_list(envelope: dict[str, Any], paths: list[str], lookup: Lookup) -> dict[str, Any]:
    """Expand `data.<path>` on every item of a list."""
    for path in paths:
        parts = path.split(".")
        if parts[0] != "data" or len(parts) < 2:
            raise ApiError(
                400, f"This property cannot be expanded ({path}); on a list, expand data.<field>.", param="expand"
            )
        for item in envelope["data"]:
            _expand(item, parts[1:], path, lookup)
    return envelope


def _expand(obj: Any, parts: list[str], path: str, lookup: Lookup) -> None:
    if not isinstance(obj, dict):
        raise ApiError(400, f"This property cannot be expanded ({path}).", param="expand")
    key = parts[0]
    if obj.get("object") == "list" and key == "data":
        for item in obj["data"]:
            if len(parts) > 1:
                _expand(item, parts[1:], path, lookup)
        return
    if key not in obj:
        raise ApiError(400, f"This property cannot be expanded ({path}).", param="expand")
    value = obj[key]
    if isinstance(value, str):
        found = lookup(value)
        if found is None:
            raise ApiError(400, f"This property cannot be expanded ({path}).", param="expand")
        obj[key] = value = found
    if value is None or len(parts) == 1:
        return
    _expand(value, parts[1:], path, lookup)
