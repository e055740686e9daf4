"""Benchmark: three ways to give queries the union of the article graphs as a set.

Issue 11 asks to measure the options for the union default graph and keep the fastest that
keeps every query's rows identical. This script takes a store built by ``kg build`` (or builds
``--articles N`` synthetic articles first), and writes its quads into three fresh stores with
Oxigraph's bulk loader, one per option:

- ``copy`` (what kg does): every article graph, plus the union as the default graph, kept
  as a set (each triple once, however many graphs hold it);
- ``oxigraph-union``: the article graphs only, queried with Oxigraph's "default graph as
  union" (``use_default_graph_as_union``): a triple comes back once per graph holding it;
- ``reference-graph``: the triples two or more graphs hold are written once into one reference
  graph and left out of the article graphs, so that each triple is in one graph and
  Oxigraph's union is a set; an article graph then no longer holds all it says.

For each it reports the quads written, the load's CPU and wall seconds, and which queries give
other rows than ``copy`` (as multisets): every named query (``kg/queries/*.rq``, the
parameterised ones asked about the first event and dyad) and the per-graph questions kg asks
itself (triples per graph, as ``kg list`` counts them; the entities of each graph by type, as
``kg evaluate`` reads them; one article's graph, as ``kg export --article`` writes it).

Usage::

    .venv/bin/python scripts/bench_union.py --articles 1000
    .venv/bin/python scripts/bench_union.py --store PATH
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from kg.iris import GRAPH, PREFIXES  # noqa: E402
from kg.query import bind_with_values, named_queries  # noqa: E402

REFERENCE = "https://w3id.org/defense-kg/reference-graph"
HEADER = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())

PER_GRAPH = {
    "triples per graph (kg list)": (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    ),
    "entities of each graph by type (kg evaluate)": (
        "SELECT ?e ?t ?g WHERE { GRAPH ?g { ?e a ?t } VALUES ?t { dkg:State dkg:Official } }"
    ),
}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _build(count: int, workdir: Path) -> Path:
    from synthetic import write_corpus

    from kg.build import build_articles, read_articles
    from kg.store import open_store

    corpus = workdir / "corpus"
    write_corpus(corpus, count)
    path = workdir / "kg-store"
    store = open_store(path, create=True)
    try:
        build_articles(store, read_articles([corpus]))
    finally:
        store.close()
    return path


def variants(source: Path) -> dict[str, list[ox.Quad]]:
    inner = ox.Store.read_only(str(source))
    named = [
        q
        for q in inner.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, ox.DefaultGraph)
    ]
    union = list(inner.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    held = Counter((q.subject, q.predicate, q.object) for q in named)
    shared = {t for t, n in held.items() if n > 1}
    reference = [q for q in named if (q.subject, q.predicate, q.object) not in shared]
    reference += [ox.Quad(s, p, o, ox.NamedNode(REFERENCE)) for s, p, o in sorted(shared, key=str)]
    return {"copy": named + union, "oxigraph-union": named, "reference-graph": reference}


def load(quads: list[ox.Quad], path: Path) -> tuple[ox.Store, float, float]:
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    store = ox.Store(str(path))
    wall, cpu = time.perf_counter(), _cpu()
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    store.flush()
    return store, _cpu() - cpu, time.perf_counter() - wall


def rows(store: ox.Store, text: str, union: bool) -> Counter[tuple[str, ...]]:
    result = store.query(HEADER + text, use_default_graph_as_union=union)
    if isinstance(result, ox.QueryBoolean):
        return Counter([(str(bool(result)),)])
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return Counter(tuple(str(s[n]) if s[n] is not None else "" for n in names) for s in result)


def _first(store: ox.Store, text: str) -> dict[str, ox.NamedNode | ox.Literal]:
    result = store.query(HEADER + text)
    assert isinstance(result, ox.QuerySolutions)
    for solution in result:
        return {v.value: solution[v] for v in result.variables}  # type: ignore[misc]
    return {}


PARAMETERS: dict[str, Callable[[ox.Store], dict[str, Any]]] = {
    "cq09_evidence": lambda s: _first(
        s, "SELECT ?subject WHERE { ?subject a dkg:Meeting } ORDER BY ?subject LIMIT 1"
    ),
    "cq10_timeline": lambda s: _first(
        s,
        "SELECT ?state1 ?state2 WHERE { ?r a dkg:BilateralRelation ; dkg:relationState ?x, ?y ."
        " ?x dkg:iso3 ?state1 . ?y dkg:iso3 ?state2 FILTER(?state1 < ?state2) }"
        " ORDER BY ?state1 ?state2 LIMIT 1",
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="a store built by kg build")
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-union-") as tmp:
        workdir = Path(tmp)
        source = args.store or _build(args.articles, workdir)
        quads = variants(source)
        stores: dict[str, ox.Store] = {}
        lines = []
        for name, these in quads.items():
            path = workdir / name
            shutil.rmtree(path, ignore_errors=True)
            store, cpu, wall = load(these, path)
            stores[name] = store
            lines.append((name, len(these), cpu, wall))
        base = stores["copy"]
        queries = {n: q.text for n, q in named_queries().items()}
        for name, params in PARAMETERS.items():
            if name in queries:
                queries[name] = bind_with_values(queries[name], params(base))
        article = next(g.value for g in base.named_graphs() if g.value.startswith(GRAPH))
        checks = dict(PER_GRAPH)
        checks["one article's graph (kg export --article)"] = (
            f"SELECT ?s ?p ?o WHERE {{ GRAPH <{article}> {{ ?s ?p ?o }} }}"
        )
        expected = {q: rows(base, text, False) for q, text in {**queries, **checks}.items()}
        print("| option | quads written | load CPU s | load wall s | queries with other rows |")
        print("|---|---:|---:|---:|---|")
        for name, count, cpu, wall in lines:
            union = name != "copy"
            differ = []
            for q, text in {**queries, **checks}.items():
                began = time.perf_counter()
                got = rows(stores[name], text, union)
                took = time.perf_counter() - began
                print(f"{name} {q}: {took:.2f} s", file=sys.stderr, flush=True)
                if got != expected[q]:
                    extra = sum(got.values()) - sum(expected[q].values())
                    differ.append(f"{q} ({extra:+,} rows)")
            said = "; ".join(differ) if differ else "none"
            print(f"| {name} | {count:,} | {cpu:.1f} | {wall:.1f} | {said} |")
        print(f"\nload average {Path('/proc/loadavg').read_text().split()[0]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
