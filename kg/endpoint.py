"""A remote SPARQL 1.1 endpoint with the same interface as the embedded ``kg.store.Store``.

For users who outgrow one machine: Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune. Only
the standard library talks HTTP (``http.client``):

- SPARQL 1.1 Protocol, query (``POST`` ``query=``; results as SPARQL JSON or N-Triples),
- SPARQL 1.1 Protocol, update (``POST`` ``update=``; replacing an article's graph is one
  request, ``DROP SILENT GRAPH`` then ``INSERT DATA``, which transactional servers apply
  atomically),
- SPARQL 1.1 Graph Store Protocol (``GET``) to read whole graphs.

``--endpoint URL`` names the server in Oxigraph's layout: ``URL/query``, ``URL/update``,
``URL/store`` (a URL ending in ``/query``, ``/sparql`` or ``/sparql-auth`` is taken as the query
service and its parent as the base). Other layouts set ``KG_ENDPOINT_UPDATE`` and
``KG_ENDPOINT_STORE`` (e.g. Fuseki: ``/ds/query``, ``/ds/update``, ``/ds/data``). As in the
embedded store, the default graph holds the union of the named graphs, maintained by every
write made through ``kg``; do not configure the server's own union default graph (it would
hide it).
Credentials come from ``KG_ENDPOINT_USER`` and ``KG_ENDPOINT_PASSWORD`` (HTTP digest, or basic
over https only, as the server asks), never from the URL.

Virtuoso (a graph store URL ending in ``/sparql-graph-crud`` or ``/sparql-graph-crud-auth``
selects its dialect) has no default graph of its own: a query without a dataset reads every
graph of the server, its system graphs included, with a triple repeated once per graph that
holds it. ``kg`` therefore keeps the union in the graph :data:`UNION_GRAPH` and names the dataset
in every request (``define input:default-graph-uri`` that graph, ``define
input:named-graph-uri`` each graph under ``https://w3id.org/defense-kg/``), so answers are the
embedded store's; other graphs on the server are invisible to ``kg``. Virtuoso cuts answers at
its ``ResultSetMaxRows``: a SELECT it cut (``X-SPARQL-MaxRows``) and a graph read shorter than
the graph's triple count are errors.

The server is not trusted. Every request has one deadline for connecting, sending and reading
the whole answer (``--timeout`` where the command has it, else ``KG_ENDPOINT_TIMEOUT``, default
60 s): a server that trickles bytes cannot extend it. Redirects are never followed. An answer
must have a 2xx status, the expected content type (SPARQL JSON results for SELECT and ASK,
N-Triples or Turtle for CONSTRUCT, DESCRIBE and graph reads), the expected shape (solutions
with exactly the query's variables, a boolean, triples) and at most ``KG_ENDPOINT_MAX_BYTES``
bytes (default 256 MiB). Every update carries a receipt triple that is read back and then
deleted, so an update the server acknowledged but did not apply is an error. Each failure is
one :class:`EndpointError` line that names the endpoint's URL.
"""

from __future__ import annotations

import hashlib
import html
import http.client
import os
import re
import secrets
import socket
import ssl
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.graphname import gsp_query, sparql_iri
from kg.iris import GRAPH, PREFIXES
from kg.store import (
    ONTOLOGY_GRAPH,
    RESYNC_UPDATE,
    QueryResult,
    StoreError,
    drop_graph_update,
    ontology_quads,
    replace_graph_update,
)

