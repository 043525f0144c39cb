"""Small comparison pictures the lessons use: bars, before/after, polling cost versus delay."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from simulators.course.plots.figure import figure_of, new_figure
from simulators.course.scenarios import describe_span

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


def before_after_story(
    before: Any,
    after: Any,
    *,
    labels: tuple[str, str] = ("the story", "all three fixes"),
) -> Figure:
    """Two runs of the case study side by side: who lost out, and how long until a person knew.

    `before` and `after` have `lost`, `kept_access` (lists) and `time_to_notice` (a timedelta or None).
    The time is drawn in hours but written as a person says it ("4 days 23 h", "5 min"), so five
    minutes never reads "0.1"; a bar of zero is written "none", so it is visible even when it has no height.
    """

    fig, (people, waited) = _two_axes()
    measures = ("paid, never got in", "refunded, kept access")
    width = 0.38
    for offset, run, label, colour in ((-width / 2, before, labels[0], BEFORE), (width / 2, after, labels[1], AFTER)):
        counts = [len(run.lost), len(run.kept_access)]
        bars = people.bar([x + offset for x in range(2)], counts, width, label=label, color=colour)
        people.bar_label(bars, labels=[str(n) if n else "none" for n in counts], padding=2)
    people.set_xticks(range(2), measures)
    people.set_ylabel("customers")
    people.set_title("Customers on the wrong side")
    people.legend(frameon=False)
    spans = [before.time_to_notice, after.time_to_notice]
    hours = [span.total_seconds() / 3600 if span is not None else 0.0 for span in spans]
    bars = waited.bar(range(2), hours, 0.6, color=[BEFORE, AFTER])
    waited.bar_label(bars, labels=[describe_span(span) if span is not None else "nobody knew" for span in spans])
    waited.set_xticks(range(2), labels)
    waited.set_ylabel("hours")
    waited.set_title("Until a person knew")
    for ax in (people, waited):
        ax.margins(y=0.18)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _two_axes() -> tuple[Figure, tuple[Any, Any]]:

    fig, left = new_figure(10, 3.8)
    left.remove()
    first, second = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    return fig, (first, second)
