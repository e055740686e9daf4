"""The project's base IRIs and prefixes as plain strings, importable without rdflib.

:mod:`kg.vocab` builds the rdflib namespaces from these; the query path (``kg query``, the
store, the endpoint, the SPARQL checks) needs only the strings and imports this module, so a
query never pays for importing rdflib.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Final

ONTOLOGY: Final = "https://w3id.org/defense-kg/ontology"
"""IRI of the ontology itself (terms live in ``ONTOLOGY + "#"``)."""

DATA: Final = "https://w3id.org/defense-kg/id/"
"""Base IRI of instances (states, people, events...); minted only by ``kg.mapping``."""

GRAPH: Final = "https://w3id.org/defense-kg/graph/"
"""Base IRI of named graphs, one per article: ``GRAPH + article_id``."""

CODES: Final = "https://w3id.org/defense-kg/code/"
"""Namespace of the code-list concepts (``ontology/codes.ttl``)."""

PREFIXES: Final = MappingProxyType(
    {
        "dkg": ONTOLOGY + "#",
        "dkgc": CODES,
        "dkgr": DATA,
        "dkgg": GRAPH,
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
        "prov": "http://www.w3.org/ns/prov#",
        "org": "http://www.w3.org/ns/org#",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
        "schema": "https://schema.org/",
        "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    }
)
"""Prefix -> namespace IRI for every namespace a defense-kg graph uses."""


def ontology_dir() -> Path:
    """Return the folder holding ``defense.ttl``, ``codes.ttl`` and ``shapes.ttl``.

    In an installed wheel the ontology ships inside the package (``kg/ontology``); in a source
    checkout it is the ``ontology`` folder next to the package.

    Examples
    --------
    >>> (ontology_dir() / "defense.ttl").is_file()
    True
    """
    package_dir = Path(__file__).resolve().parent
    bundled = package_dir / "ontology"
    if bundled.is_dir():
        return bundled
    return package_dir.parent / "ontology"