UPDATE_ENV = "KG_ENDPOINT_UPDATE"
GSP_ENV = "KG_ENDPOINT_STORE"
TIMEOUT_ENV = "KG_ENDPOINT_TIMEOUT"
MAX_BYTES_ENV = "KG_ENDPOINT_MAX_BYTES"
USER_ENV = "KG_ENDPOINT_USER"
PASSWORD_ENV = "KG_ENDPOINT_PASSWORD"
DEFAULT_HTTP_TIMEOUT = 60.0
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
SELECT_ACCEPT = f"{RESULTS_JSON}, application/json;q=0.9"
RESULT_MEDIA = frozenset((RESULTS_JSON, "application/json"))
GRAPH_MEDIA = {N_TRIPLES: ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}
RECEIPT = "https://w3id.org/defense-kg/receipt/"
RECEIPT_PREDICATE = "https://w3id.org/defense-kg/ontology#receipt"
#: Virtuoso: the graph that holds kg's union default graph, the namespace of kg's named graphs,
#: and a graph that never exists (a dataset with no named graph still names one, since naming
#: none would mean every graph of the server).
UNION_GRAPH = "https://w3id.org/defense-kg/union-graph"
KG_GRAPHS = "https://w3id.org/defense-kg/"
NO_GRAPH = "https://w3id.org/defense-kg/no-graph"
VIRTUOSO_GSP = ("/sparql-graph-crud", "/sparql-graph-crud-auth")
_VIRTUOSO_GRAPHS = (
    f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{KG_GRAPHS}")'
    f" && ?g != <{UNION_GRAPH}>) }}"
)
_CHUNK = 1 << 16


class EndpointError(StoreError):
    """An endpoint that cannot be reached, refuses a request or answers unusably (one line that
    names the endpoint)."""


def prefix_declarations(prefixes: dict[str, str] | None) -> str:
    """``PREFIX`` lines to put in front of a query (the protocol has no prefix parameter).

    Examples
    --------
    >>> prefix_declarations({"ex": "http://example.org/"})
    'PREFIX ex: <http://example.org/>\\n'
    """
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items())


def plain_text(data: bytes | str, limit: int = 200) -> str:
    r"""A server's text as one short line of printable characters (a server's bytes never reach
    the terminal as they are): the first non-blank line of plain text, or all the text of an
    HTML page (tags dropped, entities decoded).

    Examples
    --------
    >>> plain_text(b"<html><title>400</title>\n<h1>Bad &amp; wrong</h1>\x1b[31m</html>")
    '400 Bad & wrong [31m'
    >>> plain_text("first\nsecond")
    'first'
    """
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = text[: limit * 50]
    stripped = re.sub(r"<[^<>]*>", " ", text)
    lines = [html.unescape(stripped)] if stripped != text else text.splitlines()
    for line in lines:
        clean = " ".join("".join(c if c.isprintable() else " " for c in line).split())
        if clean:
            return clean[:limit] + ("..." if len(clean) > limit else "")
    return ""


_PROLOGUE = re.compile(
    r"\s+|#[^\n\r]*|(?i:PREFIX)\s+[^\s:<>]*:\s*<[^<>\s]*>|(?i:BASE)\s*<[^<>\s]*>"
)
_FORM = re.compile(r"(?i)(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])")
_PROJECTION_TOKEN = re.compile(
    r"""\s+|\#[^\n\r]*|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'|<[^<>"{}|^`\\\s]*>
      |[?$](\w+)|(\()|(\))|(\{)|([A-Za-z][\w-]*)|.""",
    re.VERBOSE,
)


