"""The provisioning system: the destination of the case study."""

from .handlers import naive_handler
from .system import ProvisioningSystem

__all__ = ["ProvisioningSystem", "naive_handler"]
