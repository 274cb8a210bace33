"""A picture of a resource's neighbourhood: a radial layout, one sector per property, drawn as SVG on the server."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 860
HEIGHT = 760
RADIUS = 190
MAX_NODES = 26
MAX_GROUPS = 8
MAX_LABEL = 22
FULL_LINE = 26
PALETTE = ("#0b6e69", "#8a5a00", "#5b4b8a", "#2b6cb0", "#b3261e", "#3d7a1f", "#a23b72", "#4a5568")


@dataclass(frozen=True)
class Neighbour:
    label: str
    href: str | None


@dataclass(frozen=True)
class Group:
    """The neighbours one property reaches, outwards (this -> them) or inwards (them -> this)."""

    property: str
    incoming: bool
    neighbours: Sequence[Neighbour]


@dataclass(frozen=True)
class Node:
    x: float
    y: float
    label: str
    href: str | None
    full: str
    lines: tuple[str, ...]
    colour: str
    anchor: str
    label_x: float
    label_y: float
    rotate: float


@dataclass(frozen=True)
class Legend:
    text: str
    colour: str


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    centre_label: str
    centre_lines: tuple[str, ...]
    nodes: tuple[Node, ...]
    legend: tuple[Legend, ...]
    left_out: int

    @property
    def cx(self) -> float:
        return self.width / 2

    @property
    def cy(self) -> float:
        return self.height / 2


def layout(centre_label: str, groups: Sequence[Group]) -> Picture:
    """Neighbours on a circle around the centre; each property's neighbours side by side in one colour,
    with a gap between properties so the groups read as groups."""
    kept, left_out = _keep(groups)
    slots = sum(len(g.neighbours) for g in kept) + len(kept)
    nodes: list[Node] = []
    legend: list[Legend] = []
    slot = 0
    for index, group in enumerate(kept):
        colour = PALETTE[index % len(PALETTE)]
        arrow = "←" if group.incoming else "→"
        legend.append(Legend(f"{arrow} {group.property} ({len(group.neighbours)})", colour))
        for neighbour in group.neighbours:
            nodes.append(_place(slot, slots, neighbour, colour))
            slot += 1
        slot += 1
    return Picture(
        WIDTH, HEIGHT, centre_label, wrap(centre_label, 30, 3), tuple(nodes), tuple(legend), left_out
    )


def _keep(groups: Sequence[Group]) -> tuple[list[Group], int]:
    """The largest MAX_GROUPS properties, in their own order, sharing MAX_NODES places round-robin."""
    biggest = sorted(groups, key=lambda g: len(g.neighbours), reverse=True)[:MAX_GROUPS]
    chosen = [g for g in groups if any(g is b for b in biggest)]
    takes = [0] * len(chosen)
    budget = MAX_NODES
    while budget > 0 and any(t < len(g.neighbours) for t, g in zip(takes, chosen, strict=True)):
        for index, group in enumerate(chosen):
            if budget > 0 and takes[index] < len(group.neighbours):
                takes[index] += 1
                budget -= 1
    kept = [Group(g.property, g.incoming, list(g.neighbours)[:t]) for g, t in zip(chosen, takes, strict=True)]
    drawn = sum(takes)
    return kept, sum(len(g.neighbours) for g in groups) - drawn


def _place(slot: int, total: int, neighbour: Neighbour, colour: str) -> Node:
    """On the circle; the label runs outwards along the radius, so neighbouring labels never overlap."""
    angle = -math.pi / 2 + 2 * math.pi * slot / max(total, 1)
    x = WIDTH / 2 + RADIUS * math.cos(angle)
    y = HEIGHT / 2 + RADIUS * math.sin(angle)
    degrees = math.degrees(angle)
    right = math.cos(angle) >= 0
    label_x = x + 12 * math.cos(angle)
    label_y = y + 12 * math.sin(angle)
    rotate = degrees if right else degrees + 180
    return Node(
        round(x, 1),
        round(y, 1),
        _short(neighbour.label, MAX_LABEL),
        neighbour.href,
        neighbour.label,
        wrap(neighbour.label, FULL_LINE),
        colour,
        "start" if right else "end",
        round(label_x, 1),
        round(label_y, 1),
        round(rotate, 1),
    )


def wrap(text: str, width: int, max_lines: int = 0) -> tuple[str, ...]:
    """Words in lines of at most `width` characters (a longer word is cut into pieces); with `max_lines`,
    the last line kept ends with an ellipsis when words are left over."""
    lines: list[str] = []
    for word in text.split():
        while len(word) > width:
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        if len(last) >= width:  # room for the ellipsis: drop the last word (or, in a single word, a letter)
            last = last.rsplit(" ", 1)[0] if " " in last else last[: width - 1]
        lines[-1] = last + "…"
    return tuple(lines) or ("",)


def _short(text: str, limit: int) -> str:
    """The text cut to `limit` characters at a word's end where it can be: every word a link shows is then
    a word of its name (WCAG 2.5.3, label in name), which a word cut in two is not."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut.strip():
        cut = cut[: cut.rstrip().rfind(" ")]
    return cut.rstrip() + "…"
