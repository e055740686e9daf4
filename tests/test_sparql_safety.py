"""User SPARQL never reaches the network: the parsed-query wall, the sandbox, the limits.

Every attack class from issue 12 (sections 1 and 2) is here: each text is refused with an exact
message, through ``kg query``, ``kg update``, ``-f``, named queries with ``--param`` and
``--endpoint``, while a listener on 127.0.0.1 counts connections (there must be none).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.backends import opened
from kg.cli import main
from kg.query import QueryError, check_query, check_query_safety, check_update
from kg.sparql import safety
from kg.sparql.sandbox import Limits, isolate_network, parse_size, run_limited

NETWORK = "would reach the network; queries run on the local store only"
ESCAPES = "\\u and \\U escapes are read differently by SPARQL parsers; write the character itself"
ID = "https://w3id.org/defense-kg/id/"
DATA = f"""@prefix dkg: <https://w3id.org/defense-kg/ontology#> .
<{ID}state/JPN> a dkg:State ; dkg:iso3 "JPN" .
<{ID}state/KOR> a dkg:State ; dkg:iso3 "KOR" .
"""


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and answers like an endpoint."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        body = b'{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"literal","value":"remote"}}]}}'
        deadline = time.monotonic() + 600
        while not self.stopping.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(65536)
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.server.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("safety")
    data = folder / "mini.ttl"
    data.write_text(DATA, encoding="utf-8")
    path = folder / "store"
    assert CliRunner().invoke(main, ["load", str(data), "--store", str(path)]).exit_code == 0
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def everything(path: Path) -> set[ox.Quad]:
    with opened(path, read_only=True) as s:
        return set(s.inner.quads_for_pattern(None, None, None, None))


# (text, expected message); {u} is the listener's URL, {port} its port
QUERIES = [
    ("SELECT * WHERE { SERVICE <{u}sparql> { ?s ?p ?o } }", f"SERVICE {NETWORK}"),
    ("PREFIX : <{u}> SELECT ?o WHERE { SERVICE:x { ?s ?p ?o } }", f"SERVICE {NETWORK}"),
    ("select * { service silent <{u}> { ?s ?p ?o } }", f"SERVICE {NETWORK}"),
    ("SELECT * { OPTIONAL { SERVICE <{u}> { ?s ?p ?o } } }", f"SERVICE {NETWORK}"),
    ("SELECT * { FILTER EXISTS { SERVICE <{u}> { ?s ?p ?o } } }", f"SERVICE {NETWORK}"),
    ("SELECT * { FILTER NOT EXISTS { SERVICE <{u}> { ?s ?p ?o } } }", f"SERVICE {NETWORK}"),
    ("SELECT * { { SELECT * { SERVICE <{u}> { ?s ?p ?o } } } }", f"SERVICE {NETWORK}"),
    ("SELECT * { ?s ?p ?o MINUS { SERVICE <{u}> { ?s ?p ?o } } }", f"SERVICE {NETWORK}"),
    ("SELECT * { { ?s ?p ?o } UNION { SERVICE <{u}> { ?s ?p ?o } } }", f"SERVICE {NETWORK}"),
    ("SELECT * { \\u0053ERVICE <{u}> { ?s ?p ?o } }", ESCAPES),
    ("SELECT * { SERVICE <\\u0068ttp://127.0.0.1:{port}/> { ?s ?p ?o } }", ESCAPES),
    ('SELECT * { BIND("a\\u0022 AS ?x) } #" AS ?x) SERVICE <{u}> { ?s ?p ?o } }', ESCAPES),
    ('SELECT * { BIND("\\u0000005C" AS ?x) SERVICE <{u}> { ?s ?p ?o } } #" AS ?x) }', ESCAPES),
    ("SELECT * { #\rSERVICE <{u}> { ?s ?p ?o }\n}", f"SERVICE {NETWORK}"),
    ('SELECT * { BIND("""x\\"""" AS ?v) SERVICE <{u}a> { ?s ?p ?o } }', f"SERVICE {NETWORK}"),
    ("SELECT * { BIND('''x\\'''' AS ?v) SERVICE <{u}a> { ?s ?p ?o } }", f"SERVICE {NETWORK}"),
    ("SELECT * { dkg:a\\'b ?p ?o . SERVICE <{u}> { ?s ?p ?o } }", f"SERVICE {NETWORK}"),
    ("SELECT * { #}\nSERVICE<{u}>{?s ?p ?o} }", f"SERVICE {NETWORK}"),
    ("SELECT*{SERVICE<{u}>{}}", f"SERVICE {NETWORK}"),
    ("SELECT * { VALUES ?e { <{u}> } SERVICE ?e { ?s ?p ?o } }", f"SERVICE {NETWORK}"),
    ("ASK { SERVICE <{u}> { } }", f"SERVICE {NETWORK}"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{u}> { ?s ?p ?o } }", f"SERVICE {NETWORK}"),
    ("DESCRIBE ?s WHERE { SERVICE <{u}> { ?s ?p ?o } }", f"SERVICE {NETWORK}"),
    ("SELECT (COUNT(*) AS ?n) { SERVICE <{u}> { ?s ?p ?o } } GROUP BY ?s", f"SERVICE {NETWORK}"),
    ("PREFIX : <{u}> SELECT * FROM:x { ?s ?p ?o }", "FROM <{u}x> is not a graph of this store"),
    ("SELECT * FROM <{u}g> { ?s ?p ?o }", "FROM <{u}g> is not a graph of this store"),
    (
        "SELECT * FROM NAMED <{u}g> { GRAPH ?g { ?s ?p ?o } }",
        "FROM NAMED <{u}g> is not a graph of this store",
    ),
    (
        "PREFIX : <{u}> SELECT * { GRAPH:x { ?s ?p ?o } }",
        "GRAPH <{u}x> is not a graph of this store",
    ),
    (
        "BASE <https://w3id.org/defense-kg/> BASE <{u}> SELECT * FROM <x> { ?s ?p ?o }",
        "FROM <{u}x> is not a graph of this store",
    ),
    (
        "BASE <{u}> PREFIX p: <g/> SELECT * FROM p:x { ?s ?p ?o }",
        "FROM <{u}g/x> is not a graph of this store",
    ),
    ("DESCRIBE <{u}x> FROM <{u}g>", "FROM <{u}g> is not a graph of this store"),
    (
        "PREFIX NAMED: <https://w3id.org/defense-kg/> PREFIX : <{u}> SELECT * FROM NAMED:x {}",
        "the prefix name NAMED: is a SPARQL keyword, which makes the text read differently by "
        "different parsers",
    ),
]
# Virtuoso runs its bif: functions for the anonymous SPARQL account, and bif:http_get and
# bif:http_client fetch the URL they are given (tried on Virtuoso 7.2 against a listener).
FETCHES = (
    "the function <bif:http_get> is no XSD cast; only SPARQL's own functions and XSD casts run "
    "(an endpoint's extensions, such as Virtuoso's bif:http_get, can fetch URLs)"
)
QUERIES += [
    ("PREFIX bif: <bif:> SELECT (bif:http_get('{u}') AS ?x) {}", FETCHES),
    ("SELECT * { BIND(<bif:http_get>('{u}') AS ?x) }", FETCHES),
    ("SELECT * { FILTER(<bif:http_get>('{u}')) }", FETCHES),
    ("SELECT * { FILTER <bif:http_get>('{u}') }", FETCHES),
    ("SELECT ?s { ?s ?p ?o } ORDER BY <bif:http_get>('{u}')", FETCHES),
    ("SELECT ?s { ?s ?p ?o } GROUP BY ?s HAVING <bif:http_get>('{u}')", FETCHES),
    ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY (<bif:http_get>('{u}'))", FETCHES),
    ("SELECT (<bif:http_get>(DISTINCT '{u}') AS ?x) {}", FETCHES),
    ("SELECT * { FILTER EXISTS { FILTER(<bif:http_get>('{u}')) } }", FETCHES),
    # rdflib's translation drops the FILTERs of a group inside EXISTS from its algebra (and
    # from the tree, which it edits): the walk must see the whole parse
    (
        "SELECT * { ?a ?b ?c FILTER EXISTS { ?a ?b ?c FILTER NOT EXISTS "
        "{ SERVICE <{u}> { ?s ?p ?o } } } }",
        f"SERVICE {NETWORK}",
    ),
    ("ASK { FILTER NOT EXISTS { { FILTER EXISTS { SERVICE <{u}> {} } } } }", f"SERVICE {NETWORK}"),
    (
        "PREFIX : <{u}> ASK { FILTER EXISTS { FILTER EXISTS { GRAPH :g { } } } }",
        "GRAPH <{u}g> is not a graph of this store",
    ),
    ("PREFIX xsd: <bif:> SELECT (xsd:http_get('{u}') AS ?x) {}", FETCHES),
    (
        "PREFIX b: <http://www.w3.org/2001/XMLSchema#> PREFIX b: <bif:> "
        "SELECT (b:http_get('{u}') AS ?x) {}",
        FETCHES,
    ),
]
UPDATES = [
    (
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER EXISTS { FILTER EXISTS "
        "{ SERVICE <{u}> { } } } }",
        f"SERVICE {NETWORK}",
    ),
    ("PREFIX : <{u}> LOAD:x INTO GRAPH dkgg:pwn", f"LOAD {NETWORK}"),
    ("LOAD <{u}x>", f"LOAD {NETWORK}"),
    ("load silent <{u}x> into graph dkgg:pwn", f"LOAD {NETWORK}"),
    ("\\u004cOAD <{u}x>", ESCAPES),
    (
        "INSERT DATA { GRAPH dkgg:a { dkgr:a dkgr:b 1 } } #\r; LOAD <{u}x>\n",
        f"LOAD {NETWORK}",
    ),
    (
        "INSERT { GRAPH ?g { dkgr:a dkgr:b 1 } } WHERE { BIND(<{u}var> AS ?g) }",
        "INSERT into GRAPH ?g: a variable could name a graph outside this store; name the graph",
    ),
    (
        "BASE <{u}> INSERT DATA { GRAPH <x/a:b> { dkgr:a dkgr:b 1 } }",
        "GRAPH <x/a:b> is a relative IRI; write the full IRI of a graph of this store",
    ),
    (
        "BASE <https://w3id.org/defense-kg/> BASE <//evil.example/> INSERT DATA { GRAPH <g> { dkgr:a dkgr:b 1 } }",
        "GRAPH <//evil.example/g> is a relative IRI; write the full IRI of a graph of this store",
    ),
    (
        "BASE <tag:evil/> INSERT DATA { GRAPH <g> { dkgr:a dkgr:b 1 } }",
        "GRAPH <g> is a relative IRI; write the full IRI of a graph of this store",
    ),
    ("INSERT DATA { GRAPH dkgg:a { dkgr:a dkgr:b 1 } } ; LOAD <{u}x>", f"LOAD {NETWORK}"),
    ("MOVE <{u}g> TO dkgg:x", "MOVE <{u}g> is not a graph of this store"),
    ("ADD <{u}g> TO dkgg:x", "ADD <{u}g> is not a graph of this store"),
    ("COPY <{u}g> TO dkgg:x", "COPY <{u}g> is not a graph of this store"),
    ("PREFIX : <{u}> COPY dkgg:x TO:g", "TO <{u}g> is not a graph of this store"),
    (
        "PREFIX : <{u}> WITH:x DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "WITH <{u}x> is not a graph of this store",
    ),
    (
        "PREFIX : <{u}> DELETE { ?s ?p ?o } USING:x WHERE { ?s ?p ?o }",
        "USING <{u}x> is not a graph of this store",
    ),
    (
        "DELETE { ?s ?p ?o } USING NAMED <{u}g> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "USING NAMED <{u}g> is not a graph of this store",
    ),
    (
        "INSERT { GRAPH dkgg:x { ?s ?p ?o } } WHERE { SERVICE <{u}> { ?s ?p ?o } }",
        f"SERVICE {NETWORK}",
    ),
    (
        "INSERT { GRAPH dkgg:x { ?s ?p ?o } } WHERE { OPTIONAL { SERVICE SILENT <{u}> { ?s ?p ?o } } }",
        f"SERVICE {NETWORK}",
    ),
    (
        "INSERT DATA { GRAPH <{u}g> { dkgr:a dkgr:b 1 } }",
        "GRAPH <{u}g> is not a graph of this store",
    ),
    (
        "DELETE DATA { GRAPH <{u}g> { dkgr:a dkgr:b 1 } }",
        "GRAPH <{u}g> is not a graph of this store",
    ),
    ("DELETE WHERE { GRAPH <{u}g> { ?s ?p ?o } }", "GRAPH <{u}g> is not a graph of this store"),
    (
        "PREFIX : <{u}> INSERT { GRAPH:x { ?s ?p ?o } } WHERE { ?s ?p ?o }",
        "GRAPH <{u}x> is not a graph of this store",
    ),
    ("CLEAR GRAPH <{u}g>", "CLEAR <{u}g> is not a graph of this store"),
    ("DROP SILENT GRAPH <{u}g>", "DROP <{u}g> is not a graph of this store"),
    ("CREATE GRAPH <{u}g>", "CREATE <{u}g> is not a graph of this store"),
    ("BASE <{u}> CLEAR GRAPH <g>", "CLEAR <{u}g> is not a graph of this store"),
]
LOCAL = "http://127.0.0.1:18081/"


def fill(text: str, listener: Listener | None = None) -> str:
    url, port = (listener.url, str(listener.port)) if listener else (LOCAL, "18081")
    return text.replace("{u}", url).replace("{port}", port)


@pytest.mark.parametrize(("text", "message"), QUERIES)
def test_queries_are_refused_on_the_parsed_form(text: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        check_query(fill(text))
    assert (str(info.value), info.value.exit_code) == (f"refused: {fill(message)}", 2)


@pytest.mark.parametrize(("text", "message"), UPDATES)
def test_updates_are_refused_on_the_parsed_form(text: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        check_update(fill(text))
    assert (str(info.value), info.value.exit_code) == (f"refused: {fill(message)}", 2)
    with pytest.raises(QueryError):
        check_query_safety(fill(text))


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?service ?load WHERE { ?service ?load ?from }",
        'SELECT * { ?s ?p "SERVICE <http://example.org/> LOAD FROM <http://example.org/>" }',
        "SELECT * { ?s ?p ?o } # SERVICE <http://example.org/> LOAD <http://example.org/>",
        "SELECT * { ?s <http://example.org/SERVICE> ?o . ?o <http://example.org/load> ?x }",
        "PREFIX service: <https://w3id.org/defense-kg/ontology#>\nSELECT * { ?s service:load ?o }",
        'SELECT * { ?s ?p """x\\""" SERVICE <http://x.example/> """ }',
        "SELECT * FROM <https://w3id.org/defense-kg/graph/x> { ?s ?p ?o }",
        "SELECT * { GRAPH dkgg:x { ?s ?p ?o } }",
        "BASE <https://w3id.org/defense-kg/graph/> SELECT * FROM <seed> { ?s ?p ?o }",
    ],
)
def test_keywords_that_are_only_data_are_allowed(text: str) -> None:
    check_query(text)


