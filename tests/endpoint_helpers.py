"""What the real-server tests share (``oxigraph serve`` in test_endpoint.py, Virtuoso in
test_virtuoso.py): the articles, a free loopback port, running the CLI, and the checks that
every command gives the same answer through ``--endpoint`` as on the embedded store."""

from __future__ import annotations

import csv
import io
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from kg.cli import main
from kg.query import named_queries
from kg.vocab import DKG

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_83c0c4f066b0d405.txt"
SECOND = ROOT / "tests" / "articles" / "kor-jpn-ministers-meet-wire.txt"
THIRD = ROOT / "tests" / "articles" / "usa-kor-iron-crest-suspended.txt"
ARTICLES = [str(SEED), str(SECOND), str(THIRD)]
RDF_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml")
TABLE_FORMATS = ("entities", "events", "dyads", "graphml", "gexf")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answers(url: str, process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Poll ``url`` until it answers; False when the process ended or ``seconds`` passed."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout_bytes, result.stderr


def build_pair(url: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    """The same articles built into the embedded store and through the endpoint; both builds
    export the same Turtle and TriG."""
    embedded = ["--store", str(tmp_path / "store")]
    remote = ["--endpoint", url]
    assert run("build", *ARTICLES, *embedded, "--out", str(tmp_path / "a"))[0] == 0
    code, _, err = run("build", *ARTICLES, *remote, "--out", str(tmp_path / "b"))
    assert code == 0, err
    for name in ("defense-kg.ttl", "defense-kg.trig"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    return embedded, remote


def same(embedded: list[str], remote: list[str], *args: str) -> bytes:
    first, second = run(*args, *embedded), run(*args, *remote)
    assert first[:2] == second[:2], args
    return first[1]


def triples(data: bytes, fmt: ox.RdfFormat) -> set[tuple[ox.Term, ...]]:
    """The distinct (subject, predicate, object) of an RDF document, named graphs merged."""
    return {(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}


def check_reads_match(embedded: list[str], remote: list[str]) -> None:
    """list, every named query, parameters, ASK, CONSTRUCT, every export format, stats and
    validate give the embedded store's exit code and output."""
    listing = same(embedded, remote, "list", "--format", "csv").decode()
    assert [line.split(",")[0] for line in listing.splitlines()[1:]] == sorted(
        Path(p).stem for p in ARTICLES
    )
    for name in named_queries():
        assert same(embedded, remote, "query", "--name", name, "--format", "json"), name
    # the SPARQL 1.1 result formats are written from the same terms for both
    for fmt in ("tsv", "csv", "xml"):
        assert same(embedded, remote, "query", "--name", "cq05_visits", "--format", fmt), fmt
    for fmt in ("turtle", "ntriples", "trig", "jsonld", "rdfxml"):
        kor = "dkgr:state\\/KOR"
        assert same(embedded, remote, "query", "--format", fmt,
                    f"CONSTRUCT WHERE {{ {kor} ?p ?o }}"), fmt  # fmt: skip
    by_label = ("--param", "subject=South Korea")  # an entity parameter by its label
    assert same(embedded, remote, "query", "--name", "cq09_evidence", "--format", "tsv", *by_label)
    exports = {fmt: same(embedded, remote, "export", "--format", fmt) for fmt in RDF_FORMATS}
    union = triples(exports["nquads"], ox.RdfFormat.N_QUADS)
    iso3 = {(s, p, o) for s, p, o in union if p == ox.NamedNode(DKG.iso3)}
    korean = {s for s, _, o in iso3 if o == ox.Literal("KOR")}
    events = sorted({e.value for e, p, o in union if p == ox.NamedNode(DKG.party) and o in korean})
    rows = same(
        embedded,
        remote,
        "query",
        "--format",
        "csv",
        "--param",
        "iso=KOR",
        "SELECT ?e WHERE { ?e dkg:party ?s . ?s dkg:iso3 ?iso } ORDER BY ?e",
    )
    assert list(csv.reader(io.StringIO(rows.decode()))) == [["e"], *([e] for e in events)]
    assert same(embedded, remote, "query", "ASK { ?s dkg:iso3 'KOR' }") == b"true\n"
    constructed = same(embedded, remote, "query", "CONSTRUCT WHERE { ?s dkg:iso3 ?i }")
    assert triples(constructed, ox.RdfFormat.TURTLE) == iso3
    for fmt in TABLE_FORMATS:
        assert same(embedded, remote, "export", "--format", fmt), fmt
    assert same(embedded, remote, "export", "--format", "turtle", "--inferred", "--with-ontology")
    assert same(embedded, remote, "export", "--format", "trig", "--article", SECOND.stem)
    assert same(embedded, remote, "stats", "--format", "json")
    conforms = (0, f"Conforms: {len(union)} triples, 0 violations\n".encode())
    assert run("validate", *embedded)[:2] == run("validate", *remote)[:2] == conforms


def check_writes_match(embedded: list[str], remote: list[str], tmp_path: Path) -> None:
    """remove, load and update leave both stores answering the same."""
    assert same(embedded, remote, "remove", SECOND.stem) == b""
    extra = tmp_path / "extra.nt"
    extra.write_text(
        "<https://w3id.org/defense-kg/id/state/KOR> "
        '<http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n'
    )
    same(embedded, remote, "load", str(extra))
    same(embedded, remote, "update", "DELETE WHERE { GRAPH ?g { ?s rdfs:comment 'x' } }")
    for args in (
        ("list",),
        ("export", "--format", "nquads"),
        ("export", "--format", "entities"),
        ("query", "--name", "cq10_timeline", "--format", "json"),
    ):
        assert same(embedded, remote, *args), args
    listing = same(embedded, remote, "list", "--format", "csv").decode()
    assert SECOND.stem not in listing and "extra,loaded,,0," not in listing


class MatchesEmbedded:
    """The parity tests, for a test class in a module that defines a ``pair`` fixture (the
    embedded store's and the endpoint's options after :func:`build_pair`)."""

    def test_list_query_export_stats_validate_match(
        self, pair: tuple[list[str], list[str]]
    ) -> None:
        check_reads_match(*pair)

    def test_remove_load_update_match(
        self, pair: tuple[list[str], list[str]], tmp_path: Path
    ) -> None:
        check_writes_match(*pair, tmp_path)
