"""Network views of the store: networkx graphs projected from sorted quads.

The projection is written here rather than taken from ``rdflib_to_networkx_multidigraph``,
which would make every literal, class and code-list concept a node. Here:

- nodes are the entities and events (every typed subject except evidence spans, sentences and
  articles), keyed by IRI, with their literals, class, code-list values (status, PLOVER...) and
  evidence quotes as attributes;
- edges are the object properties between two nodes, keyed by the property's local name and
  labelled with the property's ``rdfs:label`` from the ontology graph, each with the evidence
  quote that best supports it.

Every view is built by inserting nodes and edges in sorted order, so iteration order (and
everything derived from it: layouts, shortest paths, Louvain communities) is deterministic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.event_types import event_types
from kg.network.dates import date_key, period, spells
from kg.store import ONTOLOGY_GRAPH, Store
from kg.vocab import GRAPH

D = "https://w3id.org/defense-kg/ontology#"
DKGC = "https://w3id.org/defense-kg/code/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"

EVENT_TYPES = event_types().names  # kg/data/event_types.tsv
"""Event classes, in the order per-type counts are reported."""

NODE_TYPES = (
    *EVENT_TYPES,
    "Claim",
    "State",
    "Official",
    "Organization",
    "Region",
    "Place",
    "Post",
    "Commentator",
    "BilateralRelation",
)
"""Classes that become nodes, most specific first (a node's ``type`` is the first it has)."""

_PROVENANCE = {f"{D}evidence", f"{D}inArticle", f"{D}inSentence", f"{D}mentions"}
_LITERALS = {
    f"{D}iso3": "iso3",
    f"{D}date": "date",
    f"{D}endDate": "end_date",
    f"{D}dateText": "date_text",
    f"{D}lastHeld": "last_held",
    f"{D}haltedSince": "halted_since",
    f"{D}quote": "quote",
    f"{D}claimText": "claim_text",
    f"{D}cowCode": "cow_code",
}
VIEWS = ("full", "states", "officials", "article:ID", "ego:ENTITY")


class NetworkError(ValueError):
    """A view or entity that cannot be resolved (the message is one line)."""


@dataclass(frozen=True, slots=True)
class Quote:
    """An evidence span: the exact text and where it was read."""

    text: str
    article: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "article": self.article, "start": self.start, "end": self.end}


@dataclass
class _Facts:
    """Everything read from the quads, grouped by subject (a private, mutable builder)."""

    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    literals: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    links: set[tuple[str, str, str]] = field(default_factory=set)
    evidence_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    articles_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    sentence_of: dict[str, str] = field(default_factory=dict)


def local_name(iri: str) -> str:
    """The last segment of an IRI.

    >>> local_name("https://w3id.org/defense-kg/ontology#holdsPost")
    'holdsPost'
    """
    return re.split(r"[#/]", iri)[-1]


def snake_case(name: str) -> str:
    """An attribute name in the one case style of the views and their exports.

    >>> snake_case("cooperationArea"), snake_case("claimKind"), snake_case("status")
    ('cooperation_area', 'claim_kind', 'status')
    """
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def humanise(name: str) -> str:
    """A readable label for a term that has none (never a raw IRI).

    >>> humanise("holdsPost"), humanise("some-analysts")
    ('holds post', 'some analysts')
    """
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("-", " ").replace("_", " ")
    return spaced[:1] + spaced[1:].lower() if spaced[:1].isupper() else spaced.lower()


def article_id(iri: str) -> str:
    """The article id in an article, graph or article-scoped IRI.

    >>> article_id("https://w3id.org/defense-kg/id/article/seed/event/meeting-92")
    'seed'
    """
    if iri.startswith(GRAPH):
        return iri[len(GRAPH) :]
    match = re.search(r"/article/([^/]+)", iri)
    return match.group(1) if match else ""


# --- the ontology graph: labels of properties, classes and code-list concepts --------------


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Labels from the ontology graph: terms (properties, classes) and code-list concepts."""

    labels: dict[str, str]
    notations: dict[str, str]

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or humanise(local_name(iri))

    def code(self, iri: str) -> str:
        """A concept's notation (``held``, ``CONSULT``) or else its label."""
        return self.notations.get(iri) or self.label(iri)


def vocabulary(store: Store) -> Vocabulary:
    """Read the labels of the ontology graph (English or plain literals, first in sort order)."""
    labels: dict[str, str] = {}
    notations: dict[str, str] = {}
    wanted = {f"{RDFS}label": labels, f"{SKOS}prefLabel": labels, f"{SKOS}notation": notations}
    rows = sorted(
        (q.subject.value, q.predicate.value, q.object.value)
        for q in store.quads(ONTOLOGY_GRAPH)
        if q.predicate.value in wanted
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.object, ox.Literal)
        and q.object.language in (None, "", "en")
    )
    for subject, predicate, value in rows:
        wanted[predicate].setdefault(subject, value)
    return Vocabulary(labels=labels, notations=notations)


