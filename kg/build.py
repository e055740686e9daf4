"""Building: article files -> extraction -> quads -> the store, and outputs written atomically."""

from __future__ import annotations

import errno
import fcntl
import logging
import multiprocessing as mp
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from kg.article import Article, ArticleError, UnreadableError, find_article_files, read_article
from kg.extract import extract
from kg.lexicon import load_lexicon
from kg.mapping import extraction_quads, extraction_triples, graph_iri
from kg.people_index import PEOPLE_QUERY, PeopleIndex, drop_graph, open_index, unusable
from kg.records import Extraction
from kg.resolve import KnownPerson, known_people, resolve
from kg.store import (
    BULK_QUADS,
    Backend,
    ParallelLoads,
    Store,
    StoreError,
    graph_for,
    list_graphs,
    triples_nquads,
)

log = logging.getLogger(__name__)

STARTED = time.time()
"""When this process started using kg: temporaries older than this are not ours."""


class OutputError(OSError):
    """An output file that cannot be written (the message is one line and names the file)."""

    def __str__(self) -> str:
        return self.strerror or ""


@dataclass(frozen=True, slots=True)
class BuildReport:
    article_id: str
    path: str
    triples: int


def bundled_corpus() -> Path:
    """The example articles shipped with the project (``corpus/``; ``kg/corpus`` in a wheel)."""
    package = Path(__file__).resolve().parent
    inside = package / "corpus"
    return inside if inside.is_dir() else package.parent / "corpus"


def read_articles(
    paths: Iterable[Path], on_skip: Callable[[str], None] | None = None
) -> list[Article]:
    """Read every article first, so a bad file fails the build before the store changes.

    A file or folder that cannot be read fails the build with its name; with ``on_skip`` it is
    reported there and left out instead (content errors always fail).
    """
    lexicon = load_lexicon()
    paths = list(paths)
    files = find_article_files(paths, on_skip)
    articles = []
    for path in files:
        try:
            articles.append(read_article(path, lexicon))
        except UnreadableError as exc:
            if on_skip is None:
                raise
            on_skip(str(exc))
    if not articles:
        raise ArticleError("no article files (.txt or .md) found in " + ", ".join(map(str, paths)))
    seen: dict[str, str] = {}
    for article in articles:
        if article.id in seen:
            raise ArticleError(
                f"{article.path}: article id {article.id!r} is also used by {seen[article.id]}"
            )
        seen[article.id] = article.path or ""
    return articles


#: Articles whose new graphs go into the store in one transaction (all or nothing).
BATCH = 256


