"""Benchmark: the project's on-disk Oxigraph store against rdflib's in-memory Dataset.

Generates synthetic graphs in the project's own ontology (states with ISO-3 and COW codes,
officials with posts, events with parties, participants, dates, status, PLOVER codes,
bilateral relations, and evidence spans in sentences of articles: one named graph per
article, like ``kg build``) at 10^4, 10^5 and 10^6 triples, and reports side by side:

- load time (Oxigraph: bulk load of the N-Quads into a store on disk, plus the union of the
  graphs into its default graph, as ``kg.store`` keeps it; rdflib: parsing the same N-Quads
  into a ``Dataset`` with the union default graph),
- the median latency of three lookups (one state, one person, one dyad) and of every named
  query in ``kg/queries/*.rq`` (rdflib capped at 60 s per query: it runs in a forked child
  that is killed at the cap),
- Turtle export time (``kg export --format turtle``'s writer vs rdflib's serializer, capped).

With ``--load-only``, it measures ``kg load`` alone instead: the same synthetic graphs as one
N-Triples file (the union) and as one N-Quads file (one graph per article, flattened on load),
each loaded into a fresh store by :func:`kg.store.load_file` (Oxigraph's parser, statements
as N-Triples text, Oxigraph's bulk loader) and, in the same run, by the ``kg.store`` of an
earlier revision (``--old-rev``, read with ``git show``), in CPU seconds of this process (all
threads) and wall seconds, with the load average.

Usage::

    .venv/bin/python scripts/bench_store.py [--sizes 10000 100000 1000000] [--out FILE.md]
    .venv/bin/python scripts/bench_store.py --load-only --sizes 100000 1000000 [--old-rev REV]
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing as mp
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.event_types import event_types  # noqa: E402
from kg.export import rdf_export  # noqa: E402
from kg.query import bind_with_values, named_queries  # noqa: E402
from kg.store import Store, ontology_quads  # noqa: E402
from kg.vocab import DATA, DKG, DKGC, GRAPH, NIF, PREFIXES, RDF, RDFS, SKOS, XSD  # noqa: E402

RDFLIB_CAP = 60.0
EVENT_CLASSES = event_types().names  # kg/data/event_types.tsv
PLOVER = {"Meeting": "CONSULT", "Visit": "CONSULT", "Exercise": "COOPERATE",
          "Agreement": "AGREE", "Statement": "CONSULT", "Incident": "DISAPPROVE"}  # fmt: skip
STATUSES = ("held", "planned", "agreed", "signed", "suspended", "resumed")
LOOKUPS = {
    "lookup: one state": f"SELECT DISTINCT ?p ?o WHERE {{ <{DATA}state/JPN> ?p ?o }}",
    "lookup: one person": f"SELECT DISTINCT ?p ?o WHERE {{ <{DATA}person/official-7> ?p ?o }}",
    "lookup: one dyad": (
        f"SELECT ?e ?type ?date WHERE {{ ?e <{DKG.relation}> <{DATA}relation/JPN-KOR> ; "
        f"a ?type . OPTIONAL {{ ?e <{DKG.date}> ?date }} }}"
    ),
}


# --- synthetic data ---------------------------------------------------------------------------


def _states() -> list[tuple[str, str, int]]:
    rows = []
    for line in (ROOT / "kg" / "data" / "states.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.startswith("#") or not line.strip():
            continue
        cells = line.split("\t")
        rows.append((cells[0], cells[2], int(cells[3]) if cells[3].isdigit() else 0))
    return rows


def synthetic_nquads(target: int, seed: int = 7) -> tuple[bytes, bytes, int]:
    """About ``target`` triples, one named graph per synthetic article: N-Quads, and the
    union of the graphs (the store's default graph) as N-Triples."""
    rng = random.Random(seed)
    states = _states()
    by_iso = {s[0]: s for s in states}
    officials = [(f"official-{i}", rng.choice(states)[0]) for i in range(max(50, target // 500))]
    d = str(DKG._NS)

    def iri(x: str) -> str:
        return f"<{x}>"

    def lit(v: object, dt: Any = None) -> str:
        text = str(v).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{text}"^^<{dt}>' if dt else f'"{text}"'

    lines: list[str] = []
    union: dict[str, None] = {}
    count = 0
    article = 0
    while count < target:
        aid = f"syn{article:07d}"
        g = iri(GRAPH + aid)
        base = f"{DATA}article/{aid}"
        quads: list[tuple[str, str, str]] = []

        def add(s: str, p: str, o: str, quads: list[tuple[str, str, str]] = quads) -> None:
            quads.append((s, p, o))

        art = iri(base)
        year = rng.randint(1995, 2025)
        add(art, iri(RDF.type), iri(d + "Article"))
        add(art, iri(d + "articleId"), lit(aid))
        add(art, iri(d + "title"), lit(f"Synthetic article {article}"))
        add(art, iri(RDFS.label), lit(f"Synthetic article {article}"))
        add(art, iri(d + "published"), lit(f"{year}-03-0{rng.randint(1, 9)}", XSD.date))
        if rng.random() < 0.05:
            a, b = "JPN", "KOR"
        else:
            a, b = rng.sample(states, 2)[0][0], rng.sample(states, 2)[1][0]
            if a == b:
                b = "USA" if a != "USA" else "CHN"
        pair = sorted((a, b))
        people = [o for o in rng.sample(officials, 2)]
        for n in range(2):
            sent = iri(f"{base}/sentence/{n}")
            add(sent, iri(RDF.type), iri(d + "Sentence"))
            add(sent, iri(d + "sentenceIndex"), lit(n, XSD.integer))
            add(sent, iri(NIF.anchorOf), lit(f"Sentence {n} of article {aid} about {a}."))
            add(sent, iri(d + "inArticle"), art)
            add(sent, iri(NIF.beginIndex), lit(n * 100, XSD.integer))
            add(sent, iri(NIF.endIndex), lit(n * 100 + 90, XSD.integer))

        def evidence(start: int, text: str, base: str = base, art: str = art) -> str:
            ev = iri(f"{base}/evidence/{start}-{start + len(text)}")
            add(ev, iri(RDF.type), iri(d + "Evidence"))
            add(ev, iri(NIF.anchorOf), lit(text))
            add(ev, iri(NIF.beginIndex), lit(start, XSD.integer))
            add(ev, iri(NIF.endIndex), lit(start + len(text), XSD.integer))
            add(ev, iri(d + "inArticle"), art)
            add(ev, iri(d + "inSentence"), iri(f"{base}/sentence/{start // 100}"))
            return ev

        for k, iso in enumerate(pair):
            st = iri(f"{DATA}state/{iso}")
            add(st, iri(RDF.type), iri(d + "State"))
            add(st, iri(RDFS.label), lit(by_iso[iso][1]))
            add(st, iri(d + "iso3"), lit(iso))
            if by_iso[iso][2]:
                add(st, iri(d + "cowCode"), lit(by_iso[iso][2], XSD.integer))
            add(st, iri(d + "evidence"), evidence(10 + k * 10, by_iso[iso][1][:8]))
            add(art, iri(d + "mentions"), st)
        for k, (person, iso) in enumerate(people):
            p = iri(f"{DATA}person/{person}")
            post = iri(f"{DATA}post/{iso.lower()}-defense-minister")
            add(p, iri(RDF.type), iri(d + "Official"))
            add(p, iri(RDFS.label), lit(person.replace("-", " ").title()))
            add(p, iri(d + "ofState"), iri(f"{DATA}state/{iso}"))
            add(p, iri(d + "holdsPost"), post)
            add(p, iri(d + "evidence"), evidence(40 + k * 20, person))
            add(post, iri(RDF.type), iri(d + "Post"))
            add(post, iri(SKOS.prefLabel), lit(f"Defense Minister of {iso}"))
            add(post, iri(d + "postIn"), iri(f"{DATA}state/{iso}"))
        rel = iri(f"{DATA}relation/{pair[0]}-{pair[1]}")
        add(rel, iri(RDF.type), iri(d + "BilateralRelation"))
        add(rel, iri(d + "relationState"), iri(f"{DATA}state/{pair[0]}"))
        add(rel, iri(d + "relationState"), iri(f"{DATA}state/{pair[1]}"))
        add(rel, iri(RDFS.label), lit(f"{pair[0]} – {pair[1]}"))
        for e in range(2):
            cls = rng.choice(EVENT_CLASSES)
            ev = iri(f"{base}/event/{cls.lower()}-{e}")
            add(ev, iri(RDF.type), iri(d + cls))
            add(ev, iri(RDFS.label), lit(f"{cls} between {pair[0]} and {pair[1]}"))
            add(ev, iri(d + "status"), iri(f"{DKGC}status-{rng.choice(STATUSES)}"))
            add(ev, iri(d + "plover"), iri(f"{DKGC}plover-{PLOVER[cls]}"))
            shape = rng.random()
            if shape < 0.6:
                add(ev, iri(d + "date"), lit(f"{year}-0{rng.randint(1, 9)}-1{e}", XSD.date))
            elif shape < 0.8:
                add(ev, iri(d + "date"), lit(str(year), XSD.gYear))
            elif shape < 0.9:
                add(ev, iri(d + "date"), lit(f"--0{rng.randint(1, 9)}-1{e}", XSD.gMonthDay))
            for iso in pair:
                add(ev, iri(d + "party"), iri(f"{DATA}state/{iso}"))
            add(ev, iri(d + "relation"), rel)
            for person, _ in people:
                add(ev, iri(d + "participant"), iri(f"{DATA}person/{person}"))
            add(ev, iri(d + "evidence"), evidence(110 + e * 30, f"{cls} {e}"))
            if cls == "Statement":
                add(ev, iri(d + "speaker"), iri(f"{DATA}person/{people[0][0]}"))
                add(ev, iri(d + "quote"), lit(f"We value our ties with {pair[1]}."))
            if cls == "Agreement":
                add(ev, iri(d + "cooperationArea"), iri(f"{DKGC}area-maritime-security"))
        unique = dict.fromkeys(quads)
        lines.extend(f"{s} {p} {o} {g} .\n" for s, p, o in unique)
        union.update((f"{s} {p} {o} .\n", None) for s, p, o in unique)
        count += len(unique)
        article += 1
    return "".join(lines).encode("utf-8"), "".join(union).encode("utf-8"), count


# --- measuring --------------------------------------------------------------------------------


def _first_event(inner: ox.Store) -> dict[str, ox.NamedNode | ox.Literal]:
    rows = list(
        inner.query(
            "SELECT ?e WHERE { ?e <https://w3id.org/defense-kg/ontology#evidence> ?x } LIMIT 1"
        )
    )
    return {"subject": rows[0]["e"]}


def _first_dyad(inner: ox.Store) -> dict[str, ox.NamedNode | ox.Literal]:
    rows = list(
        inner.query(
            "PREFIX dkg: <https://w3id.org/defense-kg/ontology#> SELECT ?a ?b WHERE { "
            "?r a dkg:BilateralRelation ; dkg:relationState ?x , ?y . ?x dkg:iso3 ?a . "
            "?y dkg:iso3 ?b FILTER(?a < ?b) } LIMIT 1"
        )
    )
    return {"state1": rows[0]["a"], "state2": rows[0]["b"]}


PARAMETERS = {"cq09_evidence": _first_event, "cq10_timeline": _first_dyad}


def median_ms(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _child(run: Callable[[], Any], repeats: int, conn: Any) -> None:
    conn.send(median_ms(run, repeats))


def capped_ms(run: Callable[[], Any], cap: float, repeats: int) -> float | None:
    """Median ms of ``run`` in a forked child (sharing the loaded data), None past ``cap`` s."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(run, repeats, child), daemon=True)
    process.start()
    child.close()
    ready = parent.poll(cap * repeats + 5)
    result = parent.recv() if ready else None
    if process.is_alive():
        process.kill()
    process.join()
    return result


def consume(result: Any) -> int:
    if isinstance(result, bool):
        return int(result)
    try:
        return sum(1 for _ in result)
    except TypeError:
        return int(bool(result))


def bench_size(target: int, workdir: Path) -> dict[str, Any]:
    from rdflib import Dataset

    data, union, triples = synthetic_nquads(target)
    onto = ox.serialize(ontology_quads(), format=ox.RdfFormat.N_QUADS) or b""
    row: dict[str, Any] = {"triples": triples, "queries": {}}
    print(f"\n== {triples:,} triples ({len(data) / 1e6:.0f} MB of N-Quads)", file=sys.stderr)

    # Oxigraph on disk
    path = workdir / f"store-{target}"
    start = time.perf_counter()
    inner = ox.Store(str(path))
    inner.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    inner.bulk_load(union, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    inner.flush()
    row["ox_load"] = time.perf_counter() - start
    inner.bulk_load(onto, format=ox.RdfFormat.N_QUADS)
    onto_nt = ox.serialize(
        [ox.Triple(q.subject, q.predicate, q.object) for q in ontology_quads()],
        format=ox.RdfFormat.N_TRIPLES,
    )
    inner.bulk_load(onto_nt or b"", format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    inner.optimize()
    store = Store(path=path, inner=inner, read_only=False)
    print(f"oxigraph load {row['ox_load']:.2f} s", file=sys.stderr)

    # rdflib in memory
    start = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(data=data + onto, format="nquads")
    row["rdflib_load"] = time.perf_counter() - start
    print(f"rdflib load {row['rdflib_load']:.2f} s", file=sys.stderr)

    queries = dict(LOOKUPS)
    queries.update({name: q.text for name, q in named_queries().items()})
    # the parameterised questions are asked about one fact / one dyad, as analysts use them
    for name, params in PARAMETERS.items():
        if name in queries:
            queries[name] = bind_with_values(queries[name], params(inner))
    prefixes = dict(PREFIXES)
    header = "".join(f"PREFIX {p}: <{i}>\n" for p, i in prefixes.items())
    for name, text in queries.items():
        ox_ms = median_ms(
            lambda text=text: consume(inner.query(text, prefixes=prefixes)),
            repeats=7,
        )
        first = time.perf_counter()
        rdf_ms = capped_ms(
            lambda text=text: consume(dataset.query(header + text)), RDFLIB_CAP, repeats=1
        )
        if rdf_ms is not None and rdf_ms < 2000:
            rdf_ms = capped_ms(
                lambda text=text: consume(dataset.query(header + text)), RDFLIB_CAP, repeats=3
            )
        row["queries"][name] = (ox_ms, rdf_ms)
        print(
            f"{name}: oxigraph {ox_ms:.1f} ms, rdflib "
            f"{'>60 s' if rdf_ms is None else f'{rdf_ms:.1f} ms'} "
            f"({time.perf_counter() - first:.0f} s)",
            file=sys.stderr,
        )

    start = time.perf_counter()
    turtle = rdf_export(store, "turtle")
    row["ox_turtle"] = time.perf_counter() - start
    row["turtle_bytes"] = len(turtle)
    print(f"turtle export {row['ox_turtle']:.2f} s", file=sys.stderr)
    rdf_s = capped_ms(lambda: dataset.serialize(format="turtle"), RDFLIB_CAP * 2, repeats=1)
    row["rdflib_turtle"] = None if rdf_s is None else rdf_s / 1000
    inner.flush()
    return row


def report(rows: list[dict[str, Any]]) -> str:
    """A Markdown table: one line per size and measure, store vs rdflib and the speed-up."""
    version = getattr(ox, "__version__", "")
    lines = [
        f"Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
        + (f", pyoxigraph {version}" if version else ""),
        "",
        "| triples | measure | defense-kg store (Oxigraph, disk) | rdflib (memory) | speed-up |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        n = f"{r['triples']:,}"
        rate = r["triples"] / r["ox_load"] / 1000
        lines.append(
            f"| {n} | load | {r['ox_load']:.2f} s ({rate:,.0f}k triples/s) | "
            f"{r['rdflib_load']:.2f} s | {r['rdflib_load'] / r['ox_load']:,.0f}x |"
        )
        for name, (ox_ms, rdf_ms) in r["queries"].items():
            ratio = "" if rdf_ms is None else f"{rdf_ms / max(ox_ms, 1e-3):,.0f}x"
            lines.append(
                f"| {n} | {name} (median) | {ox_ms:,.1f} ms | "
                f"{'> 60 s' if rdf_ms is None else f'{rdf_ms:,.1f} ms'} | {ratio} |"
            )
        rdf_t = r["rdflib_turtle"]
        speed = "" if rdf_t is None else f"{rdf_t / r['ox_turtle']:,.0f}x"
        lines.append(
            f"| {n} | Turtle export | {r['ox_turtle']:.2f} s | "
            f"{'> 120 s' if rdf_t is None else f'{rdf_t:.2f} s'} | "
            f"{speed} |"
        )
    return "\n".join(lines) + "\n"


# --- kg load against an earlier revision ------------------------------------------------------


def old_store_module(rev: str) -> Any:
    """``kg/store.py`` as it was at ``rev`` (its imports are today's other modules)."""
    source = subprocess.run(
        ["git", "show", f"{rev}:kg/store.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    spec = importlib.util.spec_from_loader("kg_store_old", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["kg_store_old"] = module  # dataclasses look their module up there
    exec(compile(source, f"{rev}:kg/store.py", "exec"), module.__dict__)
    return module


def _load_average() -> str:
    return Path("/proc/loadavg").read_text(encoding="ascii").split()[0]


def timed_load(module: Any, path: Path, store_dir: Path) -> tuple[float, float, int, str]:
    """Wall and CPU seconds of ``module.load_file`` into a fresh store, triples, load avg."""
    wall, cpu = time.perf_counter(), time.process_time()
    store = module.open_store(store_dir, create=True)
    try:
        _, triples = module.load_file(store, path)
    finally:
        store.close()
    return time.perf_counter() - wall, time.process_time() - cpu, triples, _load_average()


def bench_load(targets: list[int], old_rev: str) -> str:
    import kg.store

    old = old_store_module(old_rev)
    lines = [
        f"kg load: this tree against {old_rev} (same run); pyoxigraph "
        f"{getattr(ox, '__version__', '?')}, {os.cpu_count()} CPU(s); CPU = this process, "
        "all threads; load = 1-minute load average after each load",
        "",
        "| triples | file | code | wall s | CPU s | triples/CPU s | triples/wall s | load |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        for target in targets:
            data, union, _ = synthetic_nquads(target)
            files = {"union.nt": union, "graphs.nq": data}
            for name, content in files.items():
                path = work / f"{target}-{name}"
                path.write_bytes(content)
                for label, module in (("new", kg.store), (old_rev, old)):
                    store_dir = work / f"store-{target}-{name}-{label}"
                    wall, cpu, triples, load = timed_load(module, path, store_dir)
                    lines.append(
                        f"| {triples:,} | {name} | {label} | {wall:.2f} | {cpu:.2f} | "
                        f"{triples / cpu:,.0f} | {triples / wall:,.0f} | {load} |"
                    )
                    print(lines[-1], file=sys.stderr, flush=True)
                path.unlink()
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**4, 10**5, 10**6])
    parser.add_argument("--out", type=Path, default=None, help="Also write the table here.")
    parser.add_argument("--load-only", action="store_true", help="Only kg load, new vs old.")
    parser.add_argument("--old-rev", default="8f8ddfd", help="Revision of the old kg load.")
    args = parser.parse_args(argv)
    rows = []
    if args.load_only:
        table = bench_load(args.sizes, args.old_rev)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            for size in args.sizes:
                rows.append(bench_size(size, Path(tmp)))
        table = report(rows)
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