# --- the full projection ----------------------------------------------------------------


_ARTICLE_FIELDS = {
    f"{D}title": "title",
    f"{D}publisher": "publisher",
    f"{D}published": "published",
    f"{D}sourceUrl": "source",
}
"""Article literals kept as the ``articles`` graph attribute (what an evidence panel cites)."""


def _read(
    quads: Iterable[ox.Quad],
) -> tuple[_Facts, dict[str, Quote], dict[str, dict[str, str]]]:
    facts = _Facts()
    spans: dict[str, dict[str, str]] = defaultdict(dict)
    articles: dict[str, dict[str, str]] = defaultdict(dict)
    rows = sorted(
        (
            (q.subject.value, q.predicate.value, q.object, q.graph_name.value)
            for q in quads
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.graph_name, ox.NamedNode)
        ),
        key=lambda row: (row[0], row[1], str(row[2]), row[3]),
    )
    for s, p, o, graph in rows:
        if isinstance(o, ox.Literal):
            if p in (f"{NIF}anchorOf", f"{NIF}beginIndex", f"{NIF}endIndex"):
                spans[s][local_name(p)] = o.value
            elif p in _ARTICLE_FIELDS:
                articles[article_id(s)].setdefault(_ARTICLE_FIELDS[p], o.value)
            else:
                facts.literals[s][p].add(o.value)
            continue
        if not isinstance(o, ox.NamedNode):
            continue
        if p == RDF_TYPE:
            if o.value.startswith(D):
                facts.types[s].add(o.value[len(D) :])
                facts.articles_of[s].add(article_id(graph))
        elif p == f"{D}evidence":
            facts.evidence_of[s].add(o.value)
        elif p == f"{D}inArticle":
            spans[s]["article"] = article_id(o.value)
        elif p == f"{D}inSentence":
            facts.sentence_of[s] = o.value
        elif p not in _PROVENANCE:
            facts.links.add((s, p, o.value))
    quotes = {
        iri: Quote(
            span["anchorOf"],
            span.get("article", article_id(iri)),
            int(span["beginIndex"]),
            int(span["endIndex"]),
        )  # fmt: skip
        for iri, span in spans.items()
        if {"anchorOf", "beginIndex", "endIndex"} <= span.keys()
    }
    return facts, quotes, dict(sorted(articles.items()))


def _node_type(types: set[str]) -> str | None:
    return next((t for t in NODE_TYPES if t in types), None)


def _node_label(literals: dict[str, set[str]], iri: str) -> str:
    for predicate in (f"{RDFS}label", f"{SKOS}prefLabel", f"{D}title"):
        if literals.get(predicate):
            return min(literals[predicate])
    return humanise(local_name(iri))


def _names(attrs: dict[str, Any]) -> list[str]:
    """Strings that name a node in text: label, aliases, and an official's surname."""
    names = [attrs["label"], *attrs.get("aliases", ())]
    if attrs["type"] == "Official":
        names += [attrs["label"].split()[-1], attrs["label"].split()[0]]
    return [n.lower() for n in names if len(n) > 2]


def _quote_order(quote: Quote) -> tuple[str, int, int]:
    return (quote.article, quote.start, quote.end)


def _naming(candidates: list[Quote], names: list[str]) -> Quote | None:
    """The first quote (by article, offset) that contains one of ``names``."""
    return next((q for q in candidates if any(n in q.text.lower() for n in names)), None)


@dataclass(frozen=True, slots=True)
class _End:
    """One end of an edge: its evidence spans, the sentences holding them, and its names."""

    spans: list[Quote]
    sentences: list[Quote]
    names: list[str]


def _edge_quote(s: _End, o: _End) -> Quote | None:
    """Evidence for an edge: a span of one end that names the other (subject first), else a
    sentence holding such a span, else the subject's (or object's) first span."""
    return (
        _naming(s.spans, o.names)
        or _naming(o.spans, s.names)
        or _naming(s.sentences, o.names)
        or _naming(o.sentences, s.names)
        or next(iter(s.spans or o.spans), None)
    )


