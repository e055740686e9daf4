"""Exports: RDF serialisations of the store and the two public JSON Lines tables.

``entities`` and ``events`` are a public interface (documented in README): one JSON object a
line, keys in a fixed order, rows sorted by ``id``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef

from kg.mapping import graph_iri
from kg.store import Store
from kg.vocab import DATA, bind_prefixes

D = "https://w3id.org/defense-kg/ontology#"
EVENT_TYPES = ("Meeting", "Visit", "Exercise", "Agreement", "Statement", "Incident")
ENTITY_TYPES = ("State", "Official", "Organization", "Place", "Region")


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


def to_rdflib(store: Store, article: str | None = None) -> Dataset:
    dataset = Dataset()
    bind_prefixes(dataset)
    graph = str(graph_iri(article)) if article else None
    for quad in store.quads(graph):
        g = dataset.graph(URIRef(quad.graph_name.value))
        g.add((_rdflib_term(quad.subject), _rdflib_term(quad.predicate), _rdflib_term(quad.object)))
    return dataset


def union_graph(store: Store, article: str | None = None) -> Graph:
    graph = Graph(bind_namespaces="core")
    bind_prefixes(graph)
    graph_name = str(graph_iri(article)) if article else None
    for quad in store.quads(graph_name):
        graph.add(
            (_rdflib_term(quad.subject), _rdflib_term(quad.predicate), _rdflib_term(quad.object))
        )
    return graph


def turtle(store: Store, article: str | None = None) -> bytes:
    """The union of the article graphs as Turtle (stable bytes: no blank nodes, sorted)."""
    return union_graph(store, article).serialize(format="turtle", encoding="utf-8")


def trig(store: Store, article: str | None = None) -> bytes:
    return to_rdflib(store, article).serialize(format="trig", encoding="utf-8")


# --- tables -------------------------------------------------------------------------------


def _select(store: Store, query: str) -> list[dict[str, str]]:
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
          GRAPH ?g {{ ?e a ?type ; <http://www.w3.org/2000/01/rdf-schema#label> ?name . }}
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
             "aliases": set(), "iso3": None, "state": None, "role": None, "wikidata": None, "articles": set()},
        )  # fmt: skip
        record["articles"].add(_article_id(row["g"]))
    details = {
        "aliases": "<http://www.w3.org/2004/02/skos/core#altLabel>",
        "iso3": f"<{D}iso3>",
        "state": f"<{D}ofState>/<{D}iso3>|<{D}iso3>",
        "role": f"<{D}holdsPost>/<http://www.w3.org/2004/02/skos/core#prefLabel>",
        "wikidata": "<http://www.w3.org/2002/07/owl#sameAs>",
    }
    for field, path in details.items():
        for row in _select(store, f"SELECT DISTINCT ?e ?v WHERE {{ ?e {path} ?v }}"):
            record = records.get(row["e"])
            if record is None:
                continue
            value = row["v"]
            if field == "aliases":
                record["aliases"].add(value)
            elif field == "wikidata":
                record["wikidata"] = value.rsplit("/", 1)[-1]
            elif field == "state" and record["type"] == "State":
                record["state"] = None
            elif record[field] is None or value < record[field]:
                record[field] = value
    out = []
    for iri in sorted(records):
        record = records[iri]
        record["aliases"] = sorted(record["aliases"] - {record["name"]})
        record["articles"] = sorted(record["articles"])
        out.append(record)
    return out


def events(store: Store) -> list[dict[str, Any]]:
    """One record per event, agreement and claim, with evidence offsets into the body."""
    type_values = " ".join(f"<{D}{t}>" for t in (*EVENT_TYPES, "Claim"))
    base = _select(
        store,
        f"""
        SELECT ?e ?type ?label ?g WHERE {{
          GRAPH ?g {{ ?e a ?type ; <http://www.w3.org/2000/01/rdf-schema#label> ?label . }}
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
        f"SELECT ?e ?n WHERE {{ {{ ?e <{D}participant> ?p }} UNION {{ ?e a <{D}Claim> ; <{D}speaker> ?p }} ?p <http://www.w3.org/2000/01/rdf-schema#label> ?n }}",
    ):
        if row["e"] in records:
            records[row["e"]]["participants"].add(row["n"])
    for row in _select(
        store,
        f"SELECT ?e ?n WHERE {{ ?e <{D}location>|<{D}destination> ?p . ?p <http://www.w3.org/2000/01/rdf-schema#label> ?n }}",
    ):
        record = records.get(row["e"])
        if record and record["location"] is None:
            record["location"] = row["n"]
    for row in _select(
        store,
        f"SELECT ?e ?n WHERE {{ ?e <{D}status>/<http://www.w3.org/2004/02/skos/core#notation> ?n }}",
    ):
        if row["e"] in records:
            records[row["e"]]["status"] = row["n"]
    for row in _select(
        store,
        f"SELECT ?e ?n WHERE {{ ?e <{D}plover>/<http://www.w3.org/2004/02/skos/core#notation> ?n }}",
    ):
        if row["e"] in records:
            records[row["e"]]["plover"] = row["n"]
    for row in _select(
        store,
        f"""SELECT ?e ?t ?s ?end WHERE {{ ?e <{D}evidence> ?ev .
        ?ev <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf> ?t ;
            <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#beginIndex> ?s ;
            <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#endIndex> ?end . }}""",
    ):
        if row["e"] in records:
            multi[row["e"]].append(
                {"text": row["t"], "start": int(row["s"]), "end": int(row["end"])}
            )
    out = []
    for iri in sorted(records):
        record = records[iri]
        record["states"] = sorted(record["states"])
        record["participants"] = sorted(record["participants"])
        unique = {(e["start"], e["end"]): e for e in multi[iri]}
        record["evidence"] = [unique[k] for k in sorted(unique)]
        out.append(record)
    return out


def json_lines(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)


__all__ = ["turtle", "trig", "entities", "events", "json_lines", "DATA"]