def query_form(sparql: str) -> tuple[str | None, tuple[str, ...] | None]:
    """The form of a query (``select``, ``ask``, ``construct``, ``describe``; None when not
    recognised) and, for a SELECT with an explicit projection, its variables.

    Examples
    --------
    >>> query_form("PREFIX a: <x:> # c\\nSELECT DISTINCT ?g (COUNT(?s) AS ?n) WHERE { }")
    ('select', ('g', 'n'))
    >>> query_form("ASK { }"), query_form("SELECT * { }")
    (('ask', None), ('select', None))
    """
    pos = 0
    while (m := _PROLOGUE.match(sparql, pos)) and m.end() > pos:
        pos = m.end()
    form = _FORM.match(sparql, pos)
    if form is None:
        return None, None
    kind = form.group(1).lower()
    if kind != "select":
        return kind, None
    names: list[str] = []
    depth, after_as = 0, False
    for token in _PROJECTION_TOKEN.finditer(sparql, form.end()):
        var, opening, closing, brace, word = token.groups()
        if var is not None:
            if depth == 0 or after_as:
                names.append(var)
            after_as = False
        elif opening:
            depth += 1
        elif closing:
            depth -= 1
        elif word is not None and depth == 0 and word.upper() in ("WHERE", "FROM"):
            break
        elif brace or depth < 0:
            break
        elif word is not None:
            after_as = word.upper() == "AS"
        elif token.group(0) == "*" and depth == 0:
            return kind, None
    return kind, tuple(names) if names else None


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise EndpointError(f"{name}={raw!r}: not a positive number")
    return value


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer that passed the status and size checks."""

    status: int
    media: str
    body: bytes
    challenge: str = ""
    server: str = ""


@dataclass
class Endpoint:
    """A SPARQL 1.1 endpoint (query, update and graph store URLs)."""

    query_url: str
    update_url: str
    store_url: str
    read_only: bool = False
    http_timeout: float = DEFAULT_HTTP_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    virtuoso: bool = False
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    _graphs: list[str] | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False) -> Endpoint:
        """An endpoint from ``--endpoint URL`` (see the module docstring for the layout).

        Examples
        --------
        >>> e = Endpoint.from_url("http://127.0.0.1:7878/")
        >>> e.query_url, e.update_url, e.store_url
        ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
        """
        _check_url(url)
        url = url.rstrip("/")
        if url.endswith(("/query", "/sparql", "/sparql-auth")):
            base, query_url = url.rsplit("/", 1)[0], url
        else:
            base, query_url = url, url + "/query"
        update_url = os.environ.get(UPDATE_ENV) or base + "/update"
        store_url = os.environ.get(GSP_ENV) or base + "/store"
        for each in (query_url, update_url, store_url):
            _check_url(each)
        return cls(
            query_url,
            update_url,
            store_url,
            read_only=read_only,
            http_timeout=_env_number(TIMEOUT_ENV, DEFAULT_HTTP_TIMEOUT),
            max_bytes=int(_env_number(MAX_BYTES_ENV, DEFAULT_MAX_BYTES)),
            virtuoso=urllib.parse.urlsplit(store_url).path.rstrip("/").endswith(VIRTUOSO_GSP),
            user=os.environ.get(USER_ENV) or None,
            password=os.environ.get(PASSWORD_ENV) or None,
        )

    def describe(self) -> str:
        return self.query_url

    # --- HTTP -------------------------------------------------------------------------------

    def _deadline(self, timeout: float | None) -> tuple[float, str]:
        """When the operation must be over, and how to say so."""
        if timeout is None:
            limit = self.http_timeout
            hint = f"{limit:g} s time limit ({TIMEOUT_ENV})"
        else:
            limit = timeout
            hint = f"{limit:g} s time limit (--timeout)"
        return time.monotonic() + limit, hint

    def _request(
        self,
        url: str,
        deadline: tuple[float, str],
        *,
        method: str = "GET",
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        what: str = "request",
        ok_missing: bool = False,
    ) -> Answer:
        """One HTTP exchange within ``deadline``; any failure is one line naming ``url``."""
        service = url.split("?", 1)[0]
        parts = urllib.parse.urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"Connection": "close", **(headers or {})}
        answer = self._exchange(service, parts, target, method, data, headers, deadline, what)
        if answer.status == 401 and answer.challenge and self.user is not None:
            headers["Authorization"] = _authorization(
                service,
                answer.challenge,
                (method, target, parts.scheme == "https"),
                self.user,
                self.password or "",
            )
            answer = self._exchange(service, parts, target, method, data, headers, deadline, what)
        if answer.server.startswith("Virtuoso/") and not self.virtuoso:
            raise EndpointError(
                f"endpoint {service} is Virtuoso: set {GSP_ENV} to its /sparql-graph-crud URL "
                "so that kg uses its dialect (see README)"
            )
        if ok_missing and answer.status == 404:
            return Answer(404, "", b"")
        if answer.status == 400:
            detail = plain_text(answer.body) or "no reason given"
            raise EndpointError(f"endpoint {service} refused the {what} (HTTP 400): {detail}")
        if answer.status == 401:
            who = f"as {plain_text(self.user, 60)!r}" if self.user else f"without {USER_ENV}"
            raise EndpointError(f"endpoint {service}: HTTP 401: not authorised {who}")
        if not 200 <= answer.status < 300:
            detail = plain_text(answer.body) or "no reason given"
            raise EndpointError(f"endpoint {service}: HTTP {answer.status}: {detail}")
        return answer

    def _exchange(
        self,
        service: str,
        parts: urllib.parse.SplitResult,
        target: str,
        method: str,
        data: bytes | None,
        headers: dict[str, str],
        deadline: tuple[float, str],
        what: str,
    ) -> Answer:
        when, hint = deadline
        remaining = when - time.monotonic()
        if remaining <= 0:
            raise EndpointError(f"endpoint {service}: no complete answer within the {hint}")
        conn = _connection(parts, when)
        response = None
        try:
            conn.request(method, target, body=data, headers=headers)
            response = conn.getresponse()
            return self._read(service, response, what)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if isinstance(exc, TimeoutError):
                raise EndpointError(
                    f"endpoint {service}: no complete answer within the {hint}"
                ) from None
            raise EndpointError(f"endpoint {service}: {_transport_problem(exc)}") from None
        finally:
            if response is not None:
                response.close()
            conn.close()

    def _read(self, service: str, response: http.client.HTTPResponse, what: str) -> Answer:
        status = response.status
        if 300 <= status < 400:
            location = plain_text(response.getheader("Location") or "") or "nowhere"
            raise EndpointError(
                f"endpoint {service} answered the {what} with a redirect (HTTP {status}) to "
                f"{location}; redirects are not followed"
            )
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raise EndpointError(
                f"endpoint {service}: answer in content encoding {plain_text(encoding)!r}, "
                "which was not asked for"
            )
        max_rows = response.getheader("X-SPARQL-MaxRows")
        if max_rows is not None:  # Virtuoso cut the answer at its ResultSetMaxRows
            raise EndpointError(
                f"endpoint {service}: the server cut the answer at {plain_text(max_rows, 20)} "
                "rows (Virtuoso's ResultSetMaxRows; raise it in virtuoso.ini)"
            )
        cap = f"answer larger than {self.max_bytes} bytes (the {MAX_BYTES_ENV} limit)"
        declared = response.getheader("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise EndpointError(f"endpoint {service}: {cap}")
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise EndpointError(f"endpoint {service}: {cap}")
            chunks.append(chunk)
        if declared and declared.strip().isdigit() and size < int(declared):
            raise EndpointError(f"endpoint {service}: answer cut off after {size} bytes")
        media = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        challenge = (response.getheader("WWW-Authenticate") or "") if status == 401 else ""
        server = response.getheader("Server") or ""
        return Answer(status, media, b"".join(chunks), challenge, server)

    def _gsp_url(self, graph: str) -> str:
        return f"{self.store_url}?{gsp_query(graph)}"

    # --- reading ----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
        timeout: float | None = None,
        max_memory: int | None = None,
    ) -> QueryResult:
        """Run a query remotely; results are the same pyoxigraph objects the store returns,
        checked against the query's form (and a SELECT's variables) first.

        ``timeout`` is the deadline of the whole exchange (else ``KG_ENDPOINT_TIMEOUT``);
        ``max_memory`` is not used: an answer is bounded by ``max_bytes`` instead."""
        if substitutions:
            from kg.sparql.text import bind_with_values

            sparql = bind_with_values(sparql, substitutions)
        text = prefix_declarations(prefixes) + sparql
        form, variables = query_form(text)
        accept = f"{RESULTS_JSON}, application/json;q=0.9, {N_TRIPLES};q=0.8"
        if form in ("select", "ask"):
            accept = SELECT_ACCEPT
        elif form in ("construct", "describe"):
            accept = f"{N_TRIPLES}, text/turtle;q=0.9"
        deadline = self._deadline(timeout)
        answer = self._post_query(text, accept, deadline, dataset=self._dataset(deadline, text))
        if answer.media in RESULT_MEDIA:
            return self._results(answer, form, variables)
        return self._triples(self.query_url, answer)

    def _dataset(self, deadline: tuple[float, str], text: str | None = None) -> str:
        """Virtuoso: the pragmas that make its dataset the embedded store's (the union graph as
        the default graph, kg's graphs as the named graphs); nothing for other servers, or for
        a query that names its own dataset (``FROM``)."""
        if not self.virtuoso:
            return ""
        if text is not None:
            from kg.sparql.text import mask

            if re.search(r"(?i)\bFROM\b", mask(text).text):
                return ""
        named = self._kg_graphs(deadline) or [NO_GRAPH]
        return "".join(
            f"define input:{kind}-graph-uri {sparql_iri(g)}\n"
            for kind, g in [("default", UNION_GRAPH), *(("named", g) for g in named)]
        )

    def _kg_graphs(self, deadline: tuple[float, str]) -> list[str]:
        """Virtuoso: kg's named graphs (cached until the next update)."""
        if self._graphs is None:
            answer = self._post_query(_VIRTUOSO_GRAPHS, SELECT_ACCEPT, deadline)
            solutions = self._results(answer, "select", ("g",))
            assert isinstance(solutions, ox.QuerySolutions)
            self._graphs = sorted(
                s["g"].value for s in solutions if isinstance(s["g"], ox.NamedNode)
            )
        return list(self._graphs)

    def _post_query(
        self, text: str, accept: str, deadline: tuple[float, str], *, dataset: str = ""
    ) -> Answer:
        """POST a query; the answer must have one of the content types in ``accept``."""
        answer = self._request(
            self.query_url,
            deadline,
            method="POST",
            data=urllib.parse.urlencode({"query": dataset + text}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            what="query",
        )
        allowed = [a.split(";")[0].strip() for a in accept.split(",")]
        if answer.media not in allowed:
            found = plain_text(answer.media) or "no content type"
            raise EndpointError(
                f"endpoint {self.query_url}: answered the query with {found}, "
                f"expected {' or '.join(allowed)}"
            )
        return answer

    def _results(
        self, answer: Answer, form: str | None, variables: tuple[str, ...] | None
    ) -> ox.QuerySolutions | ox.QueryBoolean:
        """Parse SPARQL JSON results completely (so nothing fails later) and check their shape."""
        problem = None
        try:
            parsed = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
            if isinstance(parsed, ox.QuerySolutions):
                names = tuple(v.value for v in parsed.variables)
                for _ in parsed:
                    pass
                if form == "ask":
                    problem = "solutions where a boolean was expected"
                elif variables is not None and sorted(names) != sorted(variables):
                    got = " ".join("?" + n for n in names) or "none"
                    problem = (
                        f"variables {got} where {' '.join('?' + v for v in variables)} were asked"
                    )
            elif form == "select":
                problem = "a boolean where solutions were expected"
        except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError) as exc:
            problem = f"not SPARQL JSON results: {plain_text(str(exc))}"
        if problem:
            raise EndpointError(f"endpoint {self.query_url}: unusable answer ({problem})")
        return ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)

    def _triples(self, url: str, answer: Answer) -> list[ox.Triple]:
        fmt = GRAPH_MEDIA[answer.media]
        try:
            found = list(ox.parse(answer.body, format=fmt))
        except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
            raise EndpointError(
                f"endpoint {url.split('?', 1)[0]}: unusable answer (malformed {fmt.name}: "
                f"{plain_text(str(exc))})"
            ) from None
        return [ox.Triple(t.subject, t.predicate, t.object) for t in found]

    def named_graphs(self) -> list[str]:
        if self.virtuoso:  # Virtuoso answers GRAPH ?g { } with one row, ?g unbound
            return self._kg_graphs(self._deadline(None))
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        assert isinstance(result, ox.QuerySolutions)
        return sorted(s["g"].value for s in result if isinstance(s["g"], ox.NamedNode))

    def article_graphs(self) -> list[str]:
        return [g for g in self.named_graphs() if g.startswith(GRAPH)]

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads of one graph (Graph Store Protocol GET), or of every article graph."""
        graphs = self.article_graphs() if graph is None else [graph]
        counts = self._graph_sizes(graph) if self.virtuoso else {}
        for g in graphs:
            url = self._gsp_url(g)
            answer = self._request(
                url, self._deadline(None), headers={"Accept": N_TRIPLES}, ok_missing=True
            )
            if answer.status == 404:
                continue
            if answer.media not in GRAPH_MEDIA:
                raise EndpointError(
                    f"endpoint {self.store_url}: answered a graph read with "
                    f"{plain_text(answer.media) or 'no content type'}, expected {N_TRIPLES}"
                )
            name = ox.NamedNode(g)
            triples = self._triples(url, answer)
            if self.virtuoso and len(set(triples)) != counts.get(g, 0):
                raise EndpointError(
                    f"endpoint {self.store_url}: graph {sparql_iri(g)} read as "
                    f"{len(set(triples))} of its {counts.get(g, 0)} triples (Virtuoso cuts graph "
                    "reads at its ResultSetMaxRows; raise it in virtuoso.ini)"
                )
            for t in triples:
                yield ox.Quad(t.subject, t.predicate, t.object, name)

    def _graph_sizes(self, graph: str | None) -> dict[str, int]:
        """Triples per named graph, or of ``graph`` (Virtuoso cuts a graph read silently at
        ResultSetMaxRows, so each read is checked against its count)."""
        pattern = "" if graph is None else f"VALUES ?g {{ {sparql_iri(graph)} }} "
        result = self.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {pattern}GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
        )
        assert isinstance(result, ox.QuerySolutions)
        return {
            s["g"].value: int(s["n"].value)
            for s in result
            if isinstance(s["g"], ox.NamedNode) and isinstance(s["n"], ox.Literal)
        }

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, ox.QuerySolutions)
        for solution in result:
            count = solution["n"]
            if isinstance(count, ox.Literal) and count.value.isdigit():
                return int(count.value)
        raise EndpointError(f"endpoint {self.query_url}: unusable answer (no triple count)")

    # --- writing ----------------------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise EndpointError(f"{self.describe()}: opened read-only")

    def update(
        self, sparql: str, *, timeout: float | None = None, max_memory: int | None = None
    ) -> None:
        """Run an update and prove the server applied it: the same request inserts a receipt
        (a random subject and a random token), which is then read back and deleted.

        ``timeout`` and ``max_memory`` as for :meth:`query`."""
        self._writable()
        deadline = self._deadline(timeout)
        resync = self.virtuoso and sparql.endswith(RESYNC_UPDATE) and sparql != RESYNC_UPDATE
        if resync:  # the resync must see the graphs the update creates: a second request
            sparql = sparql[: -len(RESYNC_UPDATE)].rstrip().removesuffix(";")
        subject = f"<{RECEIPT}{secrets.token_hex(16)}> <{RECEIPT_PREDICATE}>"
        token = secrets.token_hex(16)
        receipt = f'{subject} "{token}" .'
        dataset = self._dataset(deadline)
        self._graphs = None
        answer = self._post_update(f"{sparql}\n;\nINSERT DATA {{ {receipt} }}", deadline, dataset)
        check = self._post_query(
            f"SELECT ?token WHERE {{ {subject} ?token }}",
            SELECT_ACCEPT,
            deadline,
            dataset=dataset,
        )
        solutions = self._results(check, "select", ("token",))
        assert isinstance(solutions, ox.QuerySolutions)  # _results refused anything else
        if [s["token"] for s in solutions] != [ox.Literal(token)]:
            raise EndpointError(
                f"endpoint {self.update_url} answered the update with HTTP {answer.status} "
                "but did not apply it"
            )
        self._post_update(f"DELETE DATA {{ {receipt} }}", deadline, dataset)
        if resync:
            self.update(RESYNC_UPDATE, timeout=max(deadline[0] - time.monotonic(), 0.001))

    def _post_update(self, text: str, deadline: tuple[float, str], dataset: str = "") -> Answer:
        return self._request(
            self.update_url,
            deadline,
            method="POST",
            data=urllib.parse.urlencode(
                {"update": dataset + prefix_declarations(dict(PREFIXES)) + text}
            ).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            what="update",
        )

    def replace_graph(self, graph: str, quads: Iterable[Any]) -> None:
        """Replace one named graph in one update request (atomic on transactional servers)."""
        self.update(replace_graph_update(graph, quads))

    def drop_graph(self, graph: str) -> None:
        self.update(drop_graph_update(graph))

    def article_union(self) -> list[ox.Quad] | None:
        """None: an endpoint's graphs are read one by one (see :meth:`quads`)."""
        return None

    def resync(self) -> None:
        """Recompute the union default graph from the named graphs."""
        self.update(RESYNC_UPDATE)

    def ensure_ontology(self) -> None:
        quads = ontology_quads()
        if set(self.quads(ONTOLOGY_GRAPH)) == set(quads):
            return
        self.replace_graph(ONTOLOGY_GRAPH, quads)

    def flush(self) -> None:
        """Nothing to flush: the server persists each request."""

    def close(self) -> None:
        """Nothing to close: every request has its own connection."""


