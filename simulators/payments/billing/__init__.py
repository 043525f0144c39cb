"""Recurring money: products, prices, plans, coupons, tax rates, subscriptions, invoice items and invoices, and
the renewals that turn subscriptions into invoices as the lab clock moves."""
