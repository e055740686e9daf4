"""Building: article files -> extraction -> quads -> the store, and outputs written atomically."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.article import Article, ArticleError, find_article_files, read_article
from kg.extract import extract
from kg.lexicon import load_lexicon
from kg.mapping import extraction_quads, graph_iri
from kg.resolve import KnownPerson, known_people, resolve
from kg.store import Store

log = logging.getLogger(__name__)



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


def read_articles(paths: Iterable[Path]) -> list[Article]:
    """Read every article first, so a bad file fails the build before the store changes."""
    lexicon = load_lexicon()
    files = find_article_files(list(paths))
    if not files:
        raise ArticleError("no article files (.txt or .md) found in " + ", ".join(map(str, paths)))
    articles = [read_article(path, lexicon) for path in files]
    seen: dict[str, str] = {}
    for article in articles:
        if article.id in seen:
            raise ArticleError(
                f"{article.path}: article id {article.id!r} is also used by {seen[article.id]}"
            )
        seen[article.id] = article.path or ""
    return articles


def build_articles(
    store: Store, articles: list[Article], progress: Callable[[Article], None] | None = None
) -> list[BuildReport]:
    """Extract and map each article and replace its named graph in the store."""
    store.ensure_ontology()
    extractions = [extract(article) for article in articles]
    rebuilt = {str(graph_iri(a.id)) for a in articles}
    extractions = resolve(extractions, existing_people(store, exclude_graphs=rebuilt))
    reports = []
    for extraction in extractions:
        article = extraction.article
        quads = extraction_quads(extraction)
        store.replace_graph(str(graph_iri(article.id)), quads)
        reports.append(BuildReport(article.id, article.path or "", len(quads)))
        if progress:
            progress(article)
    store.flush()
    return reports


def existing_people(store: Store, exclude_graphs: set[str]) -> list[KnownPerson]:
    """Officials already in the store (outside the graphs being rebuilt), for resolution."""
    query = """
    PREFIX dkg: <https://w3id.org/defense-kg/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?p ?name ?state ?g WHERE {
      GRAPH ?g { ?p a dkg:Official ; rdfs:label|skos:altLabel ?name .
                 OPTIONAL { ?p dkg:ofState ?s . BIND(STRAFTER(STR(?s), "/state/") AS ?state) } }
    }"""
    rows = []
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    for solution in result:
        if solution["g"].value in exclude_graphs:
            continue
        state = solution["state"].value if solution["state"] is not None else None
        rows.append((solution["p"].value, solution["name"].value, state or None))
    return known_people(sorted(rows))


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
