"""--endpoint against a server that misbehaves: every command fails in one line, in bounded time.

The fake endpoint (tests/fake_endpoint.py) runs in its own process on two random ports of
127.0.0.1, started and stopped by a module fixture; the URL's first path segment chooses the
behaviour. Every command that takes --endpoint runs against every behaviour and must exit 1
with exactly one stderr line, "Error: endpoint URL...", naming the service that misbehaved, and
no traceback, within a generous bound (the deadline in these tests is 1.5 s).
"""

from __future__ import annotations

import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import require_tool

from kg.cli import main
from kg.endpoint import query_form

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_83c0c4f066b0d405.txt"
JSON = "application/sparql-results+json"
NT = "application/n-triples"
LIMIT = "1.5"  # seconds: --timeout and KG_ENDPOINT_TIMEOUT in these tests


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[str, str]]:
    """The fake endpoint's two base URLs (its own process, stopped at the end)."""
    with subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("fake_endpoint.py"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            ready, _, _ = select.select([process.stdout], [], [], 30)
            assert ready, "the fake endpoint did not start"
            first, second = process.stdout.readline().split()
            yield f"http://127.0.0.1:{first}", f"http://127.0.0.1:{second}"
        finally:
            process.terminate()
            process.wait(timeout=10)


class Hang(Exception):
    """The command did not return in time."""


def _hang(signum: int, frame: Any) -> None:
    raise Hang("the command did not return within 60 s")


def invoke(args: list[str], env: dict[str, str]) -> tuple[int, str, str, BaseException | None]:
    """Run the CLI; an alarm stops it after 60 s (a hang fails the test instead of stalling)."""
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(60)
    try:
        result = CliRunner().invoke(main, args, env=env)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    exception = None if isinstance(result.exception, SystemExit) else result.exception
    return result.exit_code, result.stdout, result.stderr, exception


def command(name: str, url: str, tmp_path: Path) -> list[str]:
    extra = tmp_path / "extra.nt"
    extra.write_text('<https://w3id.org/defense-kg/id/state/KOR> <urn:p> "x" .\n')
    return {
        "list": ["list"],
        "stats": ["stats"],
        "export": ["export", "--format", "nquads"],
        "build": ["build", str(SEED), "--out", str(tmp_path / "out")],
        "remove": ["remove", "seed"],
        "validate": ["validate"],
        "query": ["query", "--timeout", LIMIT, "SELECT ?s WHERE { ?s ?p ?o }"],
        "update": [
            "update",
            "--timeout",
            LIMIT,
            "INSERT DATA { GRAPH dkgg:notes { <https://w3id.org/defense-kg/id/state/KOR> rdfs:comment 'x' } }",
        ],
        "load": ["load", str(extra)],
    }[name] + ["--endpoint", url]


COMMANDS = ["list", "stats", "export", "build", "remove", "validate", "query", "update", "load"]

#: Which service each command asks first: the query service, the graph store or the update
#: service. An update that is acknowledged is then checked through the query service.
FIRST = {"build": "store", "update": "update", "load": "update"}

UNUSABLE_JSON = "unusable answer (not SPARQL JSON results: Parser error at line 1 column 1: "


def expected(behaviour: str, name: str, url: str) -> str | None:
    """The exact error line of ``kg NAME`` against ``behaviour`` (None: the command succeeds)."""
    first = FIRST.get(name, "query")
    asked = "query" if first == "update" else first  # what fails after an accepted update
    service = f"{url}/{first}"
    what = {"query": "query", "update": "update", "store": "request"}[first]
    limit = f"{LIMIT} s time limit ({'--timeout' if name in ('query', 'update') else 'KG_ENDPOINT_TIMEOUT'})"
    wrong_media = {
        "query": f"endpoint {url}/query: answered the query with {{}}, expected {JSON} or application/json",
        "store": f"endpoint {url}/store: answered a graph read with {{}}, expected {NT}",
    }
    if behaviour in ("ignores-updates", "update-cut-off"):
        if name not in ("build", "remove", "update", "load"):
            return None
        if behaviour == "update-cut-off":
            return f"endpoint {url}/update: answer cut off after 5 bytes"
        return f"endpoint {url}/update answered the update with HTTP 200 but did not apply it"
    store_unusable = f"endpoint {url}/store: unusable answer (malformed N-Triples: Parser error at line 1 column 1: "
    if behaviour == "junk":
        if asked == "store":
            return f"{store_unusable}' ' is not allowed at the beginning of a prefix name (line 1))"
        return f"endpoint {url}/query: {UNUSABLE_JSON}Unexpected char: ' ' (line 1))"
    if behaviour in ("html", "wrong-type"):
        return wrong_media[asked].format("text/html" if behaviour == "html" else "text/plain")
    if behaviour in ("wrong-shape", "boolean") and asked == "store":
        return f"{store_unusable}The subject of a triple must be an IRI or a blank node (line 1))"
    if behaviour == "wrong-shape":
        return f"endpoint {url}/query: unusable answer (not SPARQL JSON results: The results object must contains a 'bindings' key)"
    if behaviour == "boolean":
        return f"endpoint {url}/query: unusable answer (a boolean where solutions were expected)"
    return {
        "bad-request": f"endpoint {service} refused the {what} (HTTP 400): "
        "400 Bad Request Bad Request Parse error: unexpected <",
        "server-error": f"endpoint {service}: HTTP 500: internal failure",
        "not-http": f"endpoint {service}: not an HTTP answer (SSH-2.0-OpenSSH_9.6)",
        "hang-up": f"endpoint {service}: closed the connection without an answer",
        "cut-off": f"endpoint {service}: answer cut off after 10 bytes",
        "redirect": f"endpoint {service} answered the {what} with a redirect (HTTP 302) to "
        "{other}/good/query; redirects are not followed",
        "trickle": f"endpoint {service}: no complete answer within the {limit}",
        "huge": f"endpoint {service}: answer larger than 1000000 bytes (the KG_ENDPOINT_MAX_BYTES limit)",
        "huge-declared": f"endpoint {service}: answer larger than 1000000 bytes (the KG_ENDPOINT_MAX_BYTES limit)",
    }[behaviour]


BEHAVIOURS = [
    "junk",
    "html",
    "wrong-shape",
    "boolean",
    "wrong-type",
    "bad-request",
    "server-error",
    "not-http",
    "hang-up",
    "cut-off",
    "redirect",
    "trickle",
    "huge",
    "huge-declared",
    "ignores-updates",
    "update-cut-off",
]
ENV = {"KG_ENDPOINT_TIMEOUT": LIMIT, "KG_ENDPOINT_MAX_BYTES": "1000000"}


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_against_every_misbehaviour(
    fake: tuple[str, str], tmp_path: Path, name: str, behaviour: str
) -> None:
    base, other = fake
    url = f"{base}/{behaviour}"
    start = time.monotonic()
    code, out, err, exception = invoke(command(name, url, tmp_path), ENV)
    assert time.monotonic() - start < 30  # bounded: the deadline holds (a generous bound)
    assert exception is None, repr(exception)
    assert "Traceback" not in out + err
    line = expected(behaviour, name, url)
    if line is None:
        assert code == 0, err
        return
    assert code == 1
    assert (err, out) == (f"Error: {line.replace('{other}', other)}\n", "")
    if name == "build":
        assert not (tmp_path / "out").exists()
    if name in ("update", "load", "remove"):
        assert "Updated" not in err and "Loaded" not in err and "Removed" not in err


def test_the_fake_answers_like_a_store_when_it_behaves(fake: tuple[str, str]) -> None:
    url = f"{fake[0]}/good"
    assert invoke(["list", "--format", "csv", "--endpoint", url], {}) == (
        0, "article,kind,published,triples,title\nseed,loaded,,1,\n", "", None
    )  # fmt: skip
    select = ["query", "--format", "csv", "SELECT ?o { GRAPH ?g { ?s ?p ?o } }", "--endpoint", url]
    assert invoke(select, {}) == (0, "o\nRepublic of Korea\n", "", None)
    assert invoke(["query", "ASK { GRAPH ?g { ?s ?p 'Republic of Korea' } }", "--endpoint", url], {})[:2] == (
        0, "true\n"
    )  # fmt: skip
    construct = ["query", "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"]
    assert invoke([*construct, "--endpoint", url], {}) == (
        0,
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        '<https://w3id.org/defense-kg/id/state/KOR> rdfs:label "Republic of Korea" .\n',
        "",
        None,
    )


@pytest.mark.parametrize(
    ("behaviour", "args", "problem"),
    [
        (
            "solutions",
            ["query", "ASK { ?s ?p ?o }"],
            "unusable answer (solutions where a boolean was expected)",
        ),
        ("solutions", ["list"], "unusable answer (variables ?s where ?g ?n were asked)"),
        (
            "solutions",
            ["query", "SELECT ?x ?y WHERE { ?x ?p ?y }"],
            "unusable answer (variables ?s where ?x ?y were asked)",
        ),
        (
            "boolean",
            ["query", "SELECT * WHERE { ?x ?p ?y }"],
            "unusable answer (a boolean where solutions were expected)",
        ),
        (
            "boolean",
            ["query", "CONSTRUCT WHERE { ?s ?p ?o }"],
            f"answered the query with {JSON}, expected {NT} or text/turtle",
        ),
        (
            "junk",
            ["query", "DESCRIBE <urn:x>"],
            f"answered the query with {JSON}, expected {NT} or text/turtle",
        ),
    ],
)
def test_answers_of_the_wrong_form(
    fake: tuple[str, str], behaviour: str, args: list[str], problem: str
) -> None:
    url = f"{fake[0]}/{behaviour}"
    assert invoke([*args, "--endpoint", url], {}) == (
        1,
        "",
        f"Error: endpoint {url}/query: {problem}\n",
        None,
    )


@pytest.mark.parametrize(
    ("env", "endpoint", "message"),
    [
        (
            {"KG_ENDPOINT_TIMEOUT": "soon"},
            "http://127.0.0.1:9",
            "KG_ENDPOINT_TIMEOUT='soon': not a positive number",
        ),
        (
            {"KG_ENDPOINT_TIMEOUT": "-1"},
            "http://127.0.0.1:9",
            "KG_ENDPOINT_TIMEOUT='-1': not a positive number",
        ),
        (
            {"KG_ENDPOINT_MAX_BYTES": "0"},
            "http://127.0.0.1:9",
            "KG_ENDPOINT_MAX_BYTES='0': not a positive number",
        ),
        ({}, "http://127.0.0.1:99999", "endpoint 'http://127.0.0.1:99999': not an http(s) URL"),
        ({}, "http://127.0.0.1:9/a b", "endpoint 'http://127.0.0.1:9/a b': not an http(s) URL"),
        ({}, "http://127.0.0.1:9/é", "endpoint 'http://127.0.0.1:9/é': not an http(s) URL"),
        ({}, "http:///query", "endpoint 'http:///query': not an http(s) URL"),
        (
            {"KG_ENDPOINT_STORE": "file:///etc"},
            "http://127.0.0.1:9",
            "endpoint 'file:///etc': not an http(s) URL",
        ),
    ],
)
def test_endpoint_settings_are_checked(env: dict[str, str], endpoint: str, message: str) -> None:
    assert invoke(["list", "--endpoint", endpoint], env) == (1, "", f"Error: {message}\n", None)


@pytest.mark.parametrize(
    ("sparql", "form"),
    [
        (
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            ("select", ("g", "n")),
        ),
        (
            "PREFIX a: <urn:a#>\nBASE <urn:b>\n# SELECT ?no\nselect distinct ?a{ ?a ?b ?c }",
            ("select", ("a",)),
        ),
        ('SELECT (CONCAT(?a, ")", "?x") AS ?b) ?c FROM <urn:g> WHERE { }', ("select", ("b", "c"))),
        ("SELECT REDUCED * WHERE { ?s ?p ?o }", ("select", None)),
        ("ASK { }", ("ask", None)),
        ("CONSTRUCT WHERE { ?s ?p ?o }", ("construct", None)),
        ("describe <urn:x>", ("describe", None)),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", (None, None)),
        ("SELECTION", (None, None)),
    ],
)
def test_query_form(sparql: str, form: tuple[str | None, tuple[str, ...] | None]) -> None:
    assert query_form(sparql) == form


@pytest.mark.parametrize("name", ["list", "stats", "remove"])
@pytest.mark.parametrize(
    ("behaviour", "problem"),
    [
        ("unbound", "KeyError: 'g'"),
        ("not-a-count", "ValueError: invalid literal for int() with base 10: 'abc'"),
    ],
)
def test_well_formed_answers_with_unusable_values(
    fake: tuple[str, str], tmp_path: Path, name: str, behaviour: str, problem: str
) -> None:
    url = f"{fake[0]}/{behaviour}"
    assert invoke(command(name, url, tmp_path), {}) == (
        1, "", f"Error: endpoint {url}/query: unusable answer ({problem})\n", None
    )  # fmt: skip


@pytest.mark.external
def test_the_deadline_holds_over_tls(tmp_path: Path) -> None:
    """A TLS server that trickles its answer is cut at the deadline too (needs openssl)."""
    openssl = require_tool("openssl", "apt-get install openssl")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    port = listener.getsockname()[1]

    def serve() -> None:
        try:
            conn, _ = listener.accept()
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)
                answer = f"HTTP/1.1 200 OK\r\nContent-Type: {JSON}\r\n\r\n".encode() + b"{}" * 50
                for i in range(len(answer)):  # ~30 s in all, one byte every 0.3 s
                    tls.sendall(answer[i : i + 1])
                    time.sleep(0.3)
        except OSError:
            pass  # the client gave up

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        url = f"https://127.0.0.1:{port}"
        env = {"SSL_CERT_FILE": str(cert), "KG_ENDPOINT_TIMEOUT": "1.5"}
        assert invoke(["list", "--endpoint", url], env) == (
            1, "", f"Error: endpoint {url}/query: no complete answer within the 1.5 s time limit "
            "(KG_ENDPOINT_TIMEOUT)\n", None,
        )  # fmt: skip
    finally:
        listener.close()
        thread.join(35)
