"""The one Stripe API version the sandbox declares and serves: 2020-08-27.

Every body the sandbox answers is checked against Stripe's published schemas
for 2020-08-27 (tests/payments/test_schema.py), and invoices, subscriptions
and charges keep that version's shape, so that is the version it can honestly
claim: events carry it as `api_version`, webhook endpoints report it (and
refuse another), and every `/v1` answer says it in `Stripe-Version`. The
stripe 16.1 SDK pins 2026-10-28.endive and sends it on every request; it still
reads every 2020-08-27 body, since it builds its objects from whatever fields
arrive (`object` picks the class), so the header is accepted and answered with
the version actually served, as Stripe answers with an account's own version.
"""

from __future__ import annotations

API_VERSION = "2020-08-27"
