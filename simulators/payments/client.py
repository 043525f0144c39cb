"""A small HTTP client for the payment system, used by the lab's Python API, the traffic and the CLI.

It speaks the same wire format as the official SDK (form bodies with
brackets, a bearer key) without the SDK's random idempotency keys and
telemetry, so what it sends is the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from ..http import loopback_session
from ..jsonapi import ClientError
from .http.forms import encode

USER_AGENT = "hooklab-python/1.0"


class PaymentsError(ClientError):
    """The payment system answered with an error (its JSON envelope is in `.error`).

    A `jsonapi.ClientError`, so a `requests.HTTPError` like the CRM's and the mailer's: one
    `except requests.RequestException` catches a failed call to any system of the lab.
    """

    def __init__(self, status: int, error: dict[str, Any], response: requests.Response) -> None:
        super().__init__("payment system", status, error, response)
        # Stripe's own words first, as the SDK prints them.
        self.args = (f"{status} {error.get('type', 'error')}: {error.get('message', '')}",)


class PaymentsClient:
    """Calls `/v1/...` on one payment system with its API key."""

    def __init__(
        self, url: str, api_key: str, *, timeout: float = 30.0, after_call: Callable[[], None] | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self._after_call = after_call
        self._session = loopback_session()

    def request(
        self, method: str, path: str, params: dict[str, Any] | None = None, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.api_key}", "User-Agent": USER_AGENT}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        query = body = None
        if method.upper() in ("GET", "DELETE"):
            query = encode(params or {}) or None
        else:
            body = encode(params or {})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        target = self.url + path + (f"?{query}" if query else "")
        response = self._session.request(method.upper(), target, data=body, headers=headers, timeout=self.timeout)
        if self._after_call is not None:
            self._after_call()
        if response.status_code >= 400:
            raise PaymentsError(response.status_code, _error_of(response), response)
        return response.json()  # type: ignore[no-any-return]  # a JSON object: the API answers nothing else with a 2xx

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self.request("GET", path, params)

    def post(self, path: str, **params: Any) -> dict[str, Any]:
        return self.request("POST", path, params)

    def delete(self, path: str, **params: Any) -> dict[str, Any]:
        return self.request("DELETE", path, params)

    def allows(self, method: str, path: str) -> bool:
        """Whether the system serves `method` on `path` (asked with OPTIONS, which names a route's methods)."""
        headers = {"Authorization": f"Bearer {self.api_key}", "User-Agent": USER_AGENT}
        response = self._session.request("OPTIONS", self.url + path, headers=headers, timeout=self.timeout)
        if response.status_code == 404:
            return False
        if response.status_code >= 400:
            raise PaymentsError(response.status_code, _error_of(response), response)
        return method.upper() in {name.strip().upper() for name in response.headers.get("Allow", "").split(",")}

    def close(self) -> None:
        self._session.close()


def _error_of(response: Any) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {"type": "api_error", "message": f"non-JSON answer: {response.text[:200]}"}
    return data.get("error", {}) if isinstance(data, dict) else {}
