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
from simulators.course.plots.figure import GREYS, OKABE_ITO, describe, figure_of, new_figure_rows
from simulators.course.widgets.deliveries import attempts as delivery_attempts
from simulators.course.widgets.deliveries import senders

#: Okabe–Ito colours; each kind of mark also has its own shape (see `_draw`), each kind of fault its own hatch.
COLOURS = {
    "event": OKABE_ITO["black"],
    "succeeded": OKABE_ITO["blue"],
    "failed": OKABE_ITO["vermillion"],
    "skipped": GREYS[1],
    "retry": OKABE_ITO["orange"],
    "activation": OKABE_ITO["bluish green"],
    "alert": OKABE_ITO["reddish purple"],
    "down": OKABE_ITO["vermillion"],
    "errors": OKABE_ITO["orange"],
    "slow": OKABE_ITO["sky blue"],
    "fail_after_work": OKABE_ITO["reddish purple"],
    "dead": GREYS[0],
}
FAULT_HATCHES = {"down": None, "errors": "xx", "slow": "..", "fail_after_work": "\\\\"}
#: The shortest stretch a timeline shows: enough to tell minutes apart without squeezing them together.
MIN_SPAN = 15 * 60
FAULT_NAMES = {"down": "down", "errors": "error answers", "slow": "slow", "fail_after_work": "fails after work"}
#: Marks drawn around another mark at the same moment (a ring, a square): they move with it, never on their own.
DECORATIONS = {"retry", "dead"}
#: How the text summary counts each kind of mark: (one, many).
COUNTED = {
    "event": ("event recorded", "events recorded"),
    "succeeded": ("delivery succeeded", "deliveries succeeded"),
    "failed": ("delivery failed", "deliveries failed"),
    "skipped": ("delivery not sent", "deliveries not sent"),
    "retry": ("retry (a second or later try)", "retries (second or later tries)"),
    "work failed": ("try of the work failed", "tries of the work failed"),
    "work done": ("piece of work done", "pieces of work done"),
    "dead": ("job parked on the dead-letter list", "jobs parked on the dead-letter list"),
    "activation": ("account activated", "accounts activated"),
    "alert": ("alert emailed to a person", "alerts emailed to a person"),
    "logged": ("problem logged with nobody told", "problems logged with nobody told"),
}
#: A lane label longer than this is split after its arrow and shortened, so labels never take half the width.
LABEL_WIDTH = 28


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
        describe(fig, f"{ax.get_title()}, a timeline from {_summary(whole, now, lab, moments)}")
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
    describe(fig, f"{top.get_title()}, a timeline from {_summary(whole, now, lab, moments)}")
    describe(fig, f"Below it, a close-up from {_summary(close, now, lab, moments)}")
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
            lanes(f"{name} problems")
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
    low, high = _span(drawing, now, lab)
    lifted = _spread(marks, (high - low) / 110)
    # A crowd of three or more marks at one moment is also counted in words: fanned out, they still touch.
    # Over days, moments a label's width apart would print on top of each other: those are left uncounted.
    labelled: dict[int, float] = {}
    for row, at, count in sorted(_crowds(marks, (high - low) / 110), key=lambda crowd: crowd[1]):
        if at - labelled.get(row, float("-inf")) < (high - low) / 12:
            continue
        labelled[row] = at
        ax.annotate(
            f"×{count}",
            (_num(at), row),
            xytext=(9, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
            color=GREYS[0],
        )
    styles = {
        "event": dict(marker="|", s=110, linewidths=2, label="event recorded"),
        "succeeded": dict(marker="o", s=36, label="delivery succeeded"),
        "failed": dict(marker="X", s=48, label="delivery failed"),
        "skipped": dict(marker="s", s=28, label="delivery not sent (its receiver was switched off or removed)"),
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
            xs, ys = _placed(marks, lifted, kind)
            colour = (
                {"edgecolors": COLOURS["alert" if kind == "logged" else "dead"]}
                if kind in ("logged", "dead")
                else {"color": COLOURS[{"work failed": "failed", "work done": "succeeded"}.get(kind, kind)]}
            )
            # The dead-letter square goes on top of the retry rings it would otherwise hide under.
            artist = ax.scatter(xs, ys, zorder=5 if kind == "dead" else 3, **colour, **style)
            legend.append(artist)
    if marks.get("retry"):
        xs, ys = _placed(marks, lifted, "retry")
        legend.append(
            ax.scatter(
                xs,
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
        lane = f"{name} problems"
        if lane not in lanes.names or (end is not None and begin > end) or (start is not None and finish <= start):
            continue  # outside the stretch shown: no bar, and no legend entry for it
        begin = max(begin, start) if start is not None else begin
        y = lanes.names.index(lane)
        bars = ax.broken_barh(
            [(_num(begin), _num(finish) - _num(begin))],
            (y - 0.3, 0.6),
            zorder=2,
            **_fault_style(kind, planned),
        )
        if kind == "down" and not planned:
            ax.axvspan(_num(begin), _num(finish), color=COLOURS["down"], alpha=0.07, zorder=1)
        shown_faults.setdefault((kind, planned), bars)
    for (kind, planned), _ in sorted(shown_faults.items()):
        legend.append(
            Patch(label=f"{FAULT_NAMES[kind]}{' (scheduled)' if planned else ''}", **_fault_style(kind, planned))
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
    _frame(ax, drawing, now, lab)
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


def _fault_style(kind: str, planned: bool) -> dict[str, Any]:
    """Each fault kind its own hatch; a scheduled fault is paler with a dashed edge, a past one solid."""
    return {
        "facecolor": COLOURS[kind],
        "alpha": 0.35 if planned else 0.8,
        "hatch": FAULT_HATCHES[kind],
        "edgecolor": "#000000",
        "linestyle": "--" if planned else "-",
        "linewidth": 1.0,
    }


def _spread(marks: dict[str, list[tuple[float, int]]], near: float) -> dict[tuple[str, int], float]:
    """How far to lift each mark within its lane, so marks closer than `near` sit side by side, not on each other.

    Two payments in the same minute were one dot, and a success hid under a failure; now each cluster of
    marks in a lane is fanned out vertically. A ring or square drawn around a mark gets that mark's lift.
    """
    lift: dict[tuple[str, int], float] = {}
    by_lane: dict[int, list[tuple[float, str, int]]] = {}
    for kind, points in marks.items():
        if kind in DECORATIONS:
            continue
        for index, (ts, lane) in enumerate(points):
            by_lane.setdefault(lane, []).append((ts, kind, index))
    for lane_points in by_lane.values():
        lane_points.sort()
        clusters: list[list[tuple[float, str, int]]] = []
        for point in lane_points:
            if clusters and point[0] - clusters[-1][0][0] <= near:
                clusters[-1].append(point)
            else:
                clusters.append([point])
        for cluster in clusters:
            step = min(0.2, 0.56 / max(len(cluster) - 1, 1))
            for order, (_ts, kind, index) in enumerate(cluster):
                lift[(kind, index)] = (order - (len(cluster) - 1) / 2) * step
    for kind in DECORATIONS & set(marks):
        taken: set[tuple[str, int]] = set()
        for index, (ts, lane) in enumerate(marks[kind]):
            base = next(
                (
                    (other, i)
                    for other, points in marks.items()
                    if other not in DECORATIONS
                    for i, point in enumerate(points)
                    if point == (ts, lane) and (other, i) not in taken
                ),
                None,
            )
            if base is not None:
                taken.add(base)
            lift[(kind, index)] = lift.get(base, 0.0) if base is not None else 0.0
    return lift


def _crowds(marks: dict[str, list[tuple[float, int]]], near: float) -> list[tuple[int, float, int]]:
    """(lane, moment of its last mark, how many) for each cluster of three or more marks of one kind in a lane."""
    crowds = []
    for kind, points in marks.items():
        if kind in DECORATIONS:
            continue
        by_lane: dict[int, list[float]] = {}
        for ts, lane in points:
            by_lane.setdefault(lane, []).append(ts)
        for lane, moments in by_lane.items():
            moments.sort()
            cluster: list[float] = []
            for ts in [*moments, float("inf")]:
                if cluster and ts - cluster[0] > near:
                    if len(cluster) >= 3:
                        crowds.append((lane, cluster[-1], len(cluster)))
                    cluster = []
                cluster.append(ts)
    return crowds


def _placed(
    marks: dict[str, list[tuple[float, int]]], lift: dict[tuple[str, int], float], kind: str
) -> tuple[list[float], list[float]]:
    points = marks[kind]
    return [_num(ts) for ts, _ in points], [lane + lift.get((kind, i), 0.0) for i, (_, lane) in enumerate(points)]


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


def _span(drawing: Drawing, now: float, lab: Any) -> tuple[float, float]:
    """The stretch of lab time a panel shows, before padding: at least `MIN_SPAN`."""
    times = [ts for points in drawing.marks.values() for ts, _ in points]
    times += [t for _, _, begin, finish, _ in drawing.windows for t in (begin, finish)]
    low = drawing.start if drawing.start is not None else min(times, default=lab.clock.start.timestamp())
    high = drawing.end if drawing.end is not None else max(times, default=now)
    return low, max(high, low + MIN_SPAN)


def _frame(ax: Any, drawing: Drawing, now: float, lab: Any) -> None:
    names = drawing.lanes.names
    low, high = _span(drawing, now, lab)
    pad = (high - low) * 0.03
    ax.set_xlim(_num(low - pad), _num(high + pad))
    ax.set_ylim(max(len(names), 1) - 0.5, -0.5)
    ax.set_yticks(range(len(names)), [_lane_label(name) for name in names])
    locator = mdates.AutoDateLocator(tz=timezone.utc)
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator, tz=timezone.utc)
    formatter.formats[2] = "%a %d"  # day ticks read "Sun 22", not "22"
    # The date goes in the axis label, in words: matplotlib's offset ("2026-Mar-02") looked like one more tick.
    formatter.offset_formats = [""] * len(formatter.offset_formats)
    ax.xaxis.set_major_formatter(formatter)
    ax.set_xlabel(f"lab time (UTC), {_dates(low, high)}")
    ax.set_ylabel("")
    ax.grid(axis="x", color=GREYS[2], zorder=0)
    for y in range(len(names)):
        ax.axhline(y, color=GREYS[3], linewidth=0.8, zorder=0)


def _dates(low: float, high: float) -> str:
    """'Mon 2 March 2026', or 'Sun 22 to Fri 27 March 2026' for a picture that spans days."""
    first, last = (datetime.fromtimestamp(ts, tz=timezone.utc) for ts in (low, high))
    if first.date() == last.date():
        return f"{first:%a} {first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%a} {first.day} to {last:%a} {last.day} {last:%B %Y}"
    return f"{first:%a} {first.day} {first:%B} to {last:%a} {last.day} {last:%B %Y}"


def _lane_label(name: str) -> str:
    """A lane's name on two lines after its arrow, and shortened, when it is too long for one."""
    if len(name) <= LABEL_WIDTH or " → " not in name:
        return name
    sender, receiver = name.split(" → ", 1)
    if len(receiver) > LABEL_WIDTH:
        receiver = receiver[: LABEL_WIDTH - 1] + "…"
    return f"{sender} →\n{receiver}"


def _summary(drawing: Drawing, now: float, lab: Any, moments: Mapping[str, When] | None) -> str:
    """What one panel shows, in one line: its stretch of time, then each lane's marks counted, faults and moments."""
    low, high = _span(drawing, now, lab)
    days = _dates(low, high).count(" to ")

    def clock(ts: float) -> str:
        return f"{datetime.fromtimestamp(ts, tz=timezone.utc):%a %H:%M}" if days else _clock(ts)

    parts = []
    for y, lane in enumerate(drawing.lanes.names):
        counts = {kind: sum(1 for _, at in points if at == y) for kind, points in drawing.marks.items()}
        said = [f"{n} {COUNTED[kind][n != 1]}" for kind, n in sorted(counts.items(), key=_kind_order) if n]
        faults = [
            f"{FAULT_NAMES[kind]} {clock(begin)} to {clock(finish)}{' (scheduled)' if planned else ''}"
            for name, kind, begin, finish, planned in drawing.windows
            if f"{name} problems" == lane and begin <= high and finish >= low
        ]
        if said or faults:
            parts.append(f"{lane}: {', '.join(said + faults)}")
    parts += [f"dashed line at {clock(to_timestamp(at))}: {label}" for label, at in (moments or {}).items()]
    head = f"{clock(low)} to {clock(high)}, {_dates(low, high)}"
    return f"{head}. " + ("; ".join(parts) if parts else "nothing has happened yet") + "."


def _kind_order(item: tuple[str, int]) -> int:
    return list(COUNTED).index(item[0])


def _num(ts: float) -> float:
    return float(mdates.date2num(datetime.fromtimestamp(ts, tz=timezone.utc)))