def _single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def extract_all(articles: list[Article], jobs: int = 1) -> list[Extraction]:
    """:func:`kg.extract.extract` for each article, in a pool of ``jobs`` processes.

    The pool forks when this process is single-threaded (call it before opening a store) and
    spawns otherwise; results come back in the articles' order, so the build stays
    deterministic.
    """
    if jobs <= 1 or len(articles) < 2 * jobs:
        return [extract(article) for article in articles]
    context = mp.get_context("fork" if _single_threaded() else "spawn")
    chunksize = max(1, min(64, len(articles) // (jobs * 4)))
    with context.Pool(jobs) as pool:
        return pool.map(extract, articles, chunksize=chunksize)


def build_articles(
    store: Backend,
    articles: list[Article],
    progress: Callable[[Article], None] | None = None,
    *,
    jobs: int = 1,
) -> list[BuildReport]:
    """Extract and map each article and replace its named graph in the store."""
    return build_extractions(store, extract_all(articles, jobs), progress)


def without_inference(extraction: Extraction) -> Extraction:
    """``extraction`` without what only a guessing rule gave: an official's state from a title
    default, counterpart, venue, dateline, publisher or another article; an event's party from
    a venue or the article's context. Explicit evidence stays."""
    entities = tuple(
        replace(e, state=None, basis=None) if e.basis is not None and e.basis.inferred else e
        for e in extraction.entities
    )
    explicit = {e.state for e in entities if e.type == "Official" and e.state}
    events = []
    for event in extraction.events:
        guessed = {  # a guessed party, or one read off an official whose state was a guess
            b.fact.partition(":")[2]
            for b in event.basis
            if b.fact.startswith("party:")
            and (b.inferred or (b.rule == "official" and b.fact[6:] not in explicit))
        }
        events.append(
            replace(
                event,
                parties=tuple(p for p in event.parties if p not in guessed),
                basis=tuple(b for b in event.basis if not b.inferred),
            )
        )
    return replace(extraction, entities=entities, events=tuple(events))


def _article_nquads(extraction: Extraction) -> tuple[int, bytes]:
    """An article's triple count and :func:`kg.store.triples_nquads`."""
    triples = extraction_triples(extraction)
    return len(triples), triples_nquads(graph_iri(extraction.article.id), triples)


class _Batches:
    """Bulk loads of whole batches (:class:`kg.store.ParallelLoads`, up to ``writers`` at
    once) while this thread maps the next.

    Each batch is one :meth:`kg.store.Store.add_nquads` call (one ingestion: all or nothing).
    Once a batch is in the store its graphs join the index of officials and ``progress`` is
    called here, in this thread, for each of its articles, in their order; a failed load is
    raised here.
    """

    def __init__(
        self,
        store: Store,
        writers: int,
        progress: Callable[[Article], None] | None,
        people: PeopleIndex,
    ) -> None:
        self.loads = ParallelLoads(store, writers)
        self.progress = progress
        self.people = people
        self.pending: list[bytes] = []
        self.articles: list[Article] = []
        self.lines = 0

    def add(self, data: bytes, triples: int, article: Article, batch: int) -> None:
        if self.lines + 2 * triples > BULK_QUADS:
            self.submit()
        self.pending.append(data)
        self.articles.append(article)
        self.lines += 2 * triples
        if len(self.pending) >= batch:
            self.submit()

    def submit(self) -> None:
        if not self.pending:
            return
        articles = self.articles
        self.loads.submit(self.pending, lambda: self._loaded(articles))
        self.pending, self.articles, self.lines = [], [], 0

    def _loaded(self, articles: list[Article]) -> None:
        self.people.add_graphs([graph_iri(a.id) for a in articles])
        for article in articles:
            if self.progress:
                self.progress(article)

    def drain(self) -> None:
        """Write what is pending and wait for every load (before a transaction of its own)."""
        self.submit()
        self.loads.drain()

    def close(self) -> None:
        """Wait for the loads in flight (also after an error) and stop the threads."""
        self.loads.close()


def build_extractions(
    store: Backend,
    extractions: list[Extraction],
    progress: Callable[[Article], None] | None = None,
    *,
    batch: int = BATCH,
    inference: bool = True,
    jobs: int = 1,
) -> list[BuildReport]:
    """Resolve, map and write already extracted articles.

    On the embedded store, graphs it does not hold yet are added ``batch`` articles per
    bulk load (:meth:`kg.store.Store.add_nquads`: a build killed midway keeps whole batches,
    never part of one), up to ``jobs`` loads at a time in threads while the next articles are
    mapped; an article already there is replaced in a transaction of its own, once the loads
    before it are done (its update reads the union they write).
    """
    store.ensure_ontology()
    rebuilt = {graph_iri(x.article.id) for x in extractions}
    if not isinstance(store, Store):
        extractions = resolve(extractions, existing_people(store, exclude_graphs=rebuilt))
        if not inference:
            extractions = [without_inference(x) for x in extractions]
        return _replace_each(store, extractions, progress)
    people = open_index(store)
    try:
        with unusable(people.path):
            existing = people.existing(extractions, exclude_graphs=rebuilt)
            extractions = resolve(extractions, existing)
            if not inference:
                extractions = [without_inference(x) for x in extractions]
            reports = _write_batches(store, extractions, progress, people, batch=batch, jobs=jobs)
            people.completed()  # every graph written is indexed: the next build need not compare
        return reports
    finally:
        people.close()


def _write_batches(
    store: Store,
    extractions: list[Extraction],
    progress: Callable[[Article], None] | None,
    people: PeopleIndex,
    *,
    batch: int,
    jobs: int,
) -> list[BuildReport]:
    """Write resolved extractions into the embedded store (see :func:`build_extractions`),
    keeping the index of officials in step."""
    reports: list[BuildReport] = []
    batches = _Batches(store, jobs, progress, people)
    try:
        for extraction in extractions:
            article = extraction.article
            graph = graph_iri(article.id)
            if not store.has_graph(graph):
                triples, data = _article_nquads(extraction)
                reports.append(BuildReport(article.id, article.path or "", triples))
                batches.add(data, triples, article, batch)
                continue
            batches.drain()
            quads = extraction_quads(extraction)
            reports.append(BuildReport(article.id, article.path or "", len(quads)))
            people.forget([graph])  # before the graph changes: a kill leaves it unindexed
            store.replace_graph(graph, quads, keep_people_index=True)
            people.add_graphs([graph])
            if progress:
                progress(article)
        batches.drain()
    finally:
        batches.close()
    store.flush()
    return reports


def _replace_each(
    store: Backend, extractions: list[Extraction], progress: Callable[[Article], None] | None
) -> list[BuildReport]:
    """Write each article's graph in a request of its own (a remote endpoint)."""
    reports = []
    for extraction in extractions:
        article = extraction.article
        quads = extraction_quads(extraction)
        reports.append(BuildReport(article.id, article.path or "", len(quads)))
        store.replace_graph(graph_iri(article.id), quads)
        if progress:
            progress(article)
    store.flush()
    return reports


def existing_people(store: Backend, exclude_graphs: set[str]) -> list[KnownPerson]:
    """Officials already in the store (outside the graphs being rebuilt), for resolution."""
    rows = []
    result = store.query(PEOPLE_QUERY)
    assert isinstance(result, ox.QuerySolutions)
    for solution in result:
        if solution["g"].value in exclude_graphs:
            continue
        state = solution["state"].value if solution["state"] is not None else None
        rows.append((solution["p"].value, solution["name"].value, state or None))
    return known_people(rows)


def remove_article(store: Backend, article_id: str) -> int:
    """Drop one article's (or loaded file's) graph; return how many triples it held."""
    graph = graph_for(article_id)
    found = {g.graph: g.triples for g in list_graphs(store)}
    if graph not in found:
        raise StoreError(f"no article or loaded graph {article_id!r} in {store.describe()}")
    if isinstance(store, Store):
        drop_graph(store, graph)  # only its rows leave the index of officials
    else:
        store.drop_graph(graph)
    store.flush()
    return found[graph]


def _temp_pattern(path: Path) -> re.Pattern[str]:
    """The names :func:`write_atomic` gives its temporaries next to ``path`` (mkstemp's)."""
    return re.compile(re.escape(f".{path.name}.") + r"[a-z0-9_]{8}" + re.escape(".tmp"))


def clean_stale_temporaries(path: Path) -> list[Path]:
    """Remove temporaries of ``path`` left by a killed writer; return the ones removed.

    Only files named exactly like ours, last written before this process started and not
    locked by a live writer (each writer holds a lock on its temporary) are removed.
    """
    pattern = _temp_pattern(path)
    removed = []
    try:
        names = [n for n in os.listdir(path.parent) if pattern.fullmatch(n)]
    except OSError:
        return []
    for name in sorted(names):
        candidate = path.parent / name
        try:
            fd = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_mtime >= STARTED:
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            candidate.unlink()
            removed.append(candidate)
        except OSError:
            continue  # locked by a live writer, or already gone
        finally:
            os.close(fd)
    return removed


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    Stale temporaries of ``path`` (a writer killed with ``kill -9``) are removed first. Any
    failure raises :class:`OutputError` naming ``path``; the target is then unchanged.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temporaries(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _output_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            handle.write(data)
            handle.flush()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _output_error(path, exc) from None
        raise


def _output_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENOSPC:
        reason = "no space left on device"
    elif exc.errno == errno.EISDIR or path.is_dir():
        reason = "is a directory"
    else:
        reason = exc.strerror or str(exc)
    return OutputError(exc.errno or 0, f"{path}: cannot write ({reason})")
