"""Signing, retry policies, the delivery log and deliverer, and the sender shared by every sending system."""

from .deliverer import Deliverer, Target
from .deliverylog import DeliveryLog
from .outbox import Outbox
from .retry import POLICIES, RetryPolicy, policy_named
from .sender import WebhookSender
from .signing import (
    STANDARD_WEBHOOKS,
    STRIPE_V1,
    Signer,
    sign_standard,
    sign_stripe,
    verify_standard,
    verify_stripe,
)

__all__ = [
    "POLICIES",
    "STANDARD_WEBHOOKS",
    "STRIPE_V1",
    "Deliverer",
    "DeliveryLog",
    "Outbox",
    "RetryPolicy",
    "Signer",
    "Target",
    "WebhookSender",
    "policy_named",
    "sign_standard",
    "sign_stripe",
    "verify_standard",
    "verify_stripe",
]
