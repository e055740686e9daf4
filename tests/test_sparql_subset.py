"""The fast parser for local, read-only queries (kg.sparql.subset) and what kg query imports.

The fast parser may only let through what the complete check (rdflib's parser and the walk)
would let through: every text the safety tests refuse is outside its sub-grammar, and the
shapes of query users write most (the named queries among them) are inside it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.query import named_queries
from kg.sparql import lexer, safety
from kg.sparql.subset import local_query
from tests.test_query import ALLOWED, REFUSED, REFUSED_GRAPHS
from tests.test_sparql_safety import QUERIES, UPDATES, fill

ROOT = Path(__file__).resolve().parent.parent

LOCAL_QUERIES = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
    "ASK {}",
    "ask { ?s a dkg:State }",
    "SELECT ?s ?label WHERE { ?s dkg:iso3 ?code ; rdfs:label ?label } ORDER BY ?code LIMIT 2",
    "CONSTRUCT WHERE { ?s dkg:iso3 ?i }",
    "CONSTRUCT { ?s a dkg:State } WHERE { ?s dkg:iso3 [] }",
    "DESCRIBE <https://w3id.org/defense-kg/id/state/KOR>",
    "PREFIX ex: <http://example.org/> BASE <http://example.org/> SELECT * { ?s ex:p <o> }",
    "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o FILTER(?o != 1 && !BOUND(?x)) "
    "OPTIONAL { ?s rdfs:label ?l } } GROUP BY ?p HAVING (COUNT(*) > 1) ORDER BY DESC(?n)",
    "SELECT * { ?s rdfs:subClassOf*/^rdf:type|!(rdf:type|^rdfs:label) ?o . [ ?p (1 -2.5e3) ] }",
    "SELECT * { { ?s ?p ?o } UNION { ?o ?p ?s } MINUS { ?s a ?c } BIND(STR(?s) AS ?t) "
    "VALUES (?a ?b) { (1 UNDEF) ('x'@en 'y'^^xsd:string) } FILTER NOT EXISTS { ?s ?q ?r } }",
    "SELECT ?s (GROUP_CONCAT(?l; SEPARATOR=', ') AS ?ls) { { SELECT ?s { ?s ?p ?o } LIMIT 3 } "
    "?s rdfs:label ?l FILTER(REGEX(?l, '^J', 'i') || ?l IN ('a', 'b')) } GROUP BY ?s",
    "SELECT (xsd:integer('1') AS ?n) { ?s ?p ?o FILTER(xsd:string(?o) = 'a') }",
    "PREFIX x: <http://www.w3.org/2001/XMLSchema#> SELECT * { ?s ?p ?o } ORDER BY x:date(?o)",
    "SELECT * { FILTER <http://www.w3.org/2001/XMLSchema#boolean>(1) }",
]


@pytest.mark.parametrize("text", LOCAL_QUERIES)
def test_plain_read_only_queries_take_the_fast_path(text: str) -> None:
    assert local_query(text) is True
    assert safety.checked(text, update=False) == (text, None)


def test_every_named_query_takes_the_fast_path() -> None:
    queries = named_queries()
    assert [name for name, q in queries.items() if not local_query(q.text)] == []
    assert len(queries) == 10


@pytest.mark.parametrize(
    "text",
    [fill(t) for t, _ in QUERIES + UPDATES]
    + [t for t, _ in REFUSED + REFUSED_GRAPHS]
    + [
        "SELECT * { GRAPH ?g { ?s ?p ?o } }",  # GRAPH and FROM: always the complete check
        "SELECT * FROM <https://w3id.org/defense-kg/graph/x> { ?s ?p ?o }",
        "PREFIX silent: <https://w3id.org/defense-kg/> SELECT * { ?s ?p ?o }",
        "SELECT * { ?s ?p ?o } ; DROP ALL",
        "INSERT DATA { <a:b> <a:c> 1 }",
        "SELECT * { ?s ?p 'a LoAd of data' }",  # the letters anywhere, in any case
        "SELECT * { ?s ?p ?o",  # malformed: rdflib's message
        "SELECT (bif:http_get('http://x.example/') AS ?x) {}",  # Virtuoso predeclares bif:
        "PREFIX x: <bif:> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (x:f(1) AS ?x) {}",
    ],
)
def test_what_the_complete_check_refuses_never_takes_the_fast_path(text: str) -> None:
    assert local_query(text) is False


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed_texts_still_pass_whichever_path_they_take(text: str) -> None:
    safety.check(text, update=False)


def test_the_cheap_high_class_is_exactly_u00c0_to_uffff() -> None:
    high = re.compile(lexer._HIGH)
    edges = [0x00, 0xBF, 0xC0, 0xD7, 0xFFFF, 0x10000, 0x10FFFF]
    assert [bool(high.fullmatch(chr(c))) for c in edges] == [
        False, False, True, True, True, False, False
    ]  # fmt: skip


def test_variables_and_prefixed_names_lex_as_before() -> None:
    text = "SELECT ?é $x_1 { dkg:a\\/b é:x ?s·t . _:b1 ?p 'ŝ' } # ?c"
    found = [(m.lastgroup, m.group(0)) for m in lexer.tokens(text)]
    assert found == [
        ("var", "?é"), ("var", "$x_1"), ("open", "{"), ("pname", "dkg:a\\/b"),
        ("pname", "é:x"), ("var", "?s·t"), ("bnode", "_:b1"), ("var", "?p"), ("str", "'ŝ'"),
        ("close", "}"), ("comment", "# ?c"),
    ]  # fmt: skip


def test_malformed_text_the_fast_parser_lets_through_gets_rdflibs_message(tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("<https://w3id.org/defense-kg/id/a> <http://x.example/p> 1 .\n")
    store = tmp_path / "store"
    assert CliRunner().invoke(main, ["load", str(data), "--store", str(store)]).exit_code == 0
    text = "SELECT ?x WHERE { ?x ?p ?o FILTER(STR(?x, ?o)) }"  # STR takes one argument
    assert local_query(text) is True
    with pytest.raises(safety.QueryError) as info:
        safety.parse(text, update=False)
    result = CliRunner().invoke(main, ["query", "--store", str(store), text])
    assert (result.exit_code, result.stderr) == (2, f"Error: {info.value}\n")


def test_kg_query_imports_no_rdflib_networkx_or_pyvis(tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("<https://w3id.org/defense-kg/id/a> <http://x.example/p> 1 .\n")
    store = tmp_path / "store"
    assert CliRunner().invoke(main, ["load", str(data), "--store", str(store)]).exit_code == 0
    program = f"""
