"""--endpoint on OpenLink Virtuoso (Debian ``virtuoso-opensource`` 7.2): every command gives the
embedded store's results, as it does on Oxigraph's server (tests/test_endpoint.py).

The module's fixture writes a private ``virtuoso.ini`` into a temporary folder (database, log,
lock and temporary files there, SQL and HTTP ports on 127.0.0.1 only, small buffers), starts
``virtuoso-t -f``, waits (bounded) until SPARQL answers, lets the anonymous SPARQL account
update (``GRANT SPARQL_UPDATE``) and kills the server at the end. The layout is set as a user
would: ``KG_ENDPOINT_UPDATE`` and ``KG_ENDPOINT_STORE`` (``/sparql-graph-crud``, which selects
Virtuoso's dialect in ``kg.endpoint``), credentials in ``KG_ENDPOINT_USER``/``_PASSWORD``.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import require_tool
from endpoint_helpers import (
    ARTICLES,
    MatchesEmbedded,
    build_pair,
    free_port,
    run,
    wait_until_answers,
)

from kg.endpoint import UNION_GRAPH, Endpoint

pytestmark = pytest.mark.external

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 8
CheckpointInterval = 60
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 2
MaxQueryMem = 256M

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 4
ServerThreads = 4
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""

GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL";\n'


@dataclass(frozen=True, slots=True)
class Virtuoso:
    base: str  # http://127.0.0.1:PORT
    folder: Path


def _binary(name: str) -> str:
    return require_tool(name, "virtuoso-opensource; make test-deps")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    folder = tmp_path_factory.mktemp("virtuoso")
    sql, http = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(d=folder, sql=sql, http=http), encoding="utf-8")
    base = f"http://127.0.0.1:{http}"
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen(
        [_binary("virtuoso-t"), "-f", "-c", str(ini)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        if not wait_until_answers(f"{base}/sparql?query=ASK%7B%7D", process, 90):
            log_text = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"virtuoso did not start:\n{log_text}")
        (folder / "grants.sql").write_text(GRANTS, encoding="utf-8")
        subprocess.run(
            [_binary("isql-vt"), f"127.0.0.1:{sql}", "dba", "dba", str(folder / "grants.sql")],
            check=True,
            capture_output=True,
            timeout=60,
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("KG_ENDPOINT_UPDATE", f"{base}/sparql")
            patch.setenv("KG_ENDPOINT_STORE", f"{base}/sparql-graph-crud")
            yield Virtuoso(base, folder)
    finally:
        process.kill()
        process.wait(timeout=30)
        log.close()


@pytest.fixture()
def server(virtuoso: Virtuoso) -> str:
    """The query URL of a Virtuoso that holds none of kg's graphs (its own graphs stay)."""
    endpoint = Endpoint.from_url(f"{virtuoso.base}/sparql")
    for graph in [*endpoint.named_graphs(), UNION_GRAPH]:
        endpoint.update(f"DROP SILENT GRAPH <{graph}>")
    assert endpoint.named_graphs() == [] and len(endpoint) == 0
    return f"{virtuoso.base}/sparql"


@pytest.fixture()
def pair(server: str, tmp_path: Path) -> tuple[list[str], list[str]]:
    return build_pair(server, tmp_path)


class TestMatchesEmbedded(MatchesEmbedded):
    """build, list, every named query, export, stats, validate, remove, load and update."""


def test_virtuoso_system_graphs_stay_invisible(server: str) -> None:
    """The server's own graphs (virtrdf#, ldp#, ...) are outside kg's dataset: an empty
    dataset counts 0 triples, as a new embedded store does."""
    assert run("list", "--format", "csv", "--endpoint", server) == (
        0, b"article,kind,published,triples,title\n", ""
    )  # fmt: skip
    code, out, _ = run(
        "query", "--endpoint", server, "--format", "csv",
        "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
    )  # fmt: skip
    assert (code, out) == (0, b"n\r\n0\r\n")  # SPARQL 1.1 CSV: CRLF


