"""The two signature schemes, one `Signer` shape: each against itself and against the real libraries."""

from __future__ import annotations

import base64
import time
from datetime import datetime, timezone

import pytest
import stripe
from standardwebhooks import Webhook, WebhookVerificationError

from simulators.webhooks.signing import (
    STANDARD_WEBHOOKS,
    STRIPE_V1,
    SignatureError,
    Signer,
    sign_standard,
    sign_stripe,
    verify_standard,
    verify_stripe,
)

BODY = b'{"id": "evt_1", "type": "form.submitted", "data": {"email": "ada@example.com"}}'
NOW = 1_790_000_000
SCHEMES = [STRIPE_V1, STANDARD_WEBHOOKS]


def _secret(scheme: Signer) -> str:
    return scheme.new_secret("0123456789abcdefghijklmnopqrstuv")


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
def test_each_scheme_verifies_what_it_signs_and_nothing_else(scheme: Signer) -> None:
    secret = _secret(scheme)
    headers = scheme(secret, "evt_1", BODY, NOW)
    scheme.verify(BODY, headers, secret, now=NOW + 10)
    for body, key, at, needle in [
        (BODY.replace(b"ada", b"eve"), secret, NOW, "no signature matches"),
        (BODY, scheme.new_secret("z" * 32), NOW, "no signature matches"),
        (BODY, secret, NOW + 301, "outside the 300 s tolerance"),
        (BODY, secret, NOW - 301, "outside the 300 s tolerance"),  # dated in the future is refused too
    ]:
        with pytest.raises(SignatureError, match=needle):
            scheme.verify(body, headers, key, now=at)


def test_the_secrets_have_each_schemes_format() -> None:
    assert STRIPE_V1.new_secret("abc" * 8) == "whsec_" + "abc" * 8
    key = base64.b64decode(_secret(STANDARD_WEBHOOKS).removeprefix("whsec_"))
    assert len(key) == 24  # the spec asks for 24 to 64 bytes


def test_stripe_headers_are_what_the_stripe_sdk_accepts() -> None:
    secret = _secret(STRIPE_V1)
    header = STRIPE_V1(secret, "evt_1", BODY, int(time.time()))["Stripe-Signature"]
    assert stripe.WebhookSignature.verify_header(BODY.decode(), header, secret, tolerance=300)
    assert header == sign_stripe(BODY, secret, int(header.split(",")[0].removeprefix("t=")))


def test_standard_headers_are_what_the_standardwebhooks_library_accepts_and_makes() -> None:
    secret = _secret(STANDARD_WEBHOOKS)
    now = int(time.time())
    headers = STANDARD_WEBHOOKS(secret, "msg_1", BODY, now)
    assert Webhook(secret).verify(BODY, headers)["id"] == "evt_1"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY + b" ", headers)
    theirs = Webhook(secret).sign("msg_1", datetime.fromtimestamp(now, tz=timezone.utc), BODY.decode())
    assert theirs == headers["webhook-signature"]


def test_verify_standard_accepts_rotated_signatures_and_any_header_case() -> None:
    old, new = STANDARD_WEBHOOKS.new_secret("o" * 32), STANDARD_WEBHOOKS.new_secret("n" * 32)
    signed = sign_standard("msg_1", BODY, new, NOW)
    other = sign_standard("msg_1", BODY, old, NOW)["webhook-signature"]
    headers = {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(NOW),
        "Webhook-Signature": f"{other} {signed['webhook-signature']}",
    }
    assert verify_standard(BODY, headers, new, now=NOW) == "msg_1"
    assert verify_standard(BODY, headers, old, now=NOW) == "msg_1"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"webhook-id": ""}, "missing webhook-id"),
        ({"webhook-timestamp": "soon"}, "not a whole number"),
        ({"webhook-signature": "v2,abc"}, "no signature matches"),
        ({"webhook-id": "msg_2"}, "no signature matches"),  # the id is signed: it cannot be swapped
    ],
)
def test_verify_standard_says_what_is_wrong(change: dict[str, str], needle: str) -> None:
    secret = _secret(STANDARD_WEBHOOKS)
    headers = {**sign_standard("msg_1", BODY, secret, NOW), **change}
    with pytest.raises(SignatureError, match=needle):
        verify_standard(BODY, headers, secret, now=NOW)


@pytest.mark.parametrize(
    ("header", "needle"),
    [("", "missing Stripe-Signature"), ("v1=abc", "no valid t="), (f"t={NOW}", "no v1= signature")],
)
def test_verify_stripe_says_what_is_wrong(header: str, needle: str) -> None:
    with pytest.raises(SignatureError, match=needle):
        verify_stripe(BODY, header, _secret(STRIPE_V1), now=NOW)
