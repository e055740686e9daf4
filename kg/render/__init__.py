"""Interactive HTML pages of the network views (built with pyvis), and the timeline page.

>>> from kg.render import render_view, to_pyvis  # doctest: +SKIP
>>> net = to_pyvis(view(store, "states"), title="States")  # doctest: +SKIP
>>> net.show("states.html", notebook=True)  # doctest: +SKIP
"""

from __future__ import annotations

import networkx as nx

from kg.network.analysis import timeline
from kg.network.views import NetworkError, full_view, resolve, view
from kg.render.dyad import SECTIONS, section_of, timeline_html, timeline_title
from kg.render.layout import LAYOUT_SEED, keep_top_degree, python_layout
from kg.render.ontology import ontology_view, prefixed
from kg.render.page import (
    DIGEST_LIMIT,
    STYLES,
    Page,
    page_meta,
    render_graph,
    script_json,
    to_pyvis,
    web_url,
)
from kg.store import Store

VIEWS = ("full", "states", "officials", "ontology", "article:ID", "ego:ENTITY[:K]",
         "timeline:STATE1:STATE2")  # fmt: skip


def timeline_page(store: Store, state_a: str, state_b: str) -> Page:
    """The timeline page of two states (named by ISO-3, label or IRI, in either order)."""
    full = full_view(store)
    a, b = resolve(full, state_a), resolve(full, state_b)
    rows = timeline(full, a, b)
    cited = sorted({r.article for r in rows if r.article})
    subtitle = (
        f"{len(rows)} entries from {len(cited)} article(s) · kg network timeline "
        f"{full.nodes[a].get('iso3', state_a)} {full.nodes[b].get('iso3', state_b)} · dates as "
        "written (a date without a year is never given one)"
    )
    page = timeline_html(rows, timeline_title(full, a, b), subtitle,
                         articles=full.graph.get("articles", {}))  # fmt: skip
    return Page(page, len(rows), 0, 0)


def render_view(store: Store, view_name: str, max_nodes: int | None = None) -> Page:
    """The page for ``view_name``: one of :data:`VIEWS`."""
    kind, _, arg = view_name.partition(":")
    if kind == "timeline":
        state_a, sep, state_b = arg.partition(":")
        if not (state_a and sep and state_b) or ":" in state_b:
            raise NetworkError("a timeline view is timeline:STATE1:STATE2")
        return timeline_page(store, state_a, state_b)
    if view_name == "ontology":
        graph: nx.Graph = ontology_view(store)
        title = "defense-kg ontology: classes and properties"
    else:
        graph = view(store, view_name)
        title = f"defense-kg: {view_name} view"
    if graph.number_of_nodes() == 0:
        raise NetworkError(f"the {view_name} view is empty (build some articles first)")
    return render_graph(graph, title, view_name, max_nodes=max_nodes)


__all__ = [
    "DIGEST_LIMIT",
    "LAYOUT_SEED",
    "SECTIONS",
    "STYLES",
    "VIEWS",
    "Page",
    "keep_top_degree",
    "ontology_view",
    "page_meta",
    "prefixed",
    "python_layout",
    "render_graph",
    "render_view",
    "script_json",
    "section_of",
    "timeline_html",
    "timeline_page",
    "to_pyvis",
    "web_url",
]
