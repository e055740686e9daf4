"""The interactive page of a network view, built with pyvis and written through our template.

:func:`to_pyvis` turns a networkx view into a directed ``pyvis.network.Network`` whose nodes
carry positions computed in Python (:func:`kg.render.layout.python_layout`; the page never
runs physics), whose template is ``kg/templates/page.html`` (``Network.set_template_dir``) and
whose ``generate_html()`` is the page: one self-contained file (styles, vis-network as bundled
with pyvis, our script and the data inline) that writes nothing to the working directory.

Safety: the template's Jinja environment autoescapes; every piece of data travels as JSON inside
a ``<script type="application/json">`` block with ``<``, ``>`` and ``&`` written as
``\\u003c``, ``\\u003e``, ``\\u0026`` (:func:`script_json`), is read with ``textContent`` +
``JSON.parse`` and put into the page with ``textContent`` only (tooltips are plain strings,
which vis-network 9 sets with ``innerText``). Only ``http(s)`` source URLs become links.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from kg.event_types import event_types
from kg.network.dates import date_key
from kg.network.views import EVENT_TYPES
from kg.render.layout import LAYOUT_SEED, keep_top_degree, python_layout

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
VIS_NETWORK = Path(pyvis.__file__).resolve().parent / "templates/lib/vis-9.1.2/vis-network.min.js"
"""The one copy of vis-network the page inlines: pyvis's own."""
LABEL_LIMIT = 40
QUOTE_LIMIT = 240
LEFT_OUT_LISTED = 200
EVIDENCE_LIMIT = 25
"""Evidence spans listed per node on the page (the panel says how many there are in all)."""
DIGEST_LIMIT = 150
"""Above this many nodes the first screen shows states and events only (the rest on demand)."""
DIGEST_TYPES = ("State", *EVENT_TYPES)
EDGE_LABEL_LIMIT = 3000
"""Up to this many edges each edge carries its label (drawn once zoomed in far enough)."""

