"""The provisioning system: the destination of the case study."""

from .system import ProvisioningSystem, naive_handler

__all__ = ["ProvisioningSystem", "naive_handler"]
