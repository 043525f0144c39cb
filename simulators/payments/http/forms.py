"""Stripe's form encoding, both ways: `metadata[plan]=pro`, `items[0][price]=…`, `expand[]=customer`.

The official SDK sends POST bodies with literal brackets and GET query strings
percent-encoded (`created%5Bgte%5D=…`); curl users send either. Both decode to
the same nested dict: indexed or `[]` keys become lists, named keys dicts.
Anything malformed is a 400 that names the offending parameter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ...errors import ApiError

MAX_FIELDS = 1000
MAX_KEY_LENGTH = 200
MAX_DEPTH = 5
MAX_INDEX = 999

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def parse_form(raw: bytes) -> dict[str, Any]:
    """Decode an `application/x-www-form-urlencoded` body or query string."""
    if not raw:
        return {}
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise ApiError(400, "The parameters are not valid UTF-8 (after percent-decoding).") from None
    except ValueError:
        raise ApiError(400, f"Too many parameters: send at most {MAX_FIELDS} in one request.") from None
    return nest(pairs)


def parse_json(raw: bytes) -> dict[str, Any]:
    """Decode a JSON object body (a hooklab convenience; Stripe itself takes forms)."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, f"The body is not valid JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise ApiError(400, 'A JSON body must be an object, such as {"email": "a@example.com"}.')
    return data


def nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Turn bracketed keys into nested dicts and lists."""
    root: dict[Any, Any] = {}
    for key, value in pairs:
        path = split_key(key)
        node = root
        for depth, segment in enumerate(path[:-1]):
            segment = segment if depth == 0 else _index(node, segment, key)
            child = node.get(segment)
            if child is None:
                child = node[segment] = {}
            elif not isinstance(child, dict):
                raise ApiError(
                    400,
                    f"Invalid parameter {key!r}: {_name(path[: depth + 1])} was already given a plain value.",
                    param=key,
                )
            node = child
        last = path[-1] if len(path) == 1 else _index(node, path[-1], key)
        if isinstance(node.get(last), dict):
            raise ApiError(400, f"Invalid parameter {key!r}: {_name(path)} was already given nested values.", param=key)
        node[last] = value
    return {key: _listify(value) for key, value in root.items()}


def split_key(key: str) -> list[str]:
    """`items[0][price]` -> ['items', '0', 'price']; `expand[]` -> ['expand', '']."""
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            400, f"A parameter name is {len(key)} characters long; the limit is {MAX_KEY_LENGTH}.", param=key[:40] + "…"
        )
    match = _KEY.match(key)
    if match is None:
        raise ApiError(
            400, f"Invalid parameter name {key!r}: use name, name[key] or name[0] (brackets must pair up).", param=key
        )
    path = [match.group(1), *_SEGMENT.findall(match.group(2))]
    if len(path) > MAX_DEPTH:
        raise ApiError(400, f"Invalid parameter name {key!r}: nested more than {MAX_DEPTH} levels deep.", param=key)
    return path


def _index(node: dict[Any, Any], segment: str, key: str) -> Any:
    if segment == "":
        return len(node)  # `name[]` appends
    if segment.isdigit() and segment.isascii():
        number = int(segment)
        if number > MAX_INDEX:
            raise ApiError(400, f"Invalid parameter {key!r}: list indexes go up to {MAX_INDEX}.", param=key)
        return number
    return segment


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        return [_listify(node[k]) for k in sorted(node)]
    return {str(k): _listify(v) for k, v in node.items()}


def _name(path: list[str]) -> str:
    return path[0] + "".join(f"[{p}]" for p in path[1:])


def flatten(params: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """The reverse of `nest`, encoded the way the SDK encodes (lists indexed, booleans lowercase)."""
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, dict):
            yield from flatten(value, name)
        elif isinstance(value, (list, tuple)):
            yield from flatten({str(index): item for index, item in enumerate(value)}, name)
        elif isinstance(value, bool):
            yield name, "true" if value else "false"
        else:
            yield name, str(value)


def encode(params: dict[str, Any]) -> str:
    """A form body with literal brackets, as the SDK sends it."""
    return urlencode(list(flatten(params))).replace("%5B", "[").replace("%5D", "]")
