"""A resource says what it is once: its kind, id prefix, URL, events and list filters.

A module of the payments package that holds a `RESOURCE = Resource(...)` (and
usually a Blueprint `bp` with its own routes) is found by `registry`; from the
declaration the core makes its collection and knows its id prefix and events,
webhook endpoints accept its events, `listing` serves its list and retrieve
views, and the trigger fixtures' test asks for a fixture of each event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .http.params import Params
from .http.query import Where


@dataclass(frozen=True)
class Filter:
    """Parameters a list accepts, and the condition they add."""

    params: tuple[str, ...]
    apply: Callable[[Params, Where], object]


def field(name: str, *, max_length: int = 200, choices: Iterable[str] | None = None) -> Filter:
    """`?name=value`: objects whose field equals the value."""
    return Filter((name,), lambda p, where: where.field(name, p.string(name, max_length=max_length, choices=choices)))


def flag(name: str) -> Filter:
    """`?name=true|false` on a boolean field."""

    def apply(p: Params, where: Where) -> None:
        value = p.boolean(name)
        if value is not None:
            where.field(name, int(value))

    return Filter((name,), apply)


NOT_DELETED = Filter((), lambda p, where: where.missing("deleted"))


@dataclass(frozen=True)
class Resource:
    """One Stripe resource, declared once."""

    #: The `object` of its documents, and the name of its collection.
    kind: str
    #: Its ids start with this and an underscore (`txr_…`).
    prefix: str
    #: Where it lives: `GET url` lists, `GET url/<id>` retrieves (when `listed`), `POST url` creates.
    url: str
    #: The events it sends, each `kind.something`.
    events: tuple[str, ...] = ()
    #: What its list accepts beyond `created[...]` and the cursors.
    filters: tuple[Filter, ...] = ()
    #: False for a resource Stripe neither lists nor retrieves (a billing portal session).
    listed: bool = True
    #: Parameters retrieve accepts and ignores.
    retrieve_ignored: tuple[str, ...] = ()
