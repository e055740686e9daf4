"""A remote SPARQL 1.1 endpoint with the same interface as the embedded ``kg.store.Store``.

For users who outgrow one machine: Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune. Only
the standard library talks HTTP (``urllib``):

- SPARQL 1.1 Protocol, query (``POST`` ``query=``; results as SPARQL JSON or N-Triples),
- SPARQL 1.1 Protocol, update (``POST`` ``update=``; replacing an article's graph is one
  request, ``DROP SILENT GRAPH`` then ``INSERT DATA``, which transactional servers apply
  atomically),
- SPARQL 1.1 Graph Store Protocol (``GET``/``PUT``/``POST``) to read and bulk-load whole
  graphs.

``--endpoint URL`` names the server in Oxigraph's layout: ``URL/query``, ``URL/update``,
``URL/store`` (a URL ending in ``/query`` or ``/sparql`` is taken as the query service and its
parent as the base). Other layouts set ``KG_ENDPOINT_UPDATE`` and ``KG_ENDPOINT_STORE``
(e.g. Fuseki: ``/ds/query``, ``/ds/update``, ``/ds/data``). As in the embedded store, the
default graph holds the union of the named graphs, maintained by every write made through
``kg``; do not configure the server's own union default graph (it would hide it).
"""

from __future__ import annotations

import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.store import (
    GRAPH,
    ONTOLOGY_GRAPH,
    RESYNC_UPDATE,
    QueryResult,
    StoreError,
    drop_graph_update,
    one_line,
    ontology_quads,
    replace_graph_update,
)
from kg.vocab import PREFIXES

UPDATE_ENV = "KG_ENDPOINT_UPDATE"
GSP_ENV = "KG_ENDPOINT_STORE"
DEFAULT_HTTP_TIMEOUT = 300.0
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


class EndpointTimeout(StoreError):
    """The endpoint did not answer within the time limit."""


def prefix_declarations(prefixes: dict[str, str] | None) -> str:
    """``PREFIX`` lines to put in front of a query (the protocol has no prefix parameter).

    Examples
    --------
    >>> prefix_declarations({"ex": "http://example.org/"})
    'PREFIX ex: <http://example.org/>\\n'
    """
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items())


@dataclass
class Endpoint:
    """A SPARQL 1.1 endpoint (query, update and graph store URLs)."""

    query_url: str
    update_url: str
    store_url: str
    read_only: bool = False
    http_timeout: float = DEFAULT_HTTP_TIMEOUT

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False) -> Endpoint:
        """An endpoint from ``--endpoint URL`` (see the module docstring for the layout).

        Examples
        --------
        >>> e = Endpoint.from_url("http://127.0.0.1:7878/")
        >>> e.query_url, e.update_url, e.store_url
        ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
        """
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise StoreError(f"endpoint {url!r}: not an http(s) URL")
        url = url.rstrip("/")
        if url.endswith(("/query", "/sparql")):
            base, query_url = url.rsplit("/", 1)[0], url
        else:
            base, query_url = url, url + "/query"
        return cls(
            query_url=query_url,
            update_url=os.environ.get(UPDATE_ENV) or base + "/update",
            store_url=os.environ.get(GSP_ENV) or base + "/store",
            read_only=read_only,
        )

    def describe(self) -> str:
        return self.query_url

    # --- HTTP -------------------------------------------------------------------------------

    def _request(
        self,
        url: str,
        *,
        method: str = "GET",
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        ok_missing: bool = False,
    ) -> tuple[str, bytes]:
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        limit = timeout or self.http_timeout
        try:
            with urllib.request.urlopen(request, timeout=limit) as response:  # noqa: S310
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            if ok_missing and exc.code == 404:
                return "", b""
            body = exc.read().decode("utf-8", "replace")
            detail = one_line(body)[:300] or exc.reason
            if exc.code == 400:
                raise SyntaxError(detail) from None
            raise StoreError(f"endpoint {url}: HTTP {exc.code}: {detail}") from None
        except TimeoutError:
            raise EndpointTimeout(f"endpoint {url}: no answer within {limit:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise EndpointTimeout(f"endpoint {url}: no answer within {limit:g} s") from None
            reason = getattr(exc.reason, "strerror", None) or exc.reason
            raise StoreError(f"endpoint {url}: unreachable ({one_line(reason)})") from None
        except OSError as exc:
            raise StoreError(f"endpoint {url}: {one_line(exc.strerror or exc)}") from None

    def _gsp_url(self, graph: str) -> str:
        return f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}"

    # --- reading ----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run a query remotely; results are the same pyoxigraph objects the store returns."""
        if substitutions:
            from kg.query import bind_with_values

            sparql = bind_with_values(sparql, substitutions)
        text = prefix_declarations(prefixes) + sparql
        form = urllib.parse.urlencode({"query": text}).encode()
        content_type, body = self._request(
            self.query_url,
            method="POST",
            data=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": f"{RESULTS_JSON}, {N_TRIPLES};q=0.9",
            },
            timeout=timeout,
        )
        media = content_type.split(";")[0].strip().lower()
        if media in (RESULTS_JSON, "application/json"):
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
        return list(ox.parse(body, format=fmt))

    def named_graphs(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        assert isinstance(result, ox.QuerySolutions)
        return sorted(s["g"].value for s in result if isinstance(s["g"], ox.NamedNode))

    def article_graphs(self) -> list[str]:
        return [g for g in self.named_graphs() if g.startswith(GRAPH)]

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads of one graph (Graph Store Protocol GET), or of every article graph."""
        graphs = self.article_graphs() if graph is None else [graph]
        for g in graphs:
            _, body = self._request(
                self._gsp_url(g), headers={"Accept": N_TRIPLES}, ok_missing=True
            )
            name = ox.NamedNode(g)
            for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(t.subject, t.predicate, t.object, name)

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, ox.QuerySolutions)
        return int(next(iter(result))["n"].value)

    # --- writing ----------------------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.describe()}: opened read-only")

    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        self._writable()
        text = prefix_declarations(dict(PREFIXES)) + sparql
        self._request(
            self.update_url,
            method="POST",
            data=urllib.parse.urlencode({"update": text}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=timeout,
        )

    def replace_graph(self, graph: str, quads: Iterable[Any]) -> None:
        """Replace one named graph in one update request (atomic on transactional servers)."""
        self.update(replace_graph_update(graph, quads))

    def drop_graph(self, graph: str) -> None:
        self.update(drop_graph_update(graph))

    def resync(self) -> None:
        """Recompute the union default graph from the named graphs."""
        self.update(RESYNC_UPDATE)

    def bulk_load(self, data: bytes, fmt: ox.RdfFormat, graph: str) -> None:
        """Replace ``graph`` with a triples file (Graph Store Protocol PUT), add it to the union
        (POST to the default graph). Not atomic: for large imports."""
        self._writable()
        headers = {"Content-Type": fmt.media_type}
        self.update(drop_graph_update(graph))
        self._request(self._gsp_url(graph), method="PUT", data=data, headers=headers)
        self._request(f"{self.store_url}?default", method="POST", data=data, headers=headers)

    def ensure_ontology(self) -> None:
        quads = ontology_quads()
        if set(self.quads(ONTOLOGY_GRAPH)) == set(quads):
            return
        self.replace_graph(ONTOLOGY_GRAPH, quads)

    def flush(self) -> None:
        """Nothing to flush: the server persists each request."""

    def close(self) -> None:
        """Nothing to close: every request has its own connection."""
