"""Widgets for the notebooks: the lab's control panel.

from simulators.widgets import control_panel
control_panel(lab)          # or lab.control_panel()
"""

from __future__ import annotations

from typing import Any

from .panel import ControlPanel
from .switches import FaultSwitches


def control_panel(lab: Any, **options: Any) -> ControlPanel:
    """Show the lab: its clock, fault switches, traffic and time buttons, deliveries and alerts."""
    return ControlPanel(lab, **options)


__all__ = ["ControlPanel", "FaultSwitches", "control_panel"]
