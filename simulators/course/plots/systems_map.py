"""A map of the lab: the four systems, the automations between them, and what flows along each arrow.

from simulators.course.plots.systems_map import systems_map
systems_map(lab)   # a system that is down right now is drawn greyed out, marked DOWN
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from simulators.course.plots.figure import OKABE_ITO, describe, figure_of

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


# Pale fills with dark Okabe–Ito edges: every box is named in words, so colour only groups, never tells apart.
BOXES = (
    Box("payments", "Payments", "customers pay here\n(speaks Stripe's API)", 1.5, 5.6, "#e3f2fb", OKABE_ITO["blue"]),
    Box("provisioning", "Provisioning", "opens accounts for\ncustomers who paid", 10.5, 5.6, "#e0f3ed", "#00694d"),
    Box("crm", "CRM", "contacts, tasks and\na web form", 1.5, 0.8, "#fdf1d8", "#8a5f00"),
    Box("mailer", "Mailer", "every email and alert\nlands in its outbox", 10.5, 0.8, "#fbe6d9", "#a34500"),
    Box("you", "Automations", "the when-this-then-that\nrules between systems", 6.0, 3.2, "#f7e9f1", "#8f4a72"),
)

#: (from, to, label, shift): what travels along each arrow. Two arrows between the same boxes are shifted
#: apart (to the right of their direction of travel), each with its label on its own outer side, so they never cross.
FLOWS = (
    ("payments", "provisioning", 'webhook: "a customer paid"', 0.0),
    ("payments", "you", "webhooks", 0.0),
    ("crm", "you", 'webhook:\n"a form was sent"', 0.3),
    ("you", "mailer", "send emails\nand alerts", 0.0),
    ("you", "crm", "add contacts\nand tasks", 0.3),
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
    ax.set_title("The lab: four systems, and the automations in between", fontsize=13, loc="left")
    flows = "; ".join(f"{boxes[a].title} to {boxes[b].title}: {label}" for a, b, label, _ in FLOWS).replace("\n", " ")
    status = f" Down right now: {', '.join(boxes[name].title for name in sorted(down))}." if down else ""
    describe(fig, f"a map of the lab's four systems with the automations between them. Arrows: {flows}.{status}")
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


def _draw_flow(ax: Any, source: Box, target: Box, label: str, shift: float, *, faded: bool) -> None:
    start, end = _edge_point(source, target), _edge_point(target, source)
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = (dx * dx + dy * dy) ** 0.5
    right = (dy / length, -dx / length)  # the unit vector to the right of the direction of travel
    start = (start[0] + right[0] * shift, start[1] + right[1] * shift)
    end = (end[0] + right[0] * shift, end[1] + right[1] * shift)
    colour = DOWN_EDGE if faded else "#3c4043"
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=18,
            linewidth=1.6,
            color=colour,
            shrinkA=4,
            shrinkB=4,
        )
    )
    mid_x, mid_y = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
    if shift:
        mid_x, mid_y = mid_x + right[0] * 0.8, mid_y + right[1] * 0.8
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
