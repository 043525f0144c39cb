"""An automation as a picture: the trigger, each step in order, and who hears about a failure.

    from simulators.course.plots.flow import flow_diagram
    flow_diagram(welcome)

The boxes follow the lesson's formula from left to right; the dashed arrows
are the failure paths, one box each: data missing (stop, no retry: waiting
will not bring it) and a step failing (the sender retries; steps already done
are not repeated). Both say who is told. An automation with no one to alert
ends in red boxes, because that is the silent failure waiting to happen.
"""

from __future__ import annotations

import textwrap
from typing import Any

from matplotlib.patches import FancyBboxPatch

from simulators.course.automations.triggers import system_name
from simulators.course.plots.figure import describe, figure_of

_WIDTH, _HEIGHT, _GAP = 2.8, 1.45, 0.8
# Pale fills, dark Okabe–Ito edges; each box says in words what it is (WHEN, THEN, IF…), and a failure
# that nobody hears about also has a thick dotted edge, so colour is never the only cue.
_TRIGGER = ("#e3f2fb", "#0072B2")
_STEP = ("#e0f3ed", "#00694d")
_ALERT = ("#fdf1d8", "#8a5f00")
_NOBODY = ("#fbe6d9", "#a34500")
_FAIL = "#8a5f00"


def flow_diagram(automation: Any, ax: Any = None) -> Any:
    """Draw `automation` (an Automation spec) as boxes and arrows; return the Figure."""
    steps = list(automation.steps)
    columns = 1 + len(steps)
    fig, ax = figure_of(ax, max(7.0, 2.2 * columns + 1.0), 3.6)
    top, bottom = 1.9, 0.0
    trigger_text = f"WHEN\n{automation.when}\nhappens in {system_name(automation.source)}"
    _box(ax, 0, top, trigger_text, _TRIGGER)
    for index, step in enumerate(steps, start=1):
        inputs = ", ".join(dict.fromkeys(step.paths())) or "fixed values"  # a field used twice is listed once
        _box(ax, _x(index), top, f"THEN ({index})\n{_wrap(step.phrase(), 22)}\nusing {_wrap(inputs, 26)}", _STEP)
        _arrow(ax, _x(index - 1) + _WIDTH, top + _HEIGHT / 2, _x(index), top + _HEIGHT / 2)
    span = _x(columns - 1) + _WIDTH
    told = f"alert {automation.alert}" if automation.alert else "nobody is told"
    colours = _ALERT if automation.alert else _NOBODY
    width = _WIDTH * 1.1
    span = max(span, 2 * width + _GAP)
    branches = (
        ("IF DATA IS MISSING", f"stop, no retry;\n{told}"),
        ("IF A STEP FAILS", f"the sender retries later;\n{told}"),
    )
    lefts = [span / 2 - _GAP / 2 - width, span / 2 + _GAP / 2]
    for left, (head, rest) in zip(lefts, branches, strict=True):
        _box(ax, left, bottom, f"{head}\n{rest}", colours, width=width, dotted=not automation.alert)
    # Every step's failure drops onto one dashed line, which leads to both boxes: no crossing arrows.
    bus = (top + bottom + _HEIGHT) / 2
    drops = [_x(index) + _WIDTH / 2 for index in range(1, columns)]
    ends = [left + width / 2 for left in lefts]
    for x in drops:
        ax.plot([x, x], [top, bus], color=_FAIL, linestyle="--", lw=1.3)
    ax.plot([min(drops + ends), max(drops + ends)], [bus, bus], color=_FAIL, linestyle="--", lw=1.3)
    for x in ends:
        _arrow(ax, x, bus, x, bottom + _HEIGHT, dashed=True)
    ax.set_xlim(-0.2, span + 0.2)
    ax.set_ylim(-0.2, top + _HEIGHT + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(automation.name, loc="left")
    fig.tight_layout()
    steps_said = "; ".join(f"then ({index}) {step.phrase()}" for index, step in enumerate(steps, start=1))
    describe(
        fig,
        f"{automation.name}, as a flow: when {automation.when} happens in {system_name(automation.source)}, "
        f"{steps_said}. If data is missing it stops without retrying, if a step fails the sender retries;"
        f" either way: {told}.",
    )
    return fig


def _x(column: int) -> float:
    return column * (_WIDTH + _GAP)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _box(
    ax: Any, x: float, y: float, text: str, colours: tuple[str, str], width: float = _WIDTH, *, dotted: bool = False
) -> None:
    fill, edge = colours
    ax.add_patch(
        FancyBboxPatch(
            (x, y),
            width,
            _HEIGHT,
            boxstyle="round,pad=0.04,rounding_size=0.12",
            facecolor=fill,
            edgecolor=edge,
            linewidth=2.6 if dotted else 1.6,
            linestyle=":" if dotted else "-",
        )
    )
    head, _, rest = text.partition("\n")
    ax.text(x + width / 2, y + _HEIGHT - 0.2, head, ha="center", va="center", fontsize=9.5, weight="bold", color=edge)
    ax.text(x + width / 2, y + (_HEIGHT - 0.3) / 2, rest, ha="center", va="center", fontsize=9, color="#202124")


def _arrow(ax: Any, x0: float, y0: float, x1: float, y1: float, *, dashed: bool = False) -> None:
    ax.annotate(
        "",
        xy=(x1, y1),
        xytext=(x0, y0),
        arrowprops=dict(
            arrowstyle="-|>",
            color=_FAIL if dashed else "#3c4043",
            lw=1.3,
            linestyle="--" if dashed else "-",
            shrinkA=2,
            shrinkB=2,
        ),
    )