def test_every_named_query_passes_the_wall() -> None:
    from kg.query import named_queries

    for named in named_queries().values():
        check_query(named.text)


def test_commands_refuse_every_variant_and_nothing_connects(
    listener: Listener, store: Path, tmp_path: Path
) -> None:
    before = everything(store)
    seen: list[tuple[str, int, str]] = []
    for command, variants in (("query", QUERIES), ("update", UPDATES)):
        for index, (text, message) in enumerate(variants):
            sparql = fill(text, listener)
            expected = f"Error: refused: {fill(message, listener)}\n"
            code, out, err = run(command, "--store", str(store), sparql)
            seen.append((command, code, err == expected and out == ""))
            if index % 4 == 0:  # the same text from a file and against an endpoint
                query_file = tmp_path / f"{command}{index}.rq"
                query_file.write_text(sparql, encoding="utf-8")
                code, _, err = run(command, "--store", str(store), "-f", str(query_file))
                seen.append((command + " -f", code, err == expected))
                code, _, err = run(command, "--endpoint", listener.url, sparql)
                seen.append((command + " --endpoint", code, err == expected))
    assert [s for s in seen if s[1:] != (2, True)] == []
    every_fourth = len(range(0, len(QUERIES), 4)) + len(range(0, len(UPDATES), 4))
    assert sum(1 for s in seen if s[0].endswith("--endpoint")) == every_fourth
    assert listener.connections == 0
    assert everything(store) == before


