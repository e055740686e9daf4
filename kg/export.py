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
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from kg.article import XML_ILLEGAL
from kg.format import RDF_TYPE, XSD_STRING, TermWriter, trig_bytes, turtle_bytes
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
EVENT_TYPES = ("Meeting", "Visit", "Exercise", "Agreement", "Statement", "Incident")
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


def _article_union(store: Backend) -> list[ox.Quad] | None:
    """The union of the article graphs read from the store's de-duplicated default graph (one
    scan instead of one per graph, about twice as fast at 10^6 triples), without what only the
    ontology graph holds. None where that shortcut does not apply (an endpoint, other graphs)."""
    if not isinstance(store, Store):
        return None
    if any(g != ONTOLOGY_GRAPH and not g.startswith(GRAPH) for g in store.named_graphs()):
        return None
    inner = store.inner
    onto = ox.NamedNode(ONTOLOGY_GRAPH)
    onto_triples = {
        (q.subject, q.predicate, q.object) for q in inner.quads_for_pattern(None, None, None, onto)
    }
    union = []
    for q in inner.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        if (q.subject, q.predicate, q.object) in onto_triples and not any(
            other.graph_name != onto
            for other in inner.quads_for_pattern(q.subject, q.predicate, q.object, None)
            if not isinstance(other.graph_name, ox.DefaultGraph)
        ):
            continue
        union.append(q)
    return union


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
) -> list[ox.Quad]:
    """The quads an RDF export holds: article graphs, then the ontology and entailments."""
    quads = refuse_rdf_12([q for g in _graphs(store, article) for q in store.quads(g)])
    onto = _ontology(store) if (with_ontology or inferred) else []
    if inferred:
        triples = {(q.subject, q.predicate, q.object) for q in quads}
        graph = ox.NamedNode(INFERRED_GRAPH)
        quads += [ox.Quad(s, p, o, graph) for s, p, o in entailments(triples, onto)]
    if with_ontology:
        quads += onto
    return quads


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
) -> bytes:
    """One of :data:`RDF_FORMATS`; the same store always gives the same bytes."""
    if fmt == "turtle" and article is None and not (with_ontology or inferred):
        union = _article_union(store)
        if union is not None:
            return turtle_bytes(refuse_rdf_12(union))
    quads = rdf_quads(store, article, with_ontology=with_ontology, inferred=inferred)
    return rdf_bytes(quads, fmt)


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


