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
from simulators.course.plots.figure import figure_of, new_figure_rows
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


@dataclass
class Drawing:
    """What one panel shows: its lanes, the marks on them, the fault windows and the jobs parked on dead letters."""

    start: float | None
    end: float | None
    lanes: Lanes = field(default_factory=Lanes)
    marks: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    windows: list[tuple[str, str, float, float, bool]] = field(default_factory=list)
    parked: list[tuple[int, float, float]] = field(default_factory=list)

    def within(self, ts: float) -> bool:
        return (self.start is None or ts >= self.start) and (self.end is None or ts <= self.end)

    def mark(self, kind: str, ts: float, lane: str) -> None:
        if self.within(ts):
            self.marks.setdefault(kind, []).append((ts, self.lanes(lane)))

    @property
    def height(self) -> float:
        return 1.6 + 0.5 * max(len(self.lanes.names), 1)


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
    zoom: tuple[When, When] | None = None,
) -> Figure:
    """Draw the lab's events, deliveries, retries, queued work, faults and alerts on the lab clock; return the Figure.

    `zoom=(start, end)` adds a close-up of that stretch below the whole picture, for moments too close together
    to tell apart at the whole picture's scale (six retries in five minutes of a three-hour outage).
    """
    start = to_timestamp(since) if since is not None else None
    end = to_timestamp(until) if until is not None else None
    now = lab.clock.time()
    queues = list(queues)
    whole = _collect(lab, start, end, now, queues, activations)
    if zoom is None:
        fig, ax = figure_of(ax, 10, whole.height)
        legend = _draw(ax, whole, now, lab, moments)
        ax.set_title(title if title is not None else "What happened, on the lab clock")
        _legend(ax, legend)
        fig.tight_layout()
        return fig
    if ax is not None:
        raise ValueError("a timeline with a zoom draws its own two panels: pass no ax")
    begin, finish = to_timestamp(zoom[0]), to_timestamp(zoom[1])
    if not finish > begin:
        raise ValueError("zoom=(start, end) needs an end after its start")
    finish = max(finish, begin + MIN_SPAN)
    close = _collect(lab, begin, finish, now, queues, activations, per_job=True)
    fig, (top, bottom) = new_figure_rows(10, [whole.height, close.height])
    legend = _draw(top, whole, now, lab, moments)
    top.set_title(title if title is not None else "What happened, on the lab clock")
    top.axvspan(_num(begin), _num(finish), color="#555555", alpha=0.12, zorder=1)
    top.annotate(
        "close-up below",
        (_num(finish), -0.5),
        xytext=(4, -2),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize="small",
        color="#444444",
    )
    _draw(bottom, close, now, lab, moments)
    bottom.set_title(f"Close-up: {_clock(begin)} to {_clock(finish)}", fontsize="medium")
    _legend(bottom, legend)
    fig.tight_layout()
    return fig


def _collect(
    lab: Any,
    start: float | None,
    end: float | None,
    now: float,
    queues: list[Any],
    activations: bool,
    *,
    per_job: bool = False,
) -> Drawing:
    """What to draw between `start` and `end`; `per_job` gives each queued job a lane of its own."""
    drawing = Drawing(start, end)
    names = _customer_names(lab) if per_job else {}
    mark, lanes = drawing.mark, drawing.lanes
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
        parked_since: dict[str, float] = {}
        parked_lane: dict[str, str] = {}
        parked: dict[str, list[tuple[float, float]]] = {}
        for entry in queue.log:
            lane = f"{queue.name} queue: " + (_job_name(entry, names) if per_job else "work")
            at = entry.at.timestamp()
            if entry.what.startswith("replayed") and entry.job in parked_since:
                parked.setdefault(lane, []).append((parked_since.pop(entry.job), at))
            if entry.what == "done":
                mark("work done", at, lane)
            elif entry.what.startswith("failed"):
                mark("work failed", at, lane)
                if "dead-letter" in entry.what:
                    mark("dead", at, lane)
                    parked_since[entry.job] = at
                    parked_lane[entry.job] = lane
            else:
                continue
            if entry.attempt > 1:
                mark("retry", at, lane)
        for job, since in parked_since.items():
            parked.setdefault(parked_lane[job], []).append((since, now))
        drawing.parked += [(lanes(lane), b, f) for lane, spans in parked.items() for b, f in _merged(spans)]
    drawing.parked = [
        (y, max(b, start) if start is not None else b, min(f, end) if end is not None else f)
        for y, b, f in drawing.parked
        if (end is None or b <= end) and (start is None or f >= start)
    ]
    drawing.windows = _fault_windows(lab, now)
    for name, _kind, begin, finish, _planned in drawing.windows:
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
    return drawing


def _draw(ax: Any, drawing: Drawing, now: float, lab: Any, moments: Mapping[str, When] | None) -> list[Any]:
    """Draw one panel; return the legend's handles."""
    marks, lanes, windows, start, end = drawing.marks, drawing.lanes, drawing.windows, drawing.start, drawing.end
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

    for number, (y, begin, finish) in enumerate(drawing.parked):
        bar = ax.broken_barh(
            [(_num(begin), _num(finish) - _num(begin))],
            (y - 0.18, 0.36),
            facecolors=COLOURS["dead"],
            alpha=0.25,
            zorder=2,
            label="waiting on the dead-letter list",
        )
        if number == 0:
            legend.append(bar)
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
    return legend


def _legend(ax: Any, legend: list[Any]) -> None:
    if legend:
        ax.legend(
            handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False, fontsize="small"
        )
    else:
        ax.text(0.5, 0.5, "nothing has happened yet", transform=ax.transAxes, ha="center", va="center", color="#666")


def _merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping spans as one: jobs parked together draw one bar, not a darker pile of them."""
    out: list[tuple[float, float]] = []
    for begin, finish in sorted(spans):
        if out and begin <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], finish))
        else:
            out.append((begin, finish))
    return out


def _customer_names(lab: Any) -> dict[str, str]:
    if "payments" not in lab.systems:
        return {}
    return {c["id"]: c.get("name") or c["email"] for c in lab.payments.customers()}


def _job_name(entry: Any, names: dict[str, str]) -> str:
    customer = entry.fields.get("customer")
    return names.get(customer, customer) if customer else entry.job


def _clock(ts: float) -> str:
    return f"{datetime.fromtimestamp(ts, tz=timezone.utc):%H:%M}"


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
