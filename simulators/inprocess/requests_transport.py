"""The learner's `requests` calls and the stripe SDK, answered in-process when they go to a lab URL.

The course teaches `requests.get(lab.crm.url + "/contacts")` and
`stripe.api_base = lab.payments.url`; the stripe SDK sends through `requests`
too (its pluggable HTTP client picks `RequestsClient` whenever `requests`
imports, in Pyodide as here). So one hook on `requests`' transport adapter
serves both: a request to a lab server running in this process is answered by
its WSGI app; any other request goes out as before. The hook is installed once,
by the first lab server started in-process.
"""

from __future__ import annotations

import io
from typing import Any

import requests
import requests.adapters
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPHeaderDict, HTTPResponse

from . import routes

_original_send: Any = None


def install() -> None:
    """Route `requests` to in-process lab servers (idempotent)."""
    global _original_send
    if _original_send is not None:
        return
    _original_send = requests.adapters.HTTPAdapter.send
    requests.adapters.HTTPAdapter.send = _send  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    """Give `requests` its own transport back (tests)."""
    global _original_send
    if _original_send is not None:
        requests.adapters.HTTPAdapter.send = _original_send  # type: ignore[method-assign]
        _original_send = None


def _send(
    adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
) -> requests.Response:
    url = request.url or ""
    if not routes.owns(url):
        return _original_send(adapter, request, **kwargs)  # type: ignore[no-any-return]
    body = request.body.encode() if isinstance(request.body, str) else request.body
    try:
        answer = routes.serve(
            request.method or "GET",
            url,
            {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()},
            body if isinstance(body, bytes) else None,
            read_timeout=_read_timeout(kwargs.get("timeout")),
        )
    except routes.Refused as exc:
        # The same words a real refusal shows, so `except requests.ConnectionError` and its message both hold.
        raise requests.ConnectionError(
            f"HTTPConnectionPool: Max retries exceeded with url: {request.path_url} "
            f"(Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] {exc.strerror}'))",
            request=request,
        ) from None
    except routes.TimedOut as exc:
        raise requests.ReadTimeout(str(exc), request=request) from None
    return _response(request, answer)


def _read_timeout(timeout: Any) -> float | None:
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return float(timeout) if isinstance(timeout, (int, float)) else None


def _response(request: requests.PreparedRequest, answer: routes.Answer) -> requests.Response:
    """Build the answer the way `HTTPAdapter.build_response` does, with a raw urllib3 response behind it."""
    raw = HTTPResponse(
        body=io.BytesIO(answer.body),
        headers=HTTPHeaderDict(answer.headers),
        status=answer.status,
        reason=answer.reason,
        preload_content=False,
        request_url=request.url,
        request_method=request.method,
    )
    response = requests.Response()
    response.status_code = answer.status
    response.reason = answer.reason
    response.headers = CaseInsensitiveDict(raw.headers)
    response.encoding = get_encoding_from_headers(response.headers)
    response.raw = raw
    response.url = request.url or ""
    response.request = request
    response._content = answer.body
    response._content_consumed = True
    return response
