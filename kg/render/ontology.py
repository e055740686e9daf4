"""The ontology view: classes as nodes, ``subclass of`` and object properties as edges."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.network.views import local_name, vocabulary
from kg.store import ONTOLOGY_GRAPH, Store
from kg.vocab import PREFIXES

D = PREFIXES["dkg"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
RDF_TYPE = PREFIXES["rdf"] + "type"


def prefixed(iri: str) -> str:
    """``prefix:local`` for an IRI in a namespace the project binds, else the IRI.

    >>> prefixed("http://semanticweb.cs.vu.nl/2009/11/sem/Event"), prefixed("https://schema.org/Place")
    ('sem:Event', 'schema:Place')
    """
    from kg.format import shorten

    return shorten(iri)  # a name SPARQL and Turtle read back (escaped, or the <IRI>)


def ontology_view(store: Store) -> nx.MultiDiGraph:
    """The ontology's classes as nodes; ``subclass of`` and object properties (domain -> range)
    as edges. Datatype properties are listed on their domain class. Our classes are labelled
    with their ``rdfs:label``; external classes with their prefixed name (``sem:Event``), so no
    two nodes share a label."""
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
        external = not iri.startswith(D)
        attrs: dict[str, Any] = {
            "label": prefixed(iri) if external else vocab.label(iri),
            "type": "External class" if external else kind,
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
