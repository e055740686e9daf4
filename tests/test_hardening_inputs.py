"""Hostile inputs (issue 12): characters XML cannot hold, predicates RDF/XML cannot write,
RDF 1.2 data and XML entity declarations given to ``kg load``."""

from __future__ import annotations

import csv
import io
import json
import resource
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import require_tool
from rdflib import Graph

from kg.article import read_article, read_article_text
from kg.backends import opened
from kg.cli import main
from kg.export import xml_local_name
from kg.format import OX_RDF_FORMATS
from kg.lexicon import load_lexicon

G = "https://w3id.org/defense-kg/graph/"
RDF_PARSERS = OX_RDF_FORMATS  # the parser that reads each export format back
RAPPER = {"turtle": "turtle", "ntriples": "ntriples", "rdfxml": "rdfxml"}
XML_ALTERNATIVES = "export as turtle, ntriples, nquads, trig or jsonld instead"

#: An article we wrote, with U+0001, U+000B, U+001B, U+000C, U+FFFE and U+FFFF in its quotes.
CONTROLS_ARTICLE = (
    "---\ntitle: Ministers\x01 meet in Seoul\npublished: 2024-03-04\n---\n"
    "SEOUL, March 4 - South Korean Defence Minister Kim Dae-ho met\x01 Japanese Defence "
    "Minister Sato Kenji in Seoul on Monday and the two sides agreed\x0b to hold a joint "
    "search-and-rescue exercise\x1b in June.\n\n"
    'The ministers said\uffff the talks\ufffe were "constructive" and\x0c cordial.\n'
)
FIRST_SENTENCE = (
    "SEOUL, March 4 - South Korean Defence Minister Kim Dae-ho met\ufffd Japanese Defence "
    "Minister Sato Kenji in Seoul on Monday and the two sides agreed  to hold a joint "
    "search-and-rescue exercise\ufffd in June."
)


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default outputs (graphs/, .kg/store) go to the test's folder, never the checkout."""
    monkeypatch.chdir(tmp_path)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- characters XML cannot hold, normalised at reading time -----------------------------------


def test_each_xml_illegal_code_point_is_replaced_one_for_one() -> None:
    raw = "A\x00b\x01c\x08d\x0be\x0cf\x0eg\x1bh\x1ci\x1fj\ud800k\ufffel\uffffm\tn\r\u0085o.\n"
    article = read_article_text(raw, name="t", default_id="t", lexicon=load_lexicon())
    assert article.text == (
        "A\ufffdb\ufffdc\ufffdd e f\ufffdg\ufffdh i j\ufffdk\ufffdl\ufffdm\tn\r\u0085o.\n"
    )
    assert len(article.text) == len(raw)


def test_control_characters_in_the_title_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "controls.txt"
    path.write_text(CONTROLS_ARTICLE, encoding="utf-8")
    article = read_article(path)
    assert article.title == "Ministers\ufffd meet in Seoul"
    assert [s.text for s in article.sentences] == [
        FIRST_SENTENCE,
        'The ministers said\ufffd the talks\ufffd were "constructive" and  cordial.',
    ]
    for sentence in article.sentences:
        assert article.text[sentence.start : sentence.end] == sentence.text


@pytest.fixture(scope="module")
def controls_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("controls")
    path = folder / "controls.txt"
    path.write_text(CONTROLS_ARTICLE, encoding="utf-8")
    code, _, err = invoke(
        "build", str(path), "--store", str(folder / "store"), "--out", str(folder / "out")
    )
    assert code == 0, err
    return folder / "store"


def _quads(store: Path) -> set[ox.Quad]:
    with opened(store, read_only=True) as s:
        return set(s.quads())


