"""Ways to pay besides a card number in a request: PaymentMethods, tokens and sources, SetupIntents, and the
3-D Secure page that both kinds of intent send a customer to."""