class _Deadline:
    """Socket methods that never wait past ``deadline`` (``time.monotonic()``): each call
    waits at most the time left, so no sequence of slow reads outlives the deadline."""

    deadline: float = 0.0

    def _arm(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self.settimeout(left)  # type: ignore[attr-defined]

    def recv_into(self, *args: Any) -> int:
        self._arm()
        return super().recv_into(*args)  # type: ignore[misc, no-any-return]

    def recv(self, *args: Any) -> bytes:
        self._arm()
        return super().recv(*args)  # type: ignore[misc, no-any-return]

    def sendall(self, *args: Any) -> None:
        self._arm()
        super().sendall(*args)  # type: ignore[misc]


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    pass


class _HTTPConnection(http.client.HTTPConnection):
    deadline = 0.0

    def connect(self) -> None:
        super().connect()
        plain = self.sock
        self.sock = _DeadlineSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
        self.sock.deadline = self.deadline


class _HTTPSConnection(http.client.HTTPSConnection):
    deadline = 0.0

    def connect(self) -> None:
        super().connect()  # the handshake waits at most the time left (the socket's timeout)
        self.sock.deadline = self.deadline  # type: ignore[union-attr]


def _connection(parts: urllib.parse.SplitResult, deadline: float) -> http.client.HTTPConnection:
    """A connection whose every wait ends by ``deadline``."""
    left = max(deadline - time.monotonic(), 0.001)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context()
        context.sslsocket_class = _DeadlineSSLSocket
        conn = _HTTPSConnection(parts.hostname or "", parts.port, timeout=left, context=context)
    else:
        conn = _HTTPConnection(parts.hostname or "", parts.port, timeout=left)
    conn.deadline = deadline
    return conn


def unusable_answer(endpoint: Any, exc: BaseException) -> EndpointError:
    """The one-line error for an answer that passed the checks but whose values the caller could
    not use (an unbound variable, a count that is not a number).

    Examples
    --------
    >>> str(unusable_answer(Endpoint.from_url("http://127.0.0.1:9"), KeyError("g")))
    "endpoint http://127.0.0.1:9/query: unusable answer (KeyError: 'g')"
    """
    detail = plain_text(str(exc), 120) or "no detail"
    return EndpointError(
        f"endpoint {endpoint.describe()}: unusable answer ({type(exc).__name__}: {detail})"
    )


def _authorization(
    service: str, challenge: str, request: tuple[str, str, bool], user: str, password: str
) -> str:
    """The ``Authorization`` header answering a server's digest (MD5) or basic challenge for
    ``request`` (method, target, whether over TLS). Basic, which sends the password itself,
    is only answered over TLS.

    Examples
    --------
    >>> _authorization("u", 'Basic realm="x"', ("GET", "/", True), "dba", "dba")
    'Basic ZGJhOmRiYQ=='
    >>> _authorization("u", 'Basic realm="x"', ("GET", "/", False), "dba", "dba")
    Traceback (most recent call last):
    kg.endpoint.EndpointError: endpoint u: asks for basic authentication over plain http; ...
    """
    method, target, secure = request
    scheme, _, rest = challenge.strip().partition(" ")
    if scheme.lower() == "basic" and not secure:
        raise EndpointError(
            f"endpoint {service}: asks for basic authentication over plain http; refused "
            "(the password would travel in clear)"
        )
    if scheme.lower() == "basic":
        import base64

        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    fields = {
        k.lower(): quoted if quoted or not bare else bare
        for k, quoted, bare in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]*))', rest)
    }
    algorithm = fields.get("algorithm", "MD5")
    if scheme.lower() != "digest" or algorithm.upper() != "MD5" or "nonce" not in fields:
        raise EndpointError(
            f"endpoint {service}: asks for {plain_text(challenge, 80)!r} authentication, "
            "not digest (MD5) or basic"
        )

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    realm, nonce = fields.get("realm", ""), fields["nonce"]
    first, second = md5(f"{user}:{realm}:{password}"), md5(f"{method}:{target}")
    header = f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{target}"'
    if "auth" in [q.strip() for q in fields.get("qop", "").split(",")]:
        cnonce = secrets.token_hex(8)
        response = md5(f"{first}:{nonce}:00000001:{cnonce}:auth:{second}")
        header += f', qop=auth, nc=00000001, cnonce="{cnonce}"'
    else:
        response = md5(f"{first}:{nonce}:{second}")
    header += f', response="{response}", algorithm=MD5'
    if "opaque" in fields:
        header += f', opaque="{fields["opaque"]}"'
    return header


