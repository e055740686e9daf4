"""SHACL validation of the built graph against ontology/shapes.ttl (pySHACL)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import SH

from kg.vocab import ontology_dir


@dataclass(frozen=True, slots=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str


def shapes_graph() -> Graph:
    graph = Graph()
    graph.parse(ontology_dir() / "shapes.ttl", format="turtle")
    return graph


def ontology_graph() -> Graph:
    graph = Graph()
    graph.parse(ontology_dir() / "defense.ttl", format="turtle")
    graph.parse(ontology_dir() / "codes.ttl", format="turtle")
    return graph


def validate_graph(data: Graph) -> list[Violation]:
    """Every SHACL violation of ``data`` (empty when the graph conforms), sorted."""
    from pyshacl import validate

    _conforms, report, _text = validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",  # rdfs inference breaks xsd:gMonthDay in-process (owlrl)
        advanced=True,
    )
    assert isinstance(report, Graph)
    violations = []
    for result in report.subjects(SH.resultSeverity, None):
        violations.append(
            Violation(
                focus=str(report.value(result, SH.focusNode)),
                path=str(report.value(result, SH.resultPath))
                if report.value(result, SH.resultPath)
                else None,
                message=str(report.value(result, SH.resultMessage) or ""),
                severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            )
        )
    return sorted(violations, key=lambda v: (v.focus, v.path or "", v.message))
