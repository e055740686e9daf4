"""The store: the only module that knows which backend holds the graph.

The default backend is an embedded, persistent Oxigraph store on disk (pyoxigraph). The same
interface (:class:`Backend`) is implemented for a remote SPARQL 1.1 endpoint by
:mod:`kg.endpoint`; :func:`connect` picks one from ``--store``/``--endpoint``.

Each article lives in its own named graph ``https://w3id.org/defense-kg/graph/<article-id>``.
The default graph holds the union of all named graphs, as a set: the store maintains it on
every write, because Oxigraph's own "default graph as union" yields a triple once per graph
that holds it (duplicate rows as soon as two articles mention the same state) and is slow.
Replacing an article is one SPARQL Update request (retract from the union what no other graph
supports, drop, insert into the graph and the union), which Oxigraph runs as one transaction,
so a build killed midway leaves the store as it was before the interrupted article. Every
triple about an entity lives inside the article graphs that mention it, so removing an
article's graph removes exactly the entities no other article supports. The ontology and code
lists live in their own graph so queries can read labels, PLOVER types and CAMEO codes.
"""

from __future__ import annotations

import collections
import fcntl
import functools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pyoxigraph as ox

if TYPE_CHECKING:
    from concurrent.futures import Future

from kg.errors import RefusedInput as RefusedInput
from kg.errors import StoreError as StoreError
from kg.errors import one_line as one_line
from kg.iris import GRAPH, PREFIXES, ontology_dir

STORE_ENV = "KG_STORE"
ENDPOINT_ENV = "KG_ENDPOINT"
DEFAULT_STORE = Path(".kg") / "store"
ONTOLOGY_GRAPH = "https://w3id.org/defense-kg/ontology-graph"
MARKER = ".defense-kg-store"
PEOPLE_INDEX = ".kg-people.sqlite"
"""The index of officials in the store folder (:mod:`kg.people_index`; derived data)."""
MARKER_TEXT = "defense-kg store 2: the default graph is the union of the named graphs\n"
UPDATES_GRAPH = GRAPH + "updates"
D = "https://w3id.org/defense-kg/ontology#"

QueryResult = ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean | list[ox.Triple]

#: File extension -> RDF format accepted by ``kg load``.
LOAD_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


def default_store_path() -> Path:
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def graph_for(article_id: str) -> str:
    """The named graph of an article (or of a loaded file).

    Examples
    --------
    >>> graph_for("seed")
    'https://w3id.org/defense-kg/graph/seed'
    """
    from kg.graphname import graph_iri  # checked: a name that is not an IRI is refused

    return graph_iri(article_id)


@runtime_checkable
class Backend(Protocol):
    """What every backend offers: the embedded :class:`Store` and ``kg.endpoint.Endpoint``.

    ``query`` and ``update`` with a ``timeout`` (seconds) enforce it themselves, each backend
    its own way: the embedded store runs the operation in a sandboxed child that is killed at
    the limit (:mod:`kg.sparql.sandbox`; ``max_memory`` caps its address space), an endpoint
    gives the HTTP exchange that deadline (its answers are bounded in bytes instead). Without
    a timeout they run in this process, unbounded. ``article_union`` is the union of the
    article graphs when the backend can read it in one scan, else None.
    """

    read_only: bool

    def describe(self) -> str: ...

    def query(
        self,
        sparql: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
        timeout: float | None = None,
        max_memory: int | None = None,
    ) -> QueryResult: ...

    def update(
        self, sparql: str, *, timeout: float | None = None, max_memory: int | None = None
    ) -> None: ...

    def article_union(self) -> list[ox.Quad] | None: ...

    def named_graphs(self) -> list[str]: ...

    def article_graphs(self) -> list[str]: ...

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]: ...

    def replace_graph(self, graph: str, quads: Iterable[Any]) -> None: ...

    def drop_graph(self, graph: str) -> None: ...

    def resync(self) -> None: ...

    def ensure_ontology(self) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


# --- terms ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def _named_node(iri: str) -> ox.NamedNode:
    """IRIs repeat (predicates, classes, states): convert each once."""
    return ox.NamedNode(iri)