import sys
from pathlib import Path
from kg.cli import main
from kg.backends import opened
from kg.query import run_query
with opened(Path({str(store)!r}), read_only=True, lazy=True) as store:
    table = run_query(store, "SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1")
assert table.rows == (("1", "http://x.example/p", "https://w3id.org/defense-kg/id/a"),), table
try:
    main(["query", "--store", {str(store)!r}, "--name", "cq01_meetings", "--timeout", "5"])
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
heavy = ("rdflib", "pyparsing", "networkx", "pyvis", "pyshacl", "kg.vocab", "kg.build")
print(sorted({{m for m in sys.modules if m.startswith(heavy)}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout.splitlines()[-1], done.stderr) == (0, "[]", "")


def test_the_plain_prefixes_are_the_rdflib_namespaces() -> None:
    from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

    from kg import iris, vocab

    assert vocab.PREFIXES is iris.PREFIXES
    standard = {"rdf": RDF, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "skos": SKOS,
                "dcterms": DCTERMS, "prov": PROV, "org": ORG, "foaf": FOAF}  # fmt: skip
    assert {k: iris.PREFIXES[k] for k in standard} == {
        k: str(getattr(ns, "_NS", ns)) for k, ns in standard.items()
    }
    assert iris.PREFIXES["dkg"] == str(vocab.DKG._NS)


@pytest.mark.parametrize("quote", ['"', "'", '"""', "'''"])
def test_a_quote_that_opens_no_string_is_one_token_to_the_end_of_its_line(quote: str) -> None:
    # Without it every escaped quote would start a new scan to the end of the line, so a
    # 64 KiB line of them took about a minute to lex in kg query's process, past --timeout.
    escaped = f"\\{quote[0]}" * 4
    text = f"ASK {{ ?s ?p {quote}{escaped} }}\n}}"
    found = [(m.lastgroup, m.group(0)) for m in lexer.tokens(text)]
    opened = [("str", quote[:2])] if len(quote) == 3 else []
    assert found == [("open", "{"), ("var", "?s"), ("var", "?p"), *opened,
                     ("unclosed", f"{quote[0]}{escaped} }}"), ("close", "}")]  # fmt: skip
    assert safety.local(text) is None
