"""HTTP between the lab's own parts, which always talk over loopback: pooled keep-alive connections.

`requests` costs about a millisecond a call in its own machinery (sessions,
adapters, environment lookups) and the development server it was paired with
closed every connection. Here urllib3 keeps one pool of open connections per
target, and a stopped lab server's pooled connections are closed with it
(`forget_server`), so a hundred labs leave no socket behind.

The call shapes stay those of `requests` (`.status_code`, `.json()`, `timeout=`,
`json=`, `allow_redirects=`) and so do the exceptions (`requests.Timeout`,
`requests.ConnectionError`), so callers keep their `except` clauses. A
learner's own code keeps using `requests`, as the course teaches.
"""

from __future__ import annotations

import json as jsonlib
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

import requests
import urllib3
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)

from .inprocess.pool import LabPoolManager

USER_AGENT = "hooklab-lab/1.0"
# Per target: connections kept open for reuse; more are opened when busy, and closed when returned.
POOL_SIZE = 8
# Targets with pools kept at once (learner endpoints come and go); the least recently used is closed.
TARGETS = 64
MAX_REDIRECTS = 10
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})

_managers: weakref.WeakSet[urllib3.PoolManager] = weakref.WeakSet()
_managers_lock = threading.Lock()


def _pool_manager() -> urllib3.PoolManager:
    # LabPoolManager: urllib3's, but a lab server running in-process (hooklab Lite) answers in-process.
    manager = LabPoolManager(num_pools=TARGETS, maxsize=POOL_SIZE, block=False, retries=False)
    with _managers_lock:
        _managers.add(manager)
    return manager


def forget_server(port: int) -> None:
    """Close every pooled connection to a lab server on `port` (it stopped; they can only fail or linger)."""
    with _managers_lock:
        managers = list(_managers)
    for manager in managers:
        for key in list(manager.pools.keys()):
            if key.key_port == port and key.key_host in LOOPBACK_HOSTS:
                try:
                    del manager.pools[key]  # the container closes the pool as it drops it
                except KeyError:
                    pass  # another thread dropped it first


@contextmanager
def _requests_errors(url: str) -> Iterator[None]:
    """Raise urllib3's failures as the `requests` exceptions the lab's callers already catch."""
    try:
        yield
    except MaxRetryError as exc:
        # Only redirects are retried (connect=0, read=0): past the limit, requests' own error.
        if isinstance(exc.reason, ResponseError):
            raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects from {url}") from None
        raise _translate(exc.reason or exc, url) from None
    except HTTPError as exc:
        raise _translate(exc, url) from None


def _translate(exc: BaseException, url: str) -> requests.RequestException:
    # NewConnectionError first: urllib3 still derives it from ConnectTimeoutError, though a refusal is no timeout.
    if isinstance(exc, (NewConnectionError, ProtocolError, ConnectionError)):
        return requests.ConnectionError(f"{url}: {_reason(exc)}")
    if isinstance(exc, ConnectTimeoutError):
        return requests.ConnectTimeout(f"connecting to {url} timed out")
    if isinstance(exc, ReadTimeoutError):
        return requests.ReadTimeout(f"{url} did not answer in time")
    if isinstance(exc, OSError):
        return requests.ConnectionError(f"{url}: {_reason(exc)}")
    return requests.RequestException(f"{url}: {type(exc).__name__}: {exc}")


def _reason(exc: BaseException) -> str:
    # urllib3 wraps the socket's error; its text ("Connection refused", "reset by peer") is what callers read.
    inner = exc.args[1] if isinstance(exc, ProtocolError) and len(exc.args) > 1 else exc
    return str(inner)


def _timeout(value: Any) -> urllib3.Timeout:
    if isinstance(value, urllib3.Timeout):
        return value
    if isinstance(value, tuple):
        return urllib3.Timeout(connect=value[0], read=value[1])
    return urllib3.Timeout(connect=value, read=value)


