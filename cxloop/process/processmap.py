"""The process map: a directly-follows graph laid out in layers and drawn as SVG, in pure Python.

A small Sugiyama-style layout (Sugiyama, Tagawa & Toda, "Methods for Visual Understanding of
Hierarchical System Structures", IEEE SMC 11(2), 1981): break cycles by a depth-first search
from the start, put each activity on the layer of its longest path from the start, order each
layer by the barycentre of its neighbours, then draw forward edges as curves downwards and
edges back up (rework, ping-pong) as curves on the right. No browser script, no graphviz.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

START = "\x00start"
END = "\x00end"
NODE_HEIGHT = 36
LAYER_GAP = 84
NODE_GAP = 28
MARGIN = 24
LOOP_SPACE = 150  # room on the right for edges that go back up
CHAR_WIDTH = 7.4  # of the 13px sans-serif labels, on average
MAX_LABEL = 34
MIN_FLOW_SHARE = 0.02  # start and end arrows for at least 2% of the cases


@dataclass(frozen=True)
class MapEdge:
    """An edge to draw: its ends, its weight and the label to write on it."""

    source: str
    target: str
    frequency: int
    label: str
    heat: float = 0.0  # 0…1: how slow this step is compared with the slowest shown
    href: str | None = None


@dataclass(frozen=True)
class Node:
    """An activity (or the start or end) at its place on the map."""

    name: str
    count: int
    layer: int
    x: float  # centre
    y: float  # centre
    width: float

    @property
    def label(self) -> str:
        if self.name == START:
            return "▶ start"
        if self.name == END:
            return "■ end"
        return self.name if len(self.name) <= MAX_LABEL else self.name[: MAX_LABEL - 1] + "…"


@dataclass(frozen=True)
class Layout:
    """Where every node goes, and the canvas size."""

    nodes: dict[str, Node]
    width: float
    height: float


def layout(
    counts: dict[str, int], edges: Sequence[MapEdge], starts: dict[str, int], ends: dict[str, int]
) -> Layout:
    """Layers and positions for the activities in `counts` and a start and end node."""
    names = [START, *sorted(counts, key=lambda n: (-counts[n], n)), END]
    weights: dict[tuple[str, str], int] = {
        (e.source, e.target): e.frequency for e in edges if e.source != e.target
    }
    weights.update({(START, a): n for a, n in starts.items() if a in counts})
    weights.update({(a, END): n for a, n in ends.items() if a in counts})
    successors: dict[str, list[str]] = {name: [] for name in names}
    for (source, target), _ in sorted(weights.items(), key=lambda item: -item[1]):
        successors[source].append(target)
    back, order = _back_edges(names, successors)
    layers = _longest_path_layers(names, successors, back)
    layers[END] = max(layer for name, layer in layers.items() if name != END) + 1
    rows = _order_layers(layers, successors, back, order)
    all_counts = {**counts, START: sum(starts.values()), END: sum(ends.values())}
    return _place(rows, all_counts)


def _back_edges(
    names: list[str], successors: dict[str, list[str]]
) -> tuple[set[tuple[str, str]], list[str]]:
    """Edges into a node still on the depth-first stack; they close a cycle."""
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    order: list[str] = []
    for root in names:
        if root in state:
            continue
        stack = [(root, iter(successors[root]))]
        state[root] = 1
        order.append(root)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                order.append(child)
                stack.append((child, iter(successors[child])))
    return back, order


def _longest_path_layers(
    names: list[str], successors: dict[str, list[str]], back: set[tuple[str, str]]
) -> dict[str, int]:
    forward = {n: [s for s in successors[n] if (n, s) not in back] for n in names}
    indegree = {n: 0 for n in names}
    for n in names:
        for s in forward[n]:
            indegree[s] += 1
    ready = [n for n in names if indegree[n] == 0]
    layers = {n: 0 for n in names}
    while ready:
        node = ready.pop()
        for s in forward[node]:
            layers[s] = max(layers[s], layers[node] + 1)
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
    return layers


def _order_layers(
    layers: dict[str, int],
    successors: dict[str, list[str]],
    back: set[tuple[str, str]],
    order: list[str],
) -> list[list[str]]:
    rows: list[list[str]] = [[] for _ in range(max(layers.values()) + 1)]
    for name in order:
        rows[layers[name]].append(name)
    predecessors: dict[str, list[str]] = {n: [] for n in layers}
    for source, targets in successors.items():
        for target in targets:
            if (source, target) not in back:
                predecessors[target].append(source)
    for sweep in range(4):
        position = {n: i for row in rows for i, n in enumerate(row)}
        neighbours = (
            predecessors
            if sweep % 2 == 0
            else {n: [s for s in successors[n] if (n, s) not in back] for n in layers}
        )
        for row in rows if sweep % 2 == 0 else reversed(rows):
            row.sort(key=lambda n: _barycentre(neighbours[n], position, position[n]))
            position.update({n: i for i, n in enumerate(row)})
    return rows


def _barycentre(neighbours: list[str], position: dict[str, int], own: int) -> float:
    return sum(position[n] for n in neighbours) / len(neighbours) if neighbours else float(own)


def _place(rows: list[list[str]], counts: dict[str, int]) -> Layout:
    widths = {n: _node_width(n) for row in rows for n in row}
    row_widths = [sum(widths[n] for n in row) + NODE_GAP * (len(row) - 1) for row in rows]
    inner = max(row_widths, default=0)
    nodes: dict[str, Node] = {}
    for layer, (row, row_width) in enumerate(zip(rows, row_widths, strict=True)):
        x = MARGIN + (inner - row_width) / 2
        y = MARGIN + NODE_HEIGHT / 2 + layer * LAYER_GAP
        for name in row:
            nodes[name] = Node(
                name, counts.get(name, 0), layer, x + widths[name] / 2, y, widths[name]
            )
            x += widths[name] + NODE_GAP
    height = 2 * MARGIN + NODE_HEIGHT + (len(rows) - 1) * LAYER_GAP
    return Layout(nodes, 2 * MARGIN + inner + LOOP_SPACE, height)


def _node_width(name: str) -> float:
    label = Node(name, 0, 0, 0, 0, 0).label
    return max(80.0, min(CHAR_WIDTH * (len(label) + 8) + 20, 320.0))


# --- drawing ------------------------------------------------------------------------------------


def render(
    counts: dict[str, int],
    edges: Sequence[MapEdge],
    starts: dict[str, int],
    ends: dict[str, int],
    *,
    title: str,
    count_label: Callable[[int], str] = lambda n: f"{n:,}",
) -> str:
    """The whole map as an <svg> element, with a title for screen readers."""
    placed = layout(counts, edges, starts, ends)
    nodes = placed.nodes
    top = max((e.frequency for e in edges), default=1) or 1
    # Rare ways in and out would crowd the map; the tables below the map list them all.
    least = max(1, MIN_FLOW_SHARE * sum(starts.values()))
    flows = [MapEdge(START, a, n, f"{n:,}") for a, n in starts.items() if a in nodes and n >= least]
    flows += [MapEdge(a, END, n, f"{n:,}") for a, n in ends.items() if a in nodes and n >= least]
    drawn = [e for e in edges if e.source in nodes and e.target in nodes]
    routes = _routes([*flows, *drawn], nodes)
    xs = [x for points, _ in routes.values() for x, _ in points] + [
        MARGIN,
        placed.width - LOOP_SPACE,
    ]
    xs += [n.x - n.width / 2 for n in nodes.values()] + [n.x + n.width / 2 for n in nodes.values()]
    left, right = min(xs) - MARGIN, max(xs) + MARGIN + 30  # room for the labels at the far side
    width, height = right - left, placed.height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="process-map" role="img" aria-labelledby="map-title" '
        f'viewBox="{left:.0f} 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}">',
        f'<title id="map-title">{escape(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#3d4f6b"/></marker></defs>',
    ]
    for index, edge in enumerate([*flows, *drawn]):
        parts.append(_edge(edge, routes[index], top, faint=index < len(flows)))
    for node in nodes.values():
        parts.append(_node(node, count_label))
    parts.append("</svg>")
    return "\n".join(parts)


Point = tuple[float, float]


def _routes(
    edges: Sequence[MapEdge], nodes: dict[str, Node]
) -> dict[int, tuple[tuple[Point, ...], Point]]:
    """The curve of every edge: straight down to the next layer, else around the side of the layers it spans.

    Edges that skip layers go down the left, edges back up (rework) go up the right, each a bit
    further out than the shorter ones, so that they pass beside the nodes instead of through them.
    """
    half = NODE_HEIGHT / 2
    routes: dict[int, tuple[tuple[Point, ...], Point]] = {}
    side_edges: list[tuple[int, int, int]] = []  # (span, index, side)
    for index, edge in enumerate(edges):
        source, target = nodes[edge.source], nodes[edge.target]
        if source.name == target.name:
            x, y = source.x + source.width / 2, source.y
            routes[index] = _with_label(
                ((x, y - 8), (x + 42, y - 30), (x + 42, y + 30), (x, y + 8))
            )
        elif target.layer == source.layer + 1:
            routes[index] = _with_label(
                (
                    (source.x, source.y + half),
                    (source.x, source.y + half + 40),
                    (target.x, target.y - half - 40),
                    (target.x, target.y - half),
                )
            )
        else:
            side = -1 if target.layer > source.layer else 1
            side_edges.append((abs(target.layer - source.layer), index, side))
    lanes = {-1: 0, 1: 0}
    # Activity edges take the inner lanes, the grey start and end arrows the outer ones.
    faint = {i for i, e in enumerate(edges) if e.source == START or e.target == END}
    for _span, index, side in sorted(
        side_edges, key=lambda item: (item[1] in faint, item[0], -edges[item[1]].frequency)
    ):
        source, target = nodes[edges[index].source], nodes[edges[index].target]
        low, high = sorted((source.layer, target.layer))
        between = [n for n in nodes.values() if low <= n.layer <= high]
        extent = (
            max(n.x + n.width / 2 for n in between)
            if side > 0
            else min(n.x - n.width / 2 for n in between)
        )
        reach = extent + side * (36 + 18 * lanes[side])
        lanes[side] += 1
        sx, tx = source.x + side * source.width / 2, target.x + side * target.width / 2
        routes[index] = _with_label(
            ((sx, source.y), (reach, source.y), (reach, target.y), (tx, target.y))
        )
    return routes


def _with_label(points: tuple[Point, ...]) -> tuple[tuple[Point, ...], Point]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    return points, ((x0 + 3 * x1 + 3 * x2 + x3) / 8, (y0 + 3 * y1 + 3 * y2 + y3) / 8 + 4)


def _edge(edge: MapEdge, route: tuple[tuple[Point, ...], Point], top: int, *, faint: bool) -> str:
    ((x0, y0), (x1, y1), (x2, y2), (x3, y3)), (lx, ly) = route
    path = f"M{x0:.1f},{y0:.1f} C{x1:.1f},{y1:.1f} {x2:.1f},{y2:.1f} {x3:.1f},{y3:.1f}"
    width = 1.2 + 5.5 * edge.frequency / top
    colour = "#b7c0cc" if faint else _heat_colour(edge.heat)
    tip = f"{_plain(edge.source)} → {_plain(edge.target)}: {edge.label}"
    body = (
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{width:.1f}" marker-end="url(#arrow)"/>'
        f'<text x="{lx:.1f}" y="{ly:.1f}" class="edge-label" text-anchor="middle" paint-order="stroke" '
        f'stroke="#fff" stroke-width="4" fill="{"#5a6472" if faint else "#1a1a1a"}" font-size="12">{escape(edge.label)}</text>'
    )
    inner = f"<g><title>{escape(tip)}</title>{body}</g>"
    return f"<a href={quoteattr(edge.href)}>{inner}</a>" if edge.href else inner


def _heat_colour(heat: float) -> str:
    # From the blue of the links (quick) to a dark red (slow); both readable on white.
    heat = min(max(heat, 0.0), 1.0)
    low, high = (0x3D, 0x5A, 0x8C), (0xB0, 0x00, 0x20)
    r, g, b = (round(a + (b - a) * heat) for a, b in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _node(node: Node, count_label: Callable[[int], str]) -> str:
    x, y = node.x - node.width / 2, node.y - NODE_HEIGHT / 2
    special = node.name in (START, END)
    fill, stroke = ("#13294b", "#13294b") if special else ("#eef3fb", "#1d4f99")
    colour = "#fff" if special else "#1a1a1a"
    text = f"{escape(node.label)} ({count_label(node.count)})"
    return (
        f'<g class="node"><title>{escape(_plain(node.name))}: {count_label(node.count)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{node.width:.1f}" height="{NODE_HEIGHT}" rx="8" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="1.5"/>'
        f'<text x="{node.x:.1f}" y="{node.y + 4.5:.1f}" text-anchor="middle" font-size="13" fill="{colour}">{text}</text></g>'
    )


def _plain(name: str) -> str:
    return {START: "start", END: "end"}.get(name, name)


def format_seconds(seconds: float | None) -> str:
    """A duration as people read it: 40 s, 12 min, 5.5 h, 3.2 d."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
