"""--endpoint: every command through a real Oxigraph server gives the embedded store's results.

The fixture starts ``oxigraph serve`` (the ``oxigraph`` package of the test extra) on
127.0.0.1 and a free port, waits until it answers, and stops it at the end.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_tool
from endpoint_helpers import (
    SEED,
    MatchesEmbedded,
    build_pair,
    free_port,
    run,
    same,
    wait_until_answers,
)

from kg.endpoint import Endpoint

pytestmark = pytest.mark.external


def oxigraph_binary() -> str:
    install = "pip install -e '.[test]'"
    beside = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    return beside or require_tool("oxigraph", install)


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
        if not wait_until_answers(f"{url}/query?query=ASK%7B%7D", process, 30):
            raise RuntimeError("oxigraph server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture()
def pair(server: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    """The same articles built into the embedded store and through the endpoint."""
    return build_pair(server, tmp_path)


class TestMatchesEmbedded(MatchesEmbedded):
    """build, list, every named query, export, stats, validate, remove, load and update."""


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
    assert (code, out) == (0, b"n\r\n0\r\n")  # the receipts were deleted (CSV: CRLF)


def test_network_and_render_read_the_endpoint(
    pair: tuple[list[str], list[str]], tmp_path: Path
) -> None:
    embedded, remote = pair
    rows = same(embedded, remote, "network", "timeline", "KOR", "JPN", "--format", "csv")
    table = list(csv.reader(io.StringIO(rows.decode())))
    assert (table[0], len(table)) == (
        ["date", "kind", "type", "label", "status", "quote", "article"],
        18,
    )
    assert [r[0] for r in table[1:6]] == ["2017", "2018", "2018", "2023-06-05", "2023-06-05"]
    assert same(embedded, remote, "network", "centrality", "--view", "states", "--format", "csv")
    assert same(embedded, remote, "network", "neighbors", "KOR", "--format", "csv")
    assert same(embedded, remote, "network", "path", "KOR", "JPN", "--format", "csv")
    assert same(embedded, remote, "network", "communities", "--view", "states", "--format", "csv")
    pages = [tmp_path / "a.html", tmp_path / "b.html"]
    for where, page in zip((embedded, remote), pages, strict=True):
        assert run("render", "--view", "states", "-o", str(page), *where)[0] == 0
    assert pages[0].read_bytes() == pages[1].read_bytes()


def test_an_explicit_store_beats_the_environment_endpoint(
    pair: tuple[list[str], list[str]], server: str
) -> None:
    embedded, _ = pair
    env = {"KG_ENDPOINT": f"http://127.0.0.1:{free_port()}"}  # nothing listens there
    for args in (("list", "--format", "csv"), ("query", "ASK { ?s ?p ?o }"),
                 ("network", "centrality", "--top", "1"), ("stats",)):  # fmt: skip
        code, out, err = run(*args, *embedded, env=env)
        assert (code, err) == (0, ""), args
        assert out == run(*args, *embedded)[1], args
    code, out, _ = run("list", "--format", "csv", env={"KG_ENDPOINT": server})
    assert code == 0 and out == run("list", "--format", "csv", *embedded)[1]
