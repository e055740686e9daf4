"""Vocabulary of defense-kg: the ontology's terms, the standard namespaces it reuses, the base
IRIs of instances and named graphs, and the prefixes every serialised graph is written with.

``DKG`` is a closed namespace: a misspelt term is an error at import time, not an empty query
result. It lists exactly the terms declared in ``ontology/defense.ttl`` (a test checks both
directions). Code-list concepts (``ontology/codes.ttl``) are many and use hyphens, so ``DKGC``
is an open namespace: ``DKGC["status-held"]``.
"""

from __future__ import annotations

from typing import Final, TypeVar

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

from kg.iris import CODES, DATA, GRAPH, ONTOLOGY, PREFIXES, ontology_dir

__all__ = [
    "DATA",
    "DCTERMS",
    "DKG",
    "DKGC",
    "DKGR",
    "DKGG",
    "FOAF",
    "GRAPH",
    "NIF",
    "ONTOLOGY",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SEM",
    "SKOS",
    "XSD",
    "bind_prefixes",
    "ontology_dir",
]


class DKG(DefinedNamespace):
    """Classes and properties of the defense-kg ontology (``ontology/defense.ttl``)."""

    _NS = Namespace(ONTOLOGY + "#")
    _fail = True

    # Classes
    State: URIRef
    Official: URIRef
    Post: URIRef
    Organization: URIRef
    Place: URIRef
    Region: URIRef
    Commentator: URIRef
    Article: URIRef
    Sentence: URIRef
    Evidence: URIRef
    Attribution: URIRef
    InferredAttribution: URIRef
    Event: URIRef
    Meeting: URIRef
    Visit: URIRef
    Exercise: URIRef
    Agreement: URIRef
    Statement: URIRef
    Incident: URIRef
    Claim: URIRef
    BilateralRelation: URIRef

    # Object properties
    evidence: URIRef
    attribution: URIRef
    attributedState: URIRef
    attributedStatus: URIRef
    inArticle: URIRef
    inSentence: URIRef
    mentions: URIRef
    citesSource: URIRef
    holdsPost: URIRef
    postIn: URIRef
    ofState: URIRef
    locatedIn: URIRef
    operatedBy: URIRef
    subOrganizationOf: URIRef
    party: URIRef
    participant: URIRef
    location: URIRef
    destination: URIRef
    status: URIRef
    plover: URIRef
    cameo: URIRef
    relation: URIRef
    relationState: URIRef
    agreedAt: URIRef
    concerns: URIRef
    cooperationArea: URIRef
    exerciseDomain: URIRef
    purpose: URIRef
    haltedBy: URIRef
    during: URIRef
    speaker: URIRef
    about: URIRef
    ally: URIRef
    frameworkMember: URIRef
    target: URIRef
    claimKind: URIRef

    # Datatype properties
    iso3: URIRef
    basisRule: URIRef
    cowCode: URIRef
    date: URIRef
    dateYear: URIRef
    dateMonth: URIRef
    dateDay: URIRef
    endDate: URIRef
    dateText: URIRef
    lastHeld: URIRef
    haltedSince: URIRef
    quote: URIRef
    claimText: URIRef
    articleId: URIRef
    title: URIRef
    published: URIRef
    sourceUrl: URIRef
    sentenceIndex: URIRef

    # Annotation properties (on event classes; an article's publisher name)
    ploverType: URIRef
    cameoCode: URIRef
    publisher: URIRef


DKGC: Final = Namespace(CODES)
"""SKOS concepts and schemes of ``ontology/codes.ttl``, e.g. ``DKGC["plover-CONSULT"]``."""

DKGR: Final = Namespace(DATA)
"""Instance namespace, e.g. ``DKGR["state/JPN"]``."""

DKGG: Final = Namespace(GRAPH)
"""Named-graph namespace, e.g. ``DKGG[article_id]``."""

SEM: Final = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA: Final = Namespace("https://schema.org/")
NIF: Final = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")


G = TypeVar("G", bound=Graph)


def bind_prefixes(graph: G) -> G:
    """Bind exactly the defense-kg prefixes on ``graph`` and return it.

    Each prefix replaces whatever rdflib bound before (rdflib pre-binds many prefixes, some of
    them to other namespaces), and each namespace gets its defense-kg prefix even if it was
    bound under another name, so serialisations never fall back to invented ``ns1`` prefixes
    for our namespaces.

    Parameters
    ----------
    graph : rdflib.Graph
        Any rdflib graph, including a ``Dataset``.

    Returns
    -------
    rdflib.Graph
        The same graph, for chaining.

    Examples
    --------
    >>> from rdflib import Graph
    >>> g = bind_prefixes(Graph())
    >>> dict(g.namespaces())["dkg"] == URIRef("https://w3id.org/defense-kg/ontology#")
    True
    """
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
