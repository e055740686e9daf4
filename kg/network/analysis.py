"""Analyses of a network view: centrality, shortest path with evidence, neighbours, Louvain
communities and a dyad's timeline.

Each function takes a view from :mod:`kg.network.views` and returns a list of frozen row
dataclasses (plain data: the CLI turns them into a table, CSV or JSON). The algorithms are
networkx's; networkx dispatches them to an installed backend when one is configured (for
example ``NETWORKX_BACKEND_PRIORITY=graphblas`` with graphblas-algorithms installed).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from itertools import islice
from typing import Any

import igraph
import networkx as nx

from kg.network.dates import date_key
from kg.network.views import EVENT_TYPES, NetworkError

LOUVAIN_SEED = 42
"""Seed of the Louvain community detection (fixed, so communities are reproducible)."""


def _label(graph: nx.Graph, node: str) -> str:
    return str(graph.nodes[node]["label"])


def simple_undirected(graph: nx.Graph) -> nx.Graph:
    """Collapse directions and parallel edges; ``weight`` sums the edges' weights (default 1).

    >>> g = nx.MultiDiGraph([("a", "b"), ("b", "a"), ("b", "c")])
    >>> sorted(simple_undirected(g).edges(data="weight"))
    [('a', 'b', 2), ('b', 'c', 1)]
    """
    out = nx.Graph()
    out.add_nodes_from(graph.nodes(data=True))
    for u, v, w in graph.edges(data="weight", default=1):
        if u == v:
            continue
        if out.has_edge(u, v):
            out[u][v]["weight"] += w
        else:
            out.add_edge(u, v, weight=w)
    return out


# --- centrality ---------------------------------------------------------------------------


def _pagerank(graph: nx.Graph) -> dict[str, float]:
    """PageRank (damping 0.85, weighted by ``weight``, directed when the view is) by igraph's
    PRPACK solver: networkx's own needs scipy, which the project does not depend on."""
    nodes = list(graph)
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in graph.edges()]
    weights = [float(w) for _, _, w in graph.edges(data="weight", default=1)]
    ig_graph = igraph.Graph(n=len(nodes), edges=edges, directed=graph.is_directed())
    ranks = ig_graph.pagerank(weights=weights, damping=0.85, directed=graph.is_directed())
    return dict(zip(nodes, ranks, strict=True))


@dataclass(frozen=True, slots=True)
class CentralityRow:
    node: str
    label: str
    type: str
    degree: int
    betweenness: float
    pagerank: float


def centrality(graph: nx.Graph, top: int | None = None) -> list[CentralityRow]:
    """Degree (edges at the node), betweenness (undirected, normalised) and PageRank.

    Rows are sorted by PageRank, then degree, then label; values rounded to 6 places.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_nodes_from([(n, {"label": n.upper(), "type": "State"}) for n in "abc"])
    >>> g.add_edges_from([("a", "b"), ("c", "b")])
    [0, 0]
    >>> [(r.label, r.degree, r.betweenness) for r in centrality(g)][0]
    ('B', 2, 1.0)
    """
    simple = simple_undirected(graph)
    betweenness = nx.betweenness_centrality(simple)
    pagerank = _pagerank(graph)
    rows = [
        CentralityRow(
            node=n,
            label=_label(graph, n),
            type=str(graph.nodes[n]["type"]),
            degree=int(graph.degree(n)),
            betweenness=round(betweenness[n], 6),
            pagerank=round(pagerank[n], 6),
        )
        for n in graph
    ]
    rows.sort(key=lambda r: (-r.pagerank, -r.degree, r.label, r.node))
    return rows[:top] if top else rows


# --- paths and neighbours -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hop:
    step: int
    source: str
    edge: str
    target: str
    quote: str
    article: str
    source_iri: str
    target_iri: str


def _edge_between(graph: nx.Graph, u: str, v: str) -> tuple[str, dict[str, Any]]:
    """The edge joining u and v (u->v preferred, then v->u), as an arrow text and its data."""
    if graph.is_directed():
        for a, b, arrow in ((u, v, "{} →"), (v, u, "← {}")):
            data = graph.get_edge_data(a, b)
            if data:
                if graph.is_multigraph():
                    data = data[min(data)]
                return arrow.format(data.get("label", "")), data
        raise KeyError((u, v))
    data = graph.get_edge_data(u, v)
    if graph.is_multigraph():
        data = data[min(data)]
    return f"— {data.get('label', '')} —", data


def _quote_of(data: dict[str, Any]) -> tuple[str, str]:
    quote = data.get("quote") or {}
    return quote.get("text", ""), quote.get("article", "")


def shortest_path(graph: nx.Graph, source: str, target: str) -> list[Hop]:
    """The shortest connection between two nodes (edges in either direction), one row a hop.

    Among paths of equal length the one whose sequence of labels sorts first is chosen (up to
    1,000 candidates), so the answer does not depend on the graph's internals.

    Raises
    ------
    NetworkError
        When no path joins them.
    """
    simple = simple_undirected(graph)
    try:
        candidates = list(islice(nx.all_shortest_paths(simple, source, target), 1000))
    except nx.NetworkXNoPath:
        raise NetworkError(
            f"no path between {_label(graph, source)!r} and {_label(graph, target)!r}"
        ) from None
    path = min(candidates, key=lambda p: ([_label(graph, n) for n in p], p))
    hops = []
    for step, (u, v) in enumerate(itertools.pairwise(path), start=1):
        arrow, data = _edge_between(graph, u, v)
        text, article = _quote_of(data)
        hops.append(Hop(step, _label(graph, u), arrow, _label(graph, v), text, article, u, v))
    return hops


