"""Validate a response body against Stripe's published schemas (the trimmed copy in shared/reference).

The copy is OpenAPI 3.0: `nullable: true` is not JSON Schema, so it becomes "or null" here, and
`#/components/schemas/NAME` references resolve inside one document built from the copy.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

# A copy of shared/reference/stripe_schemas.json (trimmed from github.com/stripe/openapi), kept in the
# repository so a clean clone validates without the reference folder beside it.
SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "stripe" / "stripe_schemas.json"


def _json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def _document() -> dict[str, Any]:
    published = json.loads(SCHEMAS.read_text())
    return {
        "api_version": published["api_version"],
        "components": {"schemas": _json_schema(published["schemas"])},
        "lists": _json_schema(published["lists"]),
    }


def published_api_version() -> str:
    """The API version the published schemas describe."""
    return str(_document()["api_version"])


def known(resource: str) -> bool:
    """Whether the published copy has a schema for this `object` name."""
    return resource in _document()["components"]["schemas"]


def problems(body: Any, resource: str | None = None) -> list[str]:
    """What keeps `body` from matching its schema (the schema named by its `object`, or `resource`)."""
    document = _document()
    name = resource or (body.get("object") if isinstance(body, dict) else None)
    if name == "list" and isinstance(body, dict):
        schema = document["lists"].get(body.get("url", ""))
        if schema is None:
            # The copy publishes list schemas for top-level routes only; any other list (a customer's
            # payment methods, an invoice's lines) is Stripe's list envelope around published objects.
            return _envelope_problems(body) + [
                f"data/{index}/{found}" for index, item in enumerate(body.get("data") or []) for found in problems(item)
            ]
    elif name in document["components"]["schemas"]:
        schema = {"$ref": f"#/components/schemas/{name}"}
    else:
        return [f"no published schema for object {name!r}"]
    validator = jsonschema.Draft7Validator({**schema, "components": document["components"]})
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message[:200]}"
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    ]


def _envelope_problems(body: dict[str, Any]) -> list[str]:
    """What keeps a list body from being Stripe's list envelope (`object`, `data`, `has_more`, `url`)."""
    shapes = {"data": list, "has_more": bool, "url": str}
    return [
        f"(top): {key!r} must be a {kind.__name__}"
        for key, kind in shapes.items()
        if not isinstance(body.get(key), kind)
    ]
