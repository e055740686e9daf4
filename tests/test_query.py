"""kg query / kg update: safety, formats, parameters, ASK/CONSTRUCT, errors, time limits."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.backends import opened
from kg.cli import main
from kg.format import aligned_table
from kg.query import QueryError, Table, bind_with_values, check_query_safety, named_queries

ID = "https://w3id.org/defense-kg/id/"
MINI = f"""@prefix dkg: <https://w3id.org/defense-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ID}state/JPN> a dkg:State ; rdfs:label "Japan"@en ; dkg:iso3 "JPN" ; dkg:cowCode 740 .
<{ID}state/KOR> a dkg:State ; rdfs:label "South Korea" ; dkg:iso3 "KOR" ; dkg:cowCode 732 .
<{ID}event/m1> a dkg:Meeting ; rdfs:label "Talks" ; dkg:date "2021-01-30"^^xsd:date ;
    dkg:party <{ID}state/JPN>, <{ID}state/KOR> .
"""
STATES = (
    "SELECT ?s ?label ?code WHERE { ?s dkg:iso3 ?iso ; rdfs:label ?label ; dkg:cowCode ?code } "
    "ORDER BY ?iso"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def everything(store: Path) -> set[ox.Quad]:
    with opened(store, read_only=True) as s:
        return set(s.inner.quads_for_pattern(None, None, None, None))


@pytest.fixture()
def mini(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    data = tmp_path / "mini.ttl"
    data.write_text(MINI, encoding="utf-8")
    assert run("load", str(data), "--store", str(store))[0] == 0
    return store


# --- safety -----------------------------------------------------------------------------------

REFUSED = [
    ("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("select * { service <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * {\n\tSeRvIcE\n\tSILENT <http://x.example/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * { # note\nSERVICE<http://x.example/>{ ?s ?p ?o } }", "SERVICE"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("load silent <http://example.org/x> into graph <https://w3id.org/defense-kg/graph/x>", "LOAD"),
]
REFUSED_GRAPHS = [
    ("SELECT * FROM <http://example.org/g> { ?s ?p ?o }", "FROM <http://example.org/g>"),
    (
        "SELECT * from\n  named <http://example.org/g> { GRAPH ?g { ?s ?p ?o } }",
        "FROM NAMED <http://example.org/g>",
    ),
    ("SELECT * FROM<http://example.org/g>{ ?s ?p ?o }", "FROM <http://example.org/g>"),
    (
        "PREFIX ex: <http://example.org/>\nSELECT * FROM ex:g { ?s ?p ?o }",
        "FROM <http://example.org/g>",
    ),
    ("SELECT * { GRAPH <http://example.org/g> { ?s ?p ?o } }", "GRAPH <http://example.org/g>"),
    ("SELECT * { graph\t<http://example.org/g> { ?s ?p ?o } }", "GRAPH <http://example.org/g>"),
    (
        "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "WITH <http://example.org/g>",
    ),
    (
        "DELETE { ?s ?p ?o } USING <http://example.org/g> WHERE { ?s ?p ?o }",
        "USING <http://example.org/g>",
    ),
]
ALLOWED = [
    "SELECT ?service ?load WHERE { ?service ?load ?from }",
    'SELECT * { ?s ?p "SERVICE <http://example.org/> LOAD FROM <http://example.org/>" }',
    "SELECT * { ?s ?p ?o } # SERVICE <http://example.org/> LOAD <http://example.org/>",
    "SELECT * { ?s <http://example.org/SERVICE> ?o . ?o <http://example.org/load> ?x }",
    "PREFIX service: <https://w3id.org/defense-kg/ontology#>\nSELECT * { ?s service:load ?o }",
    "SELECT * FROM <https://w3id.org/defense-kg/graph/x> { ?s ?p ?o }",
    "SELECT * { GRAPH dkgg:x { ?s ?p ?o } }",
    "SELECT * { GRAPH ?g { ?s ?p ?o } }",
    'SELECT * { ?s ?p """two\nlines SERVICE <http://x.example/>""" }',
    "SELECT * { ?s ?p 'LOAD <http://x.example/>'@en }",
]


