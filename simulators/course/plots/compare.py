"""Small comparison pictures the lessons use: bars, before/after, polling cost versus delay."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from simulators.course.plots.figure import figure_of

BAR = "#4062bb"
BEFORE, AFTER = "#b3261e", "#1a7f37"


def bar_compare(
    values: Mapping[str, float],
    *,
    title: str = "",
    ylabel: str = "",
    ax: Any = None,
    fmt: str = "{:g}",
    colours: Sequence[str] | None = None,
) -> Figure:
    """One labelled bar per entry, each with its value written on it."""
    if not values:
        raise ValueError("bar_compare needs at least one value to draw")
    fig, ax = figure_of(ax, max(4.0, 1.4 * len(values)), 3.6)
    labels = list(values)
    bars = ax.bar(labels, [float(values[k]) for k in labels], color=list(colours) if colours else BAR)
    ax.bar_label(bars, labels=[fmt.format(values[k]) for k in labels], padding=2)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.margins(y=0.15)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def before_after(
    before: Mapping[str, float],
    after: Mapping[str, float],
    *,
    labels: tuple[str, str] = ("before", "after"),
    title: str = "",
    ylabel: str = "",
    ax: Any = None,
    fmt: str = "{:g}",
) -> Figure:
    """Paired bars per measure: how things stood before a change, and after it."""
    measures = list(dict.fromkeys([*before, *after]))
    if not measures:
        raise ValueError("before_after needs at least one measure to draw")
    fig, ax = figure_of(ax, max(4.5, 1.8 * len(measures)), 3.6)
    width = 0.38
    xs = range(len(measures))
    for offset, data, label, colour in ((-width / 2, before, labels[0], BEFORE), (width / 2, after, labels[1], AFTER)):
        heights = [float(data.get(m, 0)) for m in measures]
        bars = ax.bar([x + offset for x in xs], heights, width, label=label, color=colour)
        ax.bar_label(bars, labels=[fmt.format(data[m]) if m in data else "–" for m in measures], padding=2)
    ax.set_xticks(list(xs), measures)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.margins(y=0.15)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def cost_vs_delay(
    results: Iterable[Mapping[str, Any] | Any],
    *,
    title: str = "Polling: cost against delay",
    ax: Any = None,
    log: bool = True,
) -> Figure:
    """Each strategy as a point: requests made (cost) against how late changes were noticed.

    A result is a mapping or object with `label`, `requests` (API calls made over
    the run) and `delay` (seconds from a change to noticing it, e.g. the mean).
    Webhooks sit near the origin; frequent polling is fast but costly, rare
    polling cheap but slow.
    """
    points = [_point(result) for result in results]
    if not points:
        raise ValueError("cost_vs_delay needs at least one result, each with label, requests and delay")
    fig, ax = figure_of(ax, 7, 4.5)
    for label, requests, delay in points:
        colour = AFTER if "webhook" in label.lower() else BAR
        ax.scatter([requests], [delay / 60], s=60, color=colour, zorder=3)
        ax.annotate(label, (requests, delay / 60), textcoords="offset points", xytext=(6, 6), fontsize="small")
    if log:
        ax.set_xscale("symlog", linthresh=1)
        ax.set_yscale("symlog", linthresh=1)
    ax.set_xlabel("requests made (cost)")
    ax.set_ylabel("delay until noticed (minutes)")
    ax.set_title(title)
    ax.grid(color="#dddddd", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _point(result: Mapping[str, Any] | Any) -> tuple[str, float, float]:
    def field(name: str) -> Any:
        if isinstance(result, Mapping):
            if name not in result:
                raise ValueError(f"a cost_vs_delay result needs {name!r}; this one has {', '.join(map(str, result))}")
            return result[name]
        if not hasattr(result, name):
            raise ValueError(f"a cost_vs_delay result needs a {name!r} attribute; {type(result).__name__} has none")
        return getattr(result, name)

    return str(field("label")), float(field("requests")), float(field("delay"))
