"""Exports: RDF serialisations of the store, the public tables and the network views.

RDF: ``turtle`` and ``trig`` (the project's own stable writers in :mod:`kg.format`), ``ntriples``
and ``nquads`` (sorted lines), ``jsonld`` (with a ``@context`` of the prefixes used, subjects
sorted), ``rdfxml`` (Oxigraph's serializer over sorted triples; what RDF/XML or XML 1.0 cannot
express is refused by :func:`check_xml_triples` with a one-line :class:`ExportError`). Every
RDF export can carry the ontology (``with_ontology``) and RDFS entailments (``inferred``:
``rdfs:subClassOf`` and ``rdfs:subPropertyOf`` closures computed here, not by owlrl, which
corrupts ``xsd:gMonthDay``).

Tables: ``entities`` and ``events`` are a public interface (documented in README): one JSON
object a line, keys in a fixed order, rows sorted by ``id``. ``dyads`` is a dyad-year CSV.
Graphs: ``graphml`` and ``gexf`` of the network views of :mod:`kg.network.views`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from kg.article import XML_ILLEGAL
from kg.event_types import event_types
from kg.format import RDF_TYPE, XSD_STRING, TermWriter, trig_bytes, turtle_bytes
from kg.network.dates import date_key, precision
from kg.results import Table
from kg.store import (
    ONTOLOGY_GRAPH,
    Backend,
    Store,
    StoreError,
    graph_for,
    ontology_quads,
)
from kg.vocab import GRAPH, PREFIXES, bind_prefixes

D = "https://w3id.org/defense-kg/ontology#"
EVENT_TYPES = event_types().names  # kg/data/event_types.tsv
ENTITY_TYPES = ("State", "Official", "Organization", "Place", "Region")
SKOS = "http://www.w3.org/2004/02/skos/core#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
NOTATION = SKOS + "notation"


class ExportError(StoreError):
    """Data a requested export format cannot express (the message is one line)."""


def _rdflib_term(term: Any) -> URIRef | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unexpected term {term!r} (the store holds no blank nodes)")


# --- what XML can hold -----------------------------------------------------------------------

_XML_ALTERNATIVES = "export as turtle, ntriples, nquads, trig or jsonld instead"
_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_NAME_CHAR = _NAME_START + "\\-.0-9\u00b7\u0300-\u036f\u203f\u2040"
_NOT_NAME_CHAR = re.compile(f"[^{_NAME_CHAR}]")
_NAME_START_CHAR = re.compile(f"[{_NAME_START}]")
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: RDF/XML syntax names that cannot be property elements (``rdf:li`` reads back as ``rdf:_n``).
_RESERVED = frozenset(
    "RDF Description ID about parseType resource nodeID datatype li aboutEach aboutEachPrefix "
    "bagID".split()
)


def xml_local_name(iri: str) -> str | None:
    """The part of ``iri`` RDF/XML can write as a property element's local name, or None.

    That is the trailing run of XML name characters (no ``:``) from its first character that
    may start a name, which is how Oxigraph's writer splits IRIs.

    Examples
    --------
    >>> xml_local_name("http://example.org/a1"), xml_local_name("urn:x:foo")
    ('a1', 'foo')
    >>> [xml_local_name(i) for i in ("http://example.org/1", "http://a.org/a#", "urn:isbn:123")]
    [None, None, None]
    """
    cut = 0
    for other in _NOT_NAME_CHAR.finditer(iri):
        cut = other.end()
    start = _NAME_START_CHAR.search(iri, cut)
    return None if start is None else iri[start.start() :]


def _illegal_in_xml(text: str) -> str | None:
    found = XML_ILLEGAL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def _term_text(term: Any) -> list[str]:
    if isinstance(term, ox.Literal):
        return [term.value, term.datatype.value, term.language or ""]
    return [str(getattr(term, "value", ""))]


def check_xml_triples(triples: Iterable[tuple[Any, Any, Any]]) -> None:
    """Refuse, naming the statement, what RDF/XML cannot write or XML 1.0 cannot hold."""
    for s, p, o in triples:
        if xml_local_name(p.value) is None:
            raise ExportError(
                f"cannot write RDF/XML: the predicate <{p.value}> does not end in an XML name "
                f"(RDF/XML cannot express it); {_XML_ALTERNATIVES}"
            )
        if p.value.startswith(RDF_NS) and p.value[len(RDF_NS) :] in _RESERVED:
            raise ExportError(
                f"cannot write RDF/XML: <{p.value}> is RDF/XML syntax and cannot be used as "
                f"a predicate; {_XML_ALTERNATIVES}"
            )
        for term in (s, p, o):
            for text in _term_text(term):
                bad = _illegal_in_xml(text)
                if bad:
                    raise ExportError(
                        f"cannot write RDF/XML: the statement <{s.value}> <{p.value}> holds "
                        f"{bad}, which XML 1.0 cannot hold; {_XML_ALTERNATIVES}"
                    )


def _check_xml_attributes(fmt: str, item: str, attrs: dict[str, Any]) -> None:
    for key, value in (("id", item), *attrs.items()):
        for text in (key, value):
            bad = _illegal_in_xml(text) if isinstance(text, str) else None
            if bad:
                raise ExportError(
                    f"cannot write {fmt}: {item!r} has {bad} in {key!r}, which XML 1.0 "
                    "cannot hold; export as entities or events instead"
                )


# --- RDF ----------------------------------------------------------------------------------

INFERRED_GRAPH = "https://w3id.org/defense-kg/inferred-graph"
RDF_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml")
_RDF_TYPE = ox.NamedNode(RDF_TYPE)
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_SUBPROPERTY = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf"


def refuse_rdf_12(quads: list[ox.Quad]) -> list[ox.Quad]:
    """``quads`` unchanged; an :class:`ExportError` for RDF 1.2 terms (e.g. from ``kg update``).

    kg's exports are RDF 1.1: ``kg load`` refuses RDF 1.2, and a triple term or a literal with
    a base direction that reached the store otherwise is named rather than written.
    """
    for q in quads:
        o = q.object
        if isinstance(o, ox.Triple) or (isinstance(o, ox.Literal) and o.direction is not None):
            what = "a triple term" if isinstance(o, ox.Triple) else "a literal with a direction"
            raise ExportError(
                f"{q.subject} {q.predicate} has {what} (RDF 1.2), which kg does not export or "
                "validate; remove it with kg update"
            )
    return quads


def _graphs(store: Backend, article: str | None) -> list[str]:
    if article is None:
        return store.article_graphs()
    graph = graph_for(article)
    if graph not in store.article_graphs():
        raise StoreError(f"no article {article!r} in {store.describe()}")
    return [graph]


def _ontology(store: Backend) -> list[ox.Quad]:
    quads = list(store.quads(ONTOLOGY_GRAPH))
    return quads or ontology_quads()


def _closure(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Reflexive-free transitive closure: term -> every strict ancestor."""
    parents: dict[str, set[str]] = defaultdict(set)
    for child, parent in pairs:
        if child != parent:
            parents[child].add(parent)
    closure: dict[str, set[str]] = {}
    for start in list(parents):
        seen: set[str] = set()
        todo = list(parents[start])
        while todo:
            node = todo.pop()
            if node not in seen and node != start:
                seen.add(node)
                todo.extend(parents.get(node, ()))
        closure[start] = seen
    return closure


