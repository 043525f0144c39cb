"""The payment system: a stateful, Stripe-compatible subset with signed webhook delivery."""

from .client import PaymentsClient, PaymentsError
from .system import PROVISIONING_EVENTS, PaymentsSystem

__all__ = ["PROVISIONING_EVENTS", "PaymentsClient", "PaymentsError", "PaymentsSystem"]