def test_parameters_are_terms_and_cannot_open_a_service(listener: Listener, store: Path) -> None:
    evil = f"<{listener.url}x> }} SERVICE <{listener.url}> {{"
    code, out, err = run(
        "query", "--store", str(store), "--name", "cq09_evidence", "--param", f"subject={evil}"
    )
    # an entity parameter: the text is looked up as a label (a bound, escaped string)
    assert (code, err) == (2, f"Error: --param subject: {evil!r} names no entity in the store "
                              "(give an IRI, a prefixed name, an ISO-3 code or a label)\n")  # fmt: skip
    assert listener.connections == 0


def _connect(port: int) -> str:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError as exc:
        return type(exc).__name__
    return "connected"


def test_the_child_has_no_network(listener: Listener) -> None:
    """The second wall: even code that tries to connect from the sandbox cannot."""
    if os.geteuid() != 0 and not _user_namespaces():
        pytest.skip("this OS permits no private network namespace; the parser wall stands alone")
    limits = Limits(timeout=20, max_memory=None)
    assert run_limited(_connect, (listener.port,), limits=limits, what="query") == "OSError"
    assert listener.connections == 0
    assert _connect(listener.port) == "connected"  # the listener itself does answer
    listener.connections -= 1


def _user_namespaces() -> bool:
    try:
        return Path("/proc/sys/kernel/unprivileged_userns_clone").read_text().strip() == "1"
    except OSError:
        return False


