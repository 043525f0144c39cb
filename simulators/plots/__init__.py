"""Pictures for the notebooks, drawn on the lab clock.

from simulators.plots import timeline
timeline(lab)                     # end the cell with it, or with plt.show()
"""

from __future__ import annotations

from .compare import bar_compare, before_after, cost_vs_delay
from .figure import LabFigure
from .flow import flow_diagram
from .systems_map import systems_map
from .timeline import timeline

__all__ = ["LabFigure", "bar_compare", "before_after", "cost_vs_delay", "flow_diagram", "systems_map", "timeline"]
