"""The registry of event types (kg/data/event_types.tsv) and the modules that read it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.event_types import (
    EVENT_TYPES_FILE,
    HEADER,
    SHAPES,
    EventType,
    EventTypesError,
    event_types,
    load_event_types,
)

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("Meeting", "Visit", "Exercise", "Agreement", "Statement", "Incident")


def test_the_file_parses_with_the_exact_header():
    first = EVENT_TYPES_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert first.split("\t") == [
        "class", "plover", "cameo", "shared", "named", "scored", "min_parties",
        "dyad_column", "dyad_order", "colour", "shape",
    ]  # fmt: skip
    assert tuple(first.split("\t")) == HEADER
    registry = event_types()
    assert registry.names == NAMES
    assert registry.get("Meeting") == EventType(
        name="Meeting",
        plover="CONSULT",
        cameo="040",
        shared=True,
        named=False,
        scored=True,
        min_parties=2,
        dyad_column="meetings",
        dyad_order=1,
        colour="#d62728",
        shape="diamond",
    )
    assert registry.get("Statement").plover is None
    assert registry.get("Statement").dyad_column is None
    assert registry.shared() == frozenset({"Meeting", "Visit", "Exercise"})
    assert registry.named() == ("Exercise", "Agreement")
    assert registry.scored() == ("Meeting", "Visit", "Exercise", "Agreement")
    assert registry.min_parties() == {
        "Meeting": 2, "Visit": 2, "Exercise": 2, "Agreement": 2, "Incident": 1,
    }  # fmt: skip
    assert registry.dyad_counts() == (
        ("meetings", "Meeting"),
        ("visits", "Visit"),
        ("agreements", "Agreement"),
        ("exercises", "Exercise"),
        ("incidents", "Incident"),
    )
    with pytest.raises(KeyError):
        registry.get("Protest")


def test_every_class_is_in_the_ontology_with_the_same_plover_type_and_cameo_code():
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    from kg.vocab import DKG, DKGC

    graph = Graph().parse(ROOT / "ontology" / "defense.ttl")
    codes = Graph().parse(ROOT / "ontology" / "codes.ttl")
    found = {}
    for t in event_types().types:
        cls = DKG[t.name]
        assert (cls, RDF.type, OWL.Class) in graph
        assert (cls, RDFS.subClassOf, DKG.Event) in graph
        plover = graph.value(cls, DKG.ploverType)
        cameo = graph.value(cls, DKG.cameoCode)
        found[t.name] = (
            str(codes.value(plover, SKOS.notation)) if plover else None,
            str(codes.value(cameo, SKOS.notation)),
        )
        assert cameo == DKGC[f"cameo-{t.cameo}"]
    assert found == {t.name: (t.plover, t.cameo) for t in event_types().types}
    assert found["Statement"] == (None, "010")
    # and the ontology has no event class the registry lacks
    subclasses = {str(c).rsplit("#", 1)[1] for c in graph.subjects(RDFS.subClassOf, DKG.Event)}
    assert subclasses == set(NAMES)
    assert isinstance(DKG.Event, URIRef)


def test_the_codes_a_status_sets_and_the_quad_classes_are_referenced_not_repeated():
    from kg.lexicon import read_tsv

    registered = set(event_types().names)
    assert {row["event"] for row in read_tsv("event_codes.tsv")} <= registered
    quads = {row["plover"] for row in read_tsv("plover_quads.tsv")}
    assert {t.plover for t in event_types().types if t.plover} <= quads


def test_every_shape_has_a_glyph_on_the_page():
    from kg.render.page import GLYPHS

    assert set(SHAPES) == set(GLYPHS)


def _copy(tmp_path, old, new):
    text = EVENT_TYPES_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "event_types.tsv"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_misspelt_row_is_one_clear_error(tmp_path):
    path = _copy(tmp_path, "Visit\tCONSULT\t042\tyes", "Visit\tCONSULT\t042\tyse")
    with pytest.raises(
        EventTypesError, match=r"^event_types.tsv:10: shared 'yse' is not yes or no$"
    ):
        load_event_types(path)
    path = _copy(tmp_path, "#9467bd\tsquare", "#9467bd\tsqare")
    with pytest.raises(
        EventTypesError,
        match=r"^event_types.tsv:11: shape 'sqare' is not one of dot, triangle, square, ",
    ):
        load_event_types(path)
    path = _copy(tmp_path, "Agreement\tAGREE", "Agreement\tAGRE")
    with pytest.raises(
        EventTypesError, match=r"^event_types.tsv:12: plover 'AGRE' is not a PLOVER"
    ):
        load_event_types(path)


def test_a_bad_header_a_short_row_and_a_class_given_twice_are_one_line_errors(tmp_path):
    path = _copy(tmp_path, "class\tplover", "type\tplover")
    with pytest.raises(EventTypesError, match=r"^event_types.tsv: the header must be class plover"):
        load_event_types(path)
    path = _copy(tmp_path, "\t#393b79\ttriangleDown", "")
    with pytest.raises(EventTypesError, match=r"^event_types.tsv:14: 9 cells, 11 expected$"):
        load_event_types(path)
    path = _copy(tmp_path, "Incident\tACCUSE", "Meeting\tACCUSE")
    with pytest.raises(
        EventTypesError, match=r"^event_types.tsv: class Meeting given more than once$"
    ):
        load_event_types(path)
    path = _copy(tmp_path, "incidents\t5", "incidents\t")
    with pytest.raises(EventTypesError, match=r"^event_types.tsv:14: dyad_order '' is not a place"):
        load_event_types(path)
    with pytest.raises(
        EventTypesError, match=r"^missing.tsv: cannot be read \(FileNotFoundError\)$"
    ):
        load_event_types(tmp_path / "missing.tsv")


def test_every_type_has_its_extraction_module_and_every_module_a_type():
    import kg.extract  # noqa: F401  (imports every type module)
    from kg.extract.grammar import EXTRACTORS, GrammarError, check_extractors

    assert EXTRACTORS == {name: f"kg.extract.events.{name.lower()}" for name in NAMES}
    check_extractors()
    with pytest.raises(GrammarError, match=r"^event_types.tsv: no extraction module for Protest$"):
        check_extractors(frozenset({*NAMES, "Protest"}))
    with pytest.raises(
        GrammarError,
        match=r"^event_types.tsv lacks the type of kg.extract.events.incident \(Incident\)$",
    ):
        check_extractors(frozenset(NAMES) - {"Incident"})


_CONSUMERS = """
import json, sys
from pathlib import Path
import kg.event_types
kg.event_types.EVENT_TYPES_FILE = Path(sys.argv[1])
import kg.evaluate, kg.export, kg.extract, kg.extract.grammar, kg.mapping, kg.network.views
import kg.render.page, kg.resolve
print(json.dumps({
    "dyad_columns": kg.export.DYAD_COLUMNS[7:],
    "legend": [k for k in kg.render.page.STYLES if k in kg.network.views.EVENT_TYPES],
    "style": kg.render.page.STYLES["Statement"],
    "shared": sorted(kg.resolve.SHARED_EVENT_TYPES),
    "named": sorted(kg.resolve.NAMED_EVENT_TYPES),
    "scored": kg.evaluate.EVENT_TYPES,
    "min_parties": kg.extract.MIN_PARTIES.get("Statement"),
    "classes": list(kg.mapping.EVENT_CLASS),
    "exported": list(kg.export.EVENT_TYPES),
    "triggers": sorted(kg.extract.grammar.EVENT_TYPES),
}))
"""


def _consumers(path):
    done = subprocess.run(
        [sys.executable, "-c", _CONSUMERS, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout)


def test_the_consumers_read_the_registry(tmp_path):
    """Counting statements in the dyad-years, drawing them otherwise and sharing, naming and
    scoring them is one edit of a row: every module that lists event types follows it."""
    before = _consumers(EVENT_TYPES_FILE)
    path = _copy(
        tmp_path,
        "Statement\t\t010\tno\tno\tno\t0\t\t\t#6baed6\ttriangle",
        "Statement\t\t010\tyes\tyes\tyes\t1\tstatements\t6\t#123456\thexagon",
    )
    after = _consumers(path)
    assert before["dyad_columns"] == ["meetings", "visits", "agreements", "exercises", "incidents"]
    assert after["dyad_columns"] == [*before["dyad_columns"], "statements"]
    assert before["legend"] == after["legend"] == list(NAMES)
    assert (before["style"], after["style"]) == (["#6baed6", "triangle"], ["#123456", "hexagon"])
    assert after["shared"] == ["Exercise", "Meeting", "Statement", "Visit"]
    assert after["named"] == ["Agreement", "Exercise", "Statement"]
    assert after["scored"] == ["Meeting", "Visit", "Exercise", "Agreement", "Statement"]
    assert (before["min_parties"], after["min_parties"]) == (None, 1)
    assert before["classes"] == before["exported"] == after["classes"] == list(NAMES)
    assert before["triggers"] == sorted(NAMES)


_CLI = """
import sys
from pathlib import Path
import kg.event_types
kg.event_types.EVENT_TYPES_FILE = Path(sys.argv[1])
from kg.cli import main
sys.argv = ["kg", *sys.argv[2:]]
main()
"""


@pytest.mark.parametrize("command", [["stats"], ["export", "--format", "events"], ["build"]])
def test_a_broken_registry_is_one_line_and_exit_1_in_the_cli(tmp_path, command):
    path = _copy(tmp_path, "Visit\tCONSULT\t042\tyes", "Visit\tCONSULT\t042\tyse")
    done = subprocess.run(
        [sys.executable, "-c", _CLI, str(path), *command, "--store", str(tmp_path / "st")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "Error: event_types.tsv:10: shared 'yse' is not yes or no\n"
    assert not (tmp_path / "st").exists()
