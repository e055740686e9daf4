"""The tables and graph files in the conventions of political-science data and Gephi.

Dyad-years as COW/peacesciencer write them (``ccode1 < ccode2``, directed, full panel, GW codes,
integer years), events rows with what ICEWS/POLECAT users look for, GEXF with the page's
colours, sizes and positions, timeline spells and stable bytes. Read back with the csv module
and networkx only.
"""

# ruff: noqa: E501 (RDF test data reads best one statement a line)

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg import export as ex
from kg.backends import opened
from kg.cli import main
from kg.render.page import to_pyvis

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/defense-kg/id/"
HEADER = [
    "state1", "state2", "ccode1", "ccode2", "gwcode1", "gwcode2", "year",
    "meetings", "visits", "agreements", "exercises", "incidents",
]  # fmt: skip

DATA = f"""@prefix dkg: <https://w3id.org/defense-kg/ontology#> .
@prefix dkgc: <https://w3id.org/defense-kg/code/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
<{ID}state/DEU> a dkg:State ; rdfs:label "Germany" ; dkg:iso3 "DEU" ; dkg:cowCode 255 .
<{ID}state/POL> a dkg:State ; rdfs:label "Poland" ; dkg:iso3 "POL" ; dkg:cowCode 290 .
<{ID}state/USA> a dkg:State ; rdfs:label "United States" ; dkg:iso3 "USA" ; dkg:cowCode 2 .
<{ID}state/PSE> a dkg:State ; rdfs:label "Palestine" ; dkg:iso3 "PSE" .
<{ID}relation/DEU-POL> a dkg:BilateralRelation ; rdfs:label "Germany – Poland" ; dkg:relationState <{ID}state/DEU>, <{ID}state/POL> .
<{ID}relation/POL-USA> a dkg:BilateralRelation ; rdfs:label "Poland – United States" ; dkg:relationState <{ID}state/POL>, <{ID}state/USA> .
<{ID}relation/PSE-USA> a dkg:BilateralRelation ; rdfs:label "Palestine – United States" ; dkg:relationState <{ID}state/PSE>, <{ID}state/USA> .
<{ID}place/warsaw> a dkg:Place ; rdfs:label "Warsaw" ; dkg:ofState <{ID}state/POL> .
<{ID}place/base> a dkg:Place ; rdfs:label "an air base near Warsaw" ; dkg:locatedIn <{ID}place/warsaw> .
dkgc:plover-CONSULT skos:notation "CONSULT" .
dkgc:plover-AGREE skos:notation "AGREE" .
dkgc:plover-COOPERATE skos:notation "COOPERATE" .
dkgc:plover-ACCUSE skos:notation "ACCUSE" .
dkgc:cameo-042 skos:notation "042" .
dkgc:cameo-057 skos:notation "057" .
<{ID}e/1> a dkg:Meeting ; rdfs:label "Meeting 1" ; dkg:date "2021-01-30"^^xsd:date ; dkg:relation <{ID}relation/DEU-POL> ; dkg:party <{ID}state/DEU>, <{ID}state/POL> ; dkg:plover dkgc:plover-CONSULT .
<{ID}e/2> a dkg:Visit ; rdfs:label "Visit 2" ; dkg:date "2021-03"^^xsd:gYearMonth ; dkg:relation <{ID}relation/DEU-POL> ; dkg:party <{ID}state/DEU>, <{ID}state/POL> ; dkg:destination <{ID}place/warsaw> ; dkg:plover dkgc:plover-CONSULT ; dkg:cameo dkgc:cameo-042 .
<{ID}e/3> a dkg:Agreement ; rdfs:label "Agreement 3" ; dkg:relation <{ID}relation/DEU-POL> ; dkg:party <{ID}state/DEU>, <{ID}state/POL> ; dkg:plover dkgc:plover-AGREE ; dkg:cameo dkgc:cameo-057 ; dkg:attribution <{ID}e/3/a1>, <{ID}e/3/a2> .
<{ID}e/3/a1> dkg:basisRule "name" ; dkg:attributedState <{ID}state/POL> ; dkg:evidence <{ID}span/1> .
<{ID}e/3/a2> dkg:basisRule "name" ; dkg:attributedState <{ID}state/DEU> ; dkg:evidence <{ID}span/2> .
<{ID}span/1> nif:beginIndex 10 ; nif:endIndex 16 ; nif:anchorOf "Poland" .
<{ID}span/2> nif:beginIndex 27 ; nif:endIndex 34 ; nif:anchorOf "Germany" .
<{ID}e/4> a dkg:Exercise ; rdfs:label "Exercise 4" ; dkg:date "2020"^^xsd:gYear ; dkg:relation <{ID}relation/POL-USA> ; dkg:party <{ID}state/POL>, <{ID}state/USA> ; dkg:plover dkgc:plover-COOPERATE .
<{ID}e/5> a dkg:Incident ; rdfs:label "Incident 5" ; dkg:date "--05-01"^^xsd:gMonthDay ; dkg:relation <{ID}relation/POL-USA> ; dkg:party <{ID}state/POL>, <{ID}state/USA> ; dkg:plover dkgc:plover-ACCUSE .
<{ID}e/6> a dkg:Meeting ; rdfs:label "Meeting 6" ; dkg:date "2020-06-01"^^xsd:date ; dkg:relation <{ID}relation/POL-USA> ; dkg:party <{ID}state/POL>, <{ID}state/USA> .
<{ID}e/7> a dkg:Statement ; rdfs:label "Statement 7" ; dkg:date "2020-06-01"^^xsd:date ; dkg:relation <{ID}relation/POL-USA> .
<{ID}e/8> a dkg:Meeting ; rdfs:label "Meeting 8" ; dkg:date "2022"^^xsd:gYear ; dkg:relation <{ID}relation/PSE-USA> ; dkg:party <{ID}state/PSE>, <{ID}state/USA> .
<{ID}e/9> a dkg:Visit ; rdfs:label "Visit 9" ; dkg:date "2021-03-02"^^xsd:date ; dkg:endDate "2021-03-04"^^xsd:date ; dkg:relation <{ID}relation/DEU-POL> ; dkg:party <{ID}state/DEU>, <{ID}state/POL> ; dkg:destination <{ID}place/base> .
<{ID}e/10> a dkg:Agreement ; rdfs:label "Agreement 10" ; dkg:relation <{ID}relation/DEU-POL> ; dkg:party <{ID}state/DEU>, <{ID}state/POL> ; dkg:attribution <{ID}e/10/a1>, <{ID}e/10/a2> .
<{ID}e/10/a1> a dkg:InferredAttribution ; dkg:basisRule "context" ; dkg:attributedState <{ID}state/POL> .
<{ID}e/10/a2> dkg:basisRule "name" ; dkg:attributedState <{ID}state/DEU> ; dkg:evidence <{ID}span/2> .
<{ID}e/11> a dkg:Visit ; rdfs:label "Visit 11" ; dkg:relation <{ID}relation/DEU-POL> ; dkg:party <{ID}state/DEU>, <{ID}state/POL> .
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tables")
    data = folder / "tables.ttl"
    data.write_text(DATA, encoding="utf-8")
    path = folder / "store"
    result = CliRunner().invoke(main, ["load", str(data), "--store", str(path)])
    assert result.exit_code == 0, result.stderr
    return path


def run(store: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["export", "--store", str(store), *args])
    return result.exit_code, result.stdout, result.stderr


def table(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    return rows[1:]


# --- dyad-years -------------------------------------------------------------------------------


def test_dyads_are_non_directed_in_cow_order_with_gw_codes_and_integer_years(store: Path) -> None:
    code, out, err = run(store, "--format", "dyads")
    assert code == 0
    rows = table(out)
    assert rows == [
        ["USA", "POL", "2", "290", "2", "290", "2020", "1", "0", "0", "1", "0"],
        ["USA", "PSE", "2", "", "2", "", "2022", "1", "0", "0", "0", "0"],
        ["DEU", "POL", "255", "290", "260", "290", "2021", "1", "2", "0", "0", "0"],
    ]
    # every year is an integer (no empty-year row): the undated events are counted on stderr
    assert [int(r[6]) for r in rows] == [2020, 2022, 2021]
    assert all(int(r[2]) < int(r[3]) for r in rows if r[2] and r[3])
    assert err == "not in the dyad-years: 4 event(s) without a year\n"


def test_directed_dyads_hold_both_orders_with_the_same_counts(store: Path) -> None:
    code, out, _ = run(store, "--format", "dyads", "--directed")
    assert code == 0
    assert [r[:7] + [r[7], r[8], r[10]] for r in table(out)] == [
        ["USA", "POL", "2", "290", "2", "290", "2020", "1", "0", "1"],
        ["USA", "PSE", "2", "", "2", "", "2022", "1", "0", "0"],
        ["DEU", "POL", "255", "290", "260", "290", "2021", "1", "2", "0"],
        ["POL", "USA", "290", "2", "290", "2", "2020", "1", "0", "1"],
        ["POL", "DEU", "290", "255", "290", "260", "2021", "1", "2", "0"],
        ["PSE", "USA", "", "2", "", "2", "2022", "1", "0", "0"],
    ]


def test_a_panel_has_every_dyad_year_of_the_states_present(store: Path) -> None:
    code, out, err = run(store, "--format", "dyads", "--panel", "2020-2021")
    assert code == 0
    rows = table(out)
    assert [(r[0], r[1], int(r[6])) for r in rows] == [
        (a, b, year)
        for a, b in [
            ("USA", "DEU"),
            ("USA", "POL"),
            ("USA", "PSE"),
            ("DEU", "POL"),
            ("DEU", "PSE"),
            ("POL", "PSE"),
        ]  # fmt: skip
        for year in (2020, 2021)
    ]
    counts = {(r[0], r[1], r[6]): [int(x) for x in r[7:]] for r in rows}
    assert counts[("USA", "POL", "2020")] == [1, 0, 0, 1, 0]
    assert counts[("DEU", "POL", "2021")] == [1, 2, 0, 0, 0]
    assert sum(1 for c in counts.values() if c == [0, 0, 0, 0, 0]) == 10
    assert err == (
        "not in the dyad-years: 4 event(s) without a year and 1 event(s) dated outside the "
        "panel's years\n"
    )
    code, out, _ = run(store, "--format", "dyads", "--panel", "2020-2021", "--directed")
    assert code == 0
    assert len(table(out)) == 24


@pytest.mark.parametrize(
    ("panel", "message"),
    [
        ("2024-2015", "--panel 2024-2015: FROM is after TO (give FROM-TO, e.g. 2015-2024)"),
        ("2020", "--panel 2020: give two years FROM-TO, e.g. 2015-2024"),
    ],
)
def test_a_bad_panel_is_a_one_line_usage_error(store: Path, panel: str, message: str) -> None:
    code, out, err = run(store, "--format", "dyads", "--panel", panel)
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-1].endswith(message)


def test_panel_and_directed_apply_to_dyads_only(store: Path) -> None:
    code, _, err = run(store, "--format", "events", "--directed")
    assert code == 2
    assert "--directed and --panel apply to dyads, not events" in err


def test_a_panel_too_large_is_refused(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ex, "PANEL_ROW_LIMIT", 11)
    with opened(store, read_only=True) as s:
        assert len(list(ex.dyad_years(s, panel=(2020, 2020)).rows())) == 6
        with pytest.raises(ex.ExportError, match=r"^--panel 2020-2021 over 4 states is 12 rows"):
            ex.dyad_years(s, panel=(2020, 2021))


# --- events -----------------------------------------------------------------------------------


def test_events_have_direction_codes_quad_class_and_date_precision(store: Path) -> None:
    code, out, _ = run(store, "--format", "events")
    assert code == 0
    rows = {r["label"]: r for r in map(json.loads, out.splitlines())}
    wanted = ("date", "date_precision", "date_start", "date_end", "states", "source", "target",
              "plover", "quad_class", "cameo")  # fmt: skip
    got = {label: tuple(r[k] for k in wanted) for label, r in rows.items()}
    # fmt: off
    assert got == {
        "Meeting 1": ("2021-01-30", "day", "2021-01-30", None, ["DEU", "POL"], None, None, "CONSULT", "verbal cooperation", None),
        # visitor -> host: the destination is (in) Poland
        "Visit 2": ("2021-03", "month", "2021-03", None, ["DEU", "POL"], "DEU", "POL", "CONSULT", "verbal cooperation", "042"),
        # signatories in the order the text names them (Poland at 10, Germany at 27)
        "Agreement 3": (None, "none", None, None, ["DEU", "POL"], "POL", "DEU", "AGREE", "verbal cooperation", "057"),
        "Exercise 4": ("2020", "year", "2020", None, ["POL", "USA"], None, None, "COOPERATE", "material cooperation", None),
        "Incident 5": ("--05-01", "month-day", "--05-01", None, ["POL", "USA"], None, None, "ACCUSE", "verbal conflict", None),
        "Meeting 6": ("2020-06-01", "day", "2020-06-01", None, ["POL", "USA"], None, None, None, None, None),
        "Statement 7": ("2020-06-01", "day", "2020-06-01", None, [], None, None, None, None, None),
        "Meeting 8": ("2022", "year", "2022", None, ["PSE", "USA"], None, None, None, None, None),
        # a range; the base lies in Warsaw, which is in Poland
        "Visit 9": ("2021-03-02", "day", "2021-03-02", "2021-03-04", ["DEU", "POL"], "DEU", "POL", None, None, None),
        # one party only inferred: no order as written
        "Agreement 10": (None, "none", None, None, ["DEU", "POL"], None, None, None, None, None),
        # no destination: no host, no direction
        "Visit 11": (None, "none", None, None, ["DEU", "POL"], None, None, None, None, None),
    }
    # fmt: on
    # the order of the keys: tests/test_export.py::test_entity_and_event_tables_keep_their_public_fields


def test_events_of_an_extracted_article_are_directed_as_written(seed_store) -> None:
    rows = {r["label"]: r for r in ex.events(seed_store)}
    directions = {
        label: (r["source"], r["target"])
        for label, r in rows.items()
        if r["type"] in ("Visit", "Agreement")
    }
    assert directions["Visit by Nobuo Kishi to South Korea"] == ("JPN", "KOR")
    assert directions[
        "Visit by Suh Wook to Japan Maritime Self-Defense Force base in Yokosuka"
    ] == ("KOR", "JPN")
    # "... between the South Korean military and the Japanese Self-Defense Forces"
    assert directions[
        "activate personnel and unit exchanges to enhance mutual understanding and trust "
        "between the South Korean military and the Japanese Self-Defense Forces"
    ] == ("KOR", "JPN")


# --- GEXF and GraphML -------------------------------------------------------------------------

GEXF = "{http://www.gexf.net/1.2draft}"
VIZ = "{http://www.gexf.net/1.2draft/viz}"
SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def test_gexf_is_byte_stable_without_a_modification_date(store: Path) -> None:
    first = run(store, "--format", "gexf")[1].encode()
    again = subprocess.run(
        [sys.executable, "-m", "kg", "export", "--store", str(store), "--format", "gexf"],
        capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    assert first == again
    assert b"lastmodifieddate" not in first
    meta = ET.fromstring(first).find(f"{GEXF}meta")
    assert meta is not None and meta.attrib == {}


def test_gexf_nodes_have_the_page_colour_size_and_position(store: Path) -> None:
    data = run(store, "--format", "gexf", "--view", "states")[1].encode()
    graph = nx.read_gexf(io.BytesIO(data))
    with opened(store, read_only=True) as s:
        from kg.network.views import view

        page = {n["id"]: n for n in to_pyvis(view(s, "states")).nodes}
    assert sorted(graph) == sorted(page) == [f"{ID}state/{c}" for c in ("DEU", "POL", "PSE", "USA")]
    for node, attrs in graph.nodes(data=True):
        viz = attrs["viz"]
        assert viz["color"] == {"r": 31, "g": 119, "b": 180, "a": 1.0}  # the page's State blue
        assert viz["size"] == page[node]["size"]
        assert (viz["position"]["x"], viz["position"]["y"]) == (page[node]["x"], -page[node]["y"])
    full = nx.read_gexf(io.BytesIO(run(store, "--format", "gexf")[1].encode()))
    colours = {a["type"]: (a["viz"]["color"]["r"], a["viz"]["color"]["g"], a["viz"]["color"]["b"])
               for _, a in full.nodes(data=True)}  # fmt: skip
    assert colours == {
        "State": (31, 119, 180), "Place": (140, 86, 75), "Meeting": (214, 39, 40),
        "Visit": (227, 119, 194), "Agreement": (188, 189, 34), "Exercise": (148, 103, 189),
        "Incident": (57, 59, 121), "Statement": (107, 174, 214), "BilateralRelation": (23, 190, 207),
    }  # fmt: skip


def test_gexf_dates_are_spells_on_gephis_timeline(store: Path) -> None:
    full_bytes = run(store, "--format", "gexf")[1].encode()
    root = ET.fromstring(full_bytes).find(f"{GEXF}graph")
    assert root is not None
    assert (root.get("mode"), root.get("timeformat")) == ("dynamic", "date")
    full = nx.read_gexf(io.BytesIO(full_bytes))
    spells = {a["label"]: a.get("spells") for _, a in full.nodes(data=True) if a["type"] != "State"}
    assert spells == {
        "Meeting 1": [("2021-01-30", "2021-01-30")],
        "Visit 2": [("2021-03-01", "2021-03-31")],
        "Agreement 3": None,
        "Exercise 4": [("2020-01-01", "2020-12-31")],
        "Incident 5": None,  # a month and day without a year is on no timeline
        "Meeting 6": [("2020-06-01", "2020-06-01")],
        "Statement 7": [("2020-06-01", "2020-06-01")],
        "Meeting 8": [("2022-01-01", "2022-12-31")],
        "Visit 9": [("2021-03-02", "2021-03-04")],
        "Agreement 10": None,
        "Visit 11": None,
        "Warsaw": None,
        "an air base near Warsaw": None,
        "Germany – Poland": None,
        "Poland – United States": None,
        "Palestine – United States": None,
    }
    states = nx.read_gexf(
        io.BytesIO(run(store, "--format", "gexf", "--view", "states")[1].encode())
    )
    dyad = states.edges[f"{ID}state/DEU", f"{ID}state/POL"]
    # Visit 9 lies inside Visit 2's month: the spells of an edge are merged
    assert dyad["spells"] == [("2021-01-30", "2021-01-30"), ("2021-03-01", "2021-03-31")]


@pytest.mark.parametrize("view", ["full", "states", "officials"])
def test_graph_attribute_names_are_snake_case(seed_store_path: Path, view: str) -> None:
    for fmt, ns in (("graphml", "{http://graphml.graphdrawing.org/xmlns}"), ("gexf", GEXF)):
        code, out, _ = run(seed_store_path, "--format", fmt, "--view", view)
        assert code == 0
        root = ET.fromstring(out.encode())
        if fmt == "graphml":
            names = {k.get("attr.name") for k in root.iter(f"{ns}key")}
        else:
            names = {a.get("title") for a in root.iter(f"{ns}attribute")}
        bad = sorted(n for n in names if not (n and SNAKE.fullmatch(n)))
        assert bad == []
    if view == "full":
        assert {"cooperation_area", "exercise_domain", "claim_kind", "date_text"} <= names
