"""Small comparison pictures the lessons use: bars, before/after, polling cost versus delay."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from simulators.course.plots.figure import BAD, GOOD, OKABE_ITO, describe, figure_of, new_figure
from simulators.course.scenarios import describe_span

BAR = OKABE_ITO["sky blue"]
#: Before is vermillion with diagonal hatching, after is plain blue: told apart by pattern as well as colour.
BEFORE, AFTER = BAD, GOOD
BEFORE_HATCH, AFTER_HATCH = "//", None
#: Delay ticks in minutes, as a person says them.
DELAY_TICKS = ((0, "none"), (1, "1 min"), (10, "10 min"), (60, "1 h"), (180, "3 h"), (600, "10 h"), (1440, "1 day"))


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
    listed = ", ".join(f"{k} {fmt.format(values[k])}" for k in labels)
    describe(fig, f"bar chart{_about(title, ylabel)}: {listed}.")
    return fig


def _about(title: str, unit: str) -> str:
    return "".join(f" ({part})" if index else f" of {part}" for index, part in enumerate(p for p in (title, unit) if p))


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
    for offset, data, label, colour, hatch in _pair(width, before, after, labels):
        heights = [float(data.get(m, 0)) for m in measures]
        bars = ax.bar([x + offset for x in xs], heights, width, label=label, **_bar_style(colour, hatch))
        ax.bar_label(bars, labels=[fmt.format(data[m]) if m in data else "–" for m in measures], padding=2)
    ax.set_xticks(list(xs), measures)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.margins(y=0.15)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    each = "; ".join(
        f"{m}: {labels[0]} {fmt.format(before[m]) if m in before else 'not measured'},"
        f" {labels[1]} {fmt.format(after[m]) if m in after else 'not measured'}"
        for m in measures
    )
    describe(fig, f"paired bars{_about(title, ylabel)}, {labels[0]} against {labels[1]}: {each}.")
    return fig


def _pair(width: float, before: Any, after: Any, labels: tuple[str, str]) -> tuple[tuple[Any, ...], ...]:
    """Offset, data, label, colour and hatch of the before bars, then of the after bars."""
    return ((-width / 2, before, labels[0], BEFORE, BEFORE_HATCH), (width / 2, after, labels[1], AFTER, AFTER_HATCH))


def _bar_style(colour: str, hatch: str | None) -> dict[str, Any]:
    # A bar's edge draws a bar of zero as a visible line on the axis; a hatch takes the edge's colour.
    return {"color": colour, "edgecolor": "#000000" if hatch else colour, "hatch": hatch, "linewidth": 1.5}


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
        webhook = "webhook" in label.lower()
        style = {"marker": "D", "color": GOOD} if webhook else {"marker": "o", "color": OKABE_ITO["black"]}
        ax.scatter([requests], [delay / 60], s=60, zorder=3, **style)
        ax.annotate(label, (requests, delay / 60), textcoords="offset points", xytext=(6, 6), fontsize="small")
    if log:
        ax.set_xscale("symlog", linthresh=1)
        ax.set_yscale("symlog", linthresh=1)
        # Plain numbers and durations, not 10⁰, 10¹, 10²: the reader is counting requests and waiting minutes.
        top_requests = max(requests for _, requests, _ in points)
        counts = [n for n in (0, 1, 10, 100, 1000, 10000, 100000) if n <= max(10, top_requests * 2)]
        ax.xaxis.set_major_locator(FixedLocator(counts))
        ax.xaxis.set_major_formatter(lambda value, _pos: f"{value:,.0f}")
        top_delay = max(delay / 60 for _, _, delay in points)
        ticks = [(value, text) for value, text in DELAY_TICKS if value <= max(10, top_delay * 2)]
        ax.yaxis.set_major_locator(FixedLocator([value for value, _ in ticks]))
        ax.yaxis.set_major_formatter(lambda value, _pos: dict(ticks).get(value, ""))
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_minor_locator(NullLocator())
    ax.set_xlabel("requests made (cost)")
    ax.set_ylabel("average delay until noticed")
    ax.set_title(title)
    ax.grid(color="#dddddd", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    each = "; ".join(
        f"{label}: {requests:,.0f} requests, {spoken_seconds(delay)} on average" for label, requests, delay in points
    )
    describe(fig, f"{title}, one point per strategy: {each}.")
    return fig


def spoken_seconds(seconds: float) -> str:
    """'40 s', '14 min', '1 h 5 min': a wait as a person says it."""
    return f"{seconds:.0f} s" if seconds < 60 else describe_span(timedelta(seconds=seconds))


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
    waits = [describe_span(span) if span is not None else "nobody knew" for span in spans]
    for x, height, (colour, hatch) in zip(range(2), hours, ((BEFORE, BEFORE_HATCH), (AFTER, AFTER_HATCH)), strict=True):
        bars = waited.bar([x], [height], 0.6, **_bar_style(colour, hatch))
        waited.bar_label(bars, labels=[waits[x]])
    waited.set_xticks(range(2), labels)
    waited.set_ylabel("hours")
    waited.set_title("Until a person knew")
    for ax in (people, waited):
        ax.margins(y=0.18)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    runs = [
        f"{label}: {len(run.lost) or 'none'} paid and never got in, {len(run.kept_access) or 'none'} refunded and"
        f" kept access, {wait} until a person knew"
        for label, run, wait in zip(labels, (before, after), waits, strict=True)
    ]
    describe(fig, f"two runs of the case study side by side. {'; '.join(runs)}.")
    return fig


def _two_axes() -> tuple[Figure, tuple[Any, Any]]:

    fig, left = new_figure(10, 3.8)
    left.remove()
    first, second = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    return fig, (first, second)
