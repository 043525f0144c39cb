"""Figures that show exactly once in a notebook, however the cell ends, each with a one-line text summary.

A pyplot figure returned as a cell's last value is shown twice under the
inline backend (once as the value, once when pyplot flushes at the end of the
cell). `LabFigure` closes itself in pyplot when IPython displays it, so
`timeline(lab)`, `fig = timeline(lab)` and `timeline(lab); plt.show()` each
show one picture.

Every picture also says in one line what it shows (`fig.summary`): the line is
printed under the picture and is its text, so a screen reader, a text export
or anyone who cannot tell the colours apart gets the point without the pixels.
(JupyterLab draws an image output without an `alt` attribute, so a visible
line is the only text alternative that reaches every reader.)

The colours are the Okabe–Ito palette, which stays distinct for the common
kinds of colour blindness; every meaning also has a shape, a hatch or a line
style, so colour is never the only cue.
"""

from __future__ import annotations

from typing import Any, cast

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

#: Okabe & Ito (2008), "Color Universal Design": eight colours told apart by people with any common colour blindness.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
#: Greys for what is neither good nor bad news (skipped, parked, grid lines); grey is safe for every reader.
GREYS = ("#444444", "#8c8c8c", "#dddddd", "#eeeeee")
GOOD, BAD, NEUTRAL = OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["sky blue"]


class LabFigure(Figure):
    """A matplotlib Figure that is displayed once, then left alone by pyplot, with its summary printed below it."""

    summary: str = ""

    def _ipython_display_(self) -> None:
        # IPython is there whenever a notebook shows a figure; scripts that only save one never load it.
        from IPython.core.pylabtools import print_figure
        from IPython.display import display

        plt.close(self)  # pyplot's end-of-cell flush must not show it a second time
        png = print_figure(self, "png", bbox_inches="tight")
        if not self.summary:
            display({"image/png": png, "text/plain": repr(self)}, raw=True)
            return
        text = f"Picture: {self.summary}"
        # A text-only reader gets the summary once: the image's own text points to the line below it.
        display({"image/png": png, "text/plain": "[picture: its summary is the line below]"}, raw=True)
        display({"text/markdown": f"*{_escape(text)}*", "text/plain": text}, raw=True)


def describe(fig: Any, text: str) -> None:
    """Give `fig` its one-line summary; a second picture drawn on the same figure adds its own line."""
    old = getattr(fig, "summary", "")
    fig.summary = f"{old} {text}" if old else text


def _escape(text: str) -> str:
    # The summary is data (names, event types with underscores), not Markdown.
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text)


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
