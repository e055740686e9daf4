"""--endpoint: every command through a real Oxigraph server gives the embedded store's results.

The fixture starts ``oxigraph serve`` (the ``oxigraph`` package of the test extra) on
127.0.0.1 and a free port, waits until it answers, and stops it at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.endpoint import Endpoint
from kg.query import named_queries

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_83c0c4f066b0d405.txt"
SECOND = ROOT / "tests" / "articles" / "kor-jpn-ministers-meet-wire.txt"
THIRD = ROOT / "tests" / "articles" / "usa-kor-iron-crest-suspended.txt"
ARTICLES = [str(SEED), str(SECOND), str(THIRD)]

pytestmark = pytest.mark.external


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    assert found, "install the oxigraph package (pip install -e '.[test]')"
    return found


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            oxigraph_binary(),
            "serve",
            "--location",
            str(tmp_path / "server"),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            "20",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("oxigraph server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.fixture()
def pair(server: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    """The same articles built into the embedded store and through the endpoint."""
    embedded = ["--store", str(tmp_path / "store")]
    remote = ["--endpoint", server]
    assert run("build", *ARTICLES, *embedded, "--out", str(tmp_path / "a"))[0] == 0
    code, _, err = run("build", *ARTICLES, *remote, "--out", str(tmp_path / "b"))
    assert code == 0, err
    assert code == 0
    for name in ("defense-kg.ttl", "defense-kg.trig"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    return embedded, remote


def same(embedded: list[str], remote: list[str], *args: str) -> bytes:
    first, second = run(*args, *embedded), run(*args, *remote)
    assert first[:2] == second[:2], args
    return first[1]


def test_list_query_export_stats_validate_match(pair: tuple[list[str], list[str]]) -> None:
    embedded, remote = pair
    listing = same(embedded, remote, "list", "--format", "csv").decode()
    assert [line.split(",")[0] for line in listing.splitlines()[1:]] == sorted(
        Path(p).stem for p in ARTICLES
    )
    for name in named_queries():
        assert same(embedded, remote, "query", "--name", name, "--format", "json"), name
    assert (
        same(
            embedded,
            remote,
            "query",
            "--format",
            "csv",
            "--param",
            "iso=KOR",
            "SELECT ?e WHERE { ?e dkg:party ?s . ?s dkg:iso3 ?iso } ORDER BY ?e",
        ).count(b"\n")
        > 2
    )
    assert same(embedded, remote, "query", "ASK { ?s dkg:iso3 'KOR' }") == b"true\n"
    assert same(embedded, remote, "query", "CONSTRUCT WHERE { ?s dkg:iso3 ?i }").startswith(
        b"@prefix"
    )
    for fmt in (
        "turtle",
        "ntriples",
        "nquads",
        "trig",
        "jsonld",
        "rdfxml",
        "entities",
        "events",
        "dyads",
        "graphml",
        "gexf",
    ):
        assert same(embedded, remote, "export", "--format", fmt), fmt
    assert same(embedded, remote, "export", "--format", "turtle", "--inferred", "--with-ontology")
    assert same(embedded, remote, "export", "--format", "trig", "--article", SECOND.stem)
    assert same(embedded, remote, "stats", "--format", "json")
    code, out, _ = run("validate", *embedded)
    assert run("validate", *remote)[:2] == (code, out)


def test_remove_load_update_match(pair: tuple[list[str], list[str]], tmp_path: Path) -> None:
    embedded, remote = pair
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


def test_environment_variable_selects_the_endpoint(server: str) -> None:
    code, out, _ = run("list", "--format", "csv", env={"KG_ENDPOINT": server})
    assert (code, out) == (0, b"article,kind,published,triples,title\n")


def test_unreachable_endpoint_is_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, out, err = run("list", "--endpoint", url)
    assert (code, out) == (1, b"")
    assert err == f"Error: endpoint {url}/query: unreachable (Connection refused)\n"
    code, _, err = run("build", str(SEED), "--endpoint", url, "--out", str(tmp_path / "o"))
    assert code == 1 and err.splitlines()[-1].startswith(f"Error: endpoint {url}/")
    assert not (tmp_path / "o").exists()
    code, _, err = run("query", "--endpoint", "ftp://example.org/", "ASK {}")
    assert (code, err) == (1, "Error: endpoint 'ftp://example.org/': not an http(s) URL\n")


def test_refusals_happen_before_any_request(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: a request would fail differently
    code, _, err = run(
        "query", "--endpoint", url, "SELECT * { SERVICE <http://example.org/s> { ?s ?p ?o } }"
    )
    assert (code, err) == (
        2,
        "Error: refused: SERVICE would reach the network; queries run on the local store only\n",
    )
    code, _, err = run("update", "--endpoint", url, "LOAD <http://example.org/x.ttl>")
    assert code == 2 and err.startswith("Error: refused: LOAD")


def test_timeout_on_the_endpoint(server: str, tmp_path: Path) -> None:
    data = tmp_path / "big.nt"
    data.write_text(
        "".join(f"<urn:n{i}> <urn:p{i % 7}> <urn:n{(i * 31) % 2000}> .\n" for i in range(2000))
    )
    assert run("load", str(data), "--endpoint", server)[0] == 0
    start = time.monotonic()
    code, out, err = run(
        "query",
        "--endpoint",
        server,
        "--timeout",
        "1",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    )
    assert time.monotonic() - start < 10
    assert (code, out) == (1, b"")
    assert err == (
        f"Error: endpoint {server}/query: no complete answer within the 1 s time limit (--timeout)\n"
    )


def test_endpoint_urls() -> None:
    e = Endpoint.from_url("http://127.0.0.1:7878/sparql")
    assert (e.query_url, e.update_url, e.store_url) == (
        "http://127.0.0.1:7878/sparql",
        "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store",
    )
    os.environ["KG_ENDPOINT_UPDATE"] = "http://127.0.0.1:3030/ds/update"
    try:
        assert Endpoint.from_url("http://127.0.0.1:3030/ds/query").update_url == (
            "http://127.0.0.1:3030/ds/update"
        )
    finally:
        del os.environ["KG_ENDPOINT_UPDATE"]


def test_graph_names_and_receipts_on_a_real_server(server: str, tmp_path: Path) -> None:
    """A file name with a space loads as graph my%20data; no update leaves its receipt behind."""
    data = tmp_path / "my data.nt"
    data.write_text('<https://w3id.org/defense-kg/id/state/KOR> <urn:p> "x" .\n')
    graph = "https://w3id.org/defense-kg/graph/my%20data"
    assert run("load", str(data), "--endpoint", server) == (
        0, b"", f"Loaded {data} into <{graph}> (1 triples)\n"
    )  # fmt: skip
    assert run("list", "--format", "csv", "--endpoint", server)[1] == (
        b"article,kind,published,triples,title\nmy%20data,loaded,,1,\n"
    )
    assert (
        run("update", "--endpoint", server, "DELETE WHERE { GRAPH ?g { ?s <urn:p> ?o } }")[0] == 0
    )
    assert (
        run("remove", "my%20data", "--endpoint", server)[2]
        == "Error: no article or loaded graph 'my%20data' in " + server + "/query\n"
    )
    code, out, _ = run(
        "query", "--endpoint", server, "--format", "csv",
        "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
    )  # fmt: skip
    assert (code, out) == (0, b"n\n0\n")  # the receipts were deleted
