"""hooklab's sandbox: the simulated systems and the lab that runs them.

    from simulators import Lab

The course (checks, worksheets, pictures, the control panel) is
`simulators.course`; it builds on this package, never the reverse.
"""

from .clock import Clock
from .lab import Alert, Lab
from .learner import WebhookRequest
from .webhooks.retry import RetryPolicy
from .webhooks.signing import SignatureError, sign_stripe, verify_stripe

__all__ = ["Alert", "Clock", "Lab", "RetryPolicy", "SignatureError", "WebhookRequest", "sign_stripe", "verify_stripe"]
