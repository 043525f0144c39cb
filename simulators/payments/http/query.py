"""Stripe's list queries: `created[...]` and field conditions, and a page with `limit`, its cursors and
`include[]=total_count` (the count of every object the query matches, not just the page's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import jsonapi
from ...errors import ApiError
from ...jsonapi import DEFAULT_LIMIT, MAX_LIMIT
from ...store import Collection
from .params import Params

LIST_PARAMS = ("limit", "starting_after", "ending_before", "created", "include")
INCLUDABLE = ("total_count",)
_OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class Where:
    """SQL conditions on stored documents, built from checked parameters only."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def field(self, name: str, value: Any) -> Where:
        if value is not None:
            self.parts.append(f"json_extract(body, '$.{name}') = ?")
            self.args.append(value)
        return self

    def missing(self, name: str) -> Where:
        self.parts.append(f"json_extract(body, '$.{name}') IS NULL")
        return self

    def raw(self, sql: str, *args: Any) -> Where:
        self.parts.append(sql)
        self.args.extend(args)
        return self

    def created(self, params: Params, name: str = "created") -> Where:
        value = params.raw(name)
        if value is None:
            return self
        if isinstance(value, dict):
            unknown = set(value) - set(_OPERATORS)
            if unknown:
                raise ApiError(
                    400,
                    f"Invalid {name}: use {name}[gt], {name}[gte], {name}[lt] or {name}[lte], not {name}[{sorted(unknown)[0]}].",
                    param=name,
                )
            for op, sql in _OPERATORS.items():
                if op in value:
                    bound = Params({f"{name}[{op}]": value[op]}, (f"{name}[{op}]",)).integer(f"{name}[{op}]")
                    if bound is not None:
                        self.raw(f"json_extract(body, '$.created') {sql} ?", bound)
            return self
        exact = params.integer(name, minimum=0)
        if exact is not None:
            self.raw("json_extract(body, '$.created') = ?", exact)
        return self

    def sql(self) -> str:
        return " AND ".join(self.parts)


def page(
    collection: Collection,
    params: Params,
    *,
    url: str,
    where: Where | None = None,
    render: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """One page of a list, newest first, as the SDK's auto-pagination expects."""
    limit = params.integer("limit", minimum=1, maximum=MAX_LIMIT)
    includes = params.strings("include", max_items=len(INCLUDABLE), max_length=50) or []
    for index, name in enumerate(includes):
        if name not in INCLUDABLE:
            raise ApiError(
                400,
                f"Invalid include[{index}]: {name[:50]!r}; a list can include {', '.join(INCLUDABLE)}.",
                param=f"include[{index}]",
            )
    where = where or Where()
    body = jsonapi.page(
        collection,
        url=url,
        limit=DEFAULT_LIMIT if limit is None else limit,
        starting_after=params.string("starting_after", max_length=200),
        ending_before=params.string("ending_before", max_length=200),
        where=where.sql(),
        params=tuple(where.args),
        show=render,
        unknown_cursor=lambda name, cursor: ApiError(
            404, f"No such {collection.kind}: {cursor!r} (given as {name}).", param=name
        ),
    )
    if "total_count" in includes:
        body["total_count"] = collection.count(where.sql(), tuple(where.args))
    return body
