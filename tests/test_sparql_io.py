"""SPARQL in and out as the standards and Oxigraph/Jena do it (issue 10, section 1).

Result formats read back by roqet, pyoxigraph and the csv module; CONSTRUCT in every RDF
format read back by rapper; format names, aliases and extensions; IRIs that paste back into a
query or ``--param``; named-query parameters; evidence with its article; updates that keep
nothing; one triple count for ``kg stats`` and ``kg validate``.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import query as q
from kg.backends import opened
from kg.cli import main
from kg.export import result_bytes
from kg.format import format_name, format_of_path, pn_local, shorten, sparql_results
from kg.query import QueryError, named_queries
from kg.store import load_triples


def run_query(path: Path, text: str, **options: Any) -> q.Table:
    with opened(path, read_only=True, lazy=True) as store:
        return q.run_query(store, text, **options)


def run_update(path: Path, text: str, **options: Any) -> bool:
    with opened(path, lazy=True) as store:
        return q.run_update(store, text, **options)


def named_params(path: Path, query: q.NamedQuery, items: list[str]) -> dict[str, Any]:
    with opened(path, read_only=True, lazy=True) as store:
        return q.named_params(store, query, items)


ID = "https://w3id.org/defense-kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
MINI = f"""@prefix dkg: <https://w3id.org/defense-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ID}state/JPN> a dkg:State ; rdfs:label "Japan"@en ; dkg:iso3 "JPN" ; dkg:cowCode 740 .
<{ID}state/KOR> a dkg:State ; rdfs:label "South Korea" ; skos:altLabel "ROK" ;
    dkg:iso3 "KOR" ; dkg:cowCode 732 .
<{ID}event/m1> a dkg:Meeting ; rdfs:label "Talks, \\"first\\"\\tround" ;
    dkg:date "2021-01-30"^^xsd:date ; dkg:party <{ID}state/JPN>, <{ID}state/KOR> .
