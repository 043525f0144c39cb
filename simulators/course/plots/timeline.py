"""The timeline: what happened in a lab, lane by lane, on the lab clock.

Lanes, top to bottom: events each sender recorded; delivery attempts per
sender → receiver (delivered, failed, and retries ringed); the work each
`WorkQueue` passed in `queues=` did (tries that failed, retries ringed, work
done, jobs parked on the dead-letter list); fault windows per system (what
really happened, and what is scheduled); provisioning's activations; alerts.
`moments=` draws a labelled dashed line at each named moment ("a customer
complains"). Labels use the lab's names, never ports, so the picture is the
same run after run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from simulators.clock import When, to_timestamp
from simulators.course.plots.figure import figure_of
from simulators.course.widgets.deliveries import attempts as delivery_attempts
from simulators.course.widgets.deliveries import senders

COLOURS = {
    "event": "#4062bb",
    "succeeded": "#1a7f37",
    "failed": "#b3261e",
    "skipped": "#8c8c8c",
    "retry": "#e07b00",
    "activation": "#0b7a75",
    "alert": "#b3261e",
    "down": "#b3261e",
    "errors": "#e07b00",
    "slow": "#8e6cc0",
    "fail_after_work": "#6b4f2a",
    "dead": "#444444",
}
#: The shortest stretch a timeline shows: enough to tell minutes apart without squeezing them together.
MIN_SPAN = 15 * 60
FAULT_NAMES = {"down": "down", "errors": "error answers", "slow": "slow", "fail_after_work": "fails after work"}


@dataclass
class Lanes:
    """Rows of the picture, in the order they were first needed."""

    names: list[str] = field(default_factory=list)

    def __call__(self, name: str) -> int:
        if name not in self.names:
            self.names.append(name)
        return self.names.index(name)


def timeline(
    lab: Any,
    since: When | None = None,
    until: When | None = None,
    ax: Any = None,
    title: str | None = None,
    *,
    activations: bool = True,
    queues: Iterable[Any] = (),
    moments: Mapping[str, When] | None = None,
) -> Figure:
    """Draw the lab's events, deliveries, retries, queued work, faults and alerts on the lab clock; return the Figure."""
    start = to_timestamp(since) if since is not None else None
    end = to_timestamp(until) if until is not None else None
    now = lab.clock.time()

    def within(ts: float) -> bool:
        return (start is None or ts >= start) and (end is None or ts <= end)

    lanes = Lanes()
    marks: dict[str, list[tuple[float, int]]] = {}

    def mark(kind: str, ts: float, lane: str) -> None:
        if within(ts):
            marks.setdefault(kind, []).append((ts, lanes(lane)))

    for name, system in lab.systems.items():
        if name in senders(lab):
            for at in _event_times(system):
                mark("event", at, f"{name} events")
    for row in delivery_attempts(lab):
        lane = f"{row['sender']} → {row['receiver']}"
        outcome = row["outcome"] if row["outcome"] in ("succeeded", "failed") else "skipped"
        mark(outcome, float(row["at"]), lane)
        if row["number"] > 1:
            mark("retry", float(row["at"]), lane)
    for queue in queues:
        lane = f"{queue.name} queue: work"
        for entry in queue.log:
            at = entry.at.timestamp()
            if entry.what == "done":
                mark("work done", at, lane)
            elif entry.what.startswith("failed"):
                mark("work failed", at, lane)
                if "dead-letter" in entry.what:
                    mark("dead", at, lane)
            else:
                continue
            if entry.attempt > 1:
                mark("retry", at, lane)
    windows = _fault_windows(lab, now)
    for name, _kind, begin, finish, _planned in windows:
        if (end is None or begin <= end) and (start is None or finish >= start):
            lanes(f"{name} faults")
    if activations and "provisioning" in lab.systems:
        for activation in lab.provisioning.activations():
            mark("activation", float(activation["at"]), "provisioning activations")
    # The lesson's point is whether a PERSON was told: an alert the lab logged
    # is not the same as one that reached someone's inbox, so they look different.
    for alert in lab.alerts:
        mark("logged", alert.at.timestamp(), "alerts")
    if "mailer" in lab.systems:
        for message in lab.mailer.alerts():
            mark("alert", float(message["created"]), "alerts")

    fig, ax = figure_of(ax, 10, 1.6 + 0.5 * max(len(lanes.names), 1))
    legend: list[Any] = []
    styles = {
        "event": dict(marker="o", s=28, label="event recorded"),
        "succeeded": dict(marker="o", s=36, label="delivery succeeded"),
        "failed": dict(marker="X", s=48, label="delivery failed"),
        "skipped": dict(marker="s", s=28, label="delivery skipped (endpoint disabled or deleted)"),
        "work failed": dict(marker="X", s=48, label="work tried, failed"),
        "work done": dict(marker="o", s=36, label="work done"),
        "dead": dict(
            marker="s", s=90, label="gave up: parked on the dead-letter list", facecolors="none", linewidths=1.6
        ),
        "activation": dict(marker="D", s=30, label="account activated"),
        "alert": dict(marker="^", s=70, label="alert emailed to a person"),
        "logged": dict(marker="^", s=70, label="problem logged, nobody told", facecolors="none", linewidths=1.2),
    }
    for kind, style in styles.items():
        if marks.get(kind):
            xs, ys = zip(*marks[kind], strict=True)
            colour = (
                {"edgecolors": COLOURS["alert" if kind == "logged" else "dead"]}
                if kind in ("logged", "dead")
                else {"color": COLOURS[{"work failed": "failed", "work done": "succeeded"}.get(kind, kind)]}
            )
            # The dead-letter square goes on top of the retry rings it would otherwise hide under.
            artist = ax.scatter([_num(x) for x in xs], ys, zorder=5 if kind == "dead" else 3, **colour, **style)
            legend.append(artist)
    if marks.get("retry"):
        xs, ys = zip(*marks["retry"], strict=True)
        legend.append(
            ax.scatter(
                [_num(x) for x in xs],
                ys,
                s=150,
                facecolors="none",
                edgecolors=COLOURS["retry"],
                linewidths=1.5,
                zorder=4,
                label="retry (attempt 2 or later)",
            )
        )
    shown_faults: dict[tuple[str, bool], Any] = {}
    for name, kind, begin, finish, planned in windows:
        lane = f"{name} faults"
        if lane not in lanes.names or (end is not None and begin > end) or (start is not None and finish <= start):
            continue  # outside the stretch shown: no bar, and no legend entry for it
        begin = max(begin, start) if start is not None else begin
        y = lanes.names.index(lane)
        bars = ax.broken_barh(
            [(_num(begin), _num(finish) - _num(begin))],
            (y - 0.3, 0.6),
            facecolors=COLOURS[kind],
            alpha=0.35 if planned else 0.8,
            hatch="//" if planned else None,
            edgecolor=COLOURS[kind],
            zorder=2,
        )
        if kind == "down" and not planned:
            ax.axvspan(_num(begin), _num(finish), color=COLOURS["down"], alpha=0.07, zorder=1)
        shown_faults.setdefault((kind, planned), bars)
    for (kind, planned), _ in sorted(shown_faults.items()):
        legend.append(
            Patch(
                facecolor=COLOURS[kind],
                alpha=0.35 if planned else 0.8,
                hatch="//" if planned else None,
                edgecolor=COLOURS[kind],
                label=f"{FAULT_NAMES[kind]}{' (scheduled)' if planned else ''}",
            )
        )

    _frame(ax, lanes.names, marks, windows, start, end, now, lab)
    for label, moment in (moments or {}).items():
        x = _num(to_timestamp(moment))
        ax.axvline(x, color="#444444", linestyle="--", linewidth=1.2, zorder=2)
        ax.annotate(
            label,
            (x, 0),
            xytext=(-6, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize="small",
            backgroundcolor="white",
        )
    ax.set_title(title if title is not None else "What happened, on the lab clock")
    if legend:
        ax.legend(
            handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False, fontsize="small"
        )
    else:
        ax.text(0.5, 0.5, "nothing has happened yet", transform=ax.transAxes, ha="center", va="center", color="#666")
    fig.tight_layout()
    return fig


def _event_times(system: Any) -> list[float]:
    """When each of the system's events happened: Stripe's `created`, or Standard Webhooks' `timestamp`."""
    events = getattr(system, "events", None)
    if not callable(events):
        return []
    times = []
    for event in events():
        if not isinstance(event, dict):
            continue
        if isinstance(event.get("created"), (int, float)):
            times.append(float(event["created"]))
        elif isinstance(event.get("timestamp"), str):
            times.append(datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp())
    return times


def _fault_windows(lab: Any, now: float) -> list[tuple[str, str, float, float, bool]]:
    """(system, kind, start, end, planned): what happened, then what is scheduled and not begun."""
    windows = []
    services = {**lab.systems, **lab.endpoints}
    for name, service in services.items():
        faults = service.faults
        for window in faults.windows:
            windows.append((name, window.kind, window.start, window.end if window.end is not None else now, False))
        for window in faults.scheduled:
            if window.start > now:
                windows.append(
                    (name, window.kind, window.start, window.end if window.end is not None else window.start, True)
                )
    return windows


def _frame(
    ax: Any,
    names: list[str],
    marks: dict[str, list[tuple[float, int]]],
    windows: Iterable[tuple[str, str, float, float, bool]],
    start: float | None,
    end: float | None,
    now: float,
    lab: Any,
) -> None:
    times = [ts for points in marks.values() for ts, _ in points]
    times += [t for _, _, begin, finish, _ in windows for t in (begin, finish)]
    low = start if start is not None else min(times, default=lab.clock.start.timestamp())
    high = end if end is not None else max(times, default=now)
    if high - low < MIN_SPAN:
        high = low + MIN_SPAN
    pad = (high - low) * 0.03
    ax.set_xlim(_num(low - pad), _num(high + pad))
    ax.set_ylim(max(len(names), 1) - 0.5, -0.5)
    ax.set_yticks(range(len(names)), names)
    locator = mdates.AutoDateLocator(tz=timezone.utc)
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator, tz=timezone.utc)
    formatter.formats[2] = "%a %d"  # day ticks read "Sun 22", not "22"
    ax.xaxis.set_major_formatter(formatter)
    ax.set_xlabel("lab time (UTC)")
    ax.set_ylabel("")
    ax.grid(axis="x", color="#dddddd", zorder=0)
    for y in range(len(names)):
        ax.axhline(y, color="#eeeeee", linewidth=0.8, zorder=0)


def _num(ts: float) -> float:
    return float(mdates.date2num(datetime.fromtimestamp(ts, tz=timezone.utc)))
