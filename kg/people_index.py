"""An index of the officials in the embedded store, so that adding articles to a large store
reads only the officials the new articles can be resolved against, not every official.

Resolution (:func:`kg.resolve.resolve`) needs, from the store, the officials with a name whose
words contain a new official's name words or are contained in them (the only ones it can
match), the officials whose first words the new articles write (recognised
without a title by :func:`kg.resolve.recognise_known`), and the officials whose key a new
article would mint. :meth:`PeopleIndex.existing` returns exactly those people, with every
row the store holds for them, so resolution gives the same keys as with every official of the
store (a test builds incrementally with and without the index and compares the N-Quads).

The index is a SQLite file in the store folder (:data:`kg.store.PEOPLE_INDEX`): one row per
(graph, person, label or alias, state), as the query of :func:`kg.build.existing_people`
returns them, with each row's name words and its name start. It is derived data:

- every write to the store outside the build (``kg update``, ``kg load``, an upgrade)
  deletes it first (:meth:`kg.store.Store.forget_people_index`), and the next build makes it
  again from one scan of the store; ``kg remove`` forgets only the removed graph's rows;
- the build forgets an article's rows before replacing its graph and adds the rows of the
  graphs it wrote once they are in the store, so that after a kill the index holds a subset of
  the store's graphs, each with the rows it has in the store;
- opening it compares its graphs with the store's article graphs and indexes the missing ones
  (one query per batch of graphs) and forgets the ones the store lost.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError, one_line
from kg.records import Extraction
from kg.resolve import KnownPerson, known_people, name_start, name_tokens, text_starts
from kg.store import PEOPLE_INDEX, Store, drop_graph_update

_VERSION = "defense-kg people index 3"

_SCHEMA = """
CREATE TABLE meta(version TEXT NOT NULL, complete INTEGER NOT NULL);
CREATE TABLE graphs(graph TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE people(
  graph TEXT NOT NULL, iri TEXT NOT NULL, name TEXT NOT NULL, state TEXT, key TEXT NOT NULL,
  words TEXT NOT NULL
);
CREATE INDEX people_by_words ON people(words);
CREATE INDEX people_by_iri ON people(iri);
CREATE INDEX people_by_key ON people(key);
CREATE INDEX people_by_graph ON people(graph);
CREATE TABLE words(word TEXT NOT NULL, row INTEGER NOT NULL, graph TEXT NOT NULL);
CREATE INDEX words_by_word ON words(word, row);
CREATE INDEX words_by_graph ON words(graph);
CREATE TABLE keys(key TEXT NOT NULL, iri TEXT NOT NULL, graph TEXT NOT NULL);
CREATE INDEX keys_by_key ON keys(key);
CREATE INDEX keys_by_graph ON keys(graph);
"""

_PREFIXES = """PREFIX dkg: <https://w3id.org/defense-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_OFFICIALS = """?p a dkg:Official ; rdfs:label|skos:altLabel ?name .
  OPTIONAL { ?p dkg:ofState ?s . BIND(STRAFTER(STR(?s), "/state/") AS ?state) }"""

PEOPLE_QUERY = _PREFIXES + f"SELECT ?p ?name ?state ?g WHERE {{ GRAPH ?g {{ {_OFFICIALS} }} }}"
"""The officials of every named graph, with their graph."""

_GRAPH_PEOPLE_QUERY = _PREFIXES + f"SELECT ?p ?name ?state WHERE {{ {_OFFICIALS} }}"
"""The officials of the default graph, run with one named graph as the default graph (an
index lookup; a ``VALUES ?g`` before ``GRAPH ?g`` would scan every graph)."""

#: Graphs missing from an empty index past which one scan of the store reads them all.
_SCAN_PAST = 512

#: Names of more words than this are matched through every name sharing one of their words.
_MAX_SUBSET_WORDS = 8


def _words_key(words: list[str]) -> str:
    """A row's sorted name words, as one indexed column."""
    return "\x1f".join(sorted(words))


def person_key(iri: str) -> str:
    """The resolution key of a person's IRI (``person:<last segment>``)."""
    return "person:" + iri.rsplit("/", 1)[-1]


def _start_key(start: tuple[str, ...] | None) -> str:
    return "" if start is None else "\x1f".join(start)


def store_people(store: ox.Store, graphs: list[str] | None = None) -> list[tuple[str, ...]]:
    """(graph, IRI, name, state or "") rows of the officials of ``graphs`` (None: all)."""

    def row(solution: ox.QuerySolution, graph: str) -> tuple[str, ...]:
        state = solution["state"]
        value = state.value if state is not None else ""
        return (graph, solution["p"].value, solution["name"].value, value)

    if graphs is None:
        result = store.query(PEOPLE_QUERY)
        assert isinstance(result, ox.QuerySolutions)
        return [row(solution, solution["g"].value) for solution in result]
    rows: list[tuple[str, ...]] = []
    for graph in graphs:
        result = store.query(_GRAPH_PEOPLE_QUERY, default_graph=ox.NamedNode(graph))
        assert isinstance(result, ox.QuerySolutions)
        rows.extend(row(solution, graph) for solution in result)
    return rows


def open_index(store: Store) -> PeopleIndex:
    """The index of a writable embedded store, brought up to date with its graphs, and marked
    incomplete until :meth:`PeopleIndex.completed` (the build calls it once all it wrote is
    indexed). An index marked complete holds every graph of the store, since every other
    write deletes it; one left incomplete (a build killed) is compared with the store's graphs."""
    index = PeopleIndex(store.path / PEOPLE_INDEX, store.inner)
    try:
        with unusable(index.path):
            if not index.complete():
                index.catch_up(graph_names(store.inner))
            index.db.execute("UPDATE meta SET complete = 0")
    except BaseException:
        index.close()
        raise
    return index


class unusable:
    """``with unusable(path):`` an SQLite error on the index (a folder in its place, a full
    disk, damage that shows after opening) as one-line :class:`StoreError` naming the file;
    the index is then left incomplete or missing, and the store is as its own writes left it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, *_: object) -> None:
        if isinstance(exc, (sqlite3.Error, OSError)) and not isinstance(exc, StoreError):
            reason = one_line(exc)[:200] or exc.__class__.__name__
            raise StoreError(
                f"{self.path}: the index of officials cannot be used ({reason}); delete it "
                "and the next build makes it again"
            ) from None


class PeopleIndex:
    """The index file of one open, writable store (see the module's docstring)."""

    def __init__(self, path: Path, store: ox.Store) -> None:
        self.path = path
        self.store = store
        with unusable(path):
            self.db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        fresh = not self.path.exists()
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=DELETE")
            if not fresh:
                (version,) = db.execute("SELECT version FROM meta").fetchone()
                if version == _VERSION:
                    return db
        except (sqlite3.Error, TypeError):
            pass
        db.close()
        self.path.unlink(missing_ok=True)  # missing, damaged or another version: made again
        db = sqlite3.connect(self.path, isolation_level=None)
        db.executescript(f"BEGIN; {_SCHEMA}; INSERT INTO meta VALUES ('{_VERSION}', 0); COMMIT;")
        return db

    def close(self) -> None:
        self.db.close()

    def complete(self) -> bool:
        (complete,) = self.db.execute("SELECT complete FROM meta").fetchone()
        return bool(complete)

    def completed(self) -> None:
        """Mark the index as holding every graph of the store (after a build's last write)."""
        self.db.execute("UPDATE meta SET complete = 1")

    def catch_up(self, graphs: Iterable[str]) -> None:
        """Index the store's graphs the index lacks; forget the ones it no longer has."""
        in_store = set(graphs)
        indexed = {g for (g,) in self.db.execute("SELECT graph FROM graphs")}
        self.forget(sorted(indexed - in_store))
        missing = sorted(in_store - indexed)
        if missing:
            everything = not indexed and len(missing) > _SCAN_PAST
            self._add(store_people(self.store, None if everything else missing), missing)

    def add_graphs(self, graphs: list[str]) -> None:
        """Index ``graphs`` (just written to the store) from what the store holds."""
        if graphs:
            self._add(store_people(self.store, graphs), graphs)

    def _add(self, rows: list[tuple[str, ...]], graphs: list[str]) -> None:
        wanted = set(graphs)
        with _transaction(self.db):
            self.db.executemany(
                "INSERT OR IGNORE INTO graphs VALUES (?)", ((g,) for g in sorted(wanted))
            )
            for graph, iri, name, state in rows:
                if graph not in wanted:
                    continue
                tokens = sorted(name_tokens(name))
                row = self.db.execute(
                    "INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)",
                    (graph, iri, name, state or None, person_key(iri), _words_key(tokens)),
                ).lastrowid
                self.db.executemany(
                    "INSERT INTO words VALUES (?, ?, ?)", ((w, row, graph) for w in tokens)
                )
                self.db.execute(
                    "INSERT INTO keys VALUES (?, ?, ?)",
                    (_start_key(name_start(name)), iri, graph),
                )

    def forget(self, graphs: list[str]) -> None:
        """Remove the rows of ``graphs`` (before their graphs change in the store)."""
        if not graphs:
            return
        with _transaction(self.db):
            for table in ("graphs", "people", "words", "keys"):
                self.db.executemany(f"DELETE FROM {table} WHERE graph = ?", ((g,) for g in graphs))

    def existing(
        self, extractions: list[Extraction], exclude_graphs: set[str]
    ) -> list[KnownPerson]:
        """The people of the store (outside ``exclude_graphs``) that resolving
        ``extractions`` can use; the same :class:`KnownPerson` records
        :func:`kg.build.existing_people` gives for them."""
        starts: set[tuple[str, ...] | None] = set()
        names: set[frozenset[str]] = set()
        keys: set[str] = set()
        for x in extractions:
            starts |= text_starts(x.article.text)
            for e in x.entities:
                if e.type == "Official":
                    names.add(name_tokens(e.name))
                    keys.add(e.key)
        # officials the articles write by name may join them (recognise_known): their names too
        recognisable = self._select("keys", "key", sorted(map(_start_key, starts)))
        names.update(name_tokens(name) for (name,) in self._rows_of(sorted(recognisable), "name"))
        found = recognisable | self._select("people", "key", sorted(keys))
        for tokens in sorted(names, key=sorted):
            found |= self._related(tokens)
        rows = [
            (iri, name, state or None)
            for iri, name, state, graph in self._rows_of(sorted(found), "iri, name, state, graph")
            if graph not in exclude_graphs
        ]
        return known_people(rows)

    def _related(self, tokens: frozenset[str]) -> set[str]:
        """IRIs of the people with a name whose words contain ``tokens`` or are contained in
        them (a superset of the ones :class:`kg.resolve._PeopleIndex` relates to them): names
        made of some of the words are looked up whole, names holding every word are read from
        the rows of the rarest word."""
        if not tokens:
            return set()
        words = sorted(tokens)
        found: set[str] = set()
        if len(words) <= _MAX_SUBSET_WORDS:
            subsets = [
                _words_key(list(c))
                for size in range(1, len(words) + 1)
                for c in itertools.combinations(words, size)
            ]
            found |= self._select("people", "words", subsets)
        else:  # an unusually long name: every name sharing one of its words
            marks = ", ".join("?" * len(words))
            found.update(
                iri
                for (iri,) in self.db.execute(
                    "SELECT DISTINCT people.iri FROM words JOIN people ON people.rowid = words.row "
                    f"WHERE words.word IN ({marks})",
                    words,
                )
            )
        counts = {
            w: self.db.execute("SELECT COUNT(*) FROM words WHERE word = ?", (w,)).fetchone()[0]
            for w in words
        }
        rarest, *others = sorted(words, key=lambda w: (counts[w], w))
        holding = " ".join(
            "AND EXISTS (SELECT 1 FROM words o WHERE o.word = ? AND o.row = w.row)" for _ in others
        )
        found.update(
            iri
            for (iri,) in self.db.execute(
                "SELECT DISTINCT people.iri FROM words w JOIN people ON people.rowid = w.row "
                f"WHERE w.word = ? {holding}",
                [rarest, *others],
            )
        )
        return found

    def _select(self, table: str, column: str, values: list[str]) -> set[str]:
        """IRIs of ``table``'s rows whose ``column`` is one of ``values``."""
        found: set[str] = set()
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(
                iri
                for (iri,) in self.db.execute(
                    f"SELECT DISTINCT iri FROM {table} WHERE {column} IN ({marks})", chunk
                )
            )
        return found

    def _rows_of(self, iris: list[str], columns: str) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        for start in range(0, len(iris), 500):
            chunk = iris[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows.extend(
                self.db.execute(f"SELECT {columns} FROM people WHERE iri IN ({marks})", chunk)
            )
        return rows


class _transaction:
    """``with _transaction(db):`` one SQLite transaction (committed, or rolled back)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, kind: object, *_: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def graph_names(store: ox.Store) -> list[str]:
    """Every named graph of the store (officials can be in any: a loaded file's too)."""
    return [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]


def drop_graph(store: Store, graph: str) -> None:
    """Drop ``graph`` from the store and only its rows from the index of officials (instead of
    deleting the index, which a large store would pay for with one scan on the next build).
    The index is marked incomplete first, so that a kill in between leaves it to be compared."""
    if not (store.path / PEOPLE_INDEX).exists():
        store.drop_graph(graph)
        return
    index = PeopleIndex(store.path / PEOPLE_INDEX, store.inner)
    try:
        complete = index.complete()
        index.db.execute("UPDATE meta SET complete = 0")
        index.forget([graph])
        store.update(drop_graph_update(graph), keep_people_index=True)
        if complete:
            index.completed()
    finally:
        index.close()