def to_ox(term: Any) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """An rdflib or pyoxigraph term as a pyoxigraph term."""
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term
    from rdflib import Literal, URIRef  # only a writer of rdflib terms pays for rdflib

    if isinstance(term, URIRef):
        return _named_node(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected term {term!r}")


def nt_term(term: Any) -> str:
    """N-Triples form of an rdflib or pyoxigraph term (safe to paste into SPARQL)."""
    return str(to_ox(term))


def triples_body(quads: Iterable[Any]) -> str:
    """``s p o .`` lines for the subject, predicate, object of each quad or triple."""
    return "\n".join(f"{nt_term(q[0])} {nt_term(q[1])} {nt_term(q[2])} ." for q in _spo(quads))


_OX_TERMS = frozenset({ox.NamedNode, ox.Literal, ox.BlankNode})

#: Lines of one :meth:`Store.add_nquads` call that still go through the bulk loader (which
#: makes a second ingestion only past a million quads).
BULK_QUADS = 900_000
#: Below this many lines :meth:`Store.add_nquads` writes in a transaction, not the bulk loader.
SMALL_QUADS = 4_096


def triples_nquads(graph: str, triples: Iterable[str]) -> bytes:
    """N-Quads of N-Triples statements (``<s> <p> o``, without the final `` .``, as
    :func:`kg.mapping.extraction_triples` writes them) in ``graph`` and, for the union, in the
    default graph.

    Examples
    --------
    >>> print(triples_nquads("http://g", ['<http://s> <http://p> "1"']).decode(), end="")
    <http://s> <http://p> "1" <http://g> .
    <http://s> <http://p> "1" .
    """
    name = f" {nt_term(ox.NamedNode(graph))} .\n"
    return "".join([f"{t}{name}{t} .\n" for t in triples]).encode("utf-8")


def graph_nquads(graph: str, quads: Iterable[Any]) -> bytes:
    """:func:`triples_nquads` of quads or triples of terms (pyoxigraph's or rdflib's).

    Examples
    --------
    >>> one = ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    >>> print(graph_nquads("http://g", [(ox.NamedNode("http://s"), ox.NamedNode("http://p"), one)])
    ...       .decode(), end="")
    <http://s> <http://p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <http://g> .
    <http://s> <http://p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
    """
    statements = (f"{nt_term(s)} {nt_term(p)} {nt_term(o)}" for s, p, o in _spo(quads))
    return triples_nquads(graph, statements)


def _spo(quads: Iterable[Any]) -> Iterator[tuple[Any, Any, Any]]:
    for q in quads:
        if isinstance(q, ox.Quad | ox.Triple):
            yield q.subject, q.predicate, q.object
        else:
            yield q[0], q[1], q[2]


def _iri(graph: str) -> str:
    from kg.graphname import sparql_iri

    return sparql_iri(graph)


def _retract_update(graph: str) -> str:
    """Remove from the union (default graph) the triples only ``graph`` supports."""
    g = _iri(graph)
    return (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {g} {{ ?s ?p ?o }}\n"
        f"  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {g}) }} }}"
    )


def replace_graph_update(graph: str, quads: Iterable[Any]) -> str:
    """One SPARQL Update that replaces ``graph`` with ``quads`` and keeps the union in step."""
    body = triples_body(quads)
    return (
        f"{_retract_update(graph)} ;\n"
        f"DROP SILENT GRAPH {_iri(graph)} ;\n"
        f"INSERT DATA {{ GRAPH {_iri(graph)} {{\n{body}\n}} }} ;\n"
        f"INSERT DATA {{\n{body}\n}}"
    )


def drop_graph_update(graph: str) -> str:
    """One SPARQL Update that drops ``graph`` and what only it supported from the union."""
    return f"{_retract_update(graph)} ;\nDROP SILENT GRAPH {_iri(graph)}"


#: Recompute the union after arbitrary changes (``kg update``): the default graph becomes
#: exactly the set of triples in the named graphs.
RESYNC_UPDATE = (
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } } ;\n"
    "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"
)


def with_resync(update: str) -> str:
    r"""A user's update followed by :data:`RESYNC_UPDATE`, to run as one transaction.

    Examples
    --------
    >>> with_resync("CLEAR ALL ; # done").startswith("CLEAR ALL  # done\n;\nDELETE")
    True
    """
    from kg.sparql.text import mask

    masked = mask(update).text.rstrip()
    if masked.endswith(";"):
        cut = len(masked) - 1
        update = update[:cut] + update[cut + 1 :]
    return update.rstrip() + "\n;\n" + RESYNC_UPDATE


def ontology_quads() -> list[ox.Quad]:
    """The ontology and code lists, as quads in the ontology graph."""
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    quads: list[ox.Quad] = []
    for name in ("defense.ttl", "codes.ttl"):
        with (ontology_dir() / name).open("rb") as handle:
            for triple in ox.parse(handle, format=ox.RdfFormat.TURTLE):
                quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    return quads


# --- the embedded store -----------------------------------------------------------------------


def _check_dir(path: Path, create: bool) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: not a directory, so not a store")
    if path.exists() and any(path.iterdir()) and not (path / MARKER).exists():
        raise StoreError(
            f"{path}: not a defense-kg store (no {MARKER} marker); refusing to touch it"
        )
    if not (path / MARKER).exists() and not create:
        raise StoreError(f"{path}: no store here; run 'kg build' first or pass --store")


