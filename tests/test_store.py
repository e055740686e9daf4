"""The store: idempotent builds, crash safety, remove, list, load, readers and writers."""

# ruff: noqa: E501 (RDF test data reads best one statement a line)

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.article import read_article
from kg.backends import opened
from kg.build import build_articles, read_articles
from kg.cli import main
from kg.extract import extract
from kg.mapping import extraction_quads
from kg.query import run_on_store
from kg.store import MARKER, ONTOLOGY_GRAPH, StoreError, open_store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_83c0c4f066b0d405.txt"
SEED_ID = SEED.stem
SECOND = ROOT / "tests" / "articles" / "kor-jpn-ministers-meet-wire.txt"
SECOND_ID = SECOND.stem
G = "https://w3id.org/defense-kg/graph/"
JPN = ox.NamedNode("https://w3id.org/defense-kg/id/state/JPN")
KG = [sys.executable, "-m", "kg"]


def build(store: Path, *paths: Path) -> None:
    with opened(store, create=True) as s:
        build_articles(s, read_articles(list(paths)))


def everything(store: Path) -> set[ox.Quad]:
    """Every quad of the store, default graph (the union) included."""
    with opened(store, read_only=True) as s:
        return set(s.inner.quads_for_pattern(None, None, None, None))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def union_is_consistent(store: Path) -> bool:
    """The default graph equals the set of triples in the named graphs."""
    quads = everything(store)
    default = {
        (q.subject, q.predicate, q.object) for q in quads if q.graph_name == ox.DefaultGraph()
    }
    named = {(q.subject, q.predicate, q.object) for q in quads if q.graph_name != ox.DefaultGraph()}
    return default == named


@pytest.fixture(scope="module")
def two_articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("two") / "store"
    build(store, SEED, SECOND)
    return store


def test_rebuilding_duplicates_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(store, SEED, SECOND)
    first = everything(store)
    build(store, SEED, SECOND)
    build(store, SEED)
    assert everything(store) == first
    assert union_is_consistent(store)


