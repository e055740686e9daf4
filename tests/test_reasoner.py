"""The reasoner form of the export (``kg export --for-reasoner``): HermiT, through owlready2,
accepts the seed's export, finds it consistent and infers exactly the expected memberships;
the plain ``--with-ontology`` export keeps the data as stored, which HermiT refuses."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import SEED_ID

from kg.backends import opened
from kg.cli import main
from kg.export import rdf_export, rdf_quads
from kg.reasoner import DATE_PROPERTIES, OWL2_DATATYPES
from kg.store import ONTOLOGY_GRAPH

CHILD = Path(__file__).with_name("hermit_child.py")
HERMIT_TIMEOUT = 300  # seconds for one HermiT run (a few seconds on the seed)
D = "https://w3id.org/defense-kg/ontology#"
ID = "https://w3id.org/defense-kg/id/"
EVENT = f"{ID}article/{SEED_ID}/event/"
WD = "http://www.wikidata.org/entity/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def _require_reasoner() -> None:
    """Java and owlready2: skipped locally when missing, a failure in CI."""
    missing = [name for name in ("java",) if shutil.which(name) is None]
    try:
        import owlready2  # noqa: F401
    except ImportError:
        missing.append("owlready2")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} required in CI (make test-deps)")
        pytest.skip(f"{', '.join(missing)} not installed (make test-deps)")


def _hermit(path: Path) -> dict[str, object]:
    """What ``hermit_child.py`` reports for ``path``; the child and its Java are killed after
    :data:`HERMIT_TIMEOUT` seconds."""
    _require_reasoner()
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = child.communicate(timeout=HERMIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail(f"HermiT did not finish in {HERMIT_TIMEOUT} s")
    assert child.returncode == 0, err
    result: dict[str, object] = json.loads(out)
    return result


def _export(store_path: Path, tmp_path: Path, name: str, *options: str) -> Path:
    """``kg export --format ntriples OPTIONS... -o tmp_path/name`` (a later --format wins)."""
    path = tmp_path / name
    args = ["export", "--store", str(store_path), "--format", "ntriples", *options, "-o", str(path)]
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.output) == (0, "")
    return path


# --- what the reasoner form holds (no Java) -----------------------------------------------------


@pytest.fixture(scope="module")
def forms(seed_store_path: Path) -> tuple[list[ox.Quad], list[ox.Quad]]:
    with opened(seed_store_path, read_only=True) as store:
        plain = rdf_quads(store, with_ontology=True)
        reasoner = rdf_quads(store, for_reasoner=True)
    return plain, reasoner


def _triples(quads: list[ox.Quad], graph: str | None = None) -> set[ox.Triple]:
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in quads
        if graph is None or getattr(q.graph_name, "value", None) == graph
    }


def test_reasoner_form_keeps_every_data_triple_and_adds_only_the_date_parts(
    forms: tuple[list[ox.Quad], list[ox.Quad]],
) -> None:
    plain, reasoner = forms
    plain_data = _triples([q for q in plain if q.graph_name != ox.NamedNode(ONTOLOGY_GRAPH)])
    reasoner_data = _triples([q for q in reasoner if q.graph_name != ox.NamedNode(ONTOLOGY_GRAPH)])
    assert plain_data <= reasoner_data
    added = sorted(
        (t.subject.value.removeprefix(EVENT), t.predicate.value.removeprefix(D), t.object.value)
        for t in reasoner_data - plain_data
    )
    assert all(t.object.datatype.value == XSD + "integer" for t in reasoner_data - plain_data)
    # "--01-30" (no year written: none is added) and "2018" (a year only)
    assert added == [
        ("agreement-125", "dateDay", "30"),
        ("agreement-125", "dateMonth", "1"),
        ("agreement-1301", "dateDay", "30"),
        ("agreement-1301", "dateMonth", "1"),
        ("agreement-1579", "dateDay", "30"),
        ("agreement-1579", "dateMonth", "1"),
        ("agreement-934", "dateDay", "30"),
        ("agreement-934", "dateMonth", "1"),
        ("incident-2352", "dateYear", "2018"),
        ("meeting-92", "dateDay", "30"),
        ("meeting-92", "dateMonth", "1"),
    ]


def test_reasoner_form_declares_the_date_properties_as_annotation_properties(
    forms: tuple[list[ox.Quad], list[ox.Quad]],
) -> None:
    plain, reasoner = forms
    onto = _triples(reasoner, ONTOLOGY_GRAPH)
    removed = sorted(
        (t.subject.value.removeprefix(D), t.predicate.value.rsplit("#", 1)[-1], t.object.value)
        for t in _triples(plain, ONTOLOGY_GRAPH) - onto
    )
    assert removed == [
        ("date", "subPropertyOf", "http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp"),
        ("date", "type", OWL + "DatatypeProperty"),
        ("endDate", "subPropertyOf", "http://semanticweb.cs.vu.nl/2009/11/sem/hasEndTimeStamp"),
        ("endDate", "type", OWL + "DatatypeProperty"),
        ("haltedSince", "subPropertyOf", "http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp"),
        ("haltedSince", "type", OWL + "DatatypeProperty"),
        ("lastHeld", "subPropertyOf", "http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp"),
        ("lastHeld", "type", OWL + "DatatypeProperty"),
        ("published", "subPropertyOf", "https://schema.org/datePublished"),
        ("published", "type", OWL + "DatatypeProperty"),
    ]
    added = {t for t in onto - _triples(plain, ONTOLOGY_GRAPH)}
    annotation = ox.NamedNode(OWL + "AnnotationProperty")
    assert added == {ox.Triple(p, ox.NamedNode(RDF_TYPE), annotation) for p in DATE_PROPERTIES}


def test_every_data_property_value_of_the_reasoner_form_is_in_the_owl2_datatype_map(
    forms: tuple[list[ox.Quad], list[ox.Quad]],
) -> None:
    plain, reasoner = forms

    def outside(quads: list[ox.Quad]) -> set[str]:
        data_properties = {
            q.subject
            for q in quads
            if q.predicate.value == RDF_TYPE and q.object == ox.NamedNode(OWL + "DatatypeProperty")
        }
        return {
            f"{q.predicate.value} {q.object.datatype.value}"
            for q in quads
            if q.predicate in data_properties
            and isinstance(q.object, ox.Literal)
            and q.object.datatype.value not in OWL2_DATATYPES
        }

    assert outside(reasoner) == set()
    assert outside(plain) == {f"{D}date {XSD}gMonthDay", f"{D}date {XSD}gYear",
                              f"{D}haltedSince {XSD}gYear", f"{D}lastHeld {XSD}gYear"}  # fmt: skip


# --- HermiT ------------------------------------------------------------------------------------


@pytest.mark.external
@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["ntriples", "rdfxml"])
def test_hermit_reasons_over_the_reasoner_export(
    seed_store_path: Path, tmp_path: Path, fmt: str
) -> None:
    result = _hermit(
        _export(seed_store_path, tmp_path, "seed.owl", "--format", fmt, "--for-reasoner")
    )
    probes = result["probes"]
    before = result["probes_before"]
    assert isinstance(probes, dict) and isinstance(before, dict)
    assert (result["consistent"], result["unsatisfiable"]) == (True, [])
    # owl:sameAs: each Wikidata IRI is the same individual as a state or region of the graph
    assert result["added"] == {
        f"{WD}{q}": [f"{D}State"] for q in ("Q148", "Q17", "Q30", "Q423", "Q884")
    } | {f"{WD}Q48": [f"{D}Region"]}
    assert probes["person"] == [f"{ID}person/nobuo-kishi", f"{ID}person/suh-wook"]
    states = [f"{ID}state/{s}" for s in ("CHN", "JPN", "KOR", "PRK", "USA")]
    agents = set(probes["agent"])
    assert agents >= {f"{ID}person/nobuo-kishi", f"{ID}person/suh-wook", *states}
    assert agents - set(before["agent"]) == {
        f"{WD}{q}" for q in ("Q148", "Q17", "Q30", "Q423", "Q884")
    }
    # classes defined on the integer date parts, which only the reasoner can fill
    assert (before["dated-2018"], before["on-01-30"]) == ([], [])
    assert probes["dated-2018"] == [f"{EVENT}incident-2352"]
    assert probes["on-01-30"] == [
        f"{EVENT}{e}"
        for e in ("agreement-125", "agreement-1301", "agreement-1579", "agreement-934",
                  "meeting-92")
    ]  # fmt: skip


@pytest.mark.external
@pytest.mark.slow
def test_hermit_refuses_the_typed_dates_of_the_plain_export(
    seed_store_path: Path, tmp_path: Path
) -> None:
    result = _hermit(_export(seed_store_path, tmp_path, "plain.nt", "--with-ontology"))
    error = result["error"]
    assert isinstance(error, str)
    assert "UnsupportedDatatypeException" in error
    assert f"The datatype '{XSD}gMonthDay' is not part of the OWL 2 datatype map" in error


@pytest.mark.external
@pytest.mark.slow
def test_hermit_finds_a_negative_offset_inconsistent_with_nif(
    seed_store_path: Path, tmp_path: Path
) -> None:
    """NIF's range of the offsets (xsd:nonNegativeInteger), restated in defense.ttl, holds."""
    path = _export(seed_store_path, tmp_path, "broken.nt", "--for-reasoner")
    span = f"{ID}article/{SEED_ID}/evidence/0-119"  # the first sentence's span
    nif = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f'<{span}> <{nif}beginIndex> "-1"^^<{XSD}integer> .\n')
    assert _hermit(path) == {"consistent": False}


