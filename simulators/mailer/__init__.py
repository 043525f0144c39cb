"""The mailer: an outbox where every email and every alert lands."""

from .system import KINDS, MailerSystem

__all__ = ["KINDS", "MailerSystem"]
