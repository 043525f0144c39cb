"""Typed, checked access to a request's decoded parameters.

Every getter either returns a clean Python value or raises a 400 that names
the parameter and says what was expected; nothing a client sends can reach
the domain code as the wrong type. Unknown parameters are refused the way
Stripe refuses them ("Received unknown parameter: …").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...errors import ApiError

MAX_STRING = 5000
MAX_METADATA_KEYS = 50
MAX_METADATA_KEY = 40
MAX_METADATA_VALUE = 500
MAX_EXPAND = 10
_INTEGER = re.compile(r"^-?\d{1,15}$")


class Params:
    """The parameters of one request, and the names this endpoint accepts."""

    def __init__(
        self, data: dict[str, Any], allowed: Iterable[str] = (), *, ignored: Iterable[str] = (), prefix: str = ""
    ) -> None:
        self.data = data
        known = {*allowed, *ignored} | (set() if prefix else {"expand"})
        for name in data:
            if name not in known:
                shown = f"{prefix}[{name}]" if prefix else name
                raise ApiError(400, f"Received unknown parameter: {shown[:100]}", param=shown[:100])

    def __contains__(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        max_length: int = MAX_STRING,
        choices: Iterable[str] | None = None,
        empty_ok: bool = False,
    ) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise ApiError(400, f"Missing required param: {name}.", param=name)
            return None
        if isinstance(value, bool) or isinstance(value, (int, float)):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        if not isinstance(value, str):
            raise ApiError(400, f"Invalid {name}: expected a string, got {_kind(value)}.", param=name)
        if value == "" and not empty_ok:
            if required:
                raise ApiError(400, f"Missing required param: {name} (it was empty).", param=name)
            return None
        if len(value) > max_length:
            raise ApiError(400, f"Invalid {name}: {len(value)} characters, at most {max_length} allowed.", param=name)
        if choices is not None:
            options = list(choices)
            if value not in options:
                raise ApiError(
                    400, f"Invalid {name}: must be one of {', '.join(options)} (got {_show(value)}).", param=name
                )
        return value

    def integer(
        self, name: str, *, required: bool = False, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                raise ApiError(400, f"Missing required param: {name}.", param=name)
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ApiError(400, f"Invalid integer for {name}: got {_kind(value)}.", param=name)
        if isinstance(value, str):
            if not _INTEGER.match(value):
                raise ApiError(400, f"Invalid integer: {_show(value)} (param {name}).", param=name)
            value = int(value)
        if minimum is not None and value < minimum:
            raise ApiError(400, f"Invalid {name}: must be at least {minimum} (got {value}).", param=name)
        if maximum is not None and value > maximum:
            raise ApiError(400, f"Invalid {name}: must be at most {maximum} (got {value}).", param=name)
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ApiError(400, f"Invalid boolean: {_show(value)} (param {name}); use true or false.", param=name)

    def mapping(self, name: str) -> dict[str, Any] | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise ApiError(
                400, f"Invalid {name}: expected a hash such as {name}[key]=value, got {_kind(value)}.", param=name
            )
        return value

    def items(self, name: str, *, max_items: int = 100) -> list[Any] | None:
        """A list parameter (`name[0]=…` or `name[]=…`)."""
        value = self.data.get(name)
        if value is None:
            return None
        if value == "":
            return []
        if isinstance(value, dict) and all(k.isdigit() for k in value):
            value = [value[k] for k in sorted(value, key=int)]
        if not isinstance(value, list):
            raise ApiError(
                400, f"Invalid array for {name}: send {name}[0]=…, {name}[1]=… (got {_kind(value)}).", param=name
            )
        if len(value) > max_items:
            raise ApiError(400, f"Invalid {name}: at most {max_items} items allowed.", param=name)
        return value

    def strings(self, name: str, *, max_items: int = 100, max_length: int = 500) -> list[str] | None:
        """A list of strings; a single string counts as a list of one."""
        value = self.data.get(name)
        if isinstance(value, str) and value:
            value = [value]
            self.data = {**self.data, name: value}
        found = self.items(name, max_items=max_items)
        if found is None:
            return None
        for index, item in enumerate(found):
            if not isinstance(item, str) or not item:
                raise ApiError(
                    400,
                    f"Invalid {name}[{index}]: expected a non-empty string, got {_kind(item)}.",
                    param=f"{name}[{index}]",
                )
            if len(item) > max_length:
                raise ApiError(
                    400, f"Invalid {name}[{index}]: longer than {max_length} characters.", param=f"{name}[{index}]"
                )
        return found

    def metadata(self, name: str = "metadata") -> dict[str, str] | None:
        """Metadata to set; an empty value for a key removes it, `metadata=` removes all."""
        value = self.data.get(name)
        if value is None:
            return None
        if value == "":
            return {}
        if not isinstance(value, dict):
            raise ApiError(
                400, f"Invalid {name}: expected a hash such as {name}[plan]=pro, got {_kind(value)}.", param=name
            )
        if len(value) > MAX_METADATA_KEYS:
            raise ApiError(400, f"Invalid {name}: at most {MAX_METADATA_KEYS} keys allowed.", param=name)
        clean: dict[str, str] = {}
        for key, item in value.items():
            if len(key) > MAX_METADATA_KEY:
                raise ApiError(
                    400,
                    f"Invalid {name}: key {key[:50]!r} is longer than {MAX_METADATA_KEY} characters.",
                    param=f"{name}[{key[:40]}]",
                )
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if item is None:
                item = ""
            if not isinstance(item, str):
                raise ApiError(
                    400, f"Invalid {name}[{key}]: values are strings, got {_kind(item)}.", param=f"{name}[{key}]"
                )
            if len(item) > MAX_METADATA_VALUE:
                raise ApiError(
                    400, f"Invalid {name}[{key}]: longer than {MAX_METADATA_VALUE} characters.", param=f"{name}[{key}]"
                )
            clean[key] = item
        return clean

    def expand(self) -> list[str]:
        paths = self.strings("expand", max_items=MAX_EXPAND, max_length=200) or []
        for path in paths:
            if path.count(".") >= 4:
                raise ApiError(400, f"You cannot expand more than 4 levels of a property ({path}).", param="expand")
        return paths


def merge_metadata(current: dict[str, str], update: dict[str, str] | None) -> dict[str, str]:
    """Apply a metadata update: `{}` clears all, an empty value removes a key."""
    if update is None:
        return dict(current)
    if update == {}:
        return {}
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a hash"
    if isinstance(value, list):
        return "an array"
    return f"{type(value).__name__} {_show(value)}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
