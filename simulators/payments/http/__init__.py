"""What every Stripe request goes through before and after its view: key, rate limit, form parsing, parameters,
idempotency, lists and `expand[]`; it knows no resource."""
