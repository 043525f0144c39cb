"""API keys: `Authorization: Bearer sk_test_…` (or HTTP basic with the key as user, as curl -u sends).

Stripe answers a missing or wrong key with a 401 and a publishable or
restricted key that may not call an endpoint with a 403, both typed
`invalid_request_error`; the SDK raises AuthenticationError or
PermissionError from the status. The sandbox has one secret key, so every
`pk_` and `rk_` key meets the 403.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from ...errors import ApiError


def key_from_header(header: str) -> str | None:
    """The API key a client offered, or None when it offered none."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(401, "The Authorization header's basic credentials are not valid base64.") from None
        return decoded.partition(":")[0] or None
    return None


def check(header: str, expected: str) -> str:
    """Return the caller's key, or answer 401 the way Stripe does."""
    if not header:
        raise ApiError(
            401,
            "You did not provide an API key. Provide it in the Authorization header as "
            "'Authorization: Bearer sk_test_…' (see lab.payments.api_key).",
        )
    offered = key_from_header(header)
    if offered is None:
        raise ApiError(401, "The Authorization header must be 'Bearer <your API key>'.")
    if offered.startswith(("pk_", "rk_")):
        raise ApiError(
            403,
            f"The provided key '{mask(offered)}' does not have the required permissions for this endpoint. "
            "hooklab's sandbox has one secret key for every endpoint: use lab.payments.api_key (sk_test_…).",
        )
    if not hmac.compare_digest(offered.encode(), expected.encode()):
        raise ApiError(401, f"Invalid API Key provided: {mask(offered)}", code="api_key_invalid")
    return offered


def mask(key: str) -> str:
    """`sk_test_****wxyz`, as Stripe echoes a wrong key."""
    head = key[:8] if key.startswith(("sk_test_", "sk_live_", "pk_test_", "pk_live_", "rk_test_", "rk_live_")) else ""
    return f"{head}{'*' * 4}{key[-4:]}" if len(key) > 8 else "*" * len(key)
