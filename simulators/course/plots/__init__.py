"""Pictures for the notebooks, drawn on the lab clock.

from simulators.course.plots import timeline
timeline(lab)                     # end the cell with it, or with plt.show()
"""

from __future__ import annotations

from simulators.course.plots.compare import bar_compare, before_after, cost_vs_delay
from simulators.course.plots.figure import LabFigure
from simulators.course.plots.flow import flow_diagram
from simulators.course.plots.systems_map import systems_map
from simulators.course.plots.timeline import timeline

__all__ = ["LabFigure", "bar_compare", "before_after", "cost_vs_delay", "flow_diagram", "systems_map", "timeline"]