_MAY_BE_CORRUPTED = re.compile(r"\s*The file \S+ may be corrupted\.?")
_MISSING_FILE = re.compile(r"(/\S+): No such file or directory")
_CHECKSUM = re.compile(r"checksum mismatch\b[^/]*? in (\S+\.sst)\b")
_SIZE_MISMATCH = re.compile(
    r"file size mismatch between expected (\d+) and file system (\d+) sstable: (\S+)", re.I
)


def _damage(path: Path, exc: BaseException) -> str:
    """A short reason from a RocksDB error: which file is missing, truncated or corrupt."""
    message = one_line(exc)
    mismatch = _SIZE_MISMATCH.search(message)
    if mismatch:
        expected, found, name = mismatch.groups()
        return f"{Path(name).name} is truncated ({found} of {expected} bytes)"
    missing = _MISSING_FILE.findall(message)
    if missing:
        return f"{Path(missing[-1]).name} is missing"
    checksum = _CHECKSUM.search(message)
    if checksum:
        return f"{Path(checksum.group(1)).name} is corrupt (block checksum mismatch)"
    message = _MAY_BE_CORRUPTED.sub("", message)
    while message.startswith("Corruption: "):
        message = message[len("Corruption: ") :]
    return message.replace(f"{path}/", "")[:200]


def damaged(path: Path, reason: str, *, writing: bool = False) -> StoreError:
    """The one error for a store that exists but cannot be opened (or written) as it is."""
    if writing:  # found by a write: what was written before is kept, nothing after it
        return StoreError(f"the store at {path} is damaged: {reason} (found while writing)")
    return StoreError(f"the store at {path} is damaged: {reason}; nothing was changed")


def _is_damage(exc: BaseException) -> bool:
    """RocksDB reports corruption as ``RuntimeError``, a file it expects but cannot find as
    an I/O error."""
    if type(exc) is RuntimeError:  # not StoreError, RecursionError, NotImplementedError
        return True
    return isinstance(exc, OSError) and "No such file or directory" in str(exc)


def _storage_error(path: Path, exc: BaseException, what: str) -> StoreError:
    """Map a backend error: corruption -> :func:`damaged`, else ``what failed (...)``."""
    if isinstance(exc, StoreError):  # already ours (a lazy open that found damage)
        return exc
    if _is_damage(exc):
        return damaged(path, _damage(path, exc), writing=what == "write")
    return StoreError(f"{path}: {what} failed ({one_line(exc)[:200]})")


def check_intact(path: Path, *, probe: bool = True) -> None:
    """Refuse a store (a folder with our marker) that RocksDB cannot open as it is.

    The probe opens it read-only, which writes nothing; it runs before any read-write open,
    because RocksDB opened for writing on a damaged folder may add files (a folder without
    ``CURRENT`` would even get a new, empty database).
    """
    if not (path / MARKER).exists():
        return
    if not (path / "CURRENT").is_file():
        raise damaged(path, "CURRENT is missing")
    if not probe:
        return
    try:
        ox.Store.read_only(str(path))  # closed again as soon as it is dropped
    except (OSError, RuntimeError) as exc:
        if _is_damage(exc):
            raise damaged(path, _damage(path, exc)) from None


def _current(path: Path) -> bool:
    try:
        return (path / MARKER).read_text(encoding="utf-8") == MARKER_TEXT
    except OSError:
        return False


