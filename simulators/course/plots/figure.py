"""Figures that show exactly once in a notebook, however the cell ends.

A pyplot figure returned as a cell's last value is shown twice under the
inline backend (once as the value, once when pyplot flushes at the end of the
cell). `LabFigure` closes itself in pyplot when IPython displays it, so
`timeline(lab)`, `fig = timeline(lab)` and `timeline(lab); plt.show()` each
show one picture, and the text output is always `<Figure size … with N Axes>`.
"""

from __future__ import annotations

from typing import Any, cast

from matplotlib import pyplot as plt
from matplotlib.figure import Figure


class LabFigure(Figure):
    """A matplotlib Figure that is displayed once, then left alone by pyplot."""

    def _ipython_display_(self) -> None:
        # IPython is there whenever a notebook shows a figure; scripts that only save one never load it.
        from IPython.core.pylabtools import print_figure
        from IPython.display import display

        plt.close(self)  # pyplot's end-of-cell flush must not show it a second time
        png = print_figure(self, "png", bbox_inches="tight")
        display({"image/png": png, "text/plain": repr(self)}, raw=True)


def new_figure(width: float, height: float) -> tuple[LabFigure, Any]:
    """A figure with one Axes, known to pyplot so `plt.show()` works too."""
    fig = cast(LabFigure, plt.figure(figsize=(width, height), FigureClass=LabFigure))
    return fig, fig.add_subplot()


def new_figure_rows(width: float, heights: list[float]) -> tuple[LabFigure, list[Any]]:
    """A figure with one Axes per row, each as tall as asked, sharing nothing but the width."""
    fig = cast(LabFigure, plt.figure(figsize=(width, sum(heights)), FigureClass=LabFigure))
    return fig, list(fig.subplots(len(heights), 1, gridspec_kw={"height_ratios": heights}))


def figure_of(ax: Any, width: float, height: float) -> tuple[Figure, Any]:
    """Draw on the caller's Axes if given, else on a new figure."""
    if ax is not None:
        return ax.figure, ax
    return new_figure(width, height)
