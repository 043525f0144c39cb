"""The two webhook signature schemes the course teaches.

Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, keyed
with the whole `whsec_…` string. Standard Webhooks: `webhook-signature:
v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the base64-decoded
part after `whsec_`. The timestamp is the real wall clock at sending (transport
time), so standard verifiers such as the stripe SDK accept it.

A sender holds one `Signer`: `STRIPE_V1` or `STANDARD_WEBHOOKS`, two strategies
of one shape (the headers for a message, a check of them, a fresh secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Protocol

DEFAULT_TOLERANCE = 300


class SignatureError(ValueError):
    """The webhook is not genuine, or too old to trust."""


def _hex_hmac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign_stripe(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header value for `payload`."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    signature = _hex_hmac(secret.encode(), f"{t}.".encode() + payload)
    return f"t={t},v1={signature}"


def verify_stripe(
    payload: bytes, header: str, secret: str, *, tolerance: int = DEFAULT_TOLERANCE, now: float | None = None
) -> int:
    """Check a `Stripe-Signature` header; return its timestamp or raise SignatureError."""
    if not header:
        raise SignatureError("missing Stripe-Signature header")
    pairs = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for key, value in pairs if key == "t"]
    signatures = [value for key, value in pairs if key == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        raise SignatureError("the header has no valid t= timestamp")
    if not signatures:
        raise SignatureError("the header has no v1= signature")
    t = int(stamps[0])
    expected = _hex_hmac(secret.encode(), f"{t}.".encode() + payload)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("no signature matches the payload and secret")
    current = time.time() if now is None else now
    if abs(current - t) > tolerance:
        raise SignatureError(f"timestamp is {int(current - t)} s away from now, outside the {tolerance} s tolerance")
    return t


def _standard_key(secret: str) -> bytes:
    raw = secret.removeprefix("whsec_")
    return base64.b64decode(raw)


def sign_standard(msg_id: str, payload: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers for `payload`."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(_standard_key(secret), f"{msg_id}.{t}.".encode() + payload, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(t),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def verify_standard(
    payload: bytes,
    headers: dict[str, str],
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> str:
    """Check Standard Webhooks headers; return the message id or raise SignatureError."""
    lowered = {key.lower(): value for key, value in headers.items()}
    msg_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature header")
    if not stamp.isdigit():
        raise SignatureError("webhook-timestamp is not a whole number of seconds")
    digest = hmac.new(_standard_key(secret), f"{msg_id}.{stamp}.".encode() + payload, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    offered = [sig.split(",", 1)[1] for sig in signatures.split() if sig.startswith("v1,")]
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):
        raise SignatureError("no signature matches the payload and secret")
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance:
        raise SignatureError(
            f"timestamp is {int(current - int(stamp))} s away from now, outside the {tolerance} s tolerance"
        )
    return msg_id


class Signer(Protocol):
    """A signature scheme, as a sender and a receiver use it."""

    def __call__(self, secret: str, msg_id: str, payload: bytes, timestamp: int) -> dict[str, str]:
        """The headers that sign `payload` (message `msg_id`, sent at unix `timestamp`)."""
        ...

    def verify(
        self,
        payload: bytes,
        headers: Mapping[str, str],
        secret: str,
        *,
        tolerance: int = DEFAULT_TOLERANCE,
        now: float | None = None,
    ) -> None:
        """Raise SignatureError unless `headers` sign `payload` with `secret`."""
        ...

    def new_secret(self, token: str) -> str:
        """A `whsec_` secret in this scheme's format, made from a random-looking `token` (24+ characters)."""
        ...


class StripeV1:
    """`Stripe-Signature: t=…,v1=…`: the msg id is not signed; the whole `whsec_…` string is the key."""

    name = "stripe-v1"

    def __call__(self, secret: str, msg_id: str, payload: bytes, timestamp: int) -> dict[str, str]:
        return {"Stripe-Signature": sign_stripe(payload, secret, timestamp)}

    def verify(
        self,
        payload: bytes,
        headers: Mapping[str, str],
        secret: str,
        *,
        tolerance: int = DEFAULT_TOLERANCE,
        now: float | None = None,
    ) -> None:
        header = next((value for key, value in headers.items() if key.lower() == "stripe-signature"), "")
        verify_stripe(payload, header, secret, tolerance=tolerance, now=now)

    def new_secret(self, token: str) -> str:
        return "whsec_" + token


class StandardWebhooks:
    """`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,…`; the key is the base64 after `whsec_`."""

    name = "standard-webhooks"

    def __call__(self, secret: str, msg_id: str, payload: bytes, timestamp: int) -> dict[str, str]:
        return sign_standard(msg_id, payload, secret, timestamp)

    def verify(
        self,
        payload: bytes,
        headers: Mapping[str, str],
        secret: str,
        *,
        tolerance: int = DEFAULT_TOLERANCE,
        now: float | None = None,
    ) -> None:
        verify_standard(payload, dict(headers), secret, tolerance=tolerance, now=now)

    def new_secret(self, token: str) -> str:
        # The spec wants 24 to 64 key bytes, base64-encoded after the prefix.
        return "whsec_" + base64.b64encode(token.encode()[:24]).decode()


STRIPE_V1 = StripeV1()
STANDARD_WEBHOOKS = StandardWebhooks()
