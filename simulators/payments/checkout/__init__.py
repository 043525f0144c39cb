"""Stripe Checkout: sessions, the hosted payment page, and its confirm endpoint for callers without a browser."""