@pytest.mark.parametrize(("query", "keyword"), REFUSED)
def test_service_and_load_are_refused(query: str, keyword: str) -> None:
    with pytest.raises(QueryError) as info:
        check_query_safety(query)
    assert str(info.value) == (
        f"refused: {keyword} would reach the network; queries run on the local store only"
    )


@pytest.mark.parametrize(("query", "reference"), REFUSED_GRAPHS)
def test_remote_graph_references_are_refused(query: str, reference: str) -> None:
    with pytest.raises(QueryError) as info:
        check_query_safety(query)
    assert str(info.value) == f"refused: {reference} is not a graph of this store"


def test_relative_graph_iris_are_resolved_against_base_before_the_check() -> None:
    with pytest.raises(QueryError) as info:
        check_query_safety("BASE <http://example.org/>\nSELECT * FROM <g> { ?s ?p ?o }")
    assert str(info.value) == "refused: FROM <http://example.org/g> is not a graph of this store"


@pytest.mark.parametrize("query", ALLOWED)
def test_keywords_in_strings_comments_iris_and_names_are_not_refused(query: str) -> None:
    check_query_safety(query)


def test_refusals_happen_before_anything_runs_in_both_commands(mini: Path) -> None:
    before = everything(mini)
    code, out, err = run("query", "--store", str(mini), REFUSED[0][0])
    assert (code, out) == (2, "")
    assert (
        err
        == "Error: refused: SERVICE would reach the network; queries run on the local store only\n"
    )
    code, _, err = run(
        "update",
        "--store",
        str(mini),
        "INSERT DATA { GRAPH dkgg:x { dkgr:a dkgr:b 1 } } ; LOAD <http://example.org/x.ttl>",
    )
    assert code == 2
    assert (
        err == "Error: refused: LOAD would reach the network; queries run on the local store only\n"
    )
    assert everything(mini) == before


# --- output formats ---------------------------------------------------------------------------


def test_json_is_sparql_results_json_with_typed_terms(mini: Path) -> None:
    code, out, _ = run("query", "--store", str(mini), "--format", "json", STATES)
    assert code == 0
    integer = "http://www.w3.org/2001/XMLSchema#integer"
    assert json.loads(out) == {
        "head": {"vars": ["s", "label", "code"]},
        "results": {
            "bindings": [
                {
                    "s": {"type": "uri", "value": f"{ID}state/JPN"},
                    "label": {"type": "literal", "value": "Japan", "xml:lang": "en"},
                    "code": {"type": "literal", "value": "740", "datatype": integer},
                },
                {
                    "s": {"type": "uri", "value": f"{ID}state/KOR"},
                    "label": {"type": "literal", "value": "South Korea"},
                    "code": {"type": "literal", "value": "732", "datatype": integer},
                },
            ]
        },
    }


def test_csv_tsv_markdown_and_table(mini: Path) -> None:
    store = ["--store", str(mini)]
    csv = CliRunner().invoke(main, ["query", *store, "--format", "csv", STATES]).stdout_bytes
    expected = f"s,label,code\r\n{ID}state/JPN,Japan,740\r\n{ID}state/KOR,South Korea,732\r\n"
    assert csv == expected.encode()
    assert run("query", *store, "--format", "tsv", STATES)[1] == (
        f'?s\t?label\t?code\n<{ID}state/JPN>\t"Japan"@en\t740\n<{ID}state/KOR>\t"South Korea"\t732\n'
    )
    assert run("query", *store, "--format", "markdown", STATES)[1] == (
        "| s | label | code |\n|---|---|---|\n"
        "| dkgr:state\\/JPN | Japan | 740 |\n| dkgr:state\\/KOR | South Korea | 732 |\n"
    )
    assert run("query", *store, STATES)[1] == (
        "s                label        code\n"
        "---------------  -----------  ----\n"
        "dkgr:state\\/JPN  Japan        740\n"
        "dkgr:state\\/KOR  South Korea  732\n"
        "(2 rows)\n"
    )