def _response(url: str, answer: urllib3.BaseHTTPResponse) -> requests.Response:
    """A real `requests.Response` built from urllib3's answer: callers (and their type hints) keep working."""
    response = requests.Response()
    response.url = url
    response.status_code = answer.status
    response.reason = answer.reason or ""
    response.headers = CaseInsensitiveDict(answer.headers)
    response.encoding = get_encoding_from_headers(response.headers)
    response._content = answer.data
    response._content_consumed = True
    return response


class LoopbackSession:
    """A `requests.Session`-shaped client for lab servers, on its own keep-alive pools."""

    def __init__(self) -> None:
        self.headers: urllib3.HTTPHeaderDict = urllib3.HTTPHeaderDict({"User-Agent": USER_AGENT})
        self._manager = _pool_manager()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        data: bytes | str | Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: Any = 30.0,
        allow_redirects: bool = True,
    ) -> requests.Response:
        sent = urllib3.HTTPHeaderDict(self.headers)
        body: bytes | None = None
        if json is not None:
            body = jsonlib.dumps(json, allow_nan=False).encode()
            sent["Content-Type"] = "application/json"
        elif isinstance(data, Mapping):
            body = urlencode(data, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif isinstance(data, str):
            body = data.encode()
        elif data is not None:
            body = bytes(data)
        sent.update(headers or {})
        if params:
            query = urlencode(params, doseq=True)
            url += ("&" if urlsplit(url).query else "?") + query
        retries = urllib3.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=MAX_REDIRECTS if allow_redirects else 0
        )
        with _requests_errors(url):
            answer = self._manager.request(
                method.upper(),
                url,
                body=body,
                headers=sent,
                timeout=_timeout(timeout),
                retries=retries if allow_redirects else False,
                redirect=allow_redirects,
            )
        return _response(url, answer)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        self._manager.clear()

    def __enter__(self) -> LoopbackSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def loopback_session() -> LoopbackSession:
    """A session for lab servers: pooled keep-alive connections, no proxy or netrc lookups."""
    return LoopbackSession()


_shared: LoopbackSession | None = None
_shared_lock = threading.Lock()


def lab_request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """One request to a lab server, on the shared loopback pools (thread-safe)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = LoopbackSession()
    return _shared.request(method, url, **kwargs)


class WebhookAnswer(NamedTuple):
    status: int
    headers: Mapping[str, str]
    excerpt: str


class WebhookClient:
    """Posts webhook deliveries on keep-alive pools; never follows a redirect (a 3xx is the answer).

    `post` raises `requests.Timeout` when no answer came within `timeout` seconds
    (connecting and the first byte of the answer together) and
    `requests.ConnectionError` when the connection was refused or dropped.
    """

    # A receiver's answer is read this far to keep the connection reusable; past it the connection is dropped.
    READ_LIMIT = 64 * 1024

    def __init__(self, *, excerpt_chars: int = 500, user_agent: str | None = None) -> None:
        self.excerpt_chars = excerpt_chars
        self.user_agent = user_agent
        self._manager = _pool_manager()

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> WebhookAnswer:
        sent = urllib3.HTTPHeaderDict(headers)
        if self.user_agent and "User-Agent" not in sent:
            sent["User-Agent"] = self.user_agent
        with _requests_errors(url):
            answer = self._manager.request(
                "POST",
                url,
                body=body,
                headers=sent,
                timeout=urllib3.Timeout(total=timeout),
                retries=False,
                redirect=False,
                preload_content=False,
            )
            try:
                content = answer.read(self.READ_LIMIT)
                if answer.read(1):
                    answer.close()  # too long to drain: this connection is not worth keeping
            finally:
                answer.release_conn()
        excerpt = content.decode("utf-8", errors="replace")[: self.excerpt_chars]
        return WebhookAnswer(answer.status, answer.headers, excerpt)

    def close(self) -> None:
        self._manager.clear()

    def __enter__(self) -> WebhookClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_webhooks: WebhookClient | None = None


def post_webhook(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> WebhookAnswer:
    """POST one delivery on the shared webhook pools: (status, headers, excerpt); a redirect is returned, not followed."""
    global _webhooks
    if _webhooks is None:
        with _shared_lock:
            if _webhooks is None:
                _webhooks = WebhookClient()
    return _webhooks.post(url, body, headers, timeout)