class Store:
    """A handle on the on-disk store (use :func:`open_store` or :func:`opened`).

    The Oxigraph handle (:attr:`inner`) is opened on first use, so a handle made with
    ``open_store(..., lazy=True)`` holds the store's locks without RocksDB's threads: a query
    or update with a time limit then forks its sandboxed child cheaply, and the child opens
    the store itself (under the locks this handle holds).
    """

    def __init__(
        self,
        path: Path,
        inner: ox.Store | None = None,
        read_only: bool = False,
        locks: tuple[int, ...] = (),
    ) -> None:
        self.path = path
        self.read_only = read_only
        self.locks = locks
        self._handle = inner
        self._closed = False

    def __repr__(self) -> str:
        return f"Store(path={self.path!r}, read_only={self.read_only})"

    @property
    def inner(self) -> ox.Store:
        """The pyoxigraph store, opened now if it is not open yet."""
        if self._handle is None:
            if self._closed:
                raise StoreError(f"{self.path}: the store was closed")
            self._handle = self._open()
        return self._handle

    def _open(self) -> ox.Store:
        path = self.path
        try:
            if self.read_only:
                return ox.Store.read_only(str(path))
            path.mkdir(parents=True, exist_ok=True)
            inner = ox.Store(str(path))
            if not (path / MARKER).exists():  # a new store: lock it before the marker lets
                self.locks = self.locks or lock_store(path, exclusive=True)  # readers in
            remove_unloaded_sst(path)
            if not _current(path):
                (path / PEOPLE_INDEX).unlink(missing_ok=True)
                if any(True for _ in inner.named_graphs()):
                    inner.update(RESYNC_UPDATE)
                (path / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            return inner
        except StoreError:
            raise
        except (OSError, RuntimeError) as exc:
            message = one_line(exc) or exc.__class__.__name__
            if "lock" in message.lower():
                raise StoreError(f"{path}: the store is in use by another writer") from None
            if (path / MARKER).exists() and _is_damage(exc):
                raise damaged(path, _damage(path, exc)) from None
            raise StoreError(f"{path}: cannot open store ({message[:200]})") from None

    def describe(self) -> str:
        return str(self.path)

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
        """Run a query; the default graph is the union of all graphs.

        With ``timeout`` it runs in a sandboxed child (see :class:`Backend`): the results
        come back serialised and are parsed into the same pyoxigraph objects.
        """
        if timeout is not None:
            result: QueryResult = _limited(
                self, "query", (sparql, prefixes, substitutions), timeout, max_memory
            )
            return result
        subs: dict[ox.Variable, Any] = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        try:
            return self.inner.query(
                sparql,
                prefixes=prefixes,
                substitutions=subs or None,
            )
        except (OSError, RuntimeError) as exc:
            raise _storage_error(self.path, exc, "read") from None

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.inner.named_graphs() if isinstance(g, ox.NamedNode))

    def article_graphs(self) -> list[str]:
        return [g for g in self.named_graphs() if g.startswith(GRAPH)]

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Quads of one graph, or of every article graph when ``graph`` is None."""
        graphs = self.article_graphs() if graph is None else [graph]
        for g in graphs:
            yield from self.inner.quads_for_pattern(None, None, None, ox.NamedNode(g))

    def __len__(self) -> int:
        return len(self.inner)

    # --- writing ----------------------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")

    def forget_people_index(self) -> None:
        """Delete the index of officials (:mod:`kg.people_index`) before a write it does not
        follow; the next build makes it again from the store."""
        try:
            (self.path / PEOPLE_INDEX).unlink(missing_ok=True)
        except OSError as exc:
            raise _storage_error(self.path, exc, "write") from None

    def update(
        self,
        sparql: str,
        *,
        timeout: float | None = None,
        max_memory: int | None = None,
        keep_people_index: bool = False,
    ) -> None:
        """Run an update (one transaction); with ``timeout``, in a sandboxed child killed at
        the limit, so that an update stopped midway was never committed. The index of
        officials is deleted first unless the caller keeps it in step (the build)."""
        self._writable()
        if timeout is not None:
            self._handle = None  # the child opens the store for writing: close it here first
            _limited(self, "update", (sparql,), timeout, max_memory)  # (it forgets the index)
            return
        inner = self.inner  # opened (damage reported) before anything changes
        if not keep_people_index:
            self.forget_people_index()
        try:
            inner.update(sparql, prefixes=dict(PREFIXES))
        except SyntaxError:
            raise
        except (OSError, RuntimeError) as exc:
            raise _storage_error(self.path, exc, "write") from None

    def replace_graph(
        self, graph: str, quads: Iterable[Any], *, keep_people_index: bool = False
    ) -> None:
        """Atomically replace one named graph with ``quads`` (one transaction).

        A graph the store does not hold yet (the usual case when a corpus is built) is added
        with its union copies by :meth:`add_nquads`, which skips parsing a SPARQL update; an
        existing graph is replaced by a single update that also retracts from the union what
        only that graph supported.
        """
        self._writable()
        if not self.inner.contains_named_graph(ox.NamedNode(graph)):
            self.add_nquads([graph_nquads(graph, quads)], keep_people_index=keep_people_index)
            return
        self.update(replace_graph_update(graph, quads), keep_people_index=keep_people_index)

    def has_graph(self, graph: str) -> bool:
        return bool(self.inner.contains_named_graph(ox.NamedNode(graph)))

    def add_nquads(self, chunks: list[bytes], *, keep_people_index: bool = False) -> None:
        """Add :func:`graph_nquads` documents (graphs the store does not hold yet).

        Up to :data:`BULK_QUADS` lines go through Oxigraph's bulk loader, which sorts them
        into one set of SST files per index and adds those in one RocksDB ingestion: about
        five times faster than a transaction, and still all or nothing, because one
        ingestion is atomic and the loader only starts a second one past a million quads
        (an implementation fact of pyoxigraph 0.5, not a documented promise; a test kills a
        build midway and finds whole batches). Larger documents, and ones under
        :data:`SMALL_QUADS` lines (the bulk loader's fixed cost, about 0.1 s for its SST
        files, is then more than a transaction's: 0.03 s for one article's 700 quads), go
        in one transaction. Quads already in the store (a state's label, the union copy of
        a shared fact) are keys RocksDB already holds, so the store stays a set.
        """
        self._writable()
        inner = self.inner  # opened (damage reported) before anything changes
        if not keep_people_index:
            self.forget_people_index()
        data = b"".join(chunks)
        try:
            if SMALL_QUADS <= data.count(b"\n") <= BULK_QUADS:
                inner.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            else:
                inner.load(data, format=ox.RdfFormat.N_QUADS)
        except (OSError, RuntimeError) as exc:
            raise _storage_error(self.path, exc, "write") from None
        except (SyntaxError, ValueError) as exc:  # a term kg minted that is not RDF
            raise StoreError(f"{self.path}: write refused ({one_line(exc)[:200]})") from None

    def drop_graph(self, graph: str) -> None:
        self.update(drop_graph_update(graph))

    def resync(self) -> None:
        """Recompute the union default graph from the named graphs."""
        self.update(RESYNC_UPDATE)

    def ensure_ontology(self) -> None:
        """Load ontology/defense.ttl and codes.ttl into their own graph (replacing it)."""
        quads = ontology_quads()
        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        if set(self.inner.quads_for_pattern(None, None, None, graph)) == set(quads):
            return
        self.replace_graph(ONTOLOGY_GRAPH, quads)

    def flush(self) -> None:
        if not self.read_only and self._handle is not None:
            try:
                self.inner.flush()
            except (OSError, RuntimeError) as exc:
                raise _storage_error(self.path, exc, "write") from None

    def article_union(self) -> list[ox.Quad] | None:
        """The union of the article graphs read from the de-duplicated default graph (one
        scan instead of one per graph, about twice as fast at 10^6 triples), without what only
        the ontology graph holds; None when the store holds graphs of another kind."""
        if any(g != ONTOLOGY_GRAPH and not g.startswith(GRAPH) for g in self.named_graphs()):
            return None
        inner = self.inner
        onto = ox.NamedNode(ONTOLOGY_GRAPH)
        onto_triples = {
            (q.subject, q.predicate, q.object)
            for q in inner.quads_for_pattern(None, None, None, onto)
        }
        union = []
        for q in inner.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            if (q.subject, q.predicate, q.object) in onto_triples and not any(
                other.graph_name != onto
                for other in inner.quads_for_pattern(q.subject, q.predicate, q.object, None)
                if not isinstance(other.graph_name, ox.DefaultGraph)
            ):
                continue
            union.append(q)
        return union

    def close(self) -> None:
        """Flush, close the Oxigraph handle, then let readers (or the next writer) in."""
        try:
            if self._handle is not None:
                self.flush()
        finally:
            self._handle = None
            self._closed = True
            _release(self.locks)
            self.locks = ()

    def __del__(self) -> None:  # a handle dropped without close() must not keep others out
        _release(getattr(self, "locks", ()))


#: Lock files inside a store: writers hold ``WRITER_LOCK`` (so a second writer is told at
#: once) and readers and writers share ``ACCESS_LOCK`` (readers shared, a writer exclusive),
#: because Oxigraph documents reading while another process writes as undefined behaviour.
WRITER_LOCK = ".kg-writer.lock"
ACCESS_LOCK = ".kg-access.lock"
LOCK_WAIT_ENV = "KG_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 600.0


def _lock_wait() -> float:
    try:
        return float(os.environ.get(LOCK_WAIT_ENV) or DEFAULT_LOCK_WAIT)
    except ValueError:
        return DEFAULT_LOCK_WAIT


def _release(descriptors: Iterable[int]) -> None:
    for descriptor in descriptors:
        try:
            os.close(descriptor)  # closing the descriptor releases its flock
        except OSError:
            pass


def _flock(path: Path, name: str, mode: int, wait: float | None) -> int | None:
    """A descriptor holding ``flock(mode)`` on ``path/name``; None where the folder is read-only.

    ``wait`` None tries once; otherwise retries until ``wait`` seconds have passed.
    """
    try:
        descriptor = os.open(path / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        return None  # a store on read-only media: nobody can write it, so nothing to wait for
    deadline = time.monotonic() + (wait or 0.0)
    delay = 0.01
    while True:
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
            return descriptor
        except BlockingIOError:
            if wait is None or time.monotonic() >= deadline:
                os.close(descriptor)
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def lock_store(path: Path, *, exclusive: bool) -> tuple[int, ...]:
    """Take the store's locks for a reader (shared) or a writer (exclusive).

    A writer fails at once when another writer holds the store, then waits for the readers
    already in to finish; a reader waits for a writer to finish (``$KG_LOCK_WAIT`` seconds at
    most, default 600), so it sees the store before or after a build, never in between.
    """
    wait = _lock_wait()
    held: list[int] = []
    try:
        if exclusive:
            writer = _flock(path, WRITER_LOCK, fcntl.LOCK_EX, None)
            if writer is not None:
                held.append(writer)
        access = _flock(path, ACCESS_LOCK, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, wait)
        if access is not None:
            held.append(access)
    except BlockingIOError:
        _release(held)
        if exclusive and not held:
            raise StoreError(f"{path}: the store is in use by another writer") from None
        who = "readers" if exclusive else "a writer"
        raise StoreError(
            f"{path}: waited {wait:g} s for {who} to finish (${LOCK_WAIT_ENV})"
        ) from None
    return tuple(held)


_BULK_SST = re.compile(r"bulk-\d+\.sst")


def remove_unloaded_sst(path: Path) -> list[str]:
    """Remove the files a bulk load killed before its ingestion left in the store folder.

    Oxigraph's bulk loader writes ``bulk-<random>.sst`` files that RocksDB takes over (as
    its own numbered files) when the load completes; with the writer's lock held, any still
    there belong to a load that never happened. Returns the names removed.
    """
    removed = []
    for name in sorted(os.listdir(path)):
        if _BULK_SST.fullmatch(name):
            try:
                (path / name).unlink()
                removed.append(name)
            except OSError:
                continue
    return removed


def open_store(
    path: Path | None = None, *, read_only: bool = False, create: bool = False, lazy: bool = False
) -> Store:
    """Open the store at ``path`` (default ``$KG_STORE`` or ``.kg/store``).

    Readers pass ``read_only=True``; they wait while another process writes (see
    :func:`lock_store`) and a second writer gets a :class:`StoreError` ("in use by another
    writer"), never a damaged store. :meth:`Store.close` (or leaving :func:`opened`) lets the
    others in. ``lazy`` takes the locks and checks the folder but opens Oxigraph only on first
    use (an existing store; see :class:`Store`): damage is then reported by that open.
    """
    path = path or default_store_path()
    _check_dir(path, create and not read_only)
    existing = (path / MARKER).exists()
    locks = lock_store(path, exclusive=not read_only) if existing else ()
    store: Store | None = None
    try:
        check_intact(path, probe=not read_only and not lazy)  # a reader's own open reports damage
        if read_only and not _current(path):
            raise StoreError(
                f"{path}: store written by an older version; open it for writing once "
                "(e.g. 'kg build') to upgrade it"
            )
        store = Store(path=path, read_only=read_only, locks=locks)
        if not (lazy and existing):
            store.inner  # noqa: B018 - opened now
    except BaseException:
        if store is not None:  # its locks (a new store's are taken by the open) go here, once:
            locks, store.locks = store.locks, ()  # its __del__ must not close reused numbers
        _release(locks)
        raise
    return store


# --- time limits: the embedded store's operations in a sandboxed child ------------------------


def _limited(
    store: Store, what: str, args: tuple[Any, ...], timeout: float, max_memory: int | None
) -> Any:
    """``store.query(*args)`` or ``store.update(*args)`` in a sandboxed child within limits."""
    from kg.sparql.sandbox import Limits, default_max_memory, run_limited

    limits = Limits(timeout, default_max_memory() if max_memory is None else max_memory)
    kind, data = run_limited(_in_child, (str(store.path), what, args), limits=limits, what=what)
    if kind == "syntax":
        raise SyntaxError(data)
    if kind == "store":
        raise StoreError(data)
    if kind == "boolean" or kind == "solutions":
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    if kind == "triples":
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    return None


def _in_child(path: str, what: str, args: tuple[Any, ...]) -> tuple[str, Any]:
    """The child's side of :func:`_limited`: open the store (the parent holds its locks), run,
    and hand back the results serialised (pyoxigraph's results do not pickle)."""
    store = Store(Path(path), read_only=what == "query")
    try:
        if what == "update":
            check_intact(store.path)  # probed before RocksDB opens it for writing
            store.update(*args)
            return "done", None
        result = store.query(args[0], prefixes=args[1], substitutions=args[2])
        if isinstance(result, ox.QueryBoolean):
            return "boolean", result.serialize(format=ox.QueryResultsFormat.JSON)
        if isinstance(result, ox.QuerySolutions):
            return "solutions", result.serialize(format=ox.QueryResultsFormat.JSON)
        return "triples", ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        return "syntax", str(exc)
    except StoreError as exc:
        return "store", str(exc)
    finally:
        store.close()


# --- operations over any backend --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphInfo:
    """One named graph of the store: an article (with metadata) or a loaded file."""

    graph: str
    name: str
    kind: str  # article | loaded
    title: str | None
    published: str | None
    triples: int


def _rows(store: Backend, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def list_graphs(store: Backend) -> list[GraphInfo]:
    """Every article and loaded graph, sorted by name, with title, date and triple count."""
    counts = {
        r["g"]: int(r["n"])
        for r in _rows(
            store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
    }
    meta: dict[str, dict[str, str]] = {}
    for row in _rows(
        store,
        f"""SELECT ?g ?title ?published WHERE {{ GRAPH ?g {{
          ?a a <{D}Article> .
          OPTIONAL {{ ?a <{D}title> ?title }} OPTIONAL {{ ?a <{D}published> ?published }} }} }}""",
    ):
        meta.setdefault(row["g"], row)
    out = []
    for graph in sorted(g for g in counts if g.startswith(GRAPH)):
        m = meta.get(graph)
        out.append(
            GraphInfo(
                graph=graph,
                name=graph[len(GRAPH) :],
                kind="article" if m else "loaded",
                title=m.get("title") if m else None,
                published=m.get("published") if m else None,
                triples=counts[graph],
            )
        )
    return out


#: ``<!ENTITY`` in the encodings an XML parser could be handed (UTF-8 and ASCII-compatible
#: ones, UTF-16 either way round).
_ENTITY_DECLARATIONS = tuple(
    "<!ENTITY".encode(encoding) for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


def refuse_xml_entities(data: bytes, path: Path) -> None:
    """Refuse RDF/XML that declares entities, before any parser sees it.

    Internal entities nest (the "billion laughs": a few hundred bytes that expand to
    gigabytes) and external ones read files or URLs; neither is needed for RDF/XML.
    """
    if any(marker in data for marker in _ENTITY_DECLARATIONS):
        raise RefusedInput(
            f"{path}: RDF/XML that declares entities (<!ENTITY) is refused, so that nothing "
            "is expanded; nothing was loaded"
        )


def _refuse_rdf_12(term: Any, path: Path) -> None:
    """Refuse an RDF 1.2 term (a triple term, a literal with a base direction)."""
    if isinstance(term, ox.Triple):
        raise RefusedInput(
            f"{path}: RDF 1.2 triple terms (<< >>, {{| |}}, <<( )>>) are not supported; "
            "nothing was loaded"
        )
    if isinstance(term, ox.Literal) and term.direction is not None:
        raise RefusedInput(
            f'{path}: RDF 1.2 literals with a base direction ("..."@{term.language}--'
            f"{term.direction}) are not supported; nothing was loaded"
        )


def parse_rdf_statements(path: Path, fmt: ox.RdfFormat | None = None) -> list[str]:
    """Parse an RDF file completely (any of :data:`LOAD_FORMATS`) into its distinct
    statements, as N-Triples text ``<s> <p> o`` (without the final `` .``; Oxigraph's
    canonical form of each term), in the order they first appear.

    Oxigraph's own parser reads the file; named graphs in TriG or N-Quads are flattened into one
    graph. Blank nodes are replaced by IRIs under ``<graph>/.well-known/genid/`` (numbered in
    order of appearance) because the store holds no blank nodes. Errors are one-line
    :class:`StoreError` with the parser's position. RDF 1.2 terms and XML entity declarations
    are refused (:class:`RefusedInput`).
    """
    if fmt is None:
        fmt = LOAD_FORMATS.get(path.suffix.lower())
        if fmt is None:
            known = ", ".join(sorted(LOAD_FORMATS))
            raise StoreError(f"{path}: unknown RDF file extension (known: {known})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        from kg.article import os_reason

        raise StoreError(f"{path}: {os_reason(exc, path)}") from None
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_xml_entities(data, path)
    from kg.graphname import file_graph_name

    base = path.resolve().as_uri()
    genid = graph_for(file_graph_name(path.stem)) + "/.well-known/genid/"
    bnodes: dict[str, str] = {}

    def skolem(term: ox.BlankNode) -> str:
        if term.value not in bnodes:
            bnodes[term.value] = f"<{genid}{len(bnodes)}>"
        return bnodes[term.value]

    statements: dict[str, None] = {}
    blank, literal, named = ox.BlankNode, ox.Literal, ox.NamedNode
    try:
        for q in ox.parse(data, format=fmt, base_iri=base):
            s, o = q.subject, q.object
            if type(s) is not named:
                if type(s) is not blank:
                    _refuse_rdf_12(s, path)
                s = skolem(s)
            if type(o) is literal:
                if o.direction is not None:
                    _refuse_rdf_12(o, path)
            elif type(o) is not named:
                if type(o) is not blank:
                    _refuse_rdf_12(o, path)
                o = skolem(o)
            statements[f"{s} {q.predicate} {o}"] = None
    except SyntaxError as exc:
        raise StoreError(f"{path}: malformed {fmt.name}: {one_line(exc)}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: malformed {fmt.name}: {one_line(exc)}") from None
    return list(statements)


def statement_triples(statements: Iterable[str]) -> list[ox.Triple]:
    """Terms of N-Triples statements (``<s> <p> o``), parsed back by Oxigraph."""
    text = "".join(f"{t} .\n" for t in statements).encode("utf-8")
    return list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))


def load_file(store: Backend, path: Path, graph: str | None = None) -> tuple[str, int]:
    """Add an RDF file as its own named graph (replacing a graph of the same name).

    The file is parsed completely before the store changes, so malformed RDF leaves the store
    unchanged. Returns the graph IRI and the number of triples.
    """
    from kg.graphname import file_graph_name

    graph = graph or graph_for(file_graph_name(path.stem))
    return load_statements(store, graph, parse_rdf_statements(path))


def load_triples(
    store: Backend, graph: str, triples: Iterable[tuple[Any, Any, Any]]
) -> tuple[str, int]:
    """:func:`load_statements` of triples of terms (pyoxigraph's or rdflib's)."""
    statements = dict.fromkeys(f"{nt_term(s)} {nt_term(p)} {nt_term(o)}" for s, p, o in triples)
    return load_statements(store, graph, list(statements))


def load_statements(store: Backend, graph: str, statements: list[str]) -> tuple[str, int]:
    """Replace ``graph`` with distinct N-Triples ``statements``; return the graph and count.

    A new graph on the embedded store goes straight to Oxigraph's bulk loader as N-Quads (the
    graph and its union copies) in one load (all or nothing) up to half :data:`BULK_QUADS`
    statements; a larger one in equal parts no larger, as many loading at once as there are
    cores (each part holds its statements' quads in the graph and in the union, so the union
    stays the union of the graphs whatever finished): ``kill -9`` during the parts leaves the
    graph partly loaded (never a damaged store), and the same ``kg load`` run again replaces
    it whole. An existing graph (or any graph of an endpoint) is replaced in one
    transaction, its terms parsed back by Oxigraph and written in a stable order.
    """
    if isinstance(store, Store) and not store.has_graph(graph):  # order does not matter here
        count = -(-len(statements) // (BULK_QUADS // 2))
        if count <= 1:
            store.add_nquads([triples_nquads(graph, statements)])
        else:
            writers = os.cpu_count() or 1
            count = -(-count // writers) * writers  # equal parts, a round for every core
            size = -(-len(statements) // count)
            store.forget_people_index()  # once, not from each thread
            parts = [statements[start : start + size] for start in range(0, len(statements), size)]
            _load_parts(store, parts, graph, writers)
    else:
        store.replace_graph(graph, statement_triples(sorted(statements)))
    store.flush()
    return graph, len(statements)


def _load_parts(store: Store, parts: list[list[str]], graph: str, writers: int) -> None:
    """Bulk-load ``parts`` of one new graph, ``writers`` at a time (at most that many parts'
    N-Quads are held at once)."""
    with ParallelLoads(store, writers) as loads:
        for statements in parts:
            loads.submit([triples_nquads(graph, statements)])
        loads.drain()


class ParallelLoads:
    """:meth:`Store.add_nquads` documents (each one ingestion: all or nothing) in up to
    ``writers`` threads while the caller prepares the next: Oxigraph's bulk loader releases
    the GIL. A submit waits while ``writers`` loads run; loads finish in the order submitted,
    each one's ``done`` is called in the caller's thread once it is in the store, and a failed
    load is raised there. The index of officials is kept: the caller forgets or updates it."""

    def __init__(self, store: Store, writers: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.store, self.writers = store, max(1, writers)
        self.pool = ThreadPoolExecutor(self.writers, thread_name_prefix="kg-bulk-load")
        self.running: collections.deque[tuple[Future[None], Callable[[], None] | None]] = (
            collections.deque()
        )

    def submit(self, chunks: list[bytes], done: Callable[[], None] | None = None) -> None:
        while len(self.running) >= self.writers:
            self.finish_oldest()
        load = self.pool.submit(self.store.add_nquads, chunks, keep_people_index=True)
        self.running.append((load, done))

    def finish_oldest(self) -> None:
        future, done = self.running.popleft()
        future.result()
        if done is not None:
            done()

    def drain(self) -> None:
        """Wait for every load (before a write of another kind)."""
        while self.running:
            self.finish_oldest()

    def close(self) -> None:
        """Wait for the loads in flight (also after an error) and stop the threads."""
        self.pool.shutdown(wait=True)

    def __enter__(self) -> ParallelLoads:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