def _attributions(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Each official's state attributions by article: rule, inferred, state and evidence."""
    rows = _select(
        store,
        f"""
        SELECT ?e ?g ?rule ?state ?inferred ?start ?end ?quote WHERE {{
          GRAPH ?g {{
            ?e <{D}attribution> ?a . ?a <{D}basisRule> ?rule ; <{D}attributedState> ?s .
            BIND(STRAFTER(STR(?s), "/state/") AS ?state)
            OPTIONAL {{ ?a a <{D}InferredAttribution> . BIND("yes" AS ?inferred) }}
            OPTIONAL {{ ?a <{D}evidence> ?v . ?v <{NIF}beginIndex> ?start ;
                        <{NIF}endIndex> ?end ; <{NIF}anchorOf> ?quote . }}
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
                "start": int(row["start"]) if "start" in row else None,
                "end": int(row["end"]) if "end" in row else None,
                "quote": row.get("quote"),
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
            "states": set(),
            "participants": set(),
            "location": None,
            "status": None,
            "plover": None,
            "evidence": [],
        }
    multi = defaultdict(list)
    for row in _select(store, f"SELECT ?e ?d WHERE {{ ?e <{D}date> ?d }}"):
        if row["e"] in records:
            records[row["e"]]["date"] = row["d"]
    for prop in ("party", "about"):
        for row in _select(store, f"SELECT ?e ?iso WHERE {{ ?e <{D}{prop}>/<{D}iso3> ?iso }}"):
            if row["e"] in records:
                records[row["e"]]["states"].add(row["iso"])
    for row in _select(
        store,
        f"SELECT ?e ?n WHERE {{ {{ ?e <{D}participant> ?p }} "
        f"UNION {{ ?e a <{D}Claim> ; <{D}speaker> ?p }} ?p <{LABEL}> ?n }}",
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
    for row in _select(
        store,
        f"SELECT ?e ?n WHERE {{ ?e <{D}plover>/<{NOTATION}> ?n }}",
    ):
        if row["e"] in records:
            records[row["e"]]["plover"] = row["n"]
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
    out = []
    for iri in sorted(records):
        record = records[iri]
        record["states"] = sorted(record["states"])
        record["participants"] = sorted(record["participants"])
        unique = {(e["start"], e["end"]): e for e in multi[iri]}
        record["evidence"] = [unique[k] for k in sorted(unique)]
        record["basis"] = bases.get(iri, []) if record["type"] != "Claim" else None
        out.append(record)
    return out


def _event_bases(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Why each event has its parties and status: fact, rule, inferred and the evidence."""
    rows = _select(
        store,
        f"""
        SELECT ?e ?rule ?value ?inferred ?start ?end ?quote WHERE {{
          ?e <{D}attribution> ?a . ?a <{D}basisRule> ?rule ;
             <{D}attributedState>|<{D}attributedStatus> ?value .
          FILTER NOT EXISTS {{ ?e a <{D}Official> }}
          OPTIONAL {{ ?a a <{D}InferredAttribution> . BIND("yes" AS ?inferred) }}
          OPTIONAL {{ ?a <{D}evidence> ?v . ?v <{NIF}beginIndex> ?start ;
                      <{NIF}endIndex> ?end ; <{NIF}anchorOf> ?quote . }}
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
                "start": int(row["start"]) if "start" in row else None,
                "end": int(row["end"]) if "end" in row else None,
                "quote": row.get("quote"),
            }
        )
    return {iri: sorted(v, key=lambda b: (b["fact"], b["rule"])) for iri, v in out.items()}


# --- dyad-years, statistics, network views --------------------------------------------------

DYAD_COUNTS = (
    ("meetings", "Meeting"),
    ("visits", "Visit"),
    ("agreements", "Agreement"),
    ("exercises", "Exercise"),
    ("incidents", "Incident"),
)
DYAD_COLUMNS = ("state1", "state2", "ccode1", "ccode2", "year", *(c for c, _ in DYAD_COUNTS))


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


def dyad_years(store: Backend) -> list[dict[str, Any]]:
    """Dyad-year rows in the style of the Correlates of War and DCAD data.

    One row per unordered pair of states (ISO-3, alphabetical) and year with at least one
    meeting, visit, agreement, exercise or incident linked to the pair's
    ``dkg:BilateralRelation``; events without a year are counted in a row with an empty year.
    ``ccode1``/``ccode2`` are the states' COW codes (``dkg:cowCode``), empty when unknown.
    """
    types = " ".join(f"<{D}{t}>" for _, t in DYAD_COUNTS)
    rows = _select(
        store,
        f"""SELECT DISTINCT ?e ?type ?iso1 ?iso2 ?c1 ?c2 ?date WHERE {{
          ?e <{D}relation> ?rel ; a ?type .
          VALUES ?type {{ {types} }}
          ?rel <{D}relationState> ?s1, ?s2 .
          ?s1 <{D}iso3> ?iso1 . ?s2 <{D}iso3> ?iso2 .
          FILTER(STR(?iso1) < STR(?iso2))
          OPTIONAL {{ ?s1 <{D}cowCode> ?c1 }}
          OPTIONAL {{ ?s2 <{D}cowCode> ?c2 }}
          OPTIONAL {{ ?e <{D}date> ?date }}
        }}""",
    )
    column = {t: c for c, t in DYAD_COUNTS}
    codes: dict[str, set[int]] = defaultdict(set)
    dates: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        key = (row["iso1"], row["iso2"], row["e"], row["type"][len(D) :])
        dates[key]  # noqa: B018 - registers the event even without a date
        if "date" in row:
            dates[key].add(row["date"])
        for iso, code in ((row["iso1"], row.get("c1")), (row["iso2"], row.get("c2"))):
            if code is not None:
                codes[iso].add(int(code))
    counts: dict[tuple[str, str, str], dict[str, int]] = {}
    for (iso1, iso2, _event, etype), values in dates.items():
        year = min((_year(d) for d in values), key=lambda y: (y == "", y), default="")
        cell = counts.setdefault((iso1, iso2, year), {c: 0 for c, _ in DYAD_COUNTS})
        cell[column[etype]] += 1
    out = []
    for (iso1, iso2, year), cell in sorted(
        counts.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] == "", kv[0][2])
    ):
        out.append(
            {
                "state1": iso1,
                "state2": iso2,
                "ccode1": min(codes[iso1]) if codes[iso1] else None,
                "ccode2": min(codes[iso2]) if codes[iso2] else None,
                "year": year,
                **cell,
            }
        )
    return out


def dyads_csv(store: Backend) -> str:
    """:func:`dyad_years` as CSV with the header ``state1,state2,ccode1,ccode2,year,...``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DYAD_COLUMNS)
    for row in dyad_years(store):
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


def network_document(store: Backend, fmt: str, view: str = "full") -> bytes:
    """A network view (``full``, ``states``, ``officials``, ``article:ID``...) as GraphML/GEXF.

    The projection is :func:`kg.network.views.view`; list and dict attributes are written as
    JSON strings (GraphML and GEXF hold scalars only), missing values are left out.
    """
    import networkx as nx

    from kg.network.views import NetworkError
    from kg.network.views import view as network_view

    try:
        source = network_view(store, view)  # type: ignore[arg-type]
    except NetworkError as exc:
        raise StoreError(str(exc)) from None
    name = {"graphml": "GraphML", "gexf": "GEXF"}.get(fmt, fmt)
    graph = source.__class__()
    for node, attrs in source.nodes(data=True):
        flat = {k: _flat(v) for k, v in attrs.items() if v is not None}
        _check_xml_attributes(name, str(node), flat)
        graph.add_node(node, **flat)
    if source.is_multigraph():
        for u, v, key, attrs in source.edges(keys=True, data=True):
            flat = {k: _flat(x) for k, x in attrs.items() if x is not None}
            _check_xml_attributes(name, f"{u} -> {v}", {**flat, "key": str(key)})
            graph.add_edge(u, v, key=key, **flat)
    else:
        for u, v, attrs in source.edges(data=True):
            flat = {k: _flat(x) for k, x in attrs.items() if x is not None}
            _check_xml_attributes(name, f"{u} -> {v}", flat)
            graph.add_edge(u, v, **flat)
    out = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, out, named_key_ids=True)
    elif fmt == "gexf":
        nx.write_gexf(graph, out)
    else:
        raise ValueError(f"unknown graph format {fmt!r}")
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
