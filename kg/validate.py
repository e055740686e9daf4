"""SHACL validation of the store against ontology/shapes.ttl, at corpus scale.

``shapes.ttl`` stays the one description of what a valid graph is. Validation splits it:

- Shapes written only with the constraints a SPARQL query expresses directly (targets by
  class, subjects or objects of a predicate, or node; ``sh:nodeKind``, and property shapes on
  a plain predicate with ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``, ``sh:nodeKind``,
  ``sh:minInclusive``; SHACL-SPARQL ``sh:select`` constraints) are compiled to one query each
  and run by the store's own engine. These are the span checks: every evidence span and
  sentence has its offsets, its quote and its article, and ``body[start:end] == quote``.
- Every other shape (``sh:or``, ``sh:not``, ``sh:in``, ``sh:class``, ``sh:pattern``, ...) runs
  in pySHACL over the union of the article graphs, without the triples of nodes that only
  compiled shapes look at (their types are kept, for ``sh:class``).

Each compiled query reports a result per focus node (and per offending value where SHACL
does), with the shape's ``sh:message``, exactly as pySHACL reports it; the tests compare both
on graphs with every kind of violation. pySHACL re-parses each ``sh:select`` once per focus
node, which made the span checks cost minutes on a hundred articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.vocab import ontology_dir

#: Datatypes whose lexical forms the query engine can check by casting.
_CASTABLE = frozenset(
    str(XSD[name]) for name in ("integer", "decimal", "double", "float", "boolean", "date")
)
#: Constraint parameters a compiled property shape may use (besides its path and message).
_PROPERTY_PARAMETERS = frozenset(
    {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH.minInclusive, SH.message}
)
#: Parameters a compiled node shape may use (besides its targets).
_NODE_PARAMETERS = frozenset({SH.nodeKind, SH.property, SH.sparql, SH.message, SH.severity})
_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
_NODE_KIND_TEST: dict[Node, str] = {
    SH.IRI: "isIRI(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNode: "isBlank(?v)",
}


@dataclass(frozen=True, slots=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str


@dataclass(frozen=True, slots=True)
class Check:
    """One compiled constraint: a query whose rows are results (``?this``, message values)."""

    query: str
    message: str
    path: str | None
    severity: str


@dataclass(frozen=True, slots=True)
class Report:
    """What :func:`validate_store` found: the violations and the size of the checked union."""

    violations: list[Violation]
    triples: int


def shapes_graph() -> Graph:
    graph = Graph()
    graph.parse(ontology_dir() / "shapes.ttl", format="turtle")
    return graph


def ontology_graph() -> Graph:
    graph = Graph()
    graph.parse(ontology_dir() / "defense.ttl", format="turtle")
    graph.parse(ontology_dir() / "codes.ttl", format="turtle")
    return graph


# --- compiling shapes to queries ------------------------------------------------------------


def _message(shapes: Graph, shape: Node) -> str | None:
    messages = sorted(str(m) for m in shapes.objects(shape, SH.message))
    return messages[0] if messages else None


def _severity(shapes: Graph, shape: Node) -> str:
    severity = shapes.value(shape, SH.severity)
    return str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"


def _compilable_property(shapes: Graph, prop: Node) -> bool:
    if not isinstance(shapes.value(prop, SH.path), URIRef) or _message(shapes, prop) is None:
        return False
    parameters = {p for p in shapes.predicates(prop, None) if p != RDF.type}
    datatype = shapes.value(prop, SH.datatype)
    if datatype is not None and str(datatype) not in _CASTABLE | {str(XSD.string)}:
        return False
    kind = shapes.value(prop, SH.nodeKind)
    return parameters <= _PROPERTY_PARAMETERS and (kind is None or kind in _NODE_KIND_TEST)


def _compilable(shapes: Graph, shape: Node) -> bool:
    if _message(shapes, shape) is None or shapes.value(shape, SH.deactivated) is not None:
        return False
    parameters = {p for p in shapes.predicates(shape, None) if p not in (RDF.type, *_TARGETS)}
    kind = shapes.value(shape, SH.nodeKind)
    if not parameters <= _NODE_PARAMETERS or (kind is not None and kind not in _NODE_KIND_TEST):
        return False
    if not all(_compilable_property(shapes, p) for p in shapes.objects(shape, SH.property)):
        return False
    for constraint in shapes.objects(shape, SH.sparql):
        if shapes.value(constraint, SH.select) is None or _message(shapes, constraint) is None:
            return False
    return True


def _focus_pattern(shapes: Graph, shape: Node) -> str:
    """A group graph pattern binding ``?this`` to each focus node of ``shape``, once."""
    branches = []
    for cls in sorted(shapes.objects(shape, SH.targetClass), key=str):
        branches.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* <{cls}> .")
    for p in sorted(shapes.objects(shape, SH.targetSubjectsOf), key=str):
        branches.append(f"?this <{p}> ?target_value .")
    for p in sorted(shapes.objects(shape, SH.targetObjectsOf), key=str):
        branches.append(f"?target_subject <{p}> ?this .")
    nodes = sorted(shapes.objects(shape, SH.targetNode), key=str)
    if nodes:
        branches.append("VALUES ?this { " + " ".join(n.n3() for n in nodes) + " }")
    union = " UNION ".join("{ " + b + " }" for b in branches) or "{ FILTER(false) }"
    return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"


def _datatype_test(datatype: str) -> str:
    test = f"(isLiteral(?v) && DATATYPE(?v) = <{datatype}>)"
    if datatype in _CASTABLE:  # an ill-formed lexical form does not conform either
        test += f" && isLiteral(COALESCE(<{datatype}>(STR(?v)), <urn:x-kg:ill-formed>))"
    return test


def _property_checks(shapes: Graph, prop: Node, focus: str, severity: str) -> Iterator[Check]:
    path = shapes.value(prop, SH.path)
    message = _message(shapes, prop) or ""
    values = f"OPTIONAL {{ ?this <{path}> ?v }}"
    count = f"SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} {values} }} GROUP BY ?this"
    minimum = shapes.value(prop, SH.minCount)
    if minimum is not None:
        query = f"SELECT ?this WHERE {{ {{ {count} }} FILTER(?n < {int(str(minimum))}) }}"
        yield Check(query, message, str(path), severity)
    maximum = shapes.value(prop, SH.maxCount)
    if maximum is not None:
        query = f"SELECT ?this WHERE {{ {{ {count} }} FILTER(?n > {int(str(maximum))}) }}"
        yield Check(query, message, str(path), severity)
    per_value = f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this <{path}> ?v . FILTER(!({{}})) }}"
    datatype = shapes.value(prop, SH.datatype)
    if datatype is not None:
        yield Check(per_value.replace("{}", _datatype_test(str(datatype))), message, str(path),
                    severity)  # fmt: skip
    kind = shapes.value(prop, SH.nodeKind)
    if kind is not None:
        yield Check(per_value.replace("{}", _NODE_KIND_TEST[kind]), message, str(path), severity)
    low = shapes.value(prop, SH.minInclusive)
    if isinstance(low, Literal):
        test = f"COALESCE(?v >= {low.n3()}, false)"
        yield Check(per_value.replace("{}", test), message, str(path), severity)


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for owner in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _sparql_check(shapes: Graph, constraint: Node, focus: str, severity: str) -> Check:
    select = str(shapes.value(constraint, SH.select))
    select = re.sub(r"\$this\b", "?this", select)
    select = re.sub(r"(?i)^(\s*SELECT)(?!\s+DISTINCT)", r"\1 DISTINCT", select)
    where = select.index("{")
    head, body = select[:where], select[where:]
    query = f"{_prefixes(shapes, constraint)}\n{head}{{ {focus} {body} }}"
    return Check(query, _message(shapes, constraint) or "", None, severity)


def compile_shapes(shapes: Graph) -> tuple[list[Check], set[Node], list[Node]]:
    """The compiled checks, the shapes they cover, and the focus patterns of the others."""
    checks: list[Check] = []
    compiled: set[Node] = set()
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        if not _compilable(shapes, shape):
            continue
        compiled.add(shape)
        focus = _focus_pattern(shapes, shape)
        severity = _severity(shapes, shape)
        kind = shapes.value(shape, SH.nodeKind)
        if kind is not None:
            test = _NODE_KIND_TEST[kind].replace("?v", "?this")
            checks.append(Check(f"SELECT ?this WHERE {{ {focus} FILTER(!({test})) }}",
                                _message(shapes, shape) or "", None, severity))  # fmt: skip
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            checks.extend(_property_checks(shapes, prop, focus, severity))
        for constraint in sorted(shapes.objects(shape, SH.sparql), key=str):
            checks.append(_sparql_check(shapes, constraint, focus, severity))
    others = sorted(set(shapes.subjects(RDF.type, SH.NodeShape)) - compiled, key=str)
    return checks, compiled, others


def _remaining_shapes(shapes: Graph, compiled: set[Node]) -> Graph:
    """``shapes`` without the node shapes in ``compiled`` (property shapes stay: harmless)."""
    rest = Graph()
    for prefix, namespace in shapes.namespaces():
        rest.bind(prefix, namespace, replace=True)
    for triple in shapes:
        if triple[0] not in compiled:
            rest.add(triple)
    return rest


# --- running -----------------------------------------------------------------------------------


def _text(term: Any) -> str:
    return str(term.value) if term is not None else ""


def _query(store: Any, text: str) -> Any:
    """Run ``text`` on the store's default graph: the union of its named graphs, as a set,
    which every write of kg maintains (naming the article graphs as the dataset instead is
    about ten times slower in Oxigraph, which then scans each graph)."""
    return store.query(text)


def _fill(message: str, values: dict[str, str]) -> str:
    """``message`` with each ``{?var}``/``{$var}`` replaced by the row's value, as pySHACL does."""
    return re.sub(r"\{[?$](\w+)\}", lambda m: values.get(m.group(1), m.group(0)), message)


