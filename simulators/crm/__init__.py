"""The CRM: contacts, tasks, and a web form whose submissions are sent as Standard Webhooks."""

from .events import EVENT_TYPES
from .system import CrmSystem

__all__ = ["EVENT_TYPES", "CrmSystem"]
