"""The conventions of the lab's own JSON APIs, on both sides of the wire.

Server side (in a view): `json_body()` reads a request body, `page()` answers a
list with the list envelope and its cursors (`limit`, `starting_after`,
`ending_before`), which the payment system's Stripe lists use too. Client
side: `call()` is one request from a system's Python API, and `ClientError`
what it raises when the answer is an error: a client-side error (a
`requests.HTTPError`), never the server's `ApiError`, which would turn into
that status again if a view somewhere let it through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from flask import request

from .errors import ApiError
from .http import lab_request
from .store import Collection

MAX_LIMIT = 100
DEFAULT_LIMIT = 10

Show = Callable[[dict[str, Any]], dict[str, Any]]
#: The error for a cursor naming no document in the list: (parameter name, the id given).
UnknownCursor = Callable[[str, str], ApiError]


def envelope(data: list[dict[str, Any]], url: str, has_more: bool = False) -> dict[str, Any]:
    """The list shape every lab API answers with (Stripe's: the SDK's auto-pagination needs `url`)."""
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def _not_in_list(name: str, value: str) -> ApiError:
    return ApiError(400, f"{name} must be an id from this list, and {value!r} is not one", param=name)


def page(
    collection: Collection,
    *,
    url: str,
    limit: int = DEFAULT_LIMIT,
    starting_after: str | None = None,
    ending_before: str | None = None,
    where: str = "",
    params: tuple[Any, ...] = (),
    show: Show | None = None,
    unknown_cursor: UnknownCursor = _not_in_list,
) -> dict[str, Any]:
    """One page of a list, newest first, with checked cursors."""
    if starting_after is not None and ending_before is not None:
        raise ApiError(
            400, "You may only specify one of these parameters: ending_before, starting_after.", param="starting_after"
        )
    for name, cursor in (("starting_after", starting_after), ("ending_before", ending_before)):
        if cursor is not None and collection.get(cursor) is None:
            raise unknown_cursor(name, cursor)
    docs, has_more = collection.page(
        limit=limit, starting_after=starting_after, ending_before=ending_before, where=where, params=params
    )
    return envelope([show(doc) for doc in docs] if show else docs, url, has_more)


def query_page(
    collection: Collection, url: str, where: str = "", params: tuple[Any, ...] = (), show: Show | None = None
) -> dict[str, Any]:
    """`page()` with its limit and cursors read from this request's query string."""
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}, not {raw!r}", param="limit")
    return page(
        collection,
        url=url,
        limit=int(raw),
        starting_after=request.args.get("starting_after"),
        ending_before=request.args.get("ending_before"),
        where=where,
        params=params,
        show=show,
    )


def json_body() -> Any:
    """This request's JSON body: a 415 unless it is sent as JSON, a 400 unless it parses."""
    if not request.is_json:
        raise ApiError(415, "send the body as JSON (Content-Type: application/json)")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "the body is not valid JSON")
    return data


def json_object(data: Any, example: str) -> dict[str, Any]:
    """`data` if it is a JSON object; otherwise a 400 that shows one."""
    if not isinstance(data, dict):
        raise ApiError(400, f"the body must be a JSON object, such as {example}")
    return data


class ClientError(requests.HTTPError):
    """A lab system answered a Python API call with an error; its JSON error is in `.error`."""

    def __init__(self, system: str, status: int, error: dict[str, Any], response: requests.Response) -> None:
        self.system = system
        self.status = status
        self.error = error
        super().__init__(str(error.get("message") or f"the {system} answered {status}"), response=response)

    @property
    def code(self) -> str | None:
        return self.error.get("code")

    @property
    def param(self) -> str | None:
        return self.error.get("param")


def call(
    system: str, method: str, url: str, body: dict[str, Any] | None, *, expect: int, timeout: float
) -> dict[str, Any]:
    """One JSON request from a system's Python API; the answer's body, or a ClientError."""
    response = lab_request(method, url, json=body, timeout=timeout)
    try:
        data = response.json()
    except ValueError:
        data = {"error": {"message": f"the {system} answered {response.status_code}: {response.text[:200]}"}}
    if response.status_code != expect:
        error = data.get("error") if isinstance(data, dict) else None
        raise ClientError(system, response.status_code, error if isinstance(error, dict) else {}, response)
    return data  # type: ignore[no-any-return]