def test_table_wraps_to_the_terminal_width() -> None:
    table = Table(
        "select",
        ("item", "note"),
        (("https://w3id.org/defense-kg/id/state/JPN", "a long note that needs wrapping here"),),
    )
    assert aligned_table(table, width=40) == (
        "item             note\n"
        "---------------  -----------------------\n"
        "dkgr:state\\/JPN  a long note that needs\n"
        "                 wrapping here\n"
        "(1 row)\n"
    )
    assert all(len(line) <= 40 for line in aligned_table(table, width=40).splitlines())


def test_ask_prints_true_or_false_and_exits_0_or_1(mini: Path) -> None:
    assert run("query", "--store", str(mini), "ASK { ?s dkg:iso3 'JPN' }")[:2] == (0, "true\n")
    assert run("query", "--store", str(mini), "ASK { ?s dkg:iso3 'FRA' }")[:2] == (1, "false\n")


def test_construct_and_describe_print_turtle(mini: Path) -> None:
    code, out, _ = run(
        "query", "--store", str(mini), "CONSTRUCT { ?s a dkg:State } WHERE { ?s dkg:iso3 ?i }"
    )
    assert code == 0
    assert out == (
        "@prefix dkg: <https://w3id.org/defense-kg/ontology#> .\n\n"
        f"<{ID}state/JPN> a dkg:State .\n\n<{ID}state/KOR> a dkg:State .\n"
    )
    code, out, _ = run("query", "--store", str(mini), f"DESCRIBE <{ID}state/KOR>")
    assert code == 0
    assert out == (
        "@prefix dkg: <https://w3id.org/defense-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
        f'<{ID}state/KOR> a dkg:State ;\n    dkg:cowCode "732"^^xsd:integer ;\n'
        '    dkg:iso3 "KOR" ;\n    rdfs:label "South Korea" .\n'
    )


def test_malformed_sparql_gives_line_and_column_and_exit_2(mini: Path) -> None:
    code, out, err = run("query", "--store", str(mini), "SELECT ?s WHERE {\n  ?s ?p }")
    assert (code, out) == (2, "")
    assert err == "Error: malformed SPARQL at line 2, column 3: Expected SelectQuery\n"
    code, _, err = run("update", "--store", str(mini), "INSERT DATA { GRAPH dkgg:x { dkgr:a }")
    assert code == 2 and err.startswith("Error: malformed SPARQL at line 1, column ")


def test_query_is_read_only_and_update_is_the_way_to_change_data(mini: Path) -> None:
    before = everything(mini)
    change = "INSERT DATA { GRAPH dkgg:notes { dkgr:state\\/FRA dkg:iso3 'FRA' } }"
    code, _, err = run("query", "--store", str(mini), change)
    assert (code, err) == (
        2,
        "Error: refused: 'kg query' is read-only; use 'kg update' to change data\n",
    )
    assert everything(mini) == before
    code, _, err = run("update", "--store", str(mini), "SELECT * { ?s ?p ?o }")
    assert (code, err) == (
        2,
        "Error: refused: 'kg update' runs SPARQL Update; use 'kg query' to read\n",
    )
    code, _, err = run("update", "--store", str(mini), change)
    assert (code, err) == (0, f"Updated {mini}\n")
    csv = run(
        "query", "--store", str(mini), "--format", "csv", "SELECT ?i { ?s dkg:iso3 ?i } ORDER BY ?i"
    )
    assert csv[1] == "i\nFRA\nJPN\nKOR\n"
    # the union follows deletions in named graphs too
    code, _, _ = run(
        "update", "--store", str(mini), "DELETE WHERE { GRAPH ?g { ?s dkg:iso3 'FRA' } }"
    )
    assert code == 0
    assert everything(mini) == before