def test_isolate_network_is_callable_where_permitted() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from kg.sparql.sandbox import isolate_network as i; print(i())"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() in ("True", "False")
    if os.geteuid() == 0:
        assert done.stdout.strip() == "True"
    assert isolate_network  # imported for the subprocess above


# --- limits ------------------------------------------------------------------------------


def _values(name: str, count: int) -> str:
    return f"VALUES ?{name} {{ {' '.join(str(i) for i in range(count))} }}"


def test_a_cross_product_of_values_stops_at_the_time_limit(store: Path) -> None:
    text = (
        "SELECT (COUNT(*) AS ?n) WHERE { "
        + " ".join(_values(v, 600) for v in "abc")
        + " FILTER(?a + ?b + ?c < 0) }"
    )
    start = time.monotonic()
    code, out, err = run("query", "--store", str(store), "--timeout", "1", text)
    assert time.monotonic() - start < 15
    assert (code, out, err) == (
        1,
        "",
        "Error: query stopped after the 1 s time limit (--timeout)\n",
    )


def test_a_string_doubled_32_times_stops_at_the_memory_limit(store: Path) -> None:
    binds = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(32))
    text = f'ASK {{ BIND("xxxxxxxx" AS ?v0) {binds} FILTER(STRLEN(?v32) > 0) }}'
    code, out, err = run(
        "query", "--store", str(store), "--timeout", "60", "--max-memory", "512M", text
    )
    assert (code, out) == (1, "")
    assert (
        err == "Error: query stopped: it needed more than the 512 MiB memory limit (--max-memory)\n"
    )