def full_view(store: Store, graph: str | None = None) -> nx.MultiDiGraph:
    """The full projection: entities and events as nodes, object properties as edges.

    Parameters
    ----------
    store : Store
        An open store.
    graph : str, optional
        One named graph (an article's); default all article graphs.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by IRI with ``label``, ``type``, ``articles``, ``evidence`` (list of quote
        dicts) and whichever of ``iso3``, ``date``, ``status``, ``plover``... the node has
        (attribute names in snake_case; a dated event's ``spells`` is ``[(first day, last
        day)]``, the days its stated dates cover, see :func:`kg.network.dates.period`);
        edges keyed by the property's local name with ``property`` (IRI), ``label``, ``quote``.
        Graph attributes: ``titles`` (article id -> title), ``articles`` (article id -> its
        ``title``, ``publisher``, ``published`` and ``source`` as given) and ``sentences``
        (article id -> ``[start, text]`` of each sentence holding an evidence span, in order).
    """
    vocab = vocabulary(store)
    facts, quotes, articles = _read(store.quads(graph))
    titles = {a: m["title"] for a, m in articles.items() if "title" in m}
    graph_out = nx.MultiDiGraph(titles=titles, articles=articles)
    sentences: dict[str, set[tuple[int, str]]] = defaultdict(set)
    ends: dict[str, _End] = {}
    for iri in sorted(facts.types):
        node_type = _node_type(facts.types[iri])
        if node_type is None:
            continue
        literals = facts.literals.get(iri, {})
        attrs: dict[str, Any] = {"label": _node_label(literals, iri), "type": node_type}
        aliases = sorted(literals.get(f"{SKOS}altLabel", set()) - {attrs["label"]})
        if aliases:
            attrs["aliases"] = aliases
        for predicate, key in _LITERALS.items():
            if literals.get(predicate):
                attrs[key] = min(literals[predicate], key=lambda v: (date_key(v), v))
        spell = _event_period(attrs) if node_type in EVENT_TYPES else None
        if spell is not None:
            attrs["spells"] = [spell]
        spans_iri = [e for e in facts.evidence_of.get(iri, ()) if e in quotes]
        spans = [quotes[e] for e in spans_iri]
        held_in = {
            quotes[facts.sentence_of[e]] for e in spans_iri if facts.sentence_of.get(e) in quotes
        }
        for sentence in held_in:
            sentences[sentence.article].add((sentence.start, sentence.text))
        ends[iri] = _End(sorted(spans, key=_quote_order), sorted(held_in, key=_quote_order), [])
        attrs["evidence"] = [q.as_dict() for q in ends[iri].spans]
        attrs["articles"] = sorted(facts.articles_of[iri])
        graph_out.add_node(iri, **attrs)
        ends[iri].names.extend(_names(attrs))
    codes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in sorted(facts.links):
        if s not in graph_out:
            continue
        if o.startswith(DKGC):
            codes[s][snake_case(local_name(p))].append(vocab.code(o))
        elif p == f"{OWL}sameAs":
            graph_out.nodes[s]["same_as"] = o
        elif o in graph_out:
            quote = _edge_quote(ends[s], ends[o])
            graph_out.add_edge(
                s, o, key=local_name(p), property=p, label=vocab.label(p),
                quote=quote.as_dict() if quote else None,
            )  # fmt: skip
    for s, values in codes.items():
        for key, labels in values.items():
            graph_out.nodes[s][key] = labels[0] if len(labels) == 1 else labels
    graph_out.graph["sentences"] = {
        article: [list(row) for row in sorted(rows)] for article, rows in sorted(sentences.items())
    }
    return graph_out


def induced(graph: nx.Graph, keep: Iterable[str]) -> nx.Graph:
    """The subgraph on ``keep``, in ``graph``'s order (networkx's subgraph views iterate a set).

    >>> g = nx.path_graph(["a", "b", "c"])
    >>> list(induced(g, {"c", "b"}).edges)
    [('b', 'c')]
    """
    keep = set(keep)
    sub = graph.__class__()
    sub.graph.update(graph.graph)
    sub.add_nodes_from((n, d) for n, d in graph.nodes(data=True) if n in keep)
    if graph.is_multigraph():
        sub.add_edges_from(
            (u, v, k, d)
            for u, v, k, d in graph.edges(keys=True, data=True)
            if u in keep and v in keep
        )
    else:
        sub.add_edges_from(
            (u, v, d) for u, v, d in graph.edges(data=True) if u in keep and v in keep
        )
    return sub


def _copy_nodes(full: nx.MultiDiGraph, node_type: str, target: nx.Graph) -> None:
    for node, attrs in full.nodes(data=True):
        if attrs["type"] == node_type:
            target.add_node(node, **attrs)


def _events(full: nx.MultiDiGraph) -> list[str]:
    return [n for n, t in full.nodes(data="type") if t in EVENT_TYPES]