def _run_check(store: Any, check: Check) -> Iterator[Violation]:
    result = _query(store, check.query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    for row in result:
        values = {name: _text(row[name]) for name in names}
        yield Violation(values["this"], check.path, _fill(check.message, values), check.severity)


def _focus_nodes(store: Any, shapes: Graph, shape_list: Iterable[Node]) -> set[str]:
    found: set[str] = set()
    for shape in shape_list:
        result = _query(store, f"SELECT ?this WHERE {_focus_pattern(shapes, shape)}")
        assert isinstance(result, ox.QuerySolutions)
        found.update(_text(row["this"]) for row in result)
    return found


def validate_graph(data: Graph, shapes: Graph | None = None) -> list[Violation]:
    """Every SHACL violation of ``data`` found by pySHACL (empty when it conforms), sorted."""
    from pyshacl import validate

    _conforms, report, _text_report = validate(
        data,
        shacl_graph=shapes if shapes is not None else shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",  # rdfs inference breaks xsd:gMonthDay in-process (owlrl)
        advanced=True,
        inplace=True,
    )
    assert isinstance(report, Graph)
    violations = []
    for result in report.subjects(SH.resultSeverity, None):
        path = report.value(result, SH.resultPath)
        violations.append(
            Violation(
                focus=str(report.value(result, SH.focusNode)),
                path=str(path) if path is not None else None,
                message=str(report.value(result, SH.resultMessage) or ""),
                severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            )
        )
    return sorted(violations, key=lambda v: (v.focus, v.path or "", v.message))


def validate_store(store: Any) -> Report:
    """Validate the union of the store's article graphs against ``shapes.ttl``.

    Compiled shapes run as queries on the store's default graph (that union, kept by every
    write; the ontology graph adds nothing they look at); pySHACL
    checks the others on an rdflib copy of the union that leaves out the triples of nodes
    only compiled shapes target.
    """
    from kg.export import _graphs, _rdflib_term, refuse_rdf_12

    shapes = shapes_graph()
    checks, compiled, others = compile_shapes(shapes)
    graphs = _graphs(store, None)
    triples = {
        (q.subject, q.predicate, q.object)
        for q in refuse_rdf_12([q for g in graphs for q in store.quads(g)])
    }
    violations = [v for check in checks for v in _run_check(store, check)]
    keep = _focus_nodes(store, shapes, others)
    only_compiled = _focus_nodes(store, shapes, compiled) - keep
    data = Graph(bind_namespaces="core")
    rdf_type = ox.NamedNode(str(RDF.type))
    for s, p, o in triples:
        if p == rdf_type or not isinstance(s, ox.NamedNode) or s.value not in only_compiled:
            data.add((_rdflib_term(s), _rdflib_term(p), _rdflib_term(o)))
    if others:
        violations += validate_graph(data, _remaining_shapes(shapes, compiled))
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return Report(violations, len(triples))


__all__ = ["Check", "Report", "Violation", "compile_shapes", "validate_graph", "validate_store"]