# colour and vis-network shape per class, with the glyph shown in the legend (the event
# types' from kg/data/event_types.tsv)
STYLES: dict[str, tuple[str, str]] = {
    "State": ("#1f77b4", "dot"),
    "Official": ("#ff7f0e", "triangle"),
    "Organization": ("#2ca02c", "square"),
    "Post": ("#98df8a", "triangleDown"),
    "Place": ("#8c564b", "diamond"),
    "Region": ("#c49c94", "hexagon"),
    "Commentator": ("#7f7f7f", "triangleDown"),
    "BilateralRelation": ("#17becf", "star"),
    **{t.name: (t.colour, t.shape) for t in event_types().types},  # event_types.tsv
    "Claim": ("#b5a642", "hexagon"),
    "Event class": ("#d62728", "diamond"),
    "Class": ("#1f77b4", "dot"),
    "External class": ("#7f7f7f", "square"),
}
_DEFAULT_STYLE = ("#999999", "dot")
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
    ("cooperation_area", "cooperation area"),
    ("exercise_domain", "exercise domain"),
    ("purpose", "purpose"),
    ("claim_kind", "claim kind"),
    ("claim_text", "claim"),
    ("quote", "quoted words"),
    ("aliases", "also called"),
    ("same_as", "same as"),
    ("comment", "description"),
    ("data_properties", "data properties"),
    ("articles", "articles"),
)
_TIP_KEYS = 9
"""The first keys of ``_INFO_KEYS`` are also shown in a node's tooltip."""
_OFFICIAL_EDGES = (("ofState", "state"), ("holdsPost", "post"))


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered page and what it shows."""

    html: str
    nodes: int
    edges: int
    left_out: int


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


def web_url(text: str | None) -> str | None:
    """``text`` if it is an absolute http(s) URL with a host, else None (never a link).

    >>> web_url("https://example.org/a?b=1"), web_url("javascript:alert(1)"), web_url("//x")
    ('https://example.org/a?b=1', None, None)
    """
    if not text or any(c.isspace() or ord(c) < 32 for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _month_span(start: str | None, end: str | None) -> list[int] | None:
    """Months (year * 12 + month - 1) an event covers, from its dates' stated precision; None
    when it has no year. A year alone covers its twelve months.

    >>> _month_span("2021", None), _month_span("2021-11-23", "2022-01")
    ([24252, 24263], [24262, 24264])
    >>> _month_span("--01-30", None) is None
    True
    """
    first = date_key(start)
    if first[0] != 0:
        return None
    low = first[1] * 12 + (first[2] - 1 if first[2] else 0)
    high = first[1] * 12 + (first[2] - 1 if first[2] else 11)
    last = date_key(end)
    if last[0] == 0:
        high = max(high, last[1] * 12 + (last[2] - 1 if last[2] else 11))
    return [low, high]


# --- records ------------------------------------------------------------------------------


def _importance(degree: int) -> float:
    return math.log2(1 + degree)


def _evidence(quote: dict[str, Any], sentences: dict[str, list[list[Any]]]) -> list[str]:
    """``[article, before, span, after]``: the span inside the sentence that holds it."""
    text, article = str(quote["text"]), str(quote.get("article", ""))
    start, end = quote.get("start"), quote.get("end")
    for s_start, s_text in sentences.get(article, ()):
        if isinstance(start, int) and isinstance(end, int) and s_start <= start:
            offset = start - s_start
            if end - s_start <= len(s_text) and s_text[offset : end - s_start] == text:
                return [article, s_text[:offset], text, s_text[end - s_start :]]
    return [article, "", text, ""]


def _node_record(graph: nx.Graph, node: str, position: tuple[float, float]) -> dict[str, Any]:
    attrs = graph.nodes[node]
    label, kind = str(attrs["label"]), str(attrs["type"])
    info = [["type", kind]]
    if kind == "Official" and graph.is_directed():
        for key, name in _OFFICIAL_EDGES:
            targets = sorted(
                str(graph.nodes[v]["label"])
                for _, v, k in graph.out_edges(node, keys=True)
                if k == key
            )
            if targets:
                info.append([name, ", ".join(targets)])
    info += [[name, _text(attrs[key])] for key, name in _INFO_KEYS if attrs.get(key)]
    info.append(["identifier", f"<{node}>" if "://" in node else node])  # pastes into SPARQL
    tip = [label, f"type: {kind}"]
    tip += [f"{name}: {_short(_text(attrs[key]), 80)}" for key, name in _INFO_KEYS[:_TIP_KEYS]
            if attrs.get(key)]  # fmt: skip
    evidence = attrs.get("evidence") or []
    if evidence:
        tip.append(f"“{_short(evidence[0]['text'], QUOTE_LIMIT)}”")
    sentences = graph.graph.get("sentences", {})
    record: dict[str, Any] = {
        "id": node,
        "label": _short(label, LABEL_LIMIT),
        "title": "\n".join(tip),
        "group": kind,
        "x": position[0],
        "y": position[1],
        "kind": kind,
        "full": label,
        "names": [label, *attrs.get("aliases", ())],
        "info": info,
        "ev": [_evidence(q, sentences) for q in evidence[:EVIDENCE_LIMIT]],
        "evCount": len(evidence),
    }
    if kind in EVENT_TYPES:
        span = _month_span(attrs.get("date"), attrs.get("end_date"))
        record["span"] = span
        record["date"] = attrs.get("date", "")
    return record


def _edge_records(graph: nx.Graph, directed: bool) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    seen: Counter[tuple[str, str]] = Counter()
    rows = (
        graph.edges(keys=True, data=True)
        if graph.is_multigraph()
        else ((u, v, "", d) for u, v, d in graph.edges(data=True))
    )
    labelled = graph.number_of_edges() <= EDGE_LABEL_LIMIT
    for u, v, key, data in sorted(rows, key=lambda e: (e[0], e[1], str(e[2]))):
        pair = (min(u, v), max(u, v))
        rank = seen[pair]
        seen[pair] += 1
        quote = data.get("quote") or {}
        label = str(data.get("label", ""))
        tip = [label]
        if data.get("counts"):
            tip += [f"{t}: {n}" for t, n in data["counts"].items() if n]
        if data.get("first"):
            tip.append(f"first {data['first']}, last {data['last']}")
        if quote:
            tip.append(f"“{_short(quote['text'], QUOTE_LIMIT)}”")
        record: dict[str, Any] = {"id": f"e{len(records)}", "from": u, "to": v,
                                  "title": "\n".join(tip)}  # fmt: skip
        if labelled:
            record["label"] = label
        if directed:
            record["arrows"] = "to"
        if rank:
            record["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if rank % 2 else "curvedCCW",
                "roundness": round(0.15 * ((rank + 1) // 2), 2),
            }
        if not directed and data.get("weight"):
            record["width"] = min(1 + data["weight"], 8)
        record.update(name=label, key=str(key), q=quote.get("text", ""), a=quote.get("article", ""))
        records.append(record)
    return records


def _articles(
    graph: nx.Graph, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]
) -> dict[str, Any]:
    """Title, publisher, date and (http(s) only) link of every article the page cites."""
    cited = {e[0] for n in nodes for e in n["ev"]} | {e["a"] for e in edges if e["a"]}
    known = graph.graph.get("articles", {})
    titles = graph.graph.get("titles", {})
    out: dict[str, Any] = {}
    for article in sorted(cited):
        meta = dict(known.get(article, {}))
        if "title" not in meta and article in titles:
            meta["title"] = titles[article]
        url = web_url(meta.get("source"))
        if url:
            meta["url"] = url
        out[article] = meta
    return out


def page_meta(graph: nx.Graph, nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
              title: str, view_name: str, directed: bool,
              left_out: list[tuple[str, str]] | None = None) -> dict[str, Any]:  # fmt: skip
    """What the page script needs besides nodes, edges and options (sorted, deterministic)."""
    counts = Counter(n["kind"] for n in nodes)
    order = list(STYLES)
    types = []
    for kind in sorted(counts, key=lambda t: (order.index(t) if t in order else len(order), t)):
        color, shape = STYLES.get(kind, _DEFAULT_STYLE)
        types.append({"name": kind, "color": color, "shape": shape, "glyph": GLYPHS[shape],
                      "count": counts[kind]})  # fmt: skip
    spans = [n["span"] for n in nodes if n.get("span")]
    left = left_out or []
    digest = len(nodes) > DIGEST_LIMIT and any(n["kind"] in EVENT_TYPES for n in nodes)
    return {
        "title": title,
        "view": view_name,
        "directed": directed,
        "total": len(nodes) + len(left),
        "leftOut": {
            "count": len(left),
            "byType": sorted(Counter(t for _, t in left).items()),
            "labels": sorted(label for label, _ in left)[:LEFT_OUT_LISTED],
        },
        "types": types,
        "events": list(EVENT_TYPES),
        "hidden": sorted(t for t in counts if t not in DIGEST_TYPES) if digest else [],
        "months": [min(s[0] for s in spans), max(s[1] for s in spans)] if spans else None,
        "states": sorted([n["full"], n["id"]] for n in nodes if n["kind"] == "State"),
        "articles": _articles(graph, nodes, edges),
    }


def _size_by_importance(graph: nx.Graph, nodes: list[dict[str, Any]], hidden: list[str]) -> None:
    """Node and label sizes (canvas px) from degree, relative to the first screen's zoom.

    At the zoom that fits the first screen in 1,000 x 800 px (a small window; a larger one only
    makes labels larger), the most connected node's label is 20 px on screen and the least's
    between 6 px (a first screen of 140 nodes or more) and 11 px (40 or fewer), by the square
    of its share of the top degree. Labels under 10 px
    on screen are not drawn (the options' ``drawThreshold``), so the first screen names the
    important nodes and zooming in names the rest. States are always named; claims (long
    sentences) only from about twice that zoom, or in their tooltip.
    """
    if not nodes:
        return
    first = [n for n in nodes if n["kind"] not in hidden] or nodes
    width = max(n["x"] for n in first) - min(n["x"] for n in first) + 200
    height = max(n["y"] for n in first) - min(n["y"] for n in first) + 200
    zoom = min(1000 / width, 800 / height, 1.5)
    weights = {n["id"]: _importance(graph.degree(n["id"])) for n in nodes}
    top = max(weights.values()) or 1.0
    # a small first screen names (nearly) everything: the floor falls from 11 px to 6 px
    floor = min(max(13 - len(first) / 20, 6), 11)
    for n in nodes:
        share = weights[n["id"]] / top
        screen = floor + (20 - floor) * share**2
        if n["kind"] == "State":
            screen = max(screen, 13)
        elif n["kind"] == "Claim":
            screen = min(screen, 6)
        n["font"] = {"size": round(screen / zoom, 1)}
        n["size"] = round((5 + 9 * share) / zoom, 1)


def vis_options(directed: bool, edges: int, kinds: list[str]) -> dict[str, Any]:
    """vis-network options: positions fixed (physics off), labels drawn by zoom level, one
    group (colour and shape) per class."""
    groups = {}
    for kind in kinds:
        color, shape = STYLES.get(kind, _DEFAULT_STYLE)
        groups[kind] = {"shape": shape, "color": {"background": color, "border": "#333333",
                        "highlight": {"background": color, "border": "#000000"}}}  # fmt: skip
    return {
        "groups": groups,
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": False},
        "physics": {"enabled": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": edges > 1000,
            "hideEdgesOnZoom": edges > 1000,
        },  # fmt: skip
        "nodes": {
            "borderWidth": 1,
            "font": {
                "face": "DejaVu Sans, Arial, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },  # fmt: skip
            # a label smaller than 10 px on screen is not drawn; none grows past 24 px
            "scaling": {"label": {"enabled": False, "drawThreshold": 11, "maxVisible": 24}},
        },
        "edges": {
            "arrows": {"to": {"enabled": directed, "scaleFactor": 0.5}},
            "color": {"color": "#8a9aa5", "highlight": "#222222", "hover": "#444444"},
            "font": {
                "size": 10,
                "color": "#555555",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
                "align": "middle",
            },  # fmt: skip
            "scaling": {"label": {"enabled": False, "drawThreshold": 9, "maxVisible": 18}},
            "smooth": False,
            "width": 1,
        },
    }


# --- pyvis --------------------------------------------------------------------------------


def _asset(name: str) -> Markup:
    """A file inlined into the page: one of ours from ``kg/templates`` or pyvis's vis-network
    (without its ``sourceMappingURL`` comment, so no tool fetches a map)."""
    path = VIS_NETWORK if name == "vis-network" else TEMPLATES / name
    text = path.read_text(encoding="utf-8")
    if name == "vis-network":
        text = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", text)
    if re.search(r"</script|<!--", text, re.IGNORECASE):
        raise RuntimeError(f"{name} cannot be inlined in a script block")
    return Markup(text)  # noqa: S704 - our own files, checked above


def _json_filter(data: Any) -> Markup:
    """Jinja filter: data (or a JSON text) as :func:`script_json`."""
    if isinstance(data, str):
        data = json.loads(data)
    return Markup(script_json(data))  # noqa: S704 - no <, > or & left


def _use_template(net: Network, meta: dict[str, Any]) -> None:
    net.set_template_dir(str(TEMPLATES), "page.html")
    env = net.templateEnv
    env.autoescape = True
    env.filters["script_json"] = _json_filter
    env.globals.update(asset=_asset, kg_page=meta)
    net.template = env.get_template("page.html")  # what show() in a notebook renders


def to_pyvis(view: nx.Graph, *, title: str = "defense-kg", view_name: str = "",
             left_out: list[tuple[str, str]] | None = None) -> Network:  # fmt: skip
    """A ``pyvis.network.Network`` of a view, laid out in Python, with the defense-kg template.

    Every node keeps its view attributes for the page (``kind``, ``full`` label, ``info``,
    evidence ``ev``); vis-network options are in ``net.options`` (a dict). Restyle nodes and
    edges in ``net.nodes`` / ``net.edges`` or the options, then ``net.generate_html()`` (or
    ``net.write_html(path)``, or ``show()`` in a notebook). The network is always directed
    (pyvis's undirected mode merges a->b with b->a); an undirected view just draws no arrows.

    Parameters
    ----------
    view : networkx.Graph
        A view from :mod:`kg.network.views` (nodes with ``label`` and ``type``).
    title : str
        The page heading.
    view_name : str
        The view's name, shown on the page and in download names.
    left_out : list of (label, type), optional
        Nodes trimmed from the view, listed on the page.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("jpn", label="Japan", type="State")
    >>> g.add_node("m1", label="Talks <b>", type="Meeting", date="2024-05")
    >>> _ = g.add_edge("m1", "jpn", key="party", label="party")
    >>> net = to_pyvis(g, title="A tiny view")
    >>> net.directed, net.num_nodes(), net.num_edges(), net.get_node("m1")["span"]
    (True, 2, 1, [24292, 24292])
    >>> html = net.generate_html()
    >>> "Talks <b>" in html, "Talks \\\\u003cb\\\\u003e" in html
    (False, True)
    >>> "<title>A tiny view</title>" in html
    True
    """
    directed = view.is_directed()
    ordered = sorted(view)
    positions = python_layout(induced_sorted(view, ordered))
    nodes = [_node_record(view, n, positions[n]) for n in ordered]
    edges = _edge_records(view, directed)
    net = Network(directed=True, heading=title, cdn_resources="in_line")
    # pyvis's add_node scans the list of ids (quadratic); the records are complete, so the
    # network's lists and map are filled in one pass
    net.nodes.extend(nodes)
    net.node_ids.extend(n["id"] for n in nodes)
    net.node_map.update((n["id"], n) for n in nodes)
    net.edges.extend(edges)
    net.options = vis_options(directed, len(edges), sorted({n["kind"] for n in nodes}))
    meta = page_meta(view, nodes, edges, title, view_name, directed, left_out)
    _size_by_importance(view, nodes, meta["hidden"])
    _use_template(net, meta)
    return net


def induced_sorted(graph: nx.Graph, ordered: list[str]) -> nx.Graph:
    """``graph``'s nodes re-inserted in ``ordered`` order (so layouts do not depend on
    insertion order), with its edges."""
    out = nx.Graph()
    out.add_nodes_from(ordered)
    out.add_edges_from(sorted((u, v) for u, v in graph.edges() if u != v))
    return out


def render_graph(graph: nx.Graph, title: str, view_name: str, *,
                 max_nodes: int | None = None) -> Page:  # fmt: skip
    """The page for a view graph, trimmed to ``max_nodes`` highest-degree nodes if given."""
    left: list[tuple[str, str]] = []
    if max_nodes is not None:
        whole = graph
        graph, dropped = keep_top_degree(graph, max_nodes)
        left = [(str(whole.nodes[n]["label"]), str(whole.nodes[n]["type"])) for n in dropped]
    net = to_pyvis(graph, title=title, view_name=view_name, left_out=left)
    return Page(net.generate_html(), graph.number_of_nodes(), graph.number_of_edges(), len(left))