def _dyads(full: nx.MultiDiGraph, node_type: str, key: str) -> nx.Graph:
    """Undirected weighted co-occurrence of ``node_type`` nodes linked to one event by ``key``."""
    view = nx.Graph(**full.graph)
    _copy_nodes(full, node_type, view)
    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for event in _events(full):
        members = sorted(
            {v for _, v, k in full.out_edges(event, keys=True) if k == key and v in view}
        )
        for a, b in combinations(members, 2):
            pairs[(a, b)].append(event)
    for (a, b), events in sorted(pairs.items()):
        counts = {t: 0 for t in EVENT_TYPES}
        for event in events:
            counts[full.nodes[event]["type"]] += 1
        dates = sorted(
            (d for e in events if date_key(d := full.nodes[e].get("date"))[0] < 2), key=date_key
        )
        periods = [p for e in events if (p := _event_period(full.nodes[e])) is not None]
        view.add_edge(
            a, b, weight=len(events), counts=counts, events=sorted(events),
            first=dates[0] if dates else None, last=dates[-1] if dates else None,
            spells=spells(periods) or None,
            label=f"{len(events)} event{'s' if len(events) != 1 else ''}",
        )  # fmt: skip
    return view


def _event_period(attrs: dict[str, Any]) -> tuple[str, str] | None:
    """The days an event covers by its stated dates (:func:`kg.network.dates.period`)."""
    start = period(attrs.get("date"))
    if start is None:
        return None
    end = period(attrs.get("end_date")) or start
    return (start[0], max(start[1], end[1]))


def states_view(full: nx.MultiDiGraph) -> nx.Graph:
    """States, and an undirected edge for each pair of states party to the same events.

    Edge attributes: ``weight`` (number of events), ``counts`` (per event type), ``first`` and
    ``last`` (earliest and latest event date in :func:`kg.network.dates.date_key` order: dates
    with a year, then yearless dates), ``events`` (IRIs) and ``spells`` (the days the dated
    events cover, merged: ``[(first day, last day), ...]``, None when no event states a year).
    Claims are not events and do not count.
    """
    return _dyads(full, "State", "party")


def officials_view(full: nx.MultiDiGraph) -> nx.Graph:
    """Officials, and an undirected edge for each pair who took part in the same events."""
    return _dyads(full, "Official", "participant")


def ego_view(full: nx.MultiDiGraph, center: str, depth: int = 1) -> nx.MultiDiGraph:
    """``center`` and every node within ``depth`` hops of it (edges in either direction)."""
    keep = nx.single_source_shortest_path_length(full.to_undirected(as_view=True), center, depth)
    return induced(full, keep)


def article_view(store: Store, article: str) -> nx.MultiDiGraph:
    """The full projection of one article's named graph."""
    graph = GRAPH + article
    if graph not in store.article_graphs():
        raise NetworkError(f"no article {article!r} in the store")
    return full_view(store, graph)


def view(store: Store, name: str) -> nx.Graph:
    """A view by name: ``full``, ``states``, ``officials``, ``article:ID`` or ``ego:ENTITY[:K]``.

    ``ENTITY`` is an IRI, a label or an ISO-3 code (see :func:`resolve`); ``K`` the depth
    (default 1).
    """
    kind, _, arg = name.partition(":")
    if kind == "article" and arg:
        return article_view(store, arg)
    full = full_view(store)
    if kind == "full" and not arg:
        return full
    if kind == "states" and not arg:
        return states_view(full)
    if kind == "officials" and not arg:
        return officials_view(full)
    if kind == "ego" and arg:
        entity, depth = arg, 1
        head, sep, tail = arg.rpartition(":")
        if sep and tail.isdigit() and head:
            entity, depth = head, int(tail)
        return ego_view(full, resolve(full, entity), depth)
    raise NetworkError(f"unknown view {name!r}; choose one of {', '.join(VIEWS)}")


# --- naming entities ----------------------------------------------------------------------


def resolve(graph: nx.Graph, ref: str) -> str:
    """The node ``ref`` names: an IRI, an ISO-3 code (states) or a label or alias (any case).

    Raises
    ------
    NetworkError
        When nothing matches, or several nodes share the label.
    """
    if ref in graph:
        return ref
    from kg.query import as_iri

    iri = as_iri(ref.strip())  # <IRI> or a prefixed name, as kg query and the page print them
    if iri is not None and iri in graph:
        return iri
    wanted = ref.strip().casefold()
    by_code = [n for n, code in graph.nodes(data="iso3") if code and code.casefold() == wanted]
    if len(by_code) == 1:
        return str(by_code[0])
    matches = [
        n
        for n, attrs in graph.nodes(data=True)
        if wanted in {name.casefold() for name in (attrs["label"], *attrs.get("aliases", ()))}
    ]
    if len(matches) == 1:
        return str(matches[0])
    if matches:
        listed = "; ".join(f"{n} ({graph.nodes[n]['type']})" for n in matches[:5])
        raise NetworkError(f"{ref!r} names {len(matches)} nodes, give an IRI: {listed}")
    raise NetworkError(f"no entity {ref!r} in this view (give an IRI, a label or an ISO-3 code)")