@dataclass(frozen=True, slots=True)
class Neighbor:
    direction: str
    edge: str
    neighbor: str
    type: str
    quote: str
    article: str
    neighbor_iri: str


def neighbors(graph: nx.Graph, node: str) -> list[Neighbor]:
    """Every edge at ``node``: direction (out, in, or both for undirected views), the edge's
    label, the node at the other end and the edge's evidence quote."""
    rows = []
    if graph.is_directed():
        edges = [("out", v, d) for _, v, d in graph.out_edges(node, data=True)]
        edges += [("in", u, d) for u, _, d in graph.in_edges(node, data=True)]
    else:
        edges = [("both", v, d) for _, v, d in graph.edges(node, data=True)]
    for direction, other, data in edges:
        text, article = _quote_of(data)
        rows.append(
            Neighbor(
                direction,
                str(data.get("label", "")),
                _label(graph, other),
                str(graph.nodes[other]["type"]),
                text,
                article,
                other,
            )  # fmt: skip
        )
    rows.sort(key=lambda r: (r.direction != "out", r.edge, r.neighbor, r.neighbor_iri))
    return rows


# --- communities --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommunityRow:
    community: int
    node: str
    label: str
    type: str


def communities(graph: nx.Graph, seed: int = LOUVAIN_SEED) -> list[CommunityRow]:
    """Louvain communities (undirected, weighted by edge count), numbered from 1 by size.

    Communities are ordered largest first, ties by their first label; members by label.
    """
    simple = simple_undirected(graph)
    found = nx.community.louvain_communities(simple, weight="weight", seed=seed)
    groups = [sorted(c, key=lambda n: (_label(graph, n), n)) for c in found]
    groups.sort(key=lambda c: (-len(c), _label(graph, c[0]), c[0]))
    return [
        CommunityRow(i, n, _label(graph, n), str(graph.nodes[n]["type"]))
        for i, group in enumerate(groups, start=1)
        for n in group
    ]


# --- timeline -----------------------------------------------------------------------------

_MILESTONES = (("last_held", "last held", "held"), ("halted_since", "halted since", "suspended"))


@dataclass(frozen=True, slots=True)
class TimelineRow:
    date: str
    kind: str
    type: str
    label: str
    status: str
    quote: str
    article: str
    event: str


def _dated_quote(evidence: list[dict[str, Any]], date: str) -> dict[str, Any]:
    """The first quote that writes the year of ``date``, else the first quote."""
    year = date.lstrip("-").split("-")[0]
    return next(
        (q for q in evidence if year and year in q["text"]), evidence[0] if evidence else {}
    )


def timeline(full: nx.MultiDiGraph, state_a: str, state_b: str) -> list[TimelineRow]:
    """The events both states are party to, in date order, undated last.

    Besides each event (``kind`` "event", dated by ``dkg:date``), an exercise's ``lastHeld`` and
    ``haltedSince`` years are rows of their own (``kind`` "last held" with status "held",
    "halted since" with status "suspended"). Dates with a year come first, then yearless
    dates (``--01-30``), then undated events; ties in the order the events are first reported
    (article, offset). The quote is the event's first evidence span (for a milestone, the
    first that writes its year).
    """
    if state_a == state_b:
        raise NetworkError("a timeline needs two different states")
    keyed = []
    for event, attrs in full.nodes(data=True):
        if attrs["type"] not in EVENT_TYPES:
            continue
        parties = {v for _, v, k in full.out_edges(event, keys=True) if k == "party"}
        if not {state_a, state_b} <= parties:
            continue
        status = attrs.get("status", "")
        status = ", ".join(status) if isinstance(status, list) else status
        evidence: list[dict[str, Any]] = attrs.get("evidence", [])
        first: dict[str, Any] = evidence[0] if evidence else {"article": "", "start": 0}
        entries: list[tuple[str, str, str, dict[str, Any]]] = [
            ("event", attrs.get("date", ""), status, first)
        ]
        entries += [
            (kind, attrs[key], milestone_status, _dated_quote(evidence, attrs[key]))
            for key, kind, milestone_status in _MILESTONES
            if attrs.get(key)
        ]
        for order, (kind, date, row_status, quote) in enumerate(entries):
            row = TimelineRow(date, kind, attrs["type"], attrs["label"], row_status,
                              quote.get("text", ""), quote.get("article", ""), event)  # fmt: skip
            position = (date_key(date or None), first["article"], first["start"], order, event)
            keyed.append((position, row))
    keyed.sort(key=lambda pair: pair[0])
    return [row for _, row in keyed]


# --- output -------------------------------------------------------------------------------

FORMATS = ("table", "csv", "tsv", "json", "markdown")


def format_rows(rows: list[Any], columns: tuple[str, ...], fmt: str) -> str:
    """Rows (dataclasses) as an aligned table, CSV, TSV, Markdown or a JSON array of objects.

    >>> hop = Hop(1, "a", "b →", "c", "q", "art", "x", "y")
    >>> print(format_rows([hop], ("step", "source"), "csv"))
    step,source
    1,a
    <BLANKLINE>
    """
    from kg.format import render_table
    from kg.query import Table

    records = [{c: getattr(r, c) for c in columns} for r in rows]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    table = Table(
        kind="select",
        columns=columns,
        rows=tuple(tuple(None if v is None else str(v) for v in r.values()) for r in records),
    )
    return render_table(table, fmt)
