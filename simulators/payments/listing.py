"""Every list and retrieve view of the Stripe API, from one table.

`GET /v1/<kinds>` answers one page, newest first, filtered by `created[...]`
and the filters its row names; `GET /v1/<kinds>/<id>` answers one object.
Both take `expand[]`. A filter names the parameters it accepts and adds its
condition to the query; the ones only one resource has live in its module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, Response

from . import events
from .billing import invoice_items, subscriptions
from .billing.billing import STATUSES as INVOICE_STATUSES
from .core import PaymentsCore
from .http import httpapi
from .http.params import Params
from .http.query import LIST_PARAMS, Where
from .resource import NOT_DELETED, Filter, Resource, field, flag


def _lookup_keys(p: Params, where: Where) -> None:
    keys = p.strings("lookup_keys", max_items=10, max_length=200)
    if keys:
        where.raw("json_extract(body, '$.lookup_key') IN (" + ",".join("?" * len(keys)) + ")", *keys)


#: Accepted as Stripe does, and changes nothing here (every invoice is charged automatically).
COLLECTION_METHOD = Filter(("collection_method",), lambda p, where: None)


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


TABLE = (
    Listing("customer", "/v1/customers", (NOT_DELETED, field("email", max_length=512))),
    Listing("payment_intent", "/v1/payment_intents", (field("customer"),), retrieve_ignored=("client_secret",)),
    Listing("charge", "/v1/charges", (field("customer"), field("payment_intent"))),
    Listing("refund", "/v1/refunds", (field("charge"), field("payment_intent"))),
    Listing(
        "setup_intent",
        "/v1/setup_intents",
        (field("customer"), field("payment_method")),
        retrieve_ignored=("client_secret",),
    ),
    Listing(
        "price",
        "/v1/prices",
        (
            NOT_DELETED,
            field("product"),
            field("currency", max_length=10),
            field("type", max_length=20),
            flag("active"),
            Filter(("lookup_keys",), _lookup_keys),
        ),
    ),
    Listing("product", "/v1/products", (NOT_DELETED, flag("active"))),
    Listing(
        "subscription",
        "/v1/subscriptions",
        (
            field("customer"),
            Filter(("status",), subscriptions.status_filter),
            Filter(("price",), subscriptions.price_filter),
        ),
    ),
    Listing(
        "invoice",
        "/v1/invoices",
        (
            NOT_DELETED,
            field("customer"),
            field("subscription"),
            field("status", choices=INVOICE_STATUSES),
            COLLECTION_METHOD,
        ),
    ),
    Listing("webhook_endpoint", "/v1/webhook_endpoints"),
    Listing("coupon", "/v1/coupons", (NOT_DELETED,)),
    Listing(
        "invoiceitem",
        "/v1/invoiceitems",
        (NOT_DELETED, field("customer"), field("invoice"), Filter(("pending",), invoice_items.pending_filter)),
    ),
    Listing(
        "checkout_session",
        "/v1/checkout/sessions",
        (
            field("customer"),
            field("payment_intent"),
            field("subscription"),
            field("status", choices=("open", "complete", "expired")),
            field("client_reference_id"),
        ),
    ),
    Listing("test_clock", "/v1/test_helpers/test_clocks", (NOT_DELETED,)),
    Listing(
        "event",
        "/v1/events",
        (Filter(("type", "types"), events.type_filter), Filter(("delivery_success",), events.delivery_filter)),
    ),
)


def install(app: Flask, core: PaymentsCore, table: Iterable[Listing] = TABLE) -> None:
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
