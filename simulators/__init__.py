"""hooklab's simulated systems and the lab that runs them.

from simulators import Lab
"""

from .clock import Clock
from .lab import Alert, Lab
from .learner import WebhookRequest
from .webhooks.retry import RetryPolicy

__all__ = ["Alert", "Clock", "Lab", "RetryPolicy", "WebhookRequest"]
