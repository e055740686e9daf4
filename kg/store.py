"""The embedded persistent store (Oxigraph via pyoxigraph): the only module that knows the backend.

Each article lives in its own named graph; replacing an article is one SPARQL Update
transaction (drop + insert), so a build killed midway leaves the store as it was before the
interrupted article. The ontology and code lists live in their own graph so queries can read
labels, PLOVER types and CAMEO codes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.vocab import GRAPH, ontology_dir

STORE_ENV = "KG_STORE"
DEFAULT_STORE = Path(".kg") / "store"
ONTOLOGY_GRAPH = "https://w3id.org/defense-kg/ontology-graph"
MARKER = ".defense-kg-store"


class StoreError(RuntimeError):
    """A store that cannot be opened or written (the message is one line)."""


def default_store_path() -> Path:
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def _check_dir(path: Path, create: bool) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: not a directory, so not a store")
    if path.exists() and any(path.iterdir()) and not (path / MARKER).exists():
        raise StoreError(
            f"{path}: not a defense-kg store (no {MARKER} marker); refusing to touch it"
        )
    if not path.exists() and not create:
        raise StoreError(f"{path}: no store here; run 'kg build' first or pass --store")


@dataclass
class Store:
    """A handle on the on-disk store (use ``open_store``)."""

    path: Path
    inner: ox.Store
    read_only: bool

    # --- reading ----------------------------------------------------------------------------

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
        return self.inner.query(sparql, use_default_graph_as_union=True)

    def article_graphs(self) -> list[str]:
        return sorted(
            g.value
            for g in self.inner.named_graphs()
            if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH)
        )

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        if graph is None:
            for g in self.article_graphs():
                yield from self.inner.quads_for_pattern(None, None, None, ox.NamedNode(g))
        else:
            yield from self.inner.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    def __len__(self) -> int:
        return len(self.inner)

    # --- writing ----------------------------------------------------------------------------

    def replace_graph(
        self, graph: str, quads: Iterable[tuple[URIRef, URIRef, object, URIRef]]
    ) -> None:
        """Atomically replace one named graph with ``quads`` (one update transaction)."""
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        body = "\n".join(f"{_nt(s)} {_nt(p)} {_nt(o)} ." for s, p, o, _ in quads)
        update = f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"
        try:
            self.inner.update(update)
        except OSError as exc:
            raise StoreError(f"{self.path}: write failed ({exc})") from None

    def drop_graph(self, graph: str) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        self.inner.update(f"DROP SILENT GRAPH <{graph}>")

    def ensure_ontology(self) -> None:
        """Load ontology/defense.ttl and codes.ttl into their own graph (replacing it)."""
        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        quads: list[ox.Quad] = []
        for name in ("defense.ttl", "codes.ttl"):
            with (ontology_dir() / name).open("rb") as handle:
                for triple in ox.parse(handle, format=ox.RdfFormat.TURTLE):
                    quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
        existing = set(self.inner.quads_for_pattern(None, None, None, graph))
        if existing == set(quads):
            return
        self.inner.update(f"DROP SILENT GRAPH <{ONTOLOGY_GRAPH}>")
        self.inner.extend(quads)

    def flush(self) -> None:
        if not self.read_only:
            self.inner.flush()


def _nt(term: object) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise TypeError(f"unexpected term {term!r}")


def open_store(path: Path | None = None, *, read_only: bool = False, create: bool = False) -> Store:
    """Open the store at ``path`` (default ``$KG_STORE`` or ``.kg/store``)."""
    path = path or default_store_path()
    _check_dir(path, create and not read_only)
    try:
        if read_only:
            inner = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            inner = ox.Store(str(path))
            (path / MARKER).touch()
    except OSError as exc:
        message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        if "lock" in message.lower():
            raise StoreError(f"{path}: the store is in use by another writer") from None
        raise StoreError(f"{path}: cannot open store ({message})") from None
    return Store(path=path, inner=inner, read_only=read_only)


@contextmanager
def opened(
    path: Path | None = None, *, read_only: bool = False, create: bool = False
) -> Iterator[Store]:
    store = open_store(path, read_only=read_only, create=create)
    try:
        yield store
    finally:
        store.flush()
        del store.inner
