"""Interactive HTML pages of the network views: one self-contained file that works offline.

The page is our own template (``kg/templates/page.html``) around vis-network 9.1.2 (the copy
pyvis 0.3.2 bundles), with every script and style inline. pyvis itself is not used: its
template links remote scripts and styles, has no autoescape and merges a->b with b->a.

Safety: every string that came from an article travels as JSON inside a
``<script type="application/json">`` block in which ``<``, ``>`` and ``&`` are written as
``\\u003c``, ``\\u003e`` and ``\\u0026`` (so no ``</script>`` or ``<!--`` can appear), is read
with ``textContent`` + ``JSON.parse`` and put into the page with ``textContent`` only; the
vis-network tooltips are plain strings, which vis-network 9 sets with ``innerText``.

Determinism: nodes and edges are written in sorted order; small graphs are laid out by
vis-network's physics with a fixed ``randomSeed``; above :data:`PHYSICS_LIMIT` nodes positions are
computed here (igraph's Fruchterman-Reingold from seeded start positions) and physics is off.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import igraph
import networkx as nx
import pyoxigraph as ox

from kg.network.views import NetworkError, induced, local_name, view, vocabulary
from kg.store import ONTOLOGY_GRAPH, Store

PHYSICS_LIMIT = 500
"""Above this many nodes positions are computed in Python and physics is off."""
LAYOUT_SEED = 7
LABEL_LIMIT = 40
QUOTE_LIMIT = 240
LEFT_OUT_LISTED = 200

# colour and vis-network shape per class, with the glyph shown in the legend
STYLES: dict[str, tuple[str, str]] = {
    "State": ("#1f77b4", "dot"),
    "Official": ("#ff7f0e", "triangle"),
    "Organization": ("#2ca02c", "square"),
    "Post": ("#98df8a", "triangleDown"),
    "Place": ("#8c564b", "diamond"),
    "Region": ("#c49c94", "hexagon"),
    "Commentator": ("#7f7f7f", "triangleDown"),
    "BilateralRelation": ("#17becf", "star"),
    "Meeting": ("#d62728", "diamond"),
    "Visit": ("#e377c2", "diamond"),
    "Exercise": ("#9467bd", "square"),
    "Agreement": ("#bcbd22", "star"),
    "Statement": ("#6baed6", "triangle"),
    "Incident": ("#393b79", "triangleDown"),
    "Claim": ("#b5a642", "hexagon"),
    "Event class": ("#d62728", "diamond"),
    "Class": ("#1f77b4", "dot"),
    "External class": ("#7f7f7f", "square"),
}
GLYPHS = {
    "dot": "●",
    "triangle": "▲",
    "square": "■",
    "triangleDown": "▼",
    "diamond": "◆",
    "hexagon": "⬢",
    "star": "★",
}
_INFO_KEYS = (
    ("iso3", "ISO-3"),
    ("date", "date"),
    ("end_date", "end date"),
    ("date_text", "date as written"),
    ("status", "status"),
    ("plover", "PLOVER"),
    ("cameo", "CAMEO"),
    ("last_held", "last held"),
    ("halted_since", "halted since"),
    ("cooperationArea", "cooperation area"),
    ("exerciseDomain", "exercise domain"),
    ("purpose", "purpose"),
    ("claimKind", "claim kind"),
    ("claim_text", "claim"),
    ("quote", "quoted words"),
    ("aliases", "also called"),
    ("same_as", "same as"),
    ("comment", "description"),
    ("data_properties", "data properties"),
    ("articles", "articles"),
)


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered page and what it shows."""

    html: str
    nodes: int
    edges: int
    left_out: int


def _template(name: str) -> str:
    return files("kg").joinpath("templates", name).read_text(encoding="utf-8")