def entailments(
    triples: Iterable[tuple[Any, Any, Any]], ontology: Iterable[ox.Quad]
) -> set[tuple[Any, Any, Any]]:
    """RDFS rules 7 and 9 over ``triples``: types of superclasses, superproperty statements.

    Only triples not already in ``triples`` are returned.
    """
    onto = list(ontology)
    classes = _closure(
        (subject.value, q.object.value)
        for q in onto
        if isinstance(subject := q.subject, ox.NamedNode)
        and q.predicate.value == _SUBCLASS
        and isinstance(q.object, ox.NamedNode)
    )
    properties = _closure(
        (subject.value, q.object.value)
        for q in onto
        if isinstance(subject := q.subject, ox.NamedNode)
        and q.predicate.value == _SUBPROPERTY
        and isinstance(q.object, ox.NamedNode)
    )
    given = set(triples)
    out: set[tuple[Any, Any, Any]] = set()
    for s, p, o in given:
        if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
            for parent in classes.get(o.value, ()):
                out.add((s, _RDF_TYPE, ox.NamedNode(parent)))
        for parent in properties.get(p.value, ()):
            out.add((s, ox.NamedNode(parent), o))
    # a superproperty's statements can have types entailed too (rdf:type has no superproperty)
    return out - given


def rdf_quads(
    store: Backend,
    article: str | None = None,
    *,
    with_ontology: bool = False,
    inferred: bool = False,
    for_reasoner: bool = False,
) -> list[ox.Quad]:
    """The quads an RDF export holds: article graphs, then the ontology and entailments.

    ``for_reasoner`` gives the OWL 2 DL form (:func:`reasoner_form`) and implies
    ``with_ontology``; entailments are then computed over that form.
    """
    quads = refuse_rdf_12([q for g in _graphs(store, article) for q in store.quads(g)])
    onto = _ontology(store) if (with_ontology or inferred or for_reasoner) else []
    if for_reasoner:
        quads, onto = reasoner_form(quads, onto)
        with_ontology = True
    if inferred:
        triples = {(q.subject, q.predicate, q.object) for q in quads}
        graph = ox.NamedNode(INFERRED_GRAPH)
        quads += [ox.Quad(s, p, o, graph) for s, p, o in entailments(triples, onto)]
    if with_ontology:
        quads += onto
    return quads


