"""Signing, retry policies and the delivery outbox shared by every sending system."""

from .outbox import Outbox, Target
from .retry import POLICIES, RetryPolicy, policy_named
from .signing import sign_standard, sign_stripe, verify_standard, verify_stripe

__all__ = [
    "POLICIES",
    "Outbox",
    "RetryPolicy",
    "Target",
    "policy_named",
    "sign_standard",
    "sign_stripe",
    "verify_standard",
    "verify_stripe",
]