def _short(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis.

    >>> _short("Meeting between Japan and South Korea", 12)
    'Meeting bet…'
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``.

    >>> script_json({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- the ontology view --------------------------------------------------------------------

D = "https://w3id.org/defense-kg/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"


def ontology_view(store: Store) -> nx.MultiDiGraph:
    """The ontology's classes as nodes; ``subclass of`` and object properties (domain -> range)
    as edges. Datatype properties are listed on their domain class."""
    vocab = vocabulary(store)
    triples: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for quad in store.quads(ONTOLOGY_GRAPH):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(
            quad.object, ox.NamedNode | ox.Literal
        ):
            triples[quad.subject.value][quad.predicate.value].append(quad.object.value)
    for values in triples.values():
        for objects in values.values():
            objects.sort()
    ours = sorted(
        s for s, p in triples.items() if s.startswith(D) and f"{OWL}Class" in p.get(RDF_TYPE, ())
    )
    events = {c for c in ours if f"{D}Event" in triples[c].get(f"{RDFS}subClassOf", ())}
    graph = nx.MultiDiGraph()

    def add_class(iri: str) -> None:
        if iri in graph:
            return
        kind = "Event class" if iri in events or iri == f"{D}Event" else "Class"
        attrs: dict[str, Any] = {
            "label": vocab.label(iri),
            "type": kind if iri.startswith(D) else "External class",
            "evidence": [],
        }
        comment = triples[iri].get(f"{RDFS}comment")
        if comment:
            attrs["comment"] = comment[0]
        graph.add_node(iri, **attrs)

    for iri in ours:
        add_class(iri)
    for iri in ours:
        for parent in triples[iri].get(f"{RDFS}subClassOf", ()):
            add_class(parent)
            graph.add_edge(iri, parent, key="subClassOf", label="subclass of", quote=None)
    data_properties: dict[str, list[str]] = defaultdict(list)
    for prop in sorted(s for s in triples if s.startswith(D)):
        kinds = triples[prop].get(RDF_TYPE, ())
        domains = triples[prop].get(f"{RDFS}domain", [])
        ranges = triples[prop].get(f"{RDFS}range", [])
        if f"{OWL}DatatypeProperty" in kinds:
            for domain in domains:
                data_properties[domain].append(vocab.label(prop))
        elif f"{OWL}ObjectProperty" in kinds:
            for domain in domains:
                for range_ in ranges:
                    add_class(domain)
                    add_class(range_)
                    graph.add_edge(domain, range_, key=local_name(prop), label=vocab.label(prop),
                                   quote=None)  # fmt: skip
    for domain, names in data_properties.items():
        if domain in graph:
            graph.nodes[domain]["data_properties"] = sorted(names)
    return graph


# --- layout and trimming ------------------------------------------------------------------


def keep_top_degree(graph: nx.Graph, limit: int) -> tuple[nx.Graph, list[str]]:
    """The ``limit`` highest-degree nodes (ties by label, IRI) and the nodes left out."""
    if graph.number_of_nodes() <= limit:
        return graph, []
    ranked = sorted(graph, key=lambda n: (-graph.degree(n), graph.nodes[n]["label"], n))
    return induced(graph, ranked[:limit]), ranked[limit:]


def python_layout(graph: nx.Graph, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions by igraph (grid variant) with a seeded generator.

    Coordinates are scaled to about 40 px per node across and rounded to one decimal.
    """
    nodes = list(graph)
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted({tuple(sorted((index[u], index[v]))) for u, v in graph.edges() if u != v})
    ig_graph = igraph.Graph(n=len(nodes), edges=edges)
    # igraph draws its random start positions through a module-wide generator (the ``random``
    # module by default): lend it a seeded one for this call, then give the default back. The
    # grid variant keeps this near-linear (0.2 s at 1,000 nodes, under 1 s at 5,000).
    igraph.set_random_number_generator(random.Random(seed))
    try:
        coords = ig_graph.layout_fruchterman_reingold(grid=True).coords
    finally:
        igraph.set_random_number_generator(random)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    size = 40.0 * len(nodes) ** 0.5
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {
        n: (round((x - cx) / span * size, 1), round((y - cy) / span * size, 1))
        for n, (x, y) in zip(nodes, coords, strict=True)
    }


# --- page data ----------------------------------------------------------------------------


def _node_record(node: str, attrs: dict[str, Any]) -> dict[str, Any]:
    label = str(attrs["label"])
    info = [["type", attrs["type"]]]
    info += [[name, _text(attrs[key])] for key, name in _INFO_KEYS if attrs.get(key)]
    info.append(["identifier", node])
    tip = [label, f"type: {attrs['type']}"]
    tip += [f"{name}: {_short(_text(attrs[key]), 80)}" for key, name in _INFO_KEYS[:9]
            if attrs.get(key)]  # fmt: skip
    evidence = attrs.get("evidence") or []
    if evidence:
        tip.append(f"“{_short(evidence[0]['text'], QUOTE_LIMIT)}”")
    return {
        "id": node,
        "label": _short(label, LABEL_LIMIT),
        "full": label,
        "type": attrs["type"],
        "title": "\n".join(tip),
        "info": info,
        "ev": [[q["text"], q["article"]] for q in evidence],
    }


def _edge_records(graph: nx.Graph, directed: bool) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    seen: Counter[tuple[str, str]] = Counter()
    rows = (
        graph.edges(keys=True, data=True)
        if graph.is_multigraph()
        else ((u, v, "", d) for u, v, d in graph.edges(data=True))
    )
    for u, v, _key, data in sorted(rows, key=lambda e: (e[0], e[1], str(e[2]))):
        pair = (min(u, v), max(u, v))
        rank = seen[pair]
        seen[pair] += 1
        quote = data.get("quote") or {}
        tip = [str(data.get("label", ""))]
        if data.get("counts"):
            tip += [f"{t}: {n}" for t, n in data["counts"].items() if n]
        if data.get("first"):
            tip.append(f"first {data['first']}, last {data['last']}")
        if quote:
            tip.append(f"“{_short(quote['text'], QUOTE_LIMIT)}”")
        record: dict[str, Any] = {
            "id": f"e{len(records)}",
            "from": u,
            "to": v,
            "label": str(data.get("label", "")),
            "title": "\n".join(tip),
            "q": quote.get("text", ""),
            "a": quote.get("article", ""),
        }
        if rank:
            record["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if rank % 2 else "curvedCCW",
                "roundness": round(0.15 * ((rank + 1) // 2), 2),
            }
        if not directed and data.get("weight"):
            record["width"] = min(1 + data["weight"], 8)
        records.append(record)
    return records


def page_data(graph: nx.Graph, title: str, view_name: str, *, directed: bool,
              left_out: list[tuple[str, str]] | None = None,
              titles: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Everything the page script needs, as plain JSON-ready data (sorted, deterministic)."""
    nodes = sorted(graph)
    physics = len(nodes) <= PHYSICS_LIMIT
    positions = {} if physics else python_layout(graph)
    records = []
    for node in nodes:
        record = _node_record(node, graph.nodes[node])
        if node in positions:
            record["x"], record["y"] = positions[node]
        records.append(record)
    counts = Counter(graph.nodes[n]["type"] for n in nodes)
    order = list(STYLES)
    types = [
        {
            "name": t,
            "color": STYLES.get(t, ("#999999", "dot"))[0],
            "shape": STYLES.get(t, ("#999999", "dot"))[1],
            "glyph": GLYPHS[STYLES.get(t, ("#999999", "dot"))[1]],
            "count": counts[t],
        }  # fmt: skip
        for t in sorted(counts, key=lambda t: (order.index(t) if t in order else len(order), t))
    ]
    left = left_out or []
    return {
        "title": title,
        "view": view_name,
        "directed": directed,
        "physics": physics,
        "seed": LAYOUT_SEED,
        "total": len(nodes) + len(left),
        "leftOut": {
            "count": len(left),
            "byType": sorted(Counter(t for _, t in left).items()),
            "labels": sorted(label for label, _ in left)[:LEFT_OUT_LISTED],
        },
        "types": types,
        "articles": dict(sorted((titles or {}).items())),
        "nodes": records,
        "edges": _edge_records(graph, directed),
    }


def render_html(data: dict[str, Any]) -> str:
    """Fill the template: styles, vis-network, the page script and the data, all inline."""
    vis = _template("vis-network-9.1.2.min.js")
    app = _template("page.js")
    if re.search(r"</script", vis + app, re.IGNORECASE):
        raise RuntimeError("a bundled script contains </script")
    parts = {
        "TITLE": html.escape(data["title"]),
        "CSS": _template("page.css"),
        "VIS": vis,
        "APP": app,
        "DATA": script_json(data),
    }
    return re.sub(r"@@(TITLE|CSS|VIS|APP|DATA)@@", lambda m: parts[m.group(1)],
                  _template("page.html"))  # fmt: skip


def render_graph(graph: nx.Graph, title: str, view_name: str, *, directed: bool,
                 max_nodes: int | None = None) -> Page:  # fmt: skip
    """The page for a view graph, trimmed to ``max_nodes`` highest-degree nodes if given."""
    left: list[tuple[str, str]] = []
    if max_nodes is not None:
        whole = graph
        graph, dropped = keep_top_degree(graph, max_nodes)
        left = [(str(whole.nodes[n]["label"]), str(whole.nodes[n]["type"])) for n in dropped]
    data = page_data(graph, title, view_name, directed=directed, left_out=left,
                     titles=graph.graph.get("titles", {}))  # fmt: skip
    return Page(render_html(data), graph.number_of_nodes(), graph.number_of_edges(), len(left))


def render_view(store: Store, view_name: str, max_nodes: int | None = None) -> Page:
    """The page for ``view_name``: full, states, officials, ontology, article:ID, ego:ENTITY."""
    if view_name == "ontology":
        graph: nx.Graph = ontology_view(store)
        title = "defense-kg ontology: classes and properties"
    else:
        graph = view(store, view_name)
        title = f"defense-kg: {view_name} view"
    if graph.number_of_nodes() == 0:
        raise NetworkError(f"the {view_name} view is empty (build some articles first)")
    return render_graph(graph, title, view_name, directed=graph.is_directed(),
                        max_nodes=max_nodes)  # fmt: skip


# --- the timeline figure ------------------------------------------------------------------

_TIMELINE_CSS = """
body { margin: 0; padding: 18px 26px; font-family: "DejaVu Sans", Arial, sans-serif;
       color: #222; background: #fff; width: 1060px; }
h1 { font-size: 21px; margin: 0 0 2px; }
p.sub { margin: 0 0 14px; color: #555; font-size: 13px; }
h2 { font-size: 14px; color: #444; margin: 16px 0 6px 118px; text-transform: uppercase;
     letter-spacing: .05em; }
ol { list-style: none; margin: 0; padding: 0; }
li { display: grid; grid-template-columns: 100px 26px 1fr; min-height: 46px; }
.date { text-align: right; padding: 3px 8px 0 0; font-weight: bold; font-size: 14px;
        font-variant-numeric: tabular-nums; }
.rail { position: relative; }
.rail::before { content: ""; position: absolute; left: 12px; top: 0; bottom: 0; width: 2px;
                background: #ccc; }
.dot { position: absolute; left: 5px; top: 5px; width: 12px; height: 12px; border-radius: 50%;
       border: 2px solid #fff; box-shadow: 0 0 0 1px #666; }
.body { padding: 0 0 10px 6px; }
.label { font-weight: bold; font-size: 14px; }
.meta { font-size: 12px; color: #555; margin: 1px 0 2px; }
.tag { display: inline-block; padding: 0 6px; border-radius: 7px; color: #fff; font-size: 11px;
       margin-right: 6px; }
.quote { font-size: 12.5px; font-style: italic; color: #333; border-left: 3px solid #ddd;
         padding-left: 6px; margin: 2px 0 0; }
"""
_SECTIONS = ((0, "Dated"), (1, "Dated without a year"), (2, "Undated"))


def timeline_html(rows: list[Any], title: str, subtitle: str = "") -> str:
    """A static, script-free HTML figure of a dyad's timeline (rows from
    :func:`kg.network.timeline`), one entry per row, grouped by how precisely it is dated.
    Every string is escaped with :func:`html.escape`."""
    from kg.network.dates import date_key

    esc = html.escape
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>{esc(title)}</title><style>{_TIMELINE_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">{esc(subtitle)}</p>' if subtitle else "",
    ]
    for tier, heading in _SECTIONS:
        section = [r for r in rows if date_key(r.date or None)[0] == tier]
        if not section:
            continue
        parts.append(f"<h2>{esc(heading)}</h2><ol>")
        for row in section:
            color = STYLES.get(row.type, ("#999999", "dot"))[0]
            kind = "" if row.kind == "event" else f" — {row.kind}"
            status = f"status: {row.status}" if row.status else ""
            quote = (
                f'<p class="quote">“{esc(_short(row.quote, QUOTE_LIMIT))}”</p>' if row.quote else ""
            )
            parts.append(
                f'<li><div class="date">{esc(row.date or "–")}</div>'
                f'<div class="rail"><span class="dot" style="background:{color}"></span></div>'
                f'<div class="body"><div class="label">{esc(row.label)}{esc(kind)}</div>'
                f'<div class="meta"><span class="tag" style="background:{color}">'
                f"{esc(row.type)}</span>{esc(status)}"
                f"{esc(' · article ' + row.article) if row.article else ''}</div>"
                f"{quote}</div></li>"
            )
        parts.append("</ol>")
    parts.append("</body></html>\n")
    return "".join(parts)


__all__ = ["Page", "ontology_view", "page_data", "render_graph", "render_view", "timeline_html"]