def reasoner_form(
    data: list[ox.Quad], ontology: list[ox.Quad]
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """Data and ontology in the OWL 2 DL form HermiT and Protégé accept (``--for-reasoner``).

    Kept apart from the other exports: see :mod:`kg.reasoner` (typed dates as annotations, their
    parts as ``xsd:integer`` beside them).
    """
    from kg.reasoner import owl_dl_form

    return owl_dl_form(data, ontology)


def _triples(quads: Iterable[ox.Quad]) -> set[tuple[Any, Any, Any]]:
    return {(q.subject, q.predicate, q.object) for q in quads}


def _sort_key(t: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(str(x) for x in t)


def _ntriples(triples: Iterable[tuple[Any, ...]]) -> bytes:
    return "".join(sorted(" ".join(str(x) for x in t) + " .\n" for t in triples)).encode("utf-8")


def jsonld_bytes(triples: Iterable[tuple[Any, Any, Any]]) -> bytes:
    """JSON-LD with a ``@context`` of the project prefixes used; subjects and values sorted."""
    writer = TermWriter()

    def compact(iri: str) -> str:
        short = writer.iri(iri)
        return iri if short.startswith("<") else short

    nodes: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        node = nodes[s.value if isinstance(s, ox.NamedNode) else f"_:{s.value}"]
        if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
            node["@type"].append(compact(o.value))
            continue
        if isinstance(o, ox.NamedNode):
            value: Any = {"@id": compact(o.value)}
        elif isinstance(o, ox.BlankNode):
            value = {"@id": f"_:{o.value}"}
        elif o.language:
            value = {"@value": o.value, "@language": o.language}
        elif o.datatype.value == XSD_STRING:
            value = o.value
        else:
            value = {"@value": o.value, "@type": compact(o.datatype.value)}
        node[compact(p.value)].append(value)
    graph = []
    for subject in sorted(nodes):
        entry: dict[str, Any] = {"@id": compact(subject)}
        for key in sorted(nodes[subject], key=lambda k: (k != "@type", k)):
            entry[key] = sorted(nodes[subject][key], key=lambda v: json.dumps(v, sort_keys=True))
        graph.append(entry)
    context = {p: writer.used[p] for p in sorted(writer.used)}
    document = {"@context": context, "@graph": graph}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def rdf_export(
    store: Backend,
    fmt: str,
    article: str | None = None,
    *,
    with_ontology: bool = False,
    inferred: bool = False,
    for_reasoner: bool = False,
) -> bytes:
    """One of :data:`RDF_FORMATS`; the same store always gives the same bytes."""
    if fmt == "turtle" and article is None and not (with_ontology or inferred or for_reasoner):
        union = store.article_union()
        if union is not None:
            return turtle_bytes(refuse_rdf_12(union))
    quads = rdf_quads(
        store, article, with_ontology=with_ontology, inferred=inferred, for_reasoner=for_reasoner
    )
    return rdf_bytes(quads, fmt)


def result_bytes(table: Table, fmt: str) -> bytes:
    """The triples of a CONSTRUCT or DESCRIBE result in one of :data:`RDF_FORMATS`."""
    return rdf_bytes((ox.Quad(*t) for t in table.triples), fmt)


def rdf_bytes(quads: Iterable[ox.Quad], fmt: str) -> bytes:
    """Quads (or triples, as quads in the default graph) in one of :data:`RDF_FORMATS`.

    Stable bytes: the same set of statements always gives the same output. Also used for the
    results of CONSTRUCT and DESCRIBE (``kg query --format``).
    """
    quads = list(quads)
    if fmt == "turtle":
        return turtle_bytes(quads)  # the writer's index removes duplicates itself
    if fmt == "trig":
        return trig_bytes(set(quads))
    if fmt == "ntriples":
        return _ntriples(_triples(quads))
    if fmt == "nquads":
        return _ntriples({(q.subject, q.predicate, q.object, q.graph_name) for q in quads})
    if fmt == "jsonld":
        return jsonld_bytes(_triples(quads))
    if fmt == "rdfxml":
        spo = sorted(_triples(quads), key=_sort_key)
        check_xml_triples(spo)
        triples = [ox.Triple(*t) for t in spo]
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=dict(PREFIXES)) or b""
    raise ValueError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")


def turtle(store: Backend, article: str | None = None) -> bytes:
    """The union of the article graphs as Turtle (stable bytes: no blank nodes, sorted)."""
    return rdf_export(store, "turtle", article)


def trig(store: Backend, article: str | None = None) -> bytes:
    """The article graphs as TriG, one block per graph (stable bytes)."""
    return rdf_export(store, "trig", article)


def _rdflib_graph(triples: Iterable[tuple[Any, Any, Any]]) -> Graph:
    graph = Graph(bind_namespaces="core")
    bind_prefixes(graph)
    for s, p, o in triples:
        graph.add((_rdflib_term(s), _rdflib_term(p), _rdflib_term(o)))
    return graph


def union_graph(store: Backend, article: str | None = None) -> Graph:
    """The union of the article graphs as an rdflib Graph (for pySHACL)."""
    quads = refuse_rdf_12([q for g in _graphs(store, article) for q in store.quads(g)])
    return _rdflib_graph(_triples(quads))


# --- tables -------------------------------------------------------------------------------


def _select(store: Backend, query: str) -> list[dict[str, str]]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    columns = [v.value for v in result.variables]
    rows = []
    for solution in result:
        rows.append({c: solution[c].value for c in columns if solution[c] is not None})
    return rows


def _article_id(graph: str) -> str:
    return graph.rsplit("/", 1)[-1]


def entities(store: Store) -> list[dict[str, Any]]:
    """One record per State, Official, Organization and Place (Region included as Place)."""
    rows = _select(
        store,
        f"""
        SELECT ?e ?type ?name ?g WHERE {{
          GRAPH ?g {{ ?e a ?type ; <{LABEL}> ?name . }}
          VALUES ?type {{ {" ".join(f"<{D}{t}>" for t in ENTITY_TYPES)} }}
          FILTER(STRSTARTS(STR(?g), "https://w3id.org/defense-kg/graph/"))
        }}""",
    )
    records: dict[str, dict[str, Any]] = {}
    for row in rows:
        iri = row["e"]
        etype = row["type"][len(D) :]
        record = records.setdefault(
            iri,
            {"id": iri, "type": "Place" if etype == "Region" else etype, "name": row["name"],
             "aliases": set(), "iso3": None, "state": None, "role": None, "wikidata": None,
             "articles": set(), "basis": [] if etype == "Official" else None},
        )  # fmt: skip
        record["articles"].add(_article_id(row["g"]))
        record["aliases"].add(row["name"])  # another article's label is an alias here
    details = {
        "aliases": f"<{SKOS}altLabel>",
        "iso3": f"<{D}iso3>",
        "state": f"<{D}ofState>/<{D}iso3>|<{D}iso3>",
        "role": f"<{D}holdsPost>/<{SKOS}prefLabel>",
        "wikidata": "<http://www.w3.org/2002/07/owl#sameAs>",
    }
    for field, path in details.items():
        for row in _select(store, f"SELECT DISTINCT ?e ?v WHERE {{ ?e {path} ?v }}"):
            found = records.get(row["e"])
            if found is None:
                continue
            record = found
            value = row["v"]
            if field == "aliases":
                record["aliases"].add(value)
            elif field == "wikidata":
                record["wikidata"] = value.rsplit("/", 1)[-1]
            elif field == "state" and record["type"] == "State":
                record["state"] = None
            elif record[field] is None or value < record[field]:
                record[field] = value
    for iri, basis in _attributions(store).items():
        if iri in records:
            records[iri]["basis"] = basis
    out = []
    for iri in sorted(records):
        record = records[iri]
        record["aliases"] = sorted(record["aliases"] - {record["name"]})
        record["articles"] = sorted(record["articles"])
        out.append(record)
    return out


#: What an attribution's basis adds to a query that binds ``?a`` (the attribution): whether it
#: was inferred, and its evidence span (shared by officials' and events' bases).
_BASIS_OPTIONALS = (
    f'OPTIONAL {{ ?a a <{D}InferredAttribution> . BIND("yes" AS ?inferred) }} '
    f"OPTIONAL {{ ?a <{D}evidence> ?v . ?v <{NIF}beginIndex> ?start ; "
    f"<{NIF}endIndex> ?end ; <{NIF}anchorOf> ?quote . }}"
)


def _basis_span(row: dict[str, str]) -> dict[str, Any]:
    """The evidence span of a basis row (None where the basis has no span)."""
    return {
        "start": int(row["start"]) if "start" in row else None,
        "end": int(row["end"]) if "end" in row else None,
        "quote": row.get("quote"),
    }


def _attributions(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Each official's state attributions by article: rule, inferred, state and evidence."""
    rows = _select(
        store,
        f"""
        SELECT ?e ?g ?rule ?state ?inferred ?start ?end ?quote WHERE {{
          GRAPH ?g {{
            ?e <{D}attribution> ?a . ?a <{D}basisRule> ?rule ; <{D}attributedState> ?s .
            BIND(STRAFTER(STR(?s), "/state/") AS ?state)
            {_BASIS_OPTIONALS}
          }}
        }}""",
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["e"], []).append(
            {
                "article": _article_id(row["g"]),
                "rule": row["rule"],
                "inferred": "inferred" in row,
                "state": row["state"],
                **_basis_span(row),
            }
        )
    return {iri: sorted(v, key=lambda b: (b["article"], b["rule"])) for iri, v in out.items()}


def events(store: Store) -> list[dict[str, Any]]:
    """One record per event, agreement and claim, with evidence offsets into the body."""
    type_values = " ".join(f"<{D}{t}>" for t in (*EVENT_TYPES, "Claim"))
    base = _select(
        store,
        f"""
        SELECT ?e ?type ?label ?g WHERE {{
          GRAPH ?g {{ ?e a ?type ; <{LABEL}> ?label . }}
          VALUES ?type {{ {type_values} }}
        }}""",
    )
    records: dict[str, dict[str, Any]] = {}
    for row in base:
        records[row["e"]] = {
            "id": row["e"],
            "article": _article_id(row["g"]),
            "type": row["type"][len(D) :],
            "label": row["label"],
            "date": None,
            "date_precision": "none",
            "date_start": None,
            "date_end": None,
            "states": set(),
            "source": None,
            "target": None,
            "participants": set(),
            "location": None,
            "status": None,
            "plover": None,
            "quad_class": None,
            "cameo": None,
            "evidence": [],
        }
    multi = defaultdict(list)
    for field, prop in (("date", "date"), ("date_end", "endDate")):
        for row in _select(store, f"SELECT ?e ?d WHERE {{ ?e <{D}{prop}> ?d }}"):
            record = records.get(row["e"])
            if record and (record[field] is None or date_key(row["d"]) < date_key(record[field])):
                record[field] = row["d"]
    for prop in ("party", "about"):
        for row in _select(store, f"SELECT ?e ?iso WHERE {{ ?e <{D}{prop}>/<{D}iso3> ?iso }}"):
            if row["e"] in records:
                records[row["e"]]["states"].add(row["iso"])
    for row in _select(
        store,
        # the label inside each branch: joined after the UNION, Oxigraph 0.5 pairs every
        # participant with every label first (20 s on 200 articles instead of 0.1 s)
        f"SELECT ?e ?n WHERE {{ {{ ?e <{D}participant> ?p . ?p <{LABEL}> ?n }} "
        f"UNION {{ ?e a <{D}Claim> ; <{D}speaker> ?p . ?p <{LABEL}> ?n }} }}",
    ):
        if row["e"] in records:
            records[row["e"]]["participants"].add(row["n"])
    for row in _select(
        store,
        f"SELECT ?e ?n WHERE {{ ?e <{D}location>|<{D}destination> ?p . ?p <{LABEL}> ?n }}",
    ):
        record = records.get(row["e"])
        if record and record["location"] is None:
            record["location"] = row["n"]
    for row in _select(
        store,
        f"SELECT ?e ?n WHERE {{ ?e <{D}status>/<{NOTATION}> ?n }}",
    ):
        if row["e"] in records:
            records[row["e"]]["status"] = row["n"]
    for field in ("plover", "cameo"):
        for row in _select(store, f"SELECT ?e ?n WHERE {{ ?e <{D}{field}>/<{NOTATION}> ?n }}"):
            record = records.get(row["e"])
            if record and (record[field] is None or row["n"] < record[field]):
                record[field] = row["n"]
    for row in _select(
        store,
        f"""SELECT ?e ?t ?s ?end WHERE {{ ?e <{D}evidence> ?ev .
        ?ev <{NIF}anchorOf> ?t ;
            <{NIF}beginIndex> ?s ;
            <{NIF}endIndex> ?end . }}""",
    ):
        if row["e"] in records:
            multi[row["e"]].append(
                {"text": row["t"], "start": int(row["s"]), "end": int(row["end"])}
            )
    bases = _event_bases(store)
    hosts = _visit_hosts(store)
    quads = _quad_classes()
    out = []
    for iri in sorted(records):
        record = records[iri]
        record["states"] = sorted(record["states"])
        record["date_precision"] = precision(record["date"])
        record["date_start"] = record["date"]
        if record["date_end"] == record["date"]:
            record["date_end"] = None
        record["source"], record["target"] = _direction(
            record["type"], record["states"], hosts.get(iri, set()), bases.get(iri, [])
        )
        record["quad_class"] = quads.get(record["plover"] or "")
        record["participants"] = sorted(record["participants"])
        unique = {(e["start"], e["end"]): e for e in multi[iri]}
        record["evidence"] = [unique[k] for k in sorted(unique)]
        record["basis"] = bases.get(iri, []) if record["type"] != "Claim" else None
        out.append(record)
    return out


def _quad_classes() -> dict[str, str]:
    """PLOVER type -> quad class, from ``kg/data/plover_quads.tsv``."""
    from kg.lexicon import read_tsv

    return {row["plover"]: row["quad_class"] for row in read_tsv("plover_quads.tsv")}


def _visit_hosts(store: Store) -> dict[str, set[str]]:
    """The state each visit's destination is or lies in (``dkg:ofState``, via ``locatedIn``)."""
    # The walk up locatedIn is done here, over three one-pattern answers: as one query with
    # `locatedIn*` Oxigraph 0.5 closes the path over the whole store first (quadratic).

    def pairs(path: str) -> list[dict[str, str]]:
        return _select(store, f"SELECT DISTINCT ?a ?b WHERE {{ ?a {path} ?b }}")

    up: dict[str, set[str]] = defaultdict(set)
    for row in pairs(f"<{D}locatedIn>"):
        up[row["a"]].add(row["b"])
    states: dict[str, set[str]] = defaultdict(set)  # a node -> the ISO-3 of its state
    for row in pairs(f"<{D}iso3>"):
        states[row["a"]].add(row["b"])
    of_state: dict[str, set[str]] = defaultdict(set)
    for row in pairs(f"<{D}ofState>/<{D}iso3>"):
        of_state[row["a"]].add(row["b"])
    hosts: dict[str, set[str]] = defaultdict(set)
    visits = f"SELECT DISTINCT ?a ?b WHERE {{ ?a a <{D}Visit> ; <{D}destination> ?b }}"
    for row in _select(store, visits):
        found = hosts[row["a"]]
        found |= states.get(row["b"], set())
        seen: set[str] = set()
        todo = [row["b"]]  # the destination and every place it lies in
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                found |= of_state.get(node, set())
                todo.extend(up.get(node, ()))
    return {e: isos for e, isos in hosts.items() if isos}


def _direction(
    etype: str, states: list[str], hosts: set[str], basis: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    """Source and target of a directed event of two states, else (None, None).

    A visit goes from the visitor's state to the host, the state its destination is or lies
    in. An agreement's parties are in the order the text first names them, where both were
    read from the text (not inferred) at known offsets.
    """
    if len(states) != 2:
        return None, None
    if etype == "Visit":
        host = [s for s in states if s in hosts]
        if len(host) == 1:
            return next(s for s in states if s != host[0]), host[0]
    if etype == "Agreement":
        named: dict[str, int] = {}
        for b in basis:
            state = b["fact"].removeprefix("party:")
            if state in states and not b["inferred"] and b["start"] is not None:
                named[state] = min(named.get(state, b["start"]), b["start"])
        if len(named) == 2 and len(set(named.values())) == 2:
            first, second = sorted(named, key=named.__getitem__)
            return first, second
    return None, None


def _event_bases(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Why each event has its parties and status: fact, rule, inferred and the evidence."""
    rows = _select(
        store,
        f"""
        SELECT ?e ?rule ?value ?inferred ?start ?end ?quote WHERE {{
          ?e <{D}attribution> ?a . ?a <{D}basisRule> ?rule ;
             <{D}attributedState>|<{D}attributedStatus> ?value .
          FILTER NOT EXISTS {{ ?e a <{D}Official> }}
          {_BASIS_OPTIONALS}
        }}""",
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        value = row["value"]
        fact = (
            "party:" + value.rsplit("/state/", 1)[1]
            if "/state/" in value
            else "status:" + value.rsplit("status-", 1)[-1]
        )
        out.setdefault(row["e"], []).append(
            {
                "fact": fact,
                "rule": row["rule"],
                "inferred": "inferred" in row,
                **_basis_span(row),
            }
        )
    return {iri: sorted(v, key=lambda b: (b["fact"], b["rule"])) for iri, v in out.items()}


# --- dyad-years, statistics, network views --------------------------------------------------

DYAD_COUNTS = event_types().dyad_counts()  # (column, event type): event_types.tsv's dyad_column
DYAD_COLUMNS = (
    "state1", "state2", "ccode1", "ccode2", "gwcode1", "gwcode2", "year",
    *(c for c, _ in DYAD_COUNTS),
)  # fmt: skip
PANEL_ROW_LIMIT = 5_000_000
"""The most rows a ``--panel`` table may have (about 200 MB of CSV)."""


def _year(date: str | None) -> str:
    """The year of an ``xsd:date``/``gYearMonth``/``gYear`` value; '' for ``gMonthDay`` or none.

    Examples
    --------
    >>> _year("2021-01-30"), _year("2021"), _year("--01-30"), _year(None)
    ('2021', '2021', '', '')
    """
    if not date or date.startswith("--"):
        return ""
    head = date[1:] if date.startswith("-") else date
    digits = head.split("-", 1)[0]
    return ("-" if date.startswith("-") else "") + digits if digits.isdigit() else ""


def parse_panel(text: str) -> tuple[int, int]:
    """The years of ``--panel FROM-TO`` (both included).

    >>> parse_panel("2015-2024"), parse_panel(" 2020 - 2020 ")
    ((2015, 2024), (2020, 2020))
    >>> parse_panel("2024-2015")
    Traceback (most recent call last):
    ...
    kg.export.ExportError: --panel 2024-2015: FROM is after TO (give FROM-TO, e.g. 2015-2024)
    """
    match = re.fullmatch(r"\s*(\d{1,4})\s*-\s*(\d{1,4})\s*", text)
    if not match:
        raise ExportError(f"--panel {text}: give two years FROM-TO, e.g. 2015-2024")
    first, last = int(match.group(1)), int(match.group(2))
    if first > last:
        raise ExportError(f"--panel {text}: FROM is after TO (give FROM-TO, e.g. 2015-2024)")
    return first, last


@dataclass(frozen=True, slots=True)
class _Codes:
    """The states in the store with their COW and GW codes, in COW order."""

    present: tuple[str, ...]
    cow: dict[str, int]
    gw: dict[str, int]

    def order(self, iso: str) -> tuple[bool, int, str]:
        """COW order (``ccode1 < ccode2``); states without a COW code after, by ISO-3."""
        code = self.cow.get(iso)
        return (code is None, code or 0, iso)

    def row(self, a: str, b: str, year: int, cell: dict[str, int]) -> dict[str, Any]:
        cow, gw = self.cow, self.gw
        return {"state1": a, "state2": b, "ccode1": cow.get(a), "ccode2": cow.get(b),
                "gwcode1": gw.get(a), "gwcode2": gw.get(b), "year": year, **cell}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DyadYears:
    """Dyad-year counts, the rows they make (:meth:`rows`) and what they leave out.

    ``undated`` counts the dyadic events that state no year (none, or a month and day only),
    which no year row can hold; ``outside`` the dated ones outside a panel's years.
    """

    codes: _Codes
    counts: dict[tuple[str, str, int], dict[str, int]]
    undated: int
    outside: int = 0
    directed: bool = False
    panel: tuple[int, int] | None = None

    def rows(self) -> Iterator[dict[str, Any]]:
        """The rows in order of ``ccode1``, ``ccode2``, ``year`` (made as they are read, so a
        large panel is never held in memory at once)."""
        zero = {c: 0 for c, _ in DYAD_COUNTS}
        if self.panel is None:
            keys = {(a, b, y) for a, b, y in self.counts}
            if self.directed:
                keys |= {(b, a, y) for a, b, y in keys}
            order = self.codes.order
            for a, b, year in sorted(keys, key=lambda k: (order(k[0]), order(k[1]), k[2])):
                cell = self.counts.get((a, b, year)) or self.counts[(b, a, year)]
                yield self.codes.row(a, b, year, cell)
            return
        present = self.codes.present
        for i, a in enumerate(present):
            for j, b in enumerate(present):
                if j == i or (j < i and not self.directed):
                    continue
                pair = (a, b) if i < j else (b, a)
                for year in range(self.panel[0], self.panel[1] + 1):
                    yield self.codes.row(a, b, year, self.counts.get((*pair, year), zero))

    def note(self) -> str | None:
        """One line for stderr on what the rows leave out, or None."""
        parts = []
        if self.undated:
            parts.append(f"{self.undated} event(s) without a year")
        if self.outside:
            parts.append(f"{self.outside} event(s) dated outside the panel's years")
        return f"not in the dyad-years: {' and '.join(parts)}" if parts else None


def _gw_codes() -> dict[str, int]:
    """Gleditsch-Ward codes by ISO-3 code, from the ``gw`` column of ``kg/data/states.tsv``."""
    from kg.lexicon import read_tsv

    return {row["iso3"]: int(row["gw"]) for row in read_tsv("states.tsv") if row.get("gw")}


def _states(store: Backend) -> _Codes:
    cow: dict[str, set[int]] = defaultdict(set)
    for row in _select(
        store,
        f"SELECT DISTINCT ?iso ?c WHERE {{ ?s a <{D}State> ; <{D}iso3> ?iso . "
        f"OPTIONAL {{ ?s <{D}cowCode> ?c }} }}",
    ):
        cow[row["iso"]]  # noqa: B018 - a state without a COW code is present too
        if "c" in row:
            cow[row["iso"]].add(int(row["c"]))
    gw = _gw_codes()
    codes = _Codes(
        present=(),
        cow={iso: min(found) for iso, found in cow.items() if found},
        gw={iso: gw[iso] for iso in cow if iso in gw},
    )
    return replace(codes, present=tuple(sorted(cow, key=codes.order)))


def dyad_years(
    store: Backend, *, directed: bool = False, panel: tuple[int, int] | None = None
) -> DyadYears:
    """Dyad-year counts in the conventions of COW and peacesciencer.

    A row per pair of states and year with at least one meeting, visit, agreement, exercise or
    incident linked to the pair's ``dkg:BilateralRelation``, counted in the year of its date
    (the earliest, if it has several). Non-directed rows hold each pair once, ordered so that
    ``ccode1 < ccode2`` (states without a COW code last, by ISO-3); ``directed`` writes both
    orders with the same counts. ``panel`` (first, last year) writes every dyad-year of the
    states in the store in those years, zero counts included. ``ccode``/``gwcode`` are the
    Correlates of War (``dkg:cowCode``) and Gleditsch-Ward codes (``kg/data/states.tsv``),
    None when the state has none; ``year`` is an integer. Events that state no year are in no
    row: :attr:`DyadYears.undated` counts them.

    Raises
    ------
    ExportError
        When the panel would have more than :data:`PANEL_ROW_LIMIT` rows.
    """
    types = " ".join(f"<{D}{t}>" for _, t in DYAD_COUNTS)
    found = _select(
        store,
        f"""SELECT DISTINCT ?e ?type ?iso1 ?iso2 ?date WHERE {{
          ?e <{D}relation> ?rel ; a ?type .
          VALUES ?type {{ {types} }}
          ?rel <{D}relationState> ?s1, ?s2 .
          ?s1 <{D}iso3> ?iso1 . ?s2 <{D}iso3> ?iso2 .
          FILTER(STR(?iso1) < STR(?iso2))
          OPTIONAL {{ ?e <{D}date> ?date }}
        }}""",
    )
    codes = _states(store)
    column = {t: c for c, t in DYAD_COUNTS}
    dates: dict[tuple[str, str, str, str], set[int]] = defaultdict(set)
    for row in found:
        a, b = sorted((row["iso1"], row["iso2"]), key=codes.order)
        key = (a, b, row["e"], row["type"][len(D) :])
        dates[key]  # noqa: B018 - registers the event even without a date
        year = _year(row.get("date"))
        if year:
            dates[key].add(int(year))
    if panel:
        present = set(codes.present) | {iso for key in dates for iso in key[:2]}
        codes = replace(codes, present=tuple(sorted(present, key=codes.order)))
        n = len(present)
        size = n * (n - 1) // (1 if directed else 2) * (panel[1] - panel[0] + 1)
        if size > PANEL_ROW_LIMIT:
            raise ExportError(
                f"--panel {panel[0]}-{panel[1]} over {n} states is {size:,} rows, "
                f"more than {PANEL_ROW_LIMIT:,}; give fewer years"
            )
    counts: dict[tuple[str, str, int], dict[str, int]] = {}
    undated: set[str] = set()
    outside: set[str] = set()
    for (a, b, event, etype), years in dates.items():
        if not years:
            undated.add(event)
        elif panel and not panel[0] <= min(years) <= panel[1]:
            outside.add(event)
        else:
            cell = counts.setdefault((a, b, min(years)), {c: 0 for c, _ in DYAD_COUNTS})
            cell[column[etype]] += 1
    return DyadYears(codes, counts, len(undated), len(outside), directed, panel)


def dyads_csv(table: DyadYears) -> str:
    """:func:`dyad_years` as CSV with the header ``state1,state2,ccode1,ccode2,gwcode1,...``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DYAD_COLUMNS)
    for row in table.rows():
        writer.writerow(["" if row[c] is None else row[c] for c in DYAD_COLUMNS])
    return out.getvalue()


def stats(store: Backend) -> dict[str, Any]:
    """Counts for ``kg stats``: triples, articles, instances by class, date range, states, dyads.

    ``triples`` are the distinct triples of the article and loaded graphs, the number
    ``kg validate`` reports; ``quads`` counts them per graph.
    """
    from kg.store import list_graphs

    graphs = list_graphs(store)
    classes = {
        row["c"][len(D) :]: int(row["n"])
        for row in _select(
            store,
            f"""SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{
              GRAPH ?g {{ ?x a ?c }}
              FILTER(STRSTARTS(STR(?g), "{GRAPH}") && STRSTARTS(STR(?c), "{D}"))
            }} GROUP BY ?c""",
        )
    }
    dates = sorted(
        row["d"]
        for row in _select(
            store,
            f"""SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?e <{D}date> ?d }}
                FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}""",
        )
        if _year(row["d"])
    )
    distinct = _select(
        store,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{
              GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }} }}""",
    )
    return {  # snake_case keys, numbers as numbers (``kg stats --format json``)
        "triples": int(distinct[0]["n"]) if distinct else 0,  # as kg validate counts them
        "quads": sum(g.triples for g in graphs),  # a triple in two graphs counts twice
        "articles": sum(1 for g in graphs if g.kind == "article"),
        "loaded_graphs": sum(1 for g in graphs if g.kind == "loaded"),
        "classes": dict(sorted(classes.items())),
        "first_date": dates[0] if dates else None,
        "last_date": dates[-1] if dates else None,
        "states": classes.get("State", 0),
        "dyads": classes.get("BilateralRelation", 0),
    }


GRAPH_FORMATS = ("graphml", "gexf")


def _flat(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _viz(source: Any) -> dict[str, dict[str, Any]]:
    """GEXF ``viz`` of each node as the page draws it: colour of its class, size and position
    from :func:`kg.render.page.to_pyvis` (y flipped: the canvas's y grows downwards, Gephi's
    upwards)."""
    from kg.render.page import to_pyvis

    net = to_pyvis(source)
    groups = net.options["groups"]
    out = {}
    for record in net.nodes:
        colour = groups[record["group"]]["color"]["background"].lstrip("#")
        r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
        out[record["id"]] = {
            "color": {"r": r, "g": g, "b": b, "a": 1.0},
            "size": float(record["size"]),
            "position": {"x": float(record["x"]), "y": -float(record["y"]) + 0.0, "z": 0.0},
        }
    return out


def _gexf_bytes(graph: Any) -> bytes:
    """GEXF 1.2 of ``graph``, the same bytes for the same graph: no ``lastmodifieddate``."""
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = "defense-kg"
    writer.add_graph(graph)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _attributes(
    fmt: str, item: str, attrs: dict[str, Any], keep: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Attributes GraphML/GEXF can hold: scalars (lists and dicts as JSON), no None, checked
    for XML; the keys in ``keep`` (GEXF's ``spells``, ``viz``) are passed as they are."""
    flat = {k: _flat(v) for k, v in attrs.items() if v is not None and k not in keep}
    _check_xml_attributes(fmt, item, flat)
    flat.update({k: attrs[k] for k in keep if attrs.get(k) is not None})
    return flat


def network_document(store: Backend, fmt: str, view: str = "full") -> bytes:
    """A network view (``full``, ``states``, ``officials``, ``article:ID``...) as GraphML/GEXF.

    The projection is :func:`kg.network.views.view`; attribute names are snake_case; list and
    dict attributes are written as JSON strings (GraphML and GEXF hold scalars only), missing
    values are left out. GEXF is for Gephi: each node has the colour, size and position it has
    on the page (``viz:``), dated events (nodes of the full views, edges of ``states`` and
    ``officials``) have ``spells`` (the days their dates cover) for Gephi's timeline, and the
    same store gives the same bytes.
    """
    import networkx as nx

    from kg.network.views import NetworkError
    from kg.network.views import view as network_view

    try:
        source = network_view(store, view)  # type: ignore[arg-type]
    except NetworkError as exc:
        raise StoreError(str(exc)) from None
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}")
    name = {"graphml": "GraphML", "gexf": "GEXF"}[fmt]
    gexf = fmt == "gexf"
    keep = ("spells", "viz") if gexf else ()
    viz = _viz(source) if gexf and source.number_of_nodes() else {}
    graph = source.__class__()
    for node, attrs in source.nodes(data=True):
        graph.add_node(node, **_attributes(name, str(node), {**attrs, "viz": viz.get(node)}, keep))
    if source.is_multigraph():
        for u, v, key, attrs in source.edges(keys=True, data=True):
            flat = _attributes(name, f"{u} -> {v}", {**attrs, "key": str(key)}, keep)
            graph.add_edge(u, v, **flat)
    else:
        for u, v, attrs in source.edges(data=True):
            graph.add_edge(u, v, **_attributes(name, f"{u} -> {v}", attrs, keep))
    if gexf:
        return _gexf_bytes(graph)
    out = io.BytesIO()
    nx.write_graphml(graph, out, named_key_ids=True)
    return out.getvalue()


def json_lines(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)


__all__ = [
    "RDF_FORMATS",
    "dyad_years",
    "dyads_csv",
    "entities",
    "events",
    "json_lines",
    "network_document",
    "rdf_bytes",
    "rdf_export",
    "stats",
    "trig",
    "turtle",
]
