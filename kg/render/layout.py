"""Positions computed in Python (the page never runs physics) and trimming to the top nodes."""

from __future__ import annotations

import math
import random

import igraph
import networkx as nx

from kg.network.views import induced

LAYOUT_SEED = 7
"""Seed of the generator igraph draws its start positions from."""
SPACING = 110.0
"""Canvas pixels between neighbouring nodes on average: wide enough for a short label."""
EXACT_LIMIT = 1000
"""Up to this many nodes the exact (quadratic) Fruchterman-Reingold runs: 1.5 s at 1,000."""
SPREAD = 0.6
"""Exponent of the radial stretch applied after the force layout (1 leaves it as is)."""


def keep_top_degree(graph: nx.Graph, limit: int) -> tuple[nx.Graph, list[str]]:
    """The ``limit`` highest-degree nodes (ties by label, IRI) and the nodes left out.

    >>> g = nx.star_graph(3)
    >>> nx.set_node_attributes(g, {n: f"n{n}" for n in g}, "label")
    >>> kept, left = keep_top_degree(g, 2)
    >>> sorted(kept), left
    ([0, 1], [2, 3])
    """
    if graph.number_of_nodes() <= limit:
        return graph, []
    ranked = sorted(graph, key=lambda n: (-graph.degree(n), graph.nodes[n]["label"], n))
    return induced(graph, ranked[:limit]), ranked[limit:]


def python_layout(graph: nx.Graph, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions by igraph from seeded start positions.

    Up to :data:`EXACT_LIMIT` nodes the exact variant runs (it spreads a dense core better);
    above, the grid variant keeps it near-linear (under 1 s at 5,000 nodes). Coordinates are
    scaled so that nodes sit about :data:`SPACING` px apart on average, centred on 0, rounded
    to one decimal.

    >>> pos = python_layout(nx.path_graph(["a", "b", "c"]))
    >>> sorted(pos) == ["a", "b", "c"] and pos == python_layout(nx.path_graph(["a", "b", "c"]))
    True
    """
    nodes = list(graph)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted({tuple(sorted((index[u], index[v]))) for u, v in graph.edges() if u != v})
    ig_graph = igraph.Graph(n=len(nodes), edges=edges)
    # igraph draws its random start positions through a module-wide generator (the ``random``
    # module by default): lend it a seeded one for this call, then give the default back.
    igraph.set_random_number_generator(random.Random(seed))
    try:
        coords = ig_graph.layout_fruchterman_reingold(
            niter=500, grid=len(nodes) > EXACT_LIMIT
        ).coords
    finally:
        igraph.set_random_number_generator(random)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    width, height = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    # about SPACING squared of area per node (a long thin drawing counts as half a square)
    area = max(width * height, max(width, height) ** 2 / 2)
    scale = SPACING * math.sqrt(len(nodes) / area)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    # Fruchterman-Reingold piles the hubs' neighbours into one core: a radial stretch
    # (r -> R * (r / R) ** SPREAD) opens the core and draws the sparse rim in
    radius = max(math.hypot(x - cx, y - cy) for x, y in zip(xs, ys, strict=True)) or 1.0
    out = {}
    for n, (x, y) in zip(nodes, coords, strict=True):
        dx, dy = x - cx, y - cy
        r = math.hypot(dx, dy)
        k = (r / radius) ** (SPREAD - 1) if r else 1.0
        out[n] = (round(dx * k * scale, 1), round(dy * k * scale, 1))
    return out
