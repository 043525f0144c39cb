"""What the HTTP fuzz tests share: every route of an app, request strategies, and the checks.

The routes come from each Flask app's own URL map, so an endpoint added later
is fuzzed without anyone listing it here.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import requests
from hypothesis import strategies as st

from simulators.store import Store

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Route:
    method: str
    rule: str

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"

    def is_page(self) -> bool:
        """HTML pages for people (dashboards, the CRM form): no 5xx, but their errors are pages, not JSON."""
        return self.method == "GET" and (self.rule in ("/", "/form") or self.rule.startswith("/dashboard/"))


def routes(app: Any) -> list[Route]:
    """Every (method, rule) the app answers, HEAD and OPTIONS aside."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Route(method, rule.rule))
    return sorted(set(found), key=lambda r: (r.rule, r.method))


# -- values ------------------------------------------------------------------

ODD_STRINGS = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "null",
    "true",
    "false",
    "yes",
    "99999999999999999999",
    "-99999999999999999999",
    "usd",
    "eur",
    "USD",
    "*",
    "%",
    "%zz",
    "[",
    "]",
    "a[b",
    "a]b[",
    "\x00",
    "\u2603",
    "\ud7ff",
    "' OR 1=1 --",
    "<script>",
    "../../etc/passwd",
    "a" * 300,
    "x" * 6000,
    "pm_card_visa",
    "pm_card_chargeDeclined",
    "pm_card_insufficientFunds",
    "basic",
    "pro",
    "price_basic_monthly",
    "price_pro_monthly",
    "http://127.0.0.1:1/hook",
    "http://localhost:1/x",
    "ftp://127.0.0.1/x",
    "ada@example.com",
    "not-an-email",
    "open",
    "done",
    "active",
    "inactive",
    "payment_intent.succeeded",
    "form.submitted",
    "contact.created",
    "errors",
    "down",
    "slow",
]


def scalar_text(ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_STRINGS),
        st.integers(-(2**70), 2**70).map(str),
        st.text(max_size=40),
        st.sampled_from(ids or ["none"]),
    )


def json_values(ids: list[str], keys: list[str]) -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        scalar_text(ids),
    )
    key = st.one_of(st.sampled_from(keys), st.text(max_size=12))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(key, inner, max_size=5)),
        max_leaves=12,
    )


@dataclass
class Fuzzed:
    """One request to send, described so a failing example reads well."""

    method: str
    path: str
    query: str = ""
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, session: requests.Session, base: str) -> requests.Response:
        url = base + self.path + (f"?{self.query}" if self.query else "")
        return session.request(
            self.method, url, data=self.body, headers=self.headers, timeout=30, allow_redirects=False
        )


@st.composite
def requests_for(
    draw: st.DrawFn, route: Route, *, ids: list[str], keys: list[str], auth: Callable[[], dict[str, str]] | None = None
) -> Fuzzed:
    """A request to `route`: path parameters, query, body and headers from well-formed to garbage.

    `ids` is fixed for the whole test (ids of existing objects), so replaying an example draws the same way.
    """
    text = scalar_text(ids)

    def fill(match: re.Match[str]) -> str:
        value = draw(st.one_of(st.sampled_from(ids or ["none"]), text), label=match.group(2))
        if match.group(1) == "path":
            return "/".join(quote(part, safe="") or "x" for part in value.split("/"))
        return quote(value, safe="") or "x"

    path = _CONVERTER.sub(fill, route.rule)
    pairs = draw(st.lists(st.tuples(_form_key(keys), text), max_size=6))
    query = draw(st.one_of(st.just(urlencode(pairs)), st.text(max_size=30).map(lambda s: quote(s, safe="=&[]%"))))
    headers: dict[str, str] = {}
    kind = draw(st.sampled_from(["none", "form", "json", "json", "raw"]))
    body: bytes | None = None
    if kind == "form":
        body = urlencode(draw(st.lists(st.tuples(_form_key(keys), text), max_size=8))).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif kind == "json":
        body = json.dumps(draw(json_values(ids, keys)), allow_nan=True).encode()
        headers["Content-Type"] = "application/json"
    elif kind == "raw":
        body = draw(st.binary(max_size=200))
        headers["Content-Type"] = draw(
            st.sampled_from(
                [
                    "application/json",
                    "application/x-www-form-urlencoded",
                    "text/plain",
                    "multipart/form-data",
                    "application/xml",
                    "",
                ]
            )
        )
    if auth is not None:
        choice = draw(st.sampled_from(["good", "good", "good", "none", "garbage"]))
        if choice == "good":
            headers.update(auth())
        elif choice == "garbage":
            headers["Authorization"] = draw(
                st.sampled_from(
                    ["Bearer", "Bearer sk_test_nope", "Basic !!!", "Token x", "Basic " + "YTo=", "Bearer " + "k" * 300]
                )
            )
    if draw(st.integers(0, 9)) == 0:
        headers["Idempotency-Key"] = draw(st.sampled_from(["", "k1", "k" * 300]))
    return Fuzzed(route.method, path, query, body, headers)


def _form_key(keys: list[str]) -> st.SearchStrategy[str]:
    base = st.one_of(st.sampled_from(keys), st.text(min_size=1, max_size=10))
    return st.one_of(
        base,
        st.tuples(
            base, st.sampled_from(["[]", "[0]", "[a]", "[0][price]", "[x][y][z][w][v][u]", "[", "]", "[1000]"])
        ).map("".join),
    )


# -- checks --------------------------------------------------------------------


def snapshot(*stores: Store) -> str:
    """A digest of every stored object (documents table) of these stores."""
    digest = hashlib.sha256()
    for store in stores:
        for row in store.query("SELECT kind, id, body FROM documents ORDER BY seq"):
            digest.update(f"{row['kind']}\x00{row['id']}\x00{row['body']}\x01".encode())
    return digest.hexdigest()


HANDLER_ERRORS = ("handler_error", "handler_bad_return")


def check_answer(
    route: Route,
    sent: Fuzzed,
    response: requests.Response,
    *,
    learner_code: bool = False,
    chosen_status: int | None = None,
) -> None:
    """No 5xx (a learner handler's own failure aside), and every error is JSON with a message.

    `chosen_status` is a status a learner's handler answered on purpose (it returned that int):
    that answer is the learner's to choose, so it is not held to the lab's error shape.
    """
    if learner_code and chosen_status is not None and response.status_code == chosen_status:
        return
    where = f"{sent.method} {sent.path}?{sent.query} -> {response.status_code}: {response.text[:300]!r}"
    error = _error_of(response)
    if response.status_code >= 500:
        assert learner_code and error is not None and error.get("type") in HANDLER_ERRORS, f"server error: {where}"
    if response.status_code >= 400 and not route.is_page():
        assert error is not None, f"error without the JSON error shape: {where}"
        message = error.get("message")
        assert isinstance(message, str) and message.strip(), f"error without a message: {where}"


def _error_of(response: requests.Response) -> dict[str, Any] | None:
    if not response.headers.get("Content-Type", "").startswith("application/json"):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def must_not_change(response: requests.Response, sent: Fuzzed) -> bool:
    """Whether the request may not have changed anything: reads, and refusals (a declined card is kept, as Stripe keeps it)."""
    return sent.method == "GET" or (400 <= response.status_code < 500 and response.status_code != 402)


@contextmanager
def loopback_only() -> Iterator[None]:
    """Refuse to resolve any host but loopback: fuzzed webhook URLs must never leave the machine."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, f"robustness tests resolve loopback only, not {name!r}")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = guarded  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.getaddrinfo = real  # type: ignore[assignment]
