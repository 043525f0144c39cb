"""The mailer: an outbox where every email and every alert lands."""

from .messages import KINDS
from .system import MailerSystem

__all__ = ["KINDS", "MailerSystem"]
