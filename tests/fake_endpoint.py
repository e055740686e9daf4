"""A misbehaving SPARQL endpoint for tests/test_endpoint_hostile.py, run as its own process.

``python tests/fake_endpoint.py`` listens on two random ports of 127.0.0.1, prints them on one
line and serves until its stdin closes or it is terminated. The first path segment of a request
names the behaviour (``/junk/query``, ``/trickle/update``, ``/good/store?graph=...``); ``good``
is a small working SPARQL server over an in-memory pyoxigraph store holding one graph, ``seed``.
The second port is the target of the redirect. No handler runs longer than ``HANDLER_LIMIT``.
"""

from __future__ import annotations

import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyoxigraph as ox

JSON = "application/sparql-results+json"
NT = "application/n-triples"
GRAPH = "https://w3id.org/defense-kg/graph/"
HANDLER_LIMIT = 20.0  # seconds
VALID_SELECT = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'


def _seeded_store() -> ox.Store:
    store = ox.Store()
    g = ox.NamedNode(GRAPH + "seed")
    store.add(
        ox.Quad(
            ox.NamedNode("https://w3id.org/defense-kg/id/state/KOR"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("Republic of Korea"),
            g,
        )
    )
    return store


def _run(store: ox.Store, query: str) -> tuple[str, bytes]:
    """A query's answer as bytes (pyoxigraph's results never outlive this thread's call)."""
    result = store.query(query)
    if isinstance(result, ox.QueryTriples):
        return NT, ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b""
    return JSON, result.serialize(format=ox.QueryResultsFormat.JSON) or b""


class Handler(BaseHTTPRequestHandler):
    store = _seeded_store()
    lock = threading.Lock()
    other = ""  # the second listener's URL (the redirect's target)
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, media: str, body: bytes, extra: dict[str, str] | None = None):
        self.send_response(status)
        if media:
            self.send_header("Content-Type", media)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if "Content-Length" not in (extra or {}):
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_GET(self) -> None:
        self._answer(b"")

    def do_PUT(self) -> None:
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def do_POST(self) -> None:
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _answer(self, body: bytes) -> None:
        """The first path segment names the behaviour: ``/junk/query``, ``/good/store``."""
        behaviour, _, service = self.path.lstrip("/").partition("/")
        kind = {"update": "update", "store": "graph"}.get(service.split("?")[0], "query")
        media = NT if kind == "graph" else JSON
        try:
            getattr(self, "b_" + behaviour.replace("-", "_"))(kind, media, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    # --- working server ---------------------------------------------------------------------

    def b_good(self, kind: str, media: str, body: bytes, *, apply: bool = True) -> None:
        form = urllib.parse.parse_qs(body.decode())
        store = self.store
        with self.lock:
            if kind == "update":
                if apply:
                    store.update(form["update"][0])
                self._send(200, "", b"")
                return
            if kind == "graph":
                graph = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0]
                name = ox.NamedNode(graph)
                if not store.contains_named_graph(name):
                    self._send(404, "text/plain", b"no such graph")
                    return
                triples = [
                    ox.Triple(q.subject, q.predicate, q.object)
                    for q in store.quads_for_pattern(None, None, None, name)
                ]
                self._send(200, NT, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
                return
            media, payload = _run(store, form["query"][0])
        self._send(200, media, payload)

    def b_ignores_updates(self, kind: str, media: str, body: bytes) -> None:
        self.b_good(kind, media, body, apply=False)

    def b_update_cut_off(self, kind: str, media: str, body: bytes) -> None:
        if kind != "update":
            self.b_good(kind, media, body)
            return
        self._send(200, "text/plain", b"done.", {"Content-Length": "100"})

    # --- misbehaviours ----------------------------------------------------------------------

    def b_junk(self, kind: str, media: str, body: bytes) -> None:
        self._send(200, media, b"\x00\x1b[2Jjunk{{")

    def b_html(self, kind: str, media: str, body: bytes) -> None:
        self._send(200, "text/html", b"<html><body><h1>Welcome</h1></body></html>")

    def b_wrong_shape(self, kind: str, media: str, body: bytes) -> None:
        self._send(200, media, b'{"head": {"vars": ["s"]}, "results": {}}')

    def b_boolean(self, kind: str, media: str, body: bytes) -> None:
        self._send(200, media, b'{"head": {}, "boolean": true}')

    def b_solutions(self, kind: str, media: str, body: bytes) -> None:
        self._send(200, JSON, VALID_SELECT)

    def b_unbound(self, kind: str, media: str, body: bytes) -> None:
        """The variables of ``kg list``'s first query, but ?g unbound and ?n not a number."""
        row = b'{"n": {"type": "literal", "value": "abc"}}'
        self._send(
            200, JSON, b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": [' + row + b"]}}"
        )

    def b_not_a_count(self, kind: str, media: str, body: bytes) -> None:
        row = b'{"g": {"type": "uri", "value": "%sx"}, "n": {"type": "literal", "value": "abc"}}'
        answer = b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": [' + row % GRAPH.encode()
        self._send(200, JSON, answer + b"]}}")

    def b_wrong_type(self, kind: str, media: str, body: bytes) -> None:
        self._send(200, "text/plain", VALID_SELECT)

    def b_bad_request(self, kind: str, media: str, body: bytes) -> None:
        page = (
            b"<!DOCTYPE html>\n<html><head><title>400 Bad Request</title></head>\n"
            b"<body><h1>Bad Request</h1><p>Parse error: unexpected &lt;</p></body></html>"
        )
        self._send(400, "text/html", page)

    def b_server_error(self, kind: str, media: str, body: bytes) -> None:
        self._send(500, "text/plain", b"\n  internal failure\nat line 2\n")

    def b_not_http(self, kind: str, media: str, body: bytes) -> None:
        self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n")
        self.close_connection = True

    def b_hang_up(self, kind: str, media: str, body: bytes) -> None:
        self.close_connection = True

    def b_cut_off(self, kind: str, media: str, body: bytes) -> None:
        self._send(200, media, b'{"head": {', {"Content-Length": "1000"})

    def b_redirect(self, kind: str, media: str, body: bytes) -> None:
        self._send(302, "text/plain", b"", {"Location": self.other + "/good/query"})

    def b_trickle(self, kind: str, media: str, body: bytes) -> None:
        """The status line, the headers and the body, one byte every 0.3 s."""
        whole = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {media}\r\nConnection: close\r\n\r\n".encode()
            + VALID_SELECT
        )
        end = time.monotonic() + HANDLER_LIMIT
        for i in range(len(whole)):
            if time.monotonic() > end:
                break
            self.wfile.write(whole[i : i + 1])
            self.wfile.flush()
            time.sleep(0.3)
        self.close_connection = True

    def b_huge(self, kind: str, media: str, body: bytes) -> None:
        """An endless body with no Content-Length (read until the connection closes)."""
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": ["s"]}, "results": {"bindings": [')
        end = time.monotonic() + HANDLER_LIMIT
        while time.monotonic() < end:
            self.wfile.write(b" " * 65536)
        self.close_connection = True

    def b_huge_declared(self, kind: str, media: str, body: bytes) -> None:
        self._send(200, media, b"", {"Content-Length": str(10**12)})


def serve() -> None:
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(2)]
    Handler.other = f"http://127.0.0.1:{servers[1].server_address[1]}"
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(*(s.server_address[1] for s in servers), flush=True)
    sys.stdin.read()  # until the test closes our stdin (or terminates us)


if __name__ == "__main__":
    serve()