def test_inferred_export_quotes_each_span_from_its_article_and_derives_nothing(
    seed_store_path: Path,
) -> None:
    with opened(seed_store_path, read_only=True) as store:
        quads = rdf_quads(store, inferred=True)
    prov = "http://www.w3.org/ns/prov#"
    in_article = {(q.subject, q.object) for q in quads if q.predicate.value == D + "inArticle"}
    quoted = {(q.subject, q.object) for q in quads if q.predicate.value == prov + "wasQuotedFrom"}
    assert quoted == in_article
    assert len(quoted) == 113  # every evidence span and sentence of the seed
    assert not [q for q in quads if q.predicate.value == prov + "wasDerivedFrom"]


def test_a_loaded_property_outside_the_map_becomes_an_annotation_with_its_sub_properties() -> None:
    from kg.reasoner import owl_dl_form

    def iri(name: str) -> ox.NamedNode:
        return ox.NamedNode(f"http://example.org/{name}")

    rdf_type, sub = ox.NamedNode(RDF_TYPE), ox.NamedNode(RDFS + "subPropertyOf")
    data_property = ox.NamedNode(OWL + "DatatypeProperty")
    onto_graph = ox.NamedNode(ONTOLOGY_GRAPH)
    took = ox.Literal("PT2H", datatype=ox.NamedNode(XSD + "duration"))
    data = [ox.Quad(iri("talks"), iri("took"), took, iri("g"))]
    ontology = [
        ox.Quad(iri("took"), rdf_type, data_property, onto_graph),
        ox.Quad(iri("took"), sub, iri("lasted"), onto_graph),  # lasted: a data property
        ox.Quad(iri("lasted"), rdf_type, data_property, onto_graph),
        ox.Quad(iri("tookAbout"), sub, iri("took"), onto_graph),  # a data sub-property of took
        ox.Quad(iri("tookAbout"), rdf_type, data_property, onto_graph),
    ]
    new_data, new_ontology = owl_dl_form(data, ontology)
    assert new_data == data
    annotation = ox.NamedNode(OWL + "AnnotationProperty")
    assert set(new_ontology) == {
        ox.Quad(iri("lasted"), rdf_type, data_property, onto_graph),
        ox.Quad(iri("tookAbout"), rdf_type, data_property, onto_graph),
        ox.Quad(iri("took"), rdf_type, annotation, onto_graph),
        *(ox.Quad(p, rdf_type, annotation, onto_graph) for p in DATE_PROPERTIES),
    }


def test_for_reasoner_is_the_api_form_and_applies_to_rdf_only(
    seed_store_path: Path, tmp_path: Path
) -> None:
    path = _export(seed_store_path, tmp_path, "r.ttl", "--format", "turtle", "--for-reasoner")
    with opened(seed_store_path, read_only=True) as store:
        assert path.read_bytes() == rdf_export(store, "turtle", for_reasoner=True)
        assert path.read_bytes() != rdf_export(store, "turtle", with_ontology=True)
    args = ["export", "--store", str(seed_store_path), "--format", "events", "--for-reasoner"]
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: --with-ontology, --for-reasoner and --inferred apply to RDF formats, not events\n"
    )