def test_union_default_graph_is_a_set(two_articles: Path) -> None:
    """Both articles mention Japan: its label appears once, not once per article graph."""
    with opened(two_articles, read_only=True) as s:
        rows = list(
            s.query(
                f"SELECT ?l WHERE {{ <{JPN.value}> rdfs:label ?l }}",
                prefixes={"rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
            )
        )
        graphs = {q.graph_name for q in s.inner.quads_for_pattern(JPN, None, None, None)}
    assert [r["l"].value for r in rows] == ["Japan"]
    assert graphs == {ox.NamedNode(G + SEED_ID), ox.NamedNode(G + SECOND_ID), ox.DefaultGraph()}


def test_remove_leaves_exactly_the_other_article(tmp_path: Path) -> None:
    both, seed_only = tmp_path / "both", tmp_path / "seed"
    build(both, SEED, SECOND)
    build(seed_only, SEED)
    code, _, err = invoke("remove", SECOND_ID, "--store", str(both))
    assert code == 0, err
    assert err.startswith(f"Removed {SECOND_ID} (")
    assert everything(both) == everything(seed_only)
    # removing the last article that mentions Japan removes Japan from every graph
    assert invoke("remove", SEED_ID, "--store", str(both))[0] == 0
    quads = everything(both)
    assert {q for q in quads if q.subject == JPN or q.object == JPN} == set()
    assert {q.graph_name.value for q in quads if q.graph_name != ox.DefaultGraph()} == {
        ONTOLOGY_GRAPH
    }
    assert union_is_consistent(both)


def test_remove_unknown_article_is_one_line_error(two_articles: Path) -> None:
    before = everything(two_articles)
    code, _, err = invoke("remove", "no-such-article", "--store", str(two_articles))
    assert code == 1
    assert err == f"Error: no article or loaded graph 'no-such-article' in {two_articles}\n"
    assert everything(two_articles) == before


def test_list_shows_title_date_and_triple_count(two_articles: Path) -> None:
    with opened(two_articles, read_only=True) as s:
        counts = {g: sum(1 for _ in s.quads(g)) for g in s.article_graphs()}
    code, out, _ = invoke("list", "--store", str(two_articles), "--format", "csv")
    assert code == 0
    assert out == (
        "article,kind,published,triples,title\n"
        f"{SEED_ID},article,,{counts[G + SEED_ID]},\n"
        f"{SECOND_ID},article,2023-06-06,{counts[G + SECOND_ID]},"
        '"S. Korea, Japan defence chiefs agree to restart vice-ministerial talks"\n'
    )


SMALL = {
    "ttl": '@prefix ex: <http://example.org/> .\nex:a ex:p ex:b ; ex:name "A" .\nex:b ex:p [ ex:q 1 ] .\n',
    "nt": "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"
    '<http://example.org/a> <http://example.org/name> "A" .\n'
    '<http://example.org/b> <http://example.org/p> _:x .\n_:x <http://example.org/q> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    "nq": "<http://example.org/a> <http://example.org/p> <http://example.org/b> <http://example.org/g1> .\n"
    '<http://example.org/a> <http://example.org/name> "A" <http://example.org/g2> .\n'
    '<http://example.org/b> <http://example.org/p> _:x .\n_:x <http://example.org/q> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    "trig": '@prefix ex: <http://example.org/> .\nex:g1 { ex:a ex:p ex:b ; ex:name "A" . }\n{ ex:b ex:p [ ex:q 1 ] . }\n',
    "jsonld": '{"@context": {"ex": "http://example.org/"}, "@graph": [{"@id": "ex:a", "ex:p": {"@id": "ex:b"}, "ex:name": "A"},'
    ' {"@id": "ex:b", "ex:p": {"ex:q": {"@value": "1", "@type": "http://www.w3.org/2001/XMLSchema#integer"}}}]}',
    "rdf": '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
    '<rdf:Description rdf:about="http://example.org/a"><ex:p rdf:resource="http://example.org/b"/><ex:name>A</ex:name></rdf:Description>\n'
    '<rdf:Description rdf:about="http://example.org/b"><ex:p><rdf:Description><ex:q rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">1</ex:q></rdf:Description></ex:p></rdf:Description>\n'
    "</rdf:RDF>\n",
}


@pytest.mark.parametrize("ext", sorted(SMALL))
def test_load_each_rdf_format_as_its_own_graph(tmp_path: Path, ext: str) -> None:
    store = tmp_path / "store"
    build(store, SEED)
    path = tmp_path / f"extra.{ext}"
    path.write_text(SMALL[ext], encoding="utf-8")
    graph = G + "extra"
    for _ in range(2):  # loading again replaces the graph: still 4 triples
        code, _, err = invoke("load", str(path), "--store", str(store))
        assert code == 0, err
        assert err == f"Loaded {path} into <{graph}> (4 triples)\n"
    with opened(store, read_only=True) as s:
        got = sorted(
            str(q.subject) + " " + str(q.predicate) + " " + str(q.object) for q in s.quads(graph)
        )
    assert got == [
        '<http://example.org/a> <http://example.org/name> "A"',
        "<http://example.org/a> <http://example.org/p> <http://example.org/b>",
        f"<http://example.org/b> <http://example.org/p> <{graph}/.well-known/genid/0>",
        f'<{graph}/.well-known/genid/0> <http://example.org/q> "1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    ]
    code, out, _ = invoke("list", "--store", str(store), "--format", "tsv")
    assert out.splitlines()[2] == "extra\tloaded\t\t4\t"
    assert union_is_consistent(store)


def test_malformed_rdf_is_one_line_with_position_and_store_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(store, SEED)
    before = everything(store)
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\nex:c ex:p .\n")
    code, out, err = invoke("load", str(bad), "--store", str(store))
    assert code == 1 and out == ""
    assert err == (
        f"Error: {bad}: malformed Turtle: Parser error at line 3 column 11: "
        ". is not a valid RDF object (line 3)\n"
    )
    assert everything(store) == before


def test_load_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    code, _, err = invoke("load", str(path), "--store", str(tmp_path / "store"))
    assert code == 1
    assert err.startswith(f"Error: {path}: unknown RDF file extension (known: .json, .jsonld,")
    assert not (tmp_path / "store").exists()


def test_directory_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    for args in (["list"], ["query", "ASK {}"], ["remove", "x"], ["build"]):
        code, _, err = invoke(*args, "--store", str(tmp_path))
        assert code == 1, args
        assert err == (
            f"Error: {tmp_path}: not a defense-kg store (no {MARKER} marker); refusing to touch it\n"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    missing = tmp_path / "missing"
    code, _, err = invoke("list", "--store", str(missing))
    assert (code, err) == (
        1,
        f"Error: {missing}: no store here; run 'kg build' first or pass --store\n",
    )
    with pytest.raises(StoreError, match="not a directory"):
        open_store(tmp_path / "notes.txt")


def test_readers_wait_for_a_writer_and_a_second_writer_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(store, SEED)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from kg.store import open_store
            s = open_store(Path({str(store)!r}))
            print("holding", flush=True)
            sys.stdin.readline()
            s.close()
            print("released", flush=True)
            time.sleep(60)
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    query = [*KG, "query", "--store", str(store), "--format", "csv",
             "SELECT ?iso WHERE { ?s dkg:iso3 ?iso } ORDER BY ?iso LIMIT 2"]  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        waited = subprocess.run(
            query, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "KG_LOCK_WAIT": "1"}
        )
        assert (waited.returncode, waited.stdout) == (1, "")
        assert waited.stderr == (
            f"Error: {store}: waited 1 s for a writer to finish ($KG_LOCK_WAIT)\n"
        )
        writer = subprocess.run(
            [*KG, "remove", SEED_ID, "--store", str(store)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert writer.returncode == 1
        assert writer.stderr == f"Error: {store}: the store is in use by another writer\n"
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline() == "released\n"
        reader = subprocess.run(query, capture_output=True, text=True, cwd=ROOT)
        assert (reader.returncode, reader.stdout) == (0, "iso\nCHN\nJPN\n"), reader.stderr
    finally:
        holder.kill()
        holder.wait()
    assert invoke("list", "--store", str(store))[0] == 0


def test_queries_during_a_build_see_the_store_before_or_after_it(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(store, SEED)
    articles = sorted((ROOT / "tests" / "articles").glob("*.txt"))
    count = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s a dkg:Article } }"
    builder = subprocess.Popen(
        [*KG, "build", *map(str, articles), "--store", str(store), "--out", str(tmp_path / "g")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        done = builder.poll() is not None
        with opened(store, read_only=True) as reader:
            seen.append(run_on_store(reader, count).rows[0][0])
        if done:
            break
    assert builder.wait(60) == 0
    assert set(seen) <= {"1", str(1 + len(articles))}, seen
    assert seen[-1] == str(1 + len(articles))


CRASH_BUILDER = """
import sys
from pathlib import Path
import pyoxigraph as ox
from kg.article import read_article
from kg.extract import extract
from kg.mapping import extraction_quads, graph_iri
from kg.store import open_store

store = open_store(Path(sys.argv[1]), create=True)
store.ensure_ontology()
seed_id, path = sys.argv[2], sys.argv[3]
quads = extraction_quads(extract(read_article(Path(path))))

def renamed(term, new):
    if isinstance(term, ox.NamedNode):
        return ox.NamedNode(term.value.replace(seed_id, new))
    return term

for i in range(100000):
    new = f"copy{i:05d}"
    store.replace_graph(graph_iri(new), [tuple(renamed(t, new) for t in q) for q in quads])
    print(new, flush=True)
"""


def _kill_midway(script: str, store: Path, first: str, after: float) -> None:
    """Run a writer script on the seed, wait for its first commit (line ``first``), let more
    commits start for ``after`` seconds, then kill it (SIGKILL) with one in flight."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(store), SEED_ID, str(SEED)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == first
    time.sleep(after)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_build_killed_midway_leaves_store_as_before_the_interrupted_article(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    _kill_midway(CRASH_BUILDER, store, "copy00000\n", 0.7)
    with opened(store) as s:  # reopening recovers from the write-ahead log
        graphs = s.article_graphs()
        sizes = {g: sum(1 for _ in s.quads(g)) for g in graphs}
    expected = len(extraction_quads(extract(read_article(SEED))))
    assert len(graphs) >= 1
    # the committed copies are copy00000..copyNNNNN, with no gap, each complete
    assert graphs == [G + f"copy{i:05d}" for i in range(len(graphs))]
    assert set(sizes.values()) == {expected}, sizes
    assert union_is_consistent(store)


BATCH_CRASH_BUILDER = """
import sys
from pathlib import Path
import pyoxigraph as ox
from kg.article import read_article
from kg.extract import extract
from kg.mapping import extraction_triples, graph_iri
from kg.store import triples_nquads, open_store

store = open_store(Path(sys.argv[1]), create=True)
store.ensure_ontology()
seed_id, path = sys.argv[2], sys.argv[3]
triples = extraction_triples(extract(read_article(Path(path))))

def copy(new):
    # the seed's id appears in IRIs only (<.../article/ID/...>), never in a literal's text
    return triples_nquads(graph_iri(new), [t.replace("/" + seed_id, "/" + new) for t in triples])

for b in range(100000):
    store.add_nquads([copy(f"copy{b:04d}-{i}") for i in range(3)])
    print(b, flush=True)
"""


def test_build_killed_during_a_bulk_batch_keeps_whole_batches(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _kill_midway(BATCH_CRASH_BUILDER, store, "0\n", 1.0)
    with opened(store) as s:  # the writer's open removes a killed load's SST files
        graphs = s.article_graphs()
        sizes = {g: sum(1 for _ in s.quads(g)) for g in graphs}
    assert not [n for n in os.listdir(store) if n.startswith("bulk-")]
    expected = len(extraction_quads(extract(read_article(SEED))))
    batches = len(graphs) // 3
    assert batches >= 1
    assert graphs == sorted(G + f"copy{b:04d}-{i}" for b in range(batches) for i in range(3))
    assert set(sizes.values()) == {expected}, sizes
    assert union_is_consistent(store)


PARTS_CRASH_LOADER = """
import sys
from pathlib import Path
import kg.store
from kg.store import load_statements, open_store

kg.store.BULK_QUADS = 10_000  # parts of at most 5,000 statements, each through the bulk loader
store = open_store(Path(sys.argv[1]), create=True)
for n in range(100000):
    graph = f"https://w3id.org/defense-kg/graph/big{n:04d}"
    statements = [f'<http://example.org/s{i}> <http://example.org/p> "{i}"' for i in range(40_000)]
    load_statements(store, graph, statements)
    print(n, flush=True)
"""


def test_load_killed_during_parallel_parts_leaves_whole_parts_and_a_consistent_union(
    tmp_path: Path,
) -> None:
    """``kg load`` of a large graph goes in parts loaded two at a time: a kill leaves every
    finished graph whole, the one in flight with some of its statements (each part all or
    nothing), no loader files, and the union default graph equal to the union of the graphs."""
    store = tmp_path / "store"
    _kill_midway(PARTS_CRASH_LOADER, store, "0\n", 0.7)
    with opened(store) as s:  # the writer's open removes a killed load's SST files
        graphs = [g for g in s.named_graphs() if "/graph/big" in g]
        sizes = {g: sum(1 for _ in s.quads(g)) for g in graphs}
    assert not [n for n in os.listdir(store) if n.startswith("bulk-")]
    assert graphs == [G + f"big{n:04d}" for n in range(len(graphs))]
    assert all(size == 40_000 for size in list(sizes.values())[:-1]), sizes
    writers = os.cpu_count() or 1
    part = -(-40_000 // (-(-8 // writers) * writers))  # 8 parts needed, a round per core
    assert 0 < sizes[graphs[-1]] <= 40_000 and sizes[graphs[-1]] % part in (0, 40_000 % part)
    assert union_is_consistent(store)


def test_a_writer_removes_sst_files_a_killed_bulk_load_left(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with opened(store, create=True) as s:
        s.ensure_ontology()
    (store / "bulk-12345678901234567890.sst").write_bytes(b"half an sst file")
    (store / "bulk-notes.sst").write_bytes(b"not a name the loader gives")
    with opened(store, read_only=True) as s:  # a reader changes nothing
        assert len(s) > 0
    assert (store / "bulk-12345678901234567890.sst").exists()
    with opened(store) as s:
        assert len(s) > 0
    assert not (store / "bulk-12345678901234567890.sst").exists()
    assert (store / "bulk-notes.sst").exists()


def test_a_large_new_graph_is_loaded_in_parts_and_a_second_load_replaces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.store

    monkeypatch.setattr(kg.store, "BULK_QUADS", 10)  # parts of 5 triples
    p = ox.NamedNode("http://example.org/p")
    triples = [(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(str(i))) for i in range(23)]
    with opened(tmp_path / "store", create=True) as s:
        assert kg.store.load_triples(s, G + "big", triples) == (G + "big", 23)
        assert sum(1 for _ in s.quads(G + "big")) == 23
        assert kg.store.load_triples(s, G + "big", triples[:7]) == (G + "big", 7)
        assert sum(1 for _ in s.quads(G + "big")) == 7
    assert union_is_consistent(tmp_path / "store")


def test_a_large_new_graph_goes_in_equal_parts_a_round_for_every_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """23 triples in parts of at most 5 on 2 cores: 5 parts are needed, 6 make rounds of 2,
    so 6 parts of 4 (the last 3), each with its union copy; a failing part is one StoreError
    and the union stays consistent with what was written."""
    import kg.store

    monkeypatch.setattr(kg.store, "BULK_QUADS", 10)
    monkeypatch.setattr(kg.store.os, "cpu_count", lambda: 2)
    loads: list[int] = []
    real = kg.store.Store.add_nquads

    def counted(self: kg.store.Store, chunks: list[bytes], **kwargs: bool) -> None:
        loads.append(b"".join(chunks).count(b"\n"))
        assert kwargs == {"keep_people_index": True}
        real(self, chunks, **kwargs)

    monkeypatch.setattr(kg.store.Store, "add_nquads", counted)
    p = ox.NamedNode("http://example.org/p")
    triples = [(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(str(i))) for i in range(23)]
    with opened(tmp_path / "store", create=True) as s:
        assert kg.store.load_triples(s, G + "parts", triples) == (G + "parts", 23)
    assert sorted(loads) == [6, 8, 8, 8, 8, 8]
    assert union_is_consistent(tmp_path / "store")

    calls = itertools.count()  # next() is atomic: exactly one part (the third) fails

    def failing(self: kg.store.Store, chunks: list[bytes], **kwargs: bool) -> None:
        if next(calls) == 2:
            raise StoreError("disk full")
        counted(self, chunks, **kwargs)

    monkeypatch.setattr(kg.store.Store, "add_nquads", failing)
    with opened(tmp_path / "store") as s, pytest.raises(StoreError, match="^disk full$"):
        kg.store.load_triples(s, G + "other", triples)
    assert union_is_consistent(tmp_path / "store")


def test_loading_batches_in_threads_writes_the_same_store_as_one_writer(
    tmp_path: Path,
) -> None:
    import kg.build

    articles = read_articles([ROOT / "tests" / "articles"])
    extractions = kg.build.extract_all(articles, 1)
    seen: list[str] = []
    for jobs in (1, 2):
        seen.clear()
        with opened(tmp_path / f"store-{jobs}", create=True) as s:
            reports = kg.build.build_extractions(
                s, extractions, lambda a: seen.append(a.id), jobs=jobs, batch=5
            )
        assert [r.article_id for r in reports] == [a.id for a in articles]
        assert seen == [a.id for a in articles]  # reported once written, in order
    assert len(everything(tmp_path / "store-1")) > len(articles)
    assert everything(tmp_path / "store-1") == everything(tmp_path / "store-2")
    assert union_is_consistent(tmp_path / "store-2")