<{ID}person/a-b.> a dkg:Person ; rdfs:label "Kim" .
<{ID}person/a-b.c> a dkg:Person ; rdfs:label "Kim" .
"""
SELECT = (
    "SELECT ?s ?label ?code ?date WHERE { ?s dkg:iso3 ?iso ; rdfs:label ?label ; "
    "dkg:cowCode ?code OPTIONAL { ?m dkg:party ?s ; dkg:date ?date FILTER(?iso = 'JPN') } } "
    "ORDER BY ?iso"
)
TSV = (
    "?s\t?label\t?code\t?date\n"
    f'<{ID}state/JPN>\t"Japan"@en\t740\t"2021-01-30"^^<{XSD}date>\n'
    f'<{ID}state/KOR>\t"South Korea"\t732\t\n'
)
CSV = (
    f"s,label,code,date\r\n{ID}state/JPN,Japan,740,2021-01-30\r\n{ID}state/KOR,South Korea,732,\r\n"
)
ROQET_ROWS = (
    f'row: [s=uri<{ID}state/JPN>, label=string("Japan"@en), '
    f'code=string("740"^^<{XSD}integer>), date=string("2021-01-30"^^<{XSD}date>)]\n'
    f'row: [s=uri<{ID}state/KOR>, label=string("South Korea"), '
    f'code=string("732"^^<{XSD}integer>), date=NULL]\n'
)


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def mini(tmp_path: Path) -> Path:
    """A store holding :data:`MINI` as the graph ``mini``."""
    triples = [
        (t.subject, t.predicate, t.object) for t in ox.parse(MINI.encode(), ox.RdfFormat.TURTLE)
    ]
    with opened(tmp_path / "store", create=True) as store:
        load_triples(store, "https://w3id.org/defense-kg/graph/mini", triples)
    return tmp_path / "store"


def _roqet(path: Path, fmt: str) -> str:
    assert shutil.which("roqet"), "install rasqal-utils (make test-deps)"
    done = subprocess.run(
        ["roqet", "-q", "-t", str(path), "-R", fmt, "-r", "simple"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


# --- result formats ---------------------------------------------------------------------------


def test_tsv_csv_xml_json_results_read_back(mini: Path, tmp_path: Path) -> None:
    table = run_query(mini, SELECT)
    tsv, csv_bytes = sparql_results(table, "tsv"), sparql_results(table, "csv")
    assert tsv.decode() == TSV
    assert csv_bytes.decode() == CSV
    rows = list(csv.reader(io.StringIO(csv_bytes.decode(), newline="")))
    assert rows == [
        ["s", "label", "code", "date"],
        [f"{ID}state/JPN", "Japan", "740", "2021-01-30"],
        [f"{ID}state/KOR", "South Korea", "732", ""],
    ]
    for fmt in ("xml", "tsv"):
        (tmp_path / f"r.{fmt}").write_bytes(sparql_results(table, fmt))
        assert _roqet(tmp_path / f"r.{fmt}", fmt) == ROQET_ROWS, fmt
    for fmt, ox_fmt in (("xml", ox.QueryResultsFormat.XML), ("json", ox.QueryResultsFormat.JSON),
                        ("tsv", ox.QueryResultsFormat.TSV)):  # fmt: skip
        parsed = ox.parse_query_results(sparql_results(table, fmt), format=ox_fmt)
        assert isinstance(parsed, ox.QuerySolutions)
        assert [[str(s[v]) if s[v] is not None else None for v in ("s", "label", "code", "date")]
                for s in parsed] == [  # fmt: skip
            [f"<{ID}state/JPN>", '"Japan"@en', f'"740"^^<{XSD}integer>',
             f'"2021-01-30"^^<{XSD}date>'],
            [f"<{ID}state/KOR>", '"South Korea"', f'"732"^^<{XSD}integer>', None],
        ]  # fmt: skip


def test_tsv_escapes_tabs_quotes_and_newlines(mini: Path) -> None:
    table = run_query(mini, "SELECT ?l { ?m a dkg:Meeting ; rdfs:label ?l }")
    assert sparql_results(table, "tsv") == b'?l\n"Talks, \\"first\\"\\tround"\n'
    assert sparql_results(table, "csv") == b'l\r\n"Talks, ""first""\tround"\r\n'


def test_ask_results_in_xml_and_json(mini: Path) -> None:
    table = run_query(mini, "ASK { ?s dkg:iso3 'KOR' }")
    assert json.loads(sparql_results(table, "json")) == {"head": {}, "boolean": True}
    assert sparql_results(table, "xml") == (
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        b"<head></head><boolean>true</boolean></sparql>\n"
    )


def test_construct_in_every_rdf_format_reads_back_in_rapper(mini: Path, tmp_path: Path) -> None:
    assert shutil.which("rapper"), "install raptor2-utils (make test-deps)"
    table = run_query(
        mini,
        "CONSTRUCT { ?s rdfs:label ?l ; dkg:iso3 ?i } WHERE { ?s dkg:iso3 ?i ; rdfs:label ?l }",
    )
    assert table.kind == "graph" and len(table.triples) == 4
    parsers = {"turtle": "turtle", "ntriples": "ntriples", "trig": "trig", "rdfxml": "rdfxml",
               "jsonld": None}  # fmt: skip
    for fmt, parser in parsers.items():
        data = result_bytes(table, fmt)
        if parser is None:  # raptor reads no JSON-LD: pyoxigraph does
            assert len(list(ox.parse(data, format=ox.RdfFormat.JSON_LD))) == 4
            continue
        path = tmp_path / f"c.{fmt}"
        path.write_bytes(data)
        done = subprocess.run(["rapper", "-i", parser, "-c", path.as_uri()],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert "returned 4 triples" in done.stderr, (fmt, done.stderr)
    assert result_bytes(table, "ntriples").decode().splitlines()[0] == (
        f'<{ID}state/JPN> <http://www.w3.org/2000/01/rdf-schema#label> "Japan"@en .'
    )


# --- format names -----------------------------------------------------------------------------


def test_format_aliases_media_types_and_extensions() -> None:
    rdf = ("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml")
    assert [format_name(a, rdf) for a in ("ttl", "TTL", "nt", "nq", "text/turtle",
            "application/n-triples", "application/ld+json", "application/rdf+xml",
            "text/turtle; charset=utf-8", "owl", "json")] == [  # fmt: skip
        "turtle", "turtle", "ntriples", "nquads", "turtle", "ntriples", "jsonld", "rdfxml",
        "turtle", "rdfxml", "jsonld",
    ]  # fmt: skip
    results = ("table", "tsv", "csv", "xml", "json", "markdown")
    assert [
        format_name(a, results)
        for a in (
            "srx",
            "srj",
            "application/sparql-results+xml",
            "text/tab-separated-values",
            "xml",
            "json",
            "ttl",
        )
    ] == [  # fmt: skip
        "xml",
        "json",
        "xml",
        "tsv",
        "xml",
        "json",
        None,
    ]
    assert [
        format_of_path(p, rdf)
        for p in ("x.ttl", "a/b.nt", "x.NQ", "x.trig", "x.jsonld", "x.rdf", "x.xml", "x", "x.docx")
    ] == [  # fmt: skip
        "turtle",
        "ntriples",
        "nquads",
        "trig",
        "jsonld",
        "rdfxml",
        "rdfxml",
        None,
        None,
    ]


# --- IRIs that paste back ---------------------------------------------------------------------


def test_local_names_are_escaped_as_sparql_and_turtle_require() -> None:
    assert shorten(f"{ID}state/JPN") == "dkgr:state\\/JPN"
    assert shorten(f"{ID}person/a-b.") == "dkgr:person\\/a-b\\."
    assert shorten(f"{ID}x y") == f"<{ID}x y>"
    assert shorten("https://w3id.org/defense-kg/ontology#Meeting") == "dkg:Meeting"
    assert pn_local(".a") == "\\.a" and pn_local("a~b") == "a\\~b" and pn_local("%zz") == "\\%zz"


def test_every_iri_the_table_prints_pastes_back_into_a_query(mini: Path) -> None:
    from kg.format import aligned_table

    table = run_query(mini, "SELECT DISTINCT ?s { ?s a ?c } ORDER BY ?s")
    printed = [line.strip() for line in aligned_table(table, 200).splitlines()[2:-1]]
    assert printed == [
        "dkgr:event\\/m1", "dkgr:person\\/a-b\\.", "dkgr:person\\/a-b.c",
        "dkgr:state\\/JPN", "dkgr:state\\/KOR",
    ]  # fmt: skip
    for name, row in zip(printed, table.rows, strict=True):
        back = run_query(mini, f"SELECT (STR(?x) AS ?v) {{ VALUES ?x {{ {name} }} ?x a ?c }}")
        assert back.rows == ((row[0],),), name
        turtle = f"@prefix dkgr: <{ID}> . {name} <http://x/p> 1 ."
        rdf = ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)
        assert [t.subject.value for t in rdf] == [row[0]]


# --- parameters -------------------------------------------------------------------------------


def test_named_query_parameters_are_declared() -> None:
    queries = named_queries()
    assert [(p.name, p.kind) for p in queries["cq09_evidence"].params] == [("subject", "entity")]
    assert [(p.name, p.kind) for p in queries["cq10_timeline"].params] == [
        ("state1", "state"), ("state2", "state"),
    ]  # fmt: skip
    assert [q.name for q in queries.values() if q.params] == ["cq09_evidence", "cq10_timeline"]


def test_entity_parameters_take_a_prefixed_name_an_iso3_code_or_a_label(mini: Path) -> None:
    cq09, cq10 = named_queries()["cq09_evidence"], named_queries()["cq10_timeline"]
    jpn = ox.NamedNode(f"{ID}state/JPN")
    for value in ("dkgr:state\\/JPN", f"<{ID}state/JPN>", f"{ID}state/JPN", "JPN", "jpn",
                  "Japan", "japan"):  # fmt: skip
        assert named_params(mini, cq09, [f"subject={value}"]) == {"subject": jpn}, value
    assert named_params(mini, cq09, ["subject=ROK"]) == {"subject": ox.NamedNode(f"{ID}state/KOR")}
    for value in ("KOR", "kor", "South Korea", "ROK", "dkgr:state\\/KOR", f"<{ID}state/KOR>"):
        assert named_params(mini, cq10, [f"state1={value}"]) == {"state1": ox.Literal("KOR")}
    with pytest.raises(QueryError, match=r"^--param subject: 'Kim' names several entities, "
                       r"give one: dkgr:person\\/a-b\\., dkgr:person\\/a-b\.c$"):  # fmt: skip
        named_params(mini, cq09, ["subject=Kim"])
    with pytest.raises(QueryError, match="^--param state1: 'Talks' names no state"):
        named_params(mini, cq10, ["state1=Talks"])
    with pytest.raises(QueryError, match="^--param state1: dkgr:event\\\\/m1 is no state"):
        named_params(mini, cq10, ["state1=dkgr:event\\/m1"])


def test_an_unknown_parameter_lists_the_query_parameters(mini: Path) -> None:
    queries = named_queries()
    with pytest.raises(QueryError) as caught:
        named_params(mini, queries["cq10_timeline"], ["state3=JPN"])
    assert str(caught.value) == (
        "cq10_timeline has no parameter 'state3'; its parameters: "
        "state1 (state: one state of the dyad (ISO-3 code, IRI, prefixed name or label)); "
        "state2 (state: the other state, in either order)"
    )
    assert caught.value.exit_code == 2
    with pytest.raises(QueryError, match="^cq01_meetings takes no parameters \\(got 'x'\\)$"):
        named_params(mini, queries["cq01_meetings"], ["x=1"])
    with pytest.raises(QueryError) as caught:
        run_query(mini, "SELECT ?s { ?s dkg:iso3 ?iso }", substitutions={"isp": "JPN"})
    assert (
        str(caught.value) == "--param isp: the query has no variable ?isp (its variables: ?iso, ?s)"
    )


# --- evidence, updates, counts ----------------------------------------------------------------

ARTICLE = """---
id: t-evidence
title: Test article
source: https://news.example.org/a/1
published: 2024-03-05
---
On 4 March 2024, Japan and South Korea held talks in Tokyo.
"""


def test_cq09_gives_the_article_and_source_url_with_each_span(tmp_path: Path) -> None:
    from kg.build import build_articles, read_articles
    from kg.store import open_store

    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    store = open_store(tmp_path / "store", create=True)
    build_articles(store, read_articles([tmp_path / "a.txt"]))
    store.close()
    table = run_query(tmp_path / "store", named_queries()["cq09_evidence"].text,
                      substitutions={"subject": "<" + ID + "state/JPN>"})  # fmt: skip
    assert table.columns[-2:] == ("article", "url")
    assert {(r[6], r[7]) for r in table.rows} == {("t-evidence", "https://news.example.org/a/1")}
    body = ARTICLE.split("---\n")[2]
    assert all(body[int(r[3]) : int(r[4])] == r[2] for r in table.rows)


def test_an_update_of_the_default_graph_alone_keeps_nothing(mini: Path) -> None:
    graph = "GRAPH <https://w3id.org/defense-kg/graph/mini>"
    assert run_update(mini, "INSERT DATA { <urn:x:a> <urn:x:b> 1 }") is False
    assert run_query(mini, "ASK { <urn:x:a> ?p ?o }").boolean is False
    assert run_update(mini, f"INSERT DATA {{ {graph} {{ <urn:x:a> <urn:x:b> 1 }} }}") is True
    assert run_query(mini, "ASK { <urn:x:a> ?p ?o }").boolean is True


def test_stats_and_validate_count_the_same_triples(mini: Path, tmp_path: Path) -> None:
    from kg.export import stats
    from kg.validate import validate_store

    again = tmp_path / "again.ttl"  # the same 18 triples in a second graph
    again.write_text(MINI, encoding="utf-8")
    assert run("load", str(again), "--store", str(mini))[0] == 0
    with opened(mini, read_only=True) as store:
        numbers, report = stats(store), validate_store(store)
    assert (numbers["triples"], report.triples, numbers["quads"]) == (18, 18, 36)
    assert list(numbers) == ["triples", "quads", "articles", "loaded_graphs", "classes",
                             "first_date", "last_date", "states", "dyads"]  # fmt: skip
    assert (numbers["loaded_graphs"], numbers["first_date"], numbers["states"]) == (
        2,
        "2021-01-30",
        2,
    )


# --- the command line -------------------------------------------------------------------------


def out_bytes(*args: str, stdin: str | None = None) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout_bytes, result.stderr


def test_kg_query_writes_each_results_format(mini: Path, tmp_path: Path) -> None:
    store = ["--store", str(mini)]
    assert out_bytes("query", *store, "--format", "tsv", SELECT)[:2] == (0, TSV.encode())
    assert out_bytes("query", *store, "--format", "csv", SELECT)[:2] == (0, CSV.encode())
    assert out_bytes("query", *store, "--format", "text/csv", SELECT)[:2] == (0, CSV.encode())
    xml = out_bytes("query", *store, "--format", "xml", SELECT)[1]
    assert xml.startswith(b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-')
    (tmp_path / "r.srx").write_bytes(xml)
    assert _roqet(tmp_path / "r.srx", "xml") == ROQET_ROWS
    for name, fmt in (("r.tsv", "tsv"), ("r.srx", "xml"), ("r.csv", "csv"), ("r.srj", "json")):
        assert out_bytes("query", *store, "-o", str(tmp_path / name), SELECT)[:2] == (0, b"")
        assert (tmp_path / name).read_bytes() == out_bytes("query", *store, "--format", fmt,
                                                            SELECT)[1], name  # fmt: skip
    assert out_bytes("query", *store, "--format", "json", "ASK { ?s dkg:iso3 'FRA' }")[:2] == (
        1, b'{\n "head": {},\n "boolean": false\n}\n',
    )  # fmt: skip


def test_kg_query_writes_construct_in_the_format_asked(mini: Path, tmp_path: Path) -> None:
    store = ["--store", str(mini)]
    construct = "CONSTRUCT WHERE { ?s dkg:iso3 ?i }"
    assert out_bytes("query", *store, "--format", "nt", construct)[1].decode() == (
        f'<{ID}state/JPN> <https://w3id.org/defense-kg/ontology#iso3> "JPN" .\n'
        f'<{ID}state/KOR> <https://w3id.org/defense-kg/ontology#iso3> "KOR" .\n'
    )
    turtle = out_bytes("query", *store, construct)[1]
    assert turtle == out_bytes("query", *store, "--format", "text/turtle", construct)[1]
    assert turtle.startswith(b"@prefix dkg: <https://w3id.org/defense-kg/ontology#> .\n")
    for fmt, parser in (("trig", "trig"), ("rdfxml", "rdfxml"), ("ttl", "turtle")):
        path = tmp_path / f"c.{fmt}"
        path.write_bytes(out_bytes("query", *store, "--format", fmt, construct)[1])
        done = subprocess.run(["rapper", "-i", parser, "-c", path.as_uri()],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert "returned 2 triples" in done.stderr, (fmt, done.stderr)
    out = tmp_path / "c.jsonld"
    assert out_bytes("query", *store, "-o", str(out), construct)[0] == 0
    assert len(list(ox.parse(out.read_bytes(), format=ox.RdfFormat.JSON_LD))) == 2
    assert out_bytes("query", *store, "--format", "tsv", construct) == (
        2, b"", "Error: --format tsv is for SELECT and ASK; CONSTRUCT and DESCRIBE give RDF: "
        "turtle, ntriples, trig, jsonld or rdfxml\n",
    )  # fmt: skip
    describe = out_bytes("query", *store, "--format", "nt", "DESCRIBE dkgr:state\\/KOR")[1]
    assert describe.decode().splitlines()[0] == (
        f"<{ID}state/KOR> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/defense-kg/ontology#State> ."
    )
    assert len(describe.splitlines()) == 5
    code, _, err = out_bytes("query", *store, "--format", "docx", construct)
    assert code == 2 and "'docx' is none of table, tsv, csv, xml, json" in err


def test_queries_and_updates_read_from_stdin(mini: Path) -> None:
    store = ["--store", str(mini)]
    text = "SELECT ?i { ?s dkg:iso3 ?i } ORDER BY ?i"
    assert out_bytes("query", *store, "--format", "csv", "-f", "-", stdin=text)[:2] == (
        0, b"i\r\nJPN\r\nKOR\r\n",
    )  # fmt: skip
    update = "INSERT DATA { GRAPH <https://w3id.org/defense-kg/graph/mini> { <urn:x:a> dkg:iso3 'FRA' } }"
    assert run("update", *store, "-f", "-", stdin=update) == (0, "", f"Updated {mini}\n")
    assert out_bytes("query", *store, "--format", "csv", text)[1] == b"i\r\nFRA\r\nJPN\r\nKOR\r\n"


def test_an_update_of_the_default_graph_warns_in_one_line(mini: Path) -> None:
    code, _, err = run("update", "--store", str(mini), "INSERT DATA { <urn:x:a> dkg:iso3 'FRA' }")
    assert (code, err) == (0, (
        "Warning: the update names no graph, and the default graph is the union of the named "
        "graphs: nothing was kept (write into GRAPH <https://w3id.org/defense-kg/graph/NAME>)\n"
        f"Updated {mini}\n"
    ))  # fmt: skip


def test_export_format_from_the_extension_and_aliases(mini: Path, tmp_path: Path) -> None:
    store = ["--store", str(mini)]
    turtle = out_bytes("export", *store, "--format", "turtle")[1]
    assert out_bytes("export", *store, "--format", "ttl")[1] == turtle
    assert out_bytes("export", *store, "--format", "text/turtle")[1] == turtle
    for name, fmt in (("x.ttl", "turtle"), ("x.nt", "ntriples"), ("x.nq", "nquads"),
                      ("x.trig", "trig"), ("x.jsonld", "jsonld"), ("x.rdf", "rdfxml")):  # fmt: skip
        assert run("export", *store, "-o", str(tmp_path / name))[0] == 0, name
        assert (tmp_path / name).read_bytes() == out_bytes("export", *store, "--format", fmt)[1]
    assert run("export", *store, "-o", str(tmp_path / "x.docx")) == (
        2, "", "Error: give --format ('x.docx' names no format; one of turtle, ntriples, nquads, "
        "trig, jsonld, rdfxml, entities, events, dyads, graphml, gexf)\n",
    )  # fmt: skip
    assert not (tmp_path / "x.docx").exists()


def test_load_format_overrides_the_extension(tmp_path: Path) -> None:
    data = tmp_path / "states.txt"  # Turtle in a file whose name says nothing
    data.write_text(MINI, encoding="utf-8")
    store = ["--store", str(tmp_path / "store")]
    code, _, err = run("load", str(data), *store)
    assert code == 1 and err.startswith(f"Error: {data}: unknown RDF file extension")
    assert run("load", str(data), *store, "--format", "ttl") == (
        0, "", f"Loaded {data} into <https://w3id.org/defense-kg/graph/states> (18 triples)\n",
    )  # fmt: skip
    wrong = tmp_path / "states.nt"  # the extension says N-Triples, the text is Turtle
    wrong.write_text(MINI, encoding="utf-8")
    assert run("load", str(wrong), *store)[0] == 1  # malformed N-Triples
    assert run("load", str(wrong), *store, "--format", "text/turtle")[0] == 0


def test_query_params_by_label_prefixed_name_and_unknown_names(mini: Path) -> None:
    store = ["--store", str(mini)]
    assert run("query", *store, "--name", "cq10_timeline", "--param", "state3=JPN") == (
        2, "", "Error: cq10_timeline has no parameter 'state3'; its parameters: state1 (state: "
        "one state of the dyad (ISO-3 code, IRI, prefixed name or label)); state2 (state: the "
        "other state, in either order)\n",
    )  # fmt: skip
    code, _, err = run("query", *store, "--param", "x=1", "SELECT ?s { ?s dkg:iso3 ?i }")
    assert (code, err) == (
        2,
        "Error: --param x: the query has no variable ?x (its variables: ?i, ?s)\n",
    )
    printed = run("query", *store, "SELECT ?s { ?s dkg:iso3 'KOR' }")[1].splitlines()[2]
    assert printed == "dkgr:state\\/KOR"
    pasted = run("query", *store, "--format", "csv", "--param", f"s={printed}",
                 "SELECT ?i { ?s dkg:iso3 ?i }")  # fmt: skip
    assert pasted == (0, "i\nKOR\n", "")
    for value in ("ROK", "kor", printed):  # a named query's entity: also a label or ISO-3 code
        assert run(
            "query",
            *store,
            "--name",
            "cq09_evidence",
            "--format",
            "csv",
            "--param",
            f"subject={value}",
        ) == (  # fmt: skip
            0,
            "subject,label,quote,start,end,sentence,article,url\n",
            "",  # no evidence in MINI
        )
    code, _, err = run("query", *store, "--name", "cq09_evidence", "--param", "subject=Atlantis")
    assert (code, err) == (2, "Error: --param subject: 'Atlantis' names no entity in the store "
                              "(give an IRI, a prefixed name, an ISO-3 code or a label)\n")  # fmt: skip


def test_cq10_takes_states_in_either_order_and_answers_like_network_timeline(
    seed_store_path: Path,
) -> None:
    store = ["--store", str(seed_store_path)]
    network = json.loads(run("network", "timeline", "Japan", "South Korea", *store,
                             "--format", "json")[1])  # fmt: skip
    expected = [(r["date"], r["type"], r["label"], r["status"], r["kind"]) for r in network]
    assert len(expected) == 13
    for pair in (
        ("JPN", "KOR"),
        ("South Korea", "japan"),
        ("dkgr:state\\/KOR", f"<{ID}state/JPN>"),
    ):
        code, out, err = run("query", *store, "--name", "cq10_timeline", "--format", "json",
                             "--param", f"state1={pair[0]}", "--param", f"state2={pair[1]}")  # fmt: skip
        assert (code, err) == (0, ""), pair
        rows = [{k: v["value"] for k, v in b.items()}
                for b in json.loads(out)["results"]["bindings"]]  # fmt: skip
        found = [(r.get("date", ""), r["type"], r["item"], r.get("status", ""), r["kind"])
                 for r in rows]  # fmt: skip
        assert found == expected, pair


def test_network_commands_take_the_iris_kg_query_prints(seed_store_path: Path) -> None:
    store = ["--store", str(seed_store_path)]
    by_code = run("network", "neighbors", "KOR", "--view", "states", *store, "--format", "csv")
    assert by_code == (
        0,
        "direction,edge,neighbor,type,quote,article\nboth,11 events,Japan,State,,\n",
        "",
    )
    for printed in ("dkgr:state\\/KOR", f"<{ID}state/KOR>"):
        again = run("network", "neighbors", printed, "--view", "states", *store, "--format", "csv")
        assert again == by_code, printed


def test_an_extension_naming_a_format_kg_query_cannot_write_is_refused(
    mini: Path, tmp_path: Path
) -> None:
    """ "-o x.nq" used to write a table into x.nq; now exit 2, one line, no file."""
    out = tmp_path / "x.nq"
    code, data, err = out_bytes("query", "--store", str(mini), "-o", str(out), "ASK {}")
    assert (code, data, out.exists()) == (2, b"", False)
    assert err == (
        "Error: 'x.nq' names nquads, which this command does not write; give --format (one of "
        "table, tsv, csv, xml, json, markdown, turtle, ntriples, trig, jsonld, rdfxml)\n"
    )
    assert out_bytes("query", "--store", str(mini), "-o", str(tmp_path / "x.txt"), "ASK {}")[
        :2
    ] == (0, b"")
    assert (tmp_path / "x.txt").read_text() == "true\n"