def _check_url(url: str) -> None:
    """Refuse what is not a plain http(s) URL (or one that carries credentials) before any
    connection."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise EndpointError(f"endpoint {url!r}: not an http(s) URL") from None
    if parts.username is not None or parts.password is not None:
        raise EndpointError(
            f"endpoint {parts.scheme}://{parts.hostname}...: credentials in the URL are "
            f"refused; set {USER_ENV} and {PASSWORD_ENV}"
        )
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or not port_ok
        or not url.isascii()
        or any(not c.isprintable() or c.isspace() for c in url)
    ):
        raise EndpointError(f"endpoint {url!r}: not an http(s) URL")


def _transport_problem(exc: BaseException) -> str:
    """What went wrong on the wire, in a few words."""
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed the connection without an answer"
    if isinstance(exc, http.client.IncompleteRead):
        return f"answer cut off after {len(exc.partial)} bytes"
    if isinstance(exc, http.client.BadStatusLine):
        return f"not an HTTP answer ({plain_text(str(exc), 60) or 'empty status line'})"
    if isinstance(exc, http.client.HTTPException):
        return f"malformed HTTP answer ({plain_text(str(exc), 80) or type(exc).__name__})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({plain_text(exc.reason or str(exc), 80)})"
    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return f"unreachable ({plain_text(exc.strerror or str(exc), 80)})"
    if isinstance(exc, OSError):
        return f"connection failed ({plain_text(exc.strerror or str(exc), 80)})"
    return f"unusable answer ({plain_text(str(exc), 80)})"
