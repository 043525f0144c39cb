"""Widgets for the notebooks: the lab's control panel.

from simulators.course.widgets import control_panel
control_panel(lab)          # or lab.control_panel()
"""

from __future__ import annotations

from typing import Any

from simulators.course.widgets.panel import ControlPanel
from simulators.course.widgets.switches import FaultSwitches


def control_panel(lab: Any, **options: Any) -> ControlPanel:
    """Show the lab: its clock, fault switches, traffic and time buttons, deliveries and alerts."""
    return ControlPanel(lab, **options)


__all__ = ["ControlPanel", "FaultSwitches", "control_panel"]
