"""A map of the lab: the four systems, the learner's code between them, and what flows along each arrow.

from simulators.course.plots.systems_map import systems_map
systems_map(lab)   # a system that is down right now is drawn greyed out, marked DOWN
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from simulators.course.plots.figure import figure_of

WIDTH, HEIGHT = 12.0, 6.4
BOX_W, BOX_H = 2.7, 1.2
DOWN_FILL, DOWN_EDGE = "#e0e0e0", "#9e9e9e"


@dataclass(frozen=True)
class Box:
    """One thing on the map: where it sits and what it does, in a few words."""

    name: str
    title: str
    blurb: str
    x: float
    y: float
    fill: str
    edge: str


BOXES = (
    Box("payments", "Payments", "customers pay here\n(speaks Stripe's API)", 1.5, 5.6, "#e8f0fe", "#1a73e8"),
    Box("provisioning", "Provisioning", "opens accounts for\ncustomers who paid", 10.5, 5.6, "#e6f4ea", "#1e8e3e"),
    Box("crm", "CRM", "contacts, tasks and\na web form", 1.5, 0.8, "#fef7e0", "#e37400"),
    Box("mailer", "Mailer", "every email and alert\nlands in its outbox", 10.5, 0.8, "#fce8e6", "#d93025"),
    Box("you", "Your code", "automations and webhook\nhandlers you write", 6.0, 3.2, "#f3e8fd", "#9334e6"),
)

#: (from, to, label, bend): what travels along each arrow.
FLOWS = (
    ("payments", "provisioning", 'webhook: "a customer paid"', 0.0),
    ("payments", "you", "webhooks", 0.0),
    ("crm", "you", 'webhook:\n"a form was sent"', -0.25),
    ("you", "mailer", "send emails\nand alerts", 0.0),
    ("you", "crm", "add contacts\nand tasks", -0.25),
)


def systems_map(lab: Any = None, ax: Any = None) -> Any:
    """Draw the lab's systems and the messages between them; grey out any system that is down in `lab`."""
    fig, ax = figure_of(ax, WIDTH, HEIGHT * 0.95)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, HEIGHT + 0.1)
    ax.set_axis_off()
    down = systems_down(lab)
    boxes = {box.name: box for box in BOXES}
    for box in BOXES:
        _draw_box(ax, box, box.name in down)
    for source, target, label, bend in FLOWS:
        _draw_flow(ax, boxes[source], boxes[target], label, bend, faded=bool({source, target} & down))
    ax.set_title("The lab: four systems, and your code in between", fontsize=13, loc="left")
    return fig


def systems_down(lab: Any) -> set[str]:
    """Names of the lab's systems that refuse connections right now."""
    if lab is None:
        return set()
    return {name for name, system in lab.systems.items() if system.faults.is_down}


def _draw_box(ax: Any, box: Box, down: bool) -> None:
    fill, edge = (DOWN_FILL, DOWN_EDGE) if down else (box.fill, box.edge)
    ax.add_patch(
        FancyBboxPatch(
            (box.x - BOX_W / 2, box.y - BOX_H / 2),
            BOX_W,
            BOX_H,
            boxstyle="round,pad=0.05,rounding_size=0.15",
            facecolor=fill,
            edgecolor=edge,
            linewidth=2,
            linestyle="--" if box.name == "you" else "-",
        )
    )
    title = f"{box.title} (DOWN)" if down else box.title
    ax.text(
        box.x,
        box.y + 0.3,
        title,
        ha="center",
        va="center",
        fontsize=12,
        fontweight="bold",
        color="#5f6368" if down else edge,
    )
    ax.text(box.x, box.y - 0.22, box.blurb, ha="center", va="center", fontsize=9, color="#3c4043", linespacing=1.2)


def _draw_flow(ax: Any, source: Box, target: Box, label: str, bend: float, *, faded: bool) -> None:
    start, end = _edge_point(source, target), _edge_point(target, source)
    colour = DOWN_EDGE if faded else "#3c4043"
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=18,
            linewidth=1.6,
            color=colour,
            connectionstyle=f"arc3,rad={bend}",
            shrinkA=4,
            shrinkB=4,
        )
    )
    mid_x, mid_y = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
    if bend:
        # an arc bulges to the right of its direction of travel: put the label on the bulge
        dx, dy = end[0] - start[0], end[1] - start[1]
        mid_x, mid_y = mid_x + dy * bend * 0.5, mid_y - dx * bend * 0.5
    ax.text(
        mid_x,
        mid_y,
        label,
        ha="center",
        va="center",
        fontsize=9,
        color=colour,
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
    )


def _edge_point(box: Box, toward: Box) -> tuple[float, float]:
    """Where a line from `box`'s centre toward `toward` leaves the box."""
    dx, dy = toward.x - box.x, toward.y - box.y
    scale = min(BOX_W / 2 / abs(dx) if dx else float("inf"), BOX_H / 2 / abs(dy) if dy else float("inf"))
    return box.x + dx * scale, box.y + dy * scale