def _rapper_count(data: bytes, syntax: str, tmp_path: Path) -> str:
    path = tmp_path / f"export.{syntax}"
    path.write_bytes(data)
    done = subprocess.run(
        ["rapper", "-i", syntax, "-c", path.as_uri()], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("fmt", sorted(RDF_PARSERS))
def test_every_rdf_export_of_an_article_with_controls_reads_back(
    controls_store: Path, fmt: str, tmp_path: Path
) -> None:
    quads = _quads(controls_store)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    assert len(triples) == 234
    quotes = {q.object.value for q in quads if q.predicate.value.endswith("#anchorOf")}
    assert FIRST_SENTENCE in quotes
    code, _, err = invoke("export", "--store", str(controls_store), "--format", fmt)
    assert code == 0, err
    data = (
        CliRunner()
        .invoke(main, ["export", "--store", str(controls_store), "--format", fmt])
        .stdout_bytes
    )
    parsed = list(ox.parse(data, format=RDF_PARSERS[fmt]))
    if fmt in ("nquads", "trig"):
        assert set(parsed) == quads
    else:
        assert {ox.Triple(q.subject, q.predicate, q.object) for q in parsed} == triples
    if fmt in RAPPER:
        require_tool("rapper", "raptor2-utils; make test-deps")  # the checks above have passed
        assert _rapper_count(data, RAPPER[fmt], tmp_path) == "rapper: Parsing returned 234 triples"


def test_tables_and_networks_of_an_article_with_controls_read_back(controls_store: Path) -> None:
    def export(fmt: str) -> bytes:
        result = CliRunner().invoke(
            main, ["export", "--store", str(controls_store), "--format", fmt]
        )
        assert result.exit_code == 0, result.stderr
        return result.stdout_bytes

    events = [json.loads(line) for line in export("events").decode().splitlines()]
    evidence = {e["text"] for record in events for e in record["evidence"]}
    assert len(events) == 3 and FIRST_SENTENCE in evidence
    entities = [json.loads(line) for line in export("entities").decode().splitlines()]
    assert sorted(e["name"] for e in entities) == [
        "Japan", "Kim Dae-ho", "Ministry of Defense of Japan",
        "Ministry of Defense of South Korea", "Sato Kenji", "Seoul", "South Korea",
    ]  # fmt: skip
    rows = list(csv.reader(io.StringIO(export("dyads").decode())))
    assert rows == [  # the undated meeting and exercise are in no year's row
        ["state1", "state2", "ccode1", "ccode2", "gwcode1", "gwcode2", "year",
         "meetings", "visits", "agreements", "exercises", "incidents"],
        ["KOR", "JPN", "732", "740", "732", "740", "2024", "0", "0", "1", "0", "0"],
    ]  # fmt: skip
    with opened(controls_store, read_only=True) as store:
        from kg.network.views import full_view

        expected = full_view(store)
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        graph = reader(io.BytesIO(export(fmt)))
        assert graph.number_of_nodes() == expected.number_of_nodes(), fmt
        assert graph.number_of_edges() == expected.number_of_edges(), fmt


# --- loaded data that XML cannot hold ---------------------------------------------------------

CONTROL_LITERAL = (
    "@prefix dkg: <https://w3id.org/defense-kg/ontology#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    '<http://example.org/x> a dkg:State ; rdfs:label "Bad\\u0001land" ; dkg:iso3 "BDL" .\n'
)


@pytest.fixture()
def loaded_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    data = tmp_path / "bad.ttl"
    data.write_text(CONTROL_LITERAL, encoding="utf-8")
    code, _, err = invoke("load", str(data), "--store", str(store))
    assert code == 0, err
    return store


def test_loaded_control_characters_escape_or_refuse_in_one_line(loaded_store: Path) -> None:
    label = ox.Literal("Bad\x01land")
    for fmt, parser in RDF_PARSERS.items():
        code, out, err = invoke("export", "--store", str(loaded_store), "--format", fmt)
        if fmt == "rdfxml":
            assert (code, out) == (1, "")
            assert err == (
                "Error: cannot write RDF/XML: the statement <http://example.org/x> "
                "<http://www.w3.org/2000/01/rdf-schema#label> holds U+0001, which XML 1.0 "
                f"cannot hold; {XML_ALTERNATIVES}\n"
            )
            continue
        assert code == 0, err
        objects = {q.object for q in ox.parse(out.encode(), format=parser)}
        assert label in objects, fmt
    for fmt, name in (("graphml", "GraphML"), ("gexf", "GEXF")):
        code, out, err = invoke("export", "--store", str(loaded_store), "--format", fmt)
        assert (code, out) == (1, "")
        assert err == (
            f"Error: cannot write {name}: 'http://example.org/x' has U+0001 in 'label', which "
            "XML 1.0 cannot hold; export as entities or events instead\n"
        )
    code, out, _ = invoke("export", "--store", str(loaded_store), "--format", "entities")
    assert code == 0 and json.loads(out)["name"] == "Bad\x01land"


# --- predicates RDF/XML cannot write ------------------------------------------------------------


@pytest.mark.parametrize(
    "predicate", ["http://example.org/1", "http://example.org/a#", "urn:isbn:123"]
)
def test_predicates_without_an_xml_name_are_refused_naming_them(
    tmp_path: Path, predicate: str
) -> None:
    store = tmp_path / "store"
    data = tmp_path / "preds.nt"
    data.write_text(f'<http://example.org/s> <{predicate}> "v" .\n', encoding="utf-8")
    assert invoke("load", str(data), "--store", str(store))[0] == 0
    code, out, err = invoke("export", "--store", str(store), "--format", "rdfxml")
    assert (code, out) == (1, "")
    assert err == (
        f"Error: cannot write RDF/XML: the predicate <{predicate}> does not end in an XML name "
        f"(RDF/XML cannot express it); {XML_ALTERNATIVES}\n"
    )


def test_rdf_syntax_names_as_predicates_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = tmp_path / "li.nt"
    li = "http://www.w3.org/1999/02/22-rdf-syntax-ns#li"
    data.write_text(f'<http://example.org/s> <{li}> "v" .\n', encoding="utf-8")
    assert invoke("load", str(data), "--store", str(store))[0] == 0
    code, _, err = invoke("export", "--store", str(store), "--format", "rdfxml")
    assert (code, err) == (
        1,
        f"Error: cannot write RDF/XML: <{li}> is RDF/XML syntax and cannot be used as a "
        f"predicate; {XML_ALTERNATIVES}\n",
    )


SPLITTABLE = [
    "urn:x:foo",
    "http://example.org/a1",
    "http://example.org/1a",
    "http://example.org/a%20b",
    "http://example.org/a?b=c",
    "http://example.org/caf\u00e9",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#_1",
]


def test_predicates_that_can_be_split_read_back_in_rapper_and_rdflib(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = tmp_path / "preds.nt"
    data.write_text(
        "".join(f'<http://example.org/s> <{p}> "v{i}" .\n' for i, p in enumerate(SPLITTABLE)),
        encoding="utf-8",
    )
    assert invoke("load", str(data), "--store", str(store))[0] == 0
    result = CliRunner().invoke(main, ["export", "--store", str(store), "--format", "rdfxml"])
    assert result.exit_code == 0, result.stderr
    xml = result.stdout_bytes
    expected = {("http://example.org/s", p, f"v{i}") for i, p in enumerate(SPLITTABLE)}
    graph = Graph().parse(data=xml, format="xml")
    assert {(str(s), str(p), str(o)) for s, p, o in graph} == expected
    rapper = require_tool("rapper", "raptor2-utils; make test-deps")  # the checks above passed
    path = tmp_path / "out.rdf"
    path.write_bytes(xml)
    done = subprocess.run(
        [rapper, "-q", "-i", "rdfxml", "-o", "ntriples", path.as_uri()],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    parsed = ox.parse(done.stdout, format=ox.RdfFormat.N_TRIPLES)
    assert {(q.subject.value, q.predicate.value, q.object.value) for q in parsed} == expected


def test_xml_local_name() -> None:
    assert xml_local_name("http://example.org/a-b.c") == "a-b.c"
    assert xml_local_name("http://example.org/-a") == "a"
    assert xml_local_name("http://example.org/" + "9" * 100_000) is None


# --- RDF 1.2 is refused at kg load ------------------------------------------------------------

TRIPLE_TERMS = "RDF 1.2 triple terms (<< >>, {| |}, <<( )>>) are not supported; nothing was loaded"
RDF12 = {
    "reified.ttl": (
        "@prefix : <http://example.org/> .\n<< :a :b :c >> :d :e .\n",
        TRIPLE_TERMS,
    ),
    "annotated.ttl": ("@prefix : <http://example.org/> .\n:a :b :c {| :d :e |} .\n", TRIPLE_TERMS),
    "term.nt": (
        "<http://example.org/a> <http://example.org/b> "
        "<<( <http://example.org/a> <http://example.org/b> <http://example.org/c> )>> .\n",
        TRIPLE_TERMS,
    ),
    "direction.ttl": (
        '<http://example.org/a> <http://example.org/b> "x"@en--ltr .\n',
        'RDF 1.2 literals with a base direction ("..."@en--ltr) are not supported; '
        "nothing was loaded",
    ),
    "direction.jsonld": (
        '{"@id": "http://example.org/a", "http://example.org/b": '
        '{"@value": "x", "@language": "ar", "@direction": "rtl"}}',
        'RDF 1.2 literals with a base direction ("..."@ar--rtl) are not supported; '
        "nothing was loaded",
    ),
}


@pytest.fixture(scope="module")
def built_store(seed_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's seed store (these tests try to load into it)."""
    store = tmp_path_factory.mktemp("built") / "store"
    shutil.copytree(seed_store_path, store)
    return store


@pytest.mark.parametrize("name", sorted(RDF12))
def test_rdf_12_is_refused_in_one_line_and_the_store_is_unchanged(
    built_store: Path, tmp_path: Path, name: str
) -> None:
    text, message = RDF12[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = files(built_store)
    code, out, err = invoke("load", str(path), "--store", str(built_store))
    assert (code, out, err) == (2, "", f"Error: {path}: {message}\n")
    assert files(built_store) == before


@pytest.mark.parametrize(
    ("term", "what"),
    [
        (ox.Triple(ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/b"),
                   ox.NamedNode("http://e.org/c")), "a triple term"),
        (ox.Literal("x", language="en", direction=ox.BaseDirection.LTR),
         "a literal with a direction"),
    ],
)  # fmt: skip
def test_rdf_12_that_reached_the_store_otherwise_is_named_not_exported(
    built_store: Path, tmp_path: Path, term: Any, what: str
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    with opened(store) as s:  # as the union is kept: in the graph and the default graph
        for graph in (ox.NamedNode(G + "x"), ox.DefaultGraph()):
            s.inner.add(
                ox.Quad(ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/p"), term, graph)
            )
    message = (
        f"Error: <http://e.org/a> <http://e.org/p> has {what} (RDF 1.2), which kg does not "
        "export or validate; remove it with kg update\n"
    )
    for fmt in RDF_PARSERS:
        assert invoke("export", "--store", str(store), "--format", fmt) == (1, "", message), fmt
    assert invoke("validate", "--store", str(store)) == (1, "", message)


# --- XML entities: billion laughs and external entities -----------------------------------------

ENTITY_REFUSED = (
    "RDF/XML that declares entities (<!ENTITY) is refused, so that nothing is expanded; "
    "nothing was loaded"
)


def _laughs(levels: int) -> str:
    lines = ['<!ENTITY l0 "ha">']
    lines += [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(lines) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/">\n'
        f'<rdf:Description rdf:about="http://example.org/s"><ex:p>&l{levels};</ex:p>'
        "</rdf:Description>\n</rdf:RDF>\n"
    )


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_billion_laughs_is_refused_before_anything_expands(tmp_path: Path) -> None:
    path = tmp_path / "laughs.rdf"
    path.write_text(_laughs(10), encoding="utf-8")  # 2 * 10**10 bytes once expanded
    done = subprocess.run(
        [sys.executable, "-m", "kg", "load", str(path), "--store", str(tmp_path / "store")],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,  # 1 GiB of address space for the whole process
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"Error: {path}: {ENTITY_REFUSED}\n"
    assert not (tmp_path / "store").exists()


@pytest.fixture()
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A 127.0.0.1 listener that records every connection (stopped after the test)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(4096))
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join(timeout=5)
    server.close()


RDF_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="http://example.org/">\n'
)


def test_external_entities_and_remote_contexts_stay_refused(
    tmp_path: Path, listener: tuple[int, list[bytes]]
) -> None:
    port, seen = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    cases = {
        "file.rdf": (
            f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "{secret.as_uri()}"> ]>\n'
            + RDF_HEAD
            + '<rdf:Description rdf:about="http://example.org/s"><ex:p>&x;</ex:p>'
            "</rdf:Description></rdf:RDF>\n"
        ),
        "net.rdf": (
            '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY % x SYSTEM '
            f'"http://127.0.0.1:{port}/x.dtd"> %x; ]>\n' + RDF_HEAD + "</rdf:RDF>\n"
        ),
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        code, _, err = invoke("load", str(path), "--store", str(tmp_path / "store"))
        assert (code, err) == (2, f"Error: {path}: {ENTITY_REFUSED}\n"), name
    context = tmp_path / "remote.jsonld"
    context.write_text(
        f'{{"@context": "http://127.0.0.1:{port}/ctx.jsonld", "@id": "http://example.org/a", '
        '"name": "A"}',
        encoding="utf-8",
    )
    code, _, err = invoke("load", str(context), "--store", str(tmp_path / "store"))
    assert (code, err) == (
        1,
        f"Error: {context}: malformed JSON-LD: No LoadDocumentCallback has been set to load "
        "remote contexts\n",
    )
    # an external DTD without entity declarations is not fetched either
    dtd = tmp_path / "dtd.rdf"
    dtd.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:{port}/x.dtd">\n'
        + RDF_HEAD
        + '<rdf:Description rdf:about="http://example.org/s"><ex:p>v</ex:p>'
        "</rdf:Description></rdf:RDF>\n",
        encoding="utf-8",
    )
    code, _, err = invoke("load", str(dtd), "--store", str(tmp_path / "store"))
    assert (code, err) == (0, f"Loaded {dtd} into <{G}dtd> (1 triples)\n")
    assert seen == []
    assert not (tmp_path / "store" / "secret").exists()