def test_params_are_bound_as_terms_never_pasted(mini: Path) -> None:
    query = "SELECT ?s WHERE { ?s dkg:iso3 ?iso }"
    store = ["--store", str(mini), "--format", "csv"]
    assert run("query", *store, "--param", "iso=JPN", query)[1] == f"s\n{ID}state/JPN\n"
    before = everything(mini)
    evil = 'JPN" } ; DROP ALL ; #'
    assert run("query", *store, "--param", f"iso={evil}", query)[:2] == (0, "s\n")
    assert everything(mini) == before
    assert (
        run("query", *store, "--param", f"s=<{ID}state/KOR>", "SELECT ?iso { ?s dkg:iso3 ?iso }")[1]
        == "iso\nKOR\n"
    )
    code, _, err = run("query", *store, "--param", "iso", query)
    assert (code, err) == (2, "Error: --param must be name=value, got 'iso'\n")


def test_values_binding_for_endpoints_escapes_terms() -> None:
    text = bind_with_values(
        "SELECT ?s WHERE { ?s dkg:iso3 ?iso }", {"iso": ox.Literal('a" } ; DROP ALL ; #')}
    )
    assert (
        text == 'SELECT ?s WHERE { VALUES (?iso) { ("a\\" } ; DROP ALL ; #") } ?s dkg:iso3 ?iso }'
    )


def test_named_queries_list_and_unknown_name(mini: Path) -> None:
    code, out, _ = run("query", "--list")
    names = sorted(p.stem for p in (Path(__file__).parent.parent / "kg" / "queries").glob("*.rq"))
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == names
    assert all(
        line.split("\t")[1] == named_queries()[line.split("\t")[0]].question
        for line in out.splitlines()
    )
    code, _, err = run("query", "--store", str(mini), "--name", "nope")
    assert (code, err) == (2, "Error: no named query 'nope'; see 'kg query --list'\n")
    for name in names:
        assert run("query", "--store", str(mini), "--name", name)[0] == 0, name


# --- time limits ------------------------------------------------------------------------------


@pytest.fixture()
def big(tmp_path: Path) -> Path:
    store = tmp_path / "big"
    data = tmp_path / "big.nt"
    data.write_text(
        "".join(f"<{ID}n{i}> <{ID}p{i % 7}> <{ID}n{(i * 31) % 3000}> .\n" for i in range(3000))
    )
    assert run("load", str(data), "--store", str(store))[0] == 0
    return store


def test_timeout_stops_a_runaway_query(big: Path) -> None:
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    start = time.monotonic()
    code, out, err = run("query", "--store", str(big), "--timeout", "1", cross)
    assert time.monotonic() - start < 10
    assert (code, out) == (1, "")
    assert err == "Error: query stopped after the 1 s time limit (--timeout)\n"


def test_timeout_stops_a_runaway_update_and_the_store_is_unchanged(big: Path) -> None:
    before = everything(big)
    cross = "INSERT { GRAPH dkgg:x { ?a ?b ?f } } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    code, _, err = run("update", "--store", str(big), "--timeout", "1", cross)
    assert (code, err) == (1, "Error: update stopped after the 1 s time limit (--timeout)\n")
    assert everything(big) == before


@pytest.mark.parametrize("text", ["# nothing to do", "PREFIX a: <http://example.org/>"])
def test_an_update_with_no_operation_is_one_line_and_changes_nothing(mini: Path, text) -> None:
    before = everything(mini)
    code, out, err = run("update", "--store", str(mini), text)
    assert (code, out) == (2, "")
    assert err == "Error: malformed SPARQL at line 2, column 1: Expected end of text\n"
    assert everything(mini) == before


def test_an_escape_is_refused_with_parameters_as_without(mini: Path) -> None:
    text = 'SELECT ?s { ?s dkg:iso3 ?i FILTER(?i != "\\u0041") }'
    refused = (2, "", "Error: refused: \\u and \\U escapes are read differently by SPARQL "
               "parsers; write the character itself\n")  # fmt: skip
    assert run("query", "--store", str(mini), text) == refused
    assert run("query", "--store", str(mini), "--param", "i=JPN", text) == refused
