"""Pictures for the notebooks, drawn on the lab clock.

from simulators.course.plots import timeline
timeline(lab)                     # end the cell with it, or with plt.show()
"""

from __future__ import annotations

from simulators.course.plots.compare import bar_compare, before_after, before_after_story, cost_vs_delay
from simulators.course.plots.figure import LabFigure
from simulators.course.plots.flow import flow_diagram
from simulators.course.plots.retries import backoff_draws, crowd_moments, retry_crowd
from simulators.course.plots.systems_map import systems_map
from simulators.course.plots.timeline import timeline

__all__ = [
    "LabFigure",
    "backoff_draws",
    "bar_compare",
    "before_after",
    "before_after_story",
    "cost_vs_delay",
    "crowd_moments",
    "flow_diagram",
    "retry_crowd",
    "systems_map",
    "timeline",
]
