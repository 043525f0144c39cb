"""The payment system: a stateful, Stripe-compatible subset with signed webhook delivery."""

from .client import PaymentsClient, PaymentsError
from .system import PaymentsSystem

__all__ = ["PaymentsClient", "PaymentsError", "PaymentsSystem"]