def test_empty_graph_pattern_differs(pair: tuple[list[str], list[str]]) -> None:
    """SPARQL feature Virtuoso 7.2 lacks: ``GRAPH ?g { }`` (an empty group) should give one
    solution per named graph (the embedded store does); Virtuoso gives none for kg's dataset
    (and one with ?g unbound without a dataset). kg lists graphs another way; a user's query
    gets Virtuoso's answer."""
    embedded, remote = pair
    query = ("query", "--format", "csv", "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    assert run(*query, *embedded)[1].count(b"\r\n") == 1 + len(ARTICLES) + 1  # + ontology graph
    assert run(*query, *remote)[:2] == (0, b"g\r\n")


def test_digest_authentication(server: str, virtuoso: Virtuoso, tmp_path: Path) -> None:
    """/sparql-auth and /sparql-graph-crud-auth with digest credentials from the environment;
    a wrong password is one line."""
    auth = {
        "KG_ENDPOINT_UPDATE": f"{virtuoso.base}/sparql-auth",
        "KG_ENDPOINT_STORE": f"{virtuoso.base}/sparql-graph-crud-auth",
        "KG_ENDPOINT_USER": "dba",
        "KG_ENDPOINT_PASSWORD": "dba",
    }
    url = f"{virtuoso.base}/sparql-auth"
    data = tmp_path / "auth.nt"
    data.write_text('<https://w3id.org/defense-kg/id/state/KOR> <urn:p> "x" .\n')
    assert run("load", str(data), "--endpoint", url, env=auth)[0] == 0
    assert run("export", "--format", "ntriples", "--endpoint", url, env=auth) == (
        0, b'<https://w3id.org/defense-kg/id/state/KOR> <urn:p> "x" .\n', ""
    )  # fmt: skip
    assert run("remove", "auth", "--endpoint", url, env=auth)[0] == 0
    code, out, err = run("list", "--endpoint", url, env={**auth, "KG_ENDPOINT_PASSWORD": "no"})
    assert (code, out, err) == (
        1,
        b"",
        f"Error: endpoint {url}: HTTP 401: not authorised as 'dba'\n",
    )
    code, _, err = run("list", "--endpoint", f"http://dba:dba@127.0.0.1:{free_port()}/sparql")
    assert (code, err.count("\n"), "dba:dba" in err) == (1, 1, False)


def test_virtuoso_without_its_dialect_is_refused(virtuoso: Virtuoso) -> None:
    """Without the Virtuoso layout kg would read every graph of the server as a bag: refused."""
    url = f"{virtuoso.base}/sparql"
    code, out, err = run("list", "--endpoint", url, env={"KG_ENDPOINT_STORE": ""})
    assert (code, out) == (1, b"")
    assert err == (
        f"Error: endpoint {url} is Virtuoso: set KG_ENDPOINT_STORE to its /sparql-graph-crud "
        "URL so that kg uses its dialect (see README)\n"
    )


class _CuttingVirtuoso(http.server.BaseHTTPRequestHandler):
    """Answers as a Virtuoso whose ResultSetMaxRows cut everything: one graph of 3 triples whose
    Graph Store read gives 1, and a SELECT marked cut (``X-SPARQL-MaxRows``)."""

    graph = "https://w3id.org/defense-kg/graph/a"

    def _send(self, media: str, body: bytes, cut: bool = False) -> None:
        self.send_response(200)
        self.send_header("Server", "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu")
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        if cut:
            self.send_header("X-SPARQL-MaxRows", "5")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self._send("application/n-triples", b"<urn:s> <urn:p> <urn:o> .\n")

    def do_POST(self) -> None:  # noqa: N802
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        query = form["query"][0]
        if "COUNT(*) AS ?n" in query:
            rows = [{"g": {"type": "uri", "value": self.graph},
                     "n": {"type": "typed-literal", "value": "3",
                           "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]  # fmt: skip
            head = ["g", "n"]
        else:
            rows, head = [{"g": {"type": "uri", "value": self.graph}}], ["g"]
        body = json.dumps({"head": {"vars": head}, "results": {"bindings": rows}}).encode()
        self._send("application/sparql-results+json", body, cut="cut" in query)

    def log_message(self, *args: object) -> None:
        pass


def test_cut_answers_are_refused() -> None:
    """Virtuoso cuts answers at ResultSetMaxRows: a cut SELECT and a short graph read are one
    line each, never a silently partial export."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CuttingVirtuoso)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = {"KG_ENDPOINT_UPDATE": f"{base}/sparql", "KG_ENDPOINT_STORE": f"{base}/sparql-graph-crud"}
    try:
        code, out, err = run(
            "query", "--endpoint", f"{base}/sparql", "SELECT ?g WHERE { ?g ?cut ?o }", env=env
        )
        assert (code, out, err) == (
            1, b"", f"Error: endpoint {base}/sparql: the server cut the answer at 5 rows "
            "(Virtuoso's ResultSetMaxRows; raise it in virtuoso.ini)\n",
        )  # fmt: skip
        code, out, err = run(
            "export", "--format", "ntriples", "--endpoint", f"{base}/sparql", env=env
        )
        assert (code, out, err) == (
            1, b"", f"Error: endpoint {base}/sparql-graph-crud: graph <{_CuttingVirtuoso.graph}> "
            "read as 1 of its 3 triples (Virtuoso cuts graph reads at its ResultSetMaxRows; raise "
            "it in virtuoso.ini)\n",
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