def test_an_insert_over_a_large_cross_product_stops_and_changes_nothing(store: Path) -> None:
    before = everything(store)
    text = (
        "INSERT { GRAPH dkgg:x { ?a dkg:n ?b } } WHERE { "
        + " ".join(_values(v, 250) for v in "abc")
        + " BIND(IRI(CONCAT('https://w3id.org/defense-kg/id/n', STR(?a+?b+?c))) AS ?x) }"
    )
    code, _, err = run(
        "update", "--store", str(store), "--timeout", "2", "--max-memory", "1G", text
    )
    assert code == 1
    assert err in (
        "Error: update stopped after the 2 s time limit (--timeout)\n",
        "Error: update stopped: it needed more than the 1 GiB memory limit (--max-memory)\n",
    )
    assert everything(store) == before


def test_many_prefix_declarations_run_inside_the_time_limit(store: Path) -> None:
    prefixes = "".join(f"PREFIX p{i}: <https://w3id.org/defense-kg/p{i}/>\n" for i in range(16000))
    start = time.monotonic()
    code, _, err = run("query", "--store", str(store), "--timeout", "2", prefixes + "ASK {}")
    assert time.monotonic() - start < 15
    assert (code, err) in (
        (0, ""),
        (1, "Error: query stopped after the 2 s time limit (--timeout)\n"),
    )


