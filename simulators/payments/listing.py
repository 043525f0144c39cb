"""Every list and retrieve view of the Stripe API, from the declared resources.

`GET /v1/<kinds>` answers one page, newest first, filtered by `created[...]`
and the filters its row names; `GET /v1/<kinds>/<id>` answers one object.
Both take `expand[]`. A filter names the parameters it accepts and adds its
condition to the query; the ones only one resource has live in its module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, Response

from .core import PaymentsCore
from .http import httpapi
from .http.query import LIST_PARAMS, Where
from .resource import Filter, Resource


@dataclass(frozen=True)
class Listing:
    """One resource's list and retrieve views."""

    kind: str
    url: str
    filters: tuple[Filter, ...] = ()
    #: Parameters retrieve accepts and ignores (the SDK sends `client_secret` for a PaymentIntent).
    retrieve_ignored: tuple[str, ...] = ()

    @classmethod
    def of(cls, resource: Resource) -> Listing:
        """The list and retrieve views a declared resource asks for."""
        return cls(resource.kind, resource.url, resource.filters, resource.retrieve_ignored)


def install(app: Flask, core: PaymentsCore, table: Iterable[Listing]) -> None:
    """Add the list and retrieve view of every row."""
    for row in table:
        resource(app, core, row)


def resource(app: Flask, core: PaymentsCore, row: Listing) -> None:
    """Add `GET row.url` (a page) and `GET row.url/<id>` (one object)."""
    accepted = tuple(name for f in row.filters for name in f.params)

    def list_view() -> Response:
        p = httpapi.params((*LIST_PARAMS, *accepted))
        where = Where().created(p)
        for f in row.filters:
            f.apply(p, where)
        return core.render_list(row.kind, p, url=row.url, where=where)

    def retrieve_view(object_id: str) -> Response:
        return core.retrieve(row.kind, object_id, httpapi.params(ignored=row.retrieve_ignored))

    app.add_url_rule(row.url, f"list_{row.kind}", list_view, methods=["GET"])
    app.add_url_rule(f"{row.url}/<object_id>", f"get_{row.kind}", retrieve_view, methods=["GET"])
