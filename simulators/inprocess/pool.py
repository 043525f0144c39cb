"""The lab's own HTTP client (`simulators.http`) answered in-process when the lab runs in-process.

`LoopbackSession` and `WebhookClient` talk to urllib3's `PoolManager`; this
one answers a request to an in-process lab server through `routes.serve` and
follows redirects the way urllib3 does, so the callers, their timeouts and
their error translation stay exactly as in the full edition.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urljoin

import urllib3
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError, ResponseError

from . import routes

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class LabPoolManager(urllib3.PoolManager):
    """urllib3's `PoolManager`, except that a lab server of this process answers its URLs in-process.

    In the full edition no lab server is in-process, so every request takes urllib3's own path.
    """

    def urlopen(  # type: ignore[override]
        self, method: str, url: str, redirect: bool = True, **kw: Any
    ) -> urllib3.BaseHTTPResponse:
        if not routes.owns(url):
            return super().urlopen(method, url, redirect=redirect, **kw)
        retries = kw.get("retries")
        budget = retries.redirect if isinstance(retries, urllib3.Retry) and retries.redirect is not None else 0
        body = kw.get("body")
        headers = kw.get("headers") or {}
        while True:
            answer = self._answer(method, url, headers, body, kw.get("timeout"))
            location = next((v for k, v in answer.headers if k.lower() == "location"), None)
            if not (redirect and answer.status in REDIRECTS and location):
                return _response(method, url, answer, preload=kw.get("preload_content", True))
            if budget <= 0:
                raise MaxRetryError(None, url, ResponseError("too many redirects"))  # type: ignore[arg-type]
            budget -= 1
            if answer.status == 303 or (answer.status in (301, 302) and method.upper() == "POST"):
                method, body = "GET", None
            url = urljoin(url, location)

    def _answer(self, method: str, url: str, headers: Any, body: Any, timeout: Any) -> routes.Answer:
        read = _read_timeout(timeout)
        data = body.encode() if isinstance(body, str) else body
        try:
            return routes.serve(method, url, headers, data, read_timeout=read)
        except routes.Refused as exc:
            raise ProtocolError("Connection aborted.", ConnectionRefusedError(111, exc.strerror)) from None
        except routes.TimedOut as exc:
            raise ReadTimeoutError(None, url, str(exc)) from None  # type: ignore[arg-type]


def _read_timeout(timeout: Any) -> float | None:
    if isinstance(timeout, urllib3.Timeout):
        value = timeout.read_timeout if timeout.total is None else timeout.total
        return value if isinstance(value, (int, float)) else None
    return float(timeout) if isinstance(timeout, (int, float)) else None


def _response(method: str, url: str, answer: routes.Answer, *, preload: bool) -> urllib3.HTTPResponse:
    return urllib3.HTTPResponse(
        body=io.BytesIO(answer.body),
        headers=urllib3.HTTPHeaderDict(answer.headers),
        status=answer.status,
        reason=answer.reason,
        preload_content=preload,
        request_url=url,
        request_method=method,
    )