@pytest.mark.parametrize(("open_", "close"), [("{ ", "}"), ("(", ")")])
def test_deep_nesting_is_refused_in_one_line(store: Path, open_: str, close: str) -> None:
    body = "?s ?p ?o" if open_ == "{ " else "FILTER" + "(" * 3000 + "1" + ")" * 3000
    text = "SELECT * WHERE " + open_ * 3000 + "?s ?p ?o" + close * 3000
    if open_ == "(":
        text = "SELECT * WHERE { " + body + " }"
    code, out, err = run("query", "--store", str(store), text)
    assert (code, out) == (2, "")
    assert (
        err
        == f"Error: refused: the text nests {3000 + (1 if open_ == '(' else 0)} levels deep; the limit is {safety.MAX_DEPTH}\n"
    )


def test_nesting_up_to_the_limit_still_runs(store: Path) -> None:
    depth = safety.MAX_DEPTH
    text = "ASK " + "{ " * depth + "?s ?p ?o" + " }" * depth
    assert run("query", "--store", str(store), text)[0] == 0


@pytest.mark.parametrize("escape", ["\\U00110000", "\\UFFFFFFFF", "\\uD800"])
def test_bad_unicode_escapes_are_one_line(store: Path, escape: str) -> None:
    code, out, err = run("query", "--store", str(store), f'SELECT * {{ ?s ?p "{escape}" }}')
    assert (code, out, err) == (2, "", f"Error: refused: {ESCAPES}\n")


def test_max_memory_must_be_a_size(store: Path) -> None:
    code, _, err = run("query", "--store", str(store), "--max-memory", "lots", "ASK {}")
    assert (code, err) == (2, "Error: --max-memory: not a size: 'lots' (use e.g. 512M or 2G)\n")
    code, _, err = run("query", "--store", str(store), "--max-memory", "1M", "ASK {}")
    assert (code, err) == (
        2,
        "Error: --max-memory: '1M' is below the least a query can run in (256M)\n",
    )
    assert parse_size("1.5G") == 1610612736


@pytest.mark.parametrize("value", ["inf", "nan", "1e300"])
def test_timeout_must_be_finite(store: Path, value: str) -> None:
    code, _, err = run("query", "--store", str(store), "--timeout", value, "ASK {}")
    assert code == 2
    assert "Invalid value for '--timeout': must be a number of seconds below a week" in err


def test_results_larger_than_the_memory_limit_are_refused_in_the_child(store: Path) -> None:
    text = (
        "SELECT ?x WHERE { "
        + _values("a", 800)
        + " "
        + _values("b", 800)
        + " BIND(CONCAT(STR(?a), '-', STR(?b), '-padding-padding-padding') AS ?x) }"
    )
    code, out, err = run("query", "--store", str(store), "--max-memory", "256M", text)
    assert (code, out) == (1, "")
    # the child stops on its own limit, or refuses to hand the parent more than half of it
    assert (
        err == "Error: query stopped: it needed more than the 256 MiB memory limit (--max-memory)\n"
        or (
            err.startswith("Error: query stopped: its results (")
            and err.endswith(
                "exceed half the 256 MiB memory limit (--max-memory); narrow the query or raise the limit\n"
            )
        )
    )


def test_a_surrogate_parameter_is_one_line(store: Path) -> None:
    code, _, err = run(
        "query", "--store", str(store), "--name", "cq09_evidence", "--param", "subject=\udcff"
    )
    assert code == 2 and err.startswith("Error: --param value ") and err.count("\n") == 1


def test_a_long_run_of_letters_is_checked_inside_the_limit(store: Path) -> None:
    text = "SELECT * WHERE { ?s ?p ?o } " + "a" * 40000
    start = time.monotonic()
    code, _, err = run("query", "--store", str(store), "--timeout", "5", "--param", "x=1", text)
    assert time.monotonic() - start < 30
    assert code == 2 and err.startswith("Error: malformed SPARQL at line 1, column ")


def test_a_bracket_run_inside_an_iri_lookalike_counts_toward_the_depth(store: Path) -> None:
    text = "SELECT * { BIND(1 AS ?a) FILTER((?a<" + "(" * 5000 + "1" + ")" * 5000 + ")&&(1>?a)) }"
    code, _, err = run("query", "--store", str(store), text)
    assert (code, err) == (
        2,
        f"Error: refused: the text nests 5003 levels deep; the limit is {safety.MAX_DEPTH}\n",
    )


def test_no_temporary_file_is_left_behind(store: Path) -> None:
    import tempfile

    before = set(Path(tempfile.gettempdir()).glob("kg-sparql-*"))
    assert run("query", "--store", str(store), "ASK {}")[0] == 0
    assert set(Path(tempfile.gettempdir()).glob("kg-sparql-*")) == before


# --- the child dies with its parent ----------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_and_kill(args: list[str], how: int) -> int:
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    children: list[int] = []
    while time.monotonic() < deadline and not children:
        time.sleep(0.1)
        children = _children(process.pid)
    assert children, "the command started no child"
    time.sleep(1.0)
    process.send_signal(how)
    process.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(c) for c in children):
        time.sleep(0.1)
    return sum(_alive(c) for c in children)


@pytest.fixture()
def big(tmp_path: Path) -> Path:
    data = tmp_path / "big.nt"
    data.write_text(
        "".join(f"<{ID}n{i}> <{ID}p{i % 7}> <{ID}n{(i * 31) % 3000}> .\n" for i in range(3000))
    )
    path = tmp_path / "big"
    assert run("load", str(data), "--store", str(path))[0] == 0
    return path


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_query_takes_its_child_with_it(big: Path, how: int) -> None:
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    assert _start_and_kill(["query", "--store", str(big), "--timeout", "120", cross], how) == 0


def test_an_orphaned_update_never_commits(big: Path) -> None:
    before = everything(big)
    cross = "INSERT { GRAPH dkgg:x { ?a ?b ?f } } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    args = ["update", "--store", str(big), "--timeout", "120", cross]
    assert _start_and_kill(args, signal.SIGKILL) == 0
    time.sleep(2)
    assert everything(big) == before
