"""Benchmark: extraction alone against the whole build, adding one article, loading N-Quads.

One run measures, on synthetic corpora (``scripts/synthetic.py``, deterministic for a seed)
of each size given (default 1,000 and 10,000 articles):

- ``extract``: :func:`kg.build.extract_all` on articles already read, with 1 and 2 processes;
- ``build``: what ``kg build --jobs N`` does into a fresh store on disk: read the files,
  extract (a pool forked before the store opens), resolve, map to N-Quads text and write
  (Oxigraph's bulk loader, 256 articles per batch, up to N batches at a time in threads while
  the next articles are mapped), without the ``--out`` export;

then, on the store of each size:

- ``add one``: ``kg build ONE.txt`` (a new article) as a command, wall time including the
  interpreter's start;
- ``load``: ``kg load FILE.nt`` of that store's union (its default graph) into a fresh store,
  as a command, in triples per second.

Each figure is wall time (``time.perf_counter``) and CPU time of this process and its children
(``os.times``), because on a shared machine the wall time is mostly waiting for a core, and
the 1-minute load average when each measurement ended (``/proc/loadavg``). Usage::

    .venv/bin/python scripts/bench_build.py [--sizes 1000 10000] [--jobs 1 2] [--seed 0]
    .venv/bin/python scripts/bench_build.py --into STORE [--adds 3]
    .venv/bin/python scripts/bench_build.py --ceiling 1000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from synthetic import write_corpus  # noqa: E402

from kg.backends import opened  # noqa: E402
from kg.build import extract_all, read_articles  # noqa: E402
from kg.lexicon import load_lexicon  # noqa: E402

KG = [sys.executable, "-m", "kg"]


@dataclass(frozen=True, slots=True)
class Timing:
    stage: str
    processes: int
    articles: int
    wall: float
    cpu: float
    extra: str = ""
    load: str = field(default_factory=lambda: _load_average())

    @property
    def row(self) -> str:
        rate = f"{self.articles / self.wall:,.0f}" if self.articles else ""
        return (
            f"| {self.stage} | {self.processes} | {self.articles:,} | {self.wall:.1f} | "
            f"{self.cpu:.1f} | {rate} | {self.load} | {self.extra} |"
        )


def _load_average() -> str:
    return Path("/proc/loadavg").read_text(encoding="ascii").split()[0]


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of ``action()`` (children included), and its result."""
    wall, cpu = time.perf_counter(), _cpu()
    result = action()
    return time.perf_counter() - wall, _cpu() - cpu, result


def bench_extract(corpus: Path, processes: int) -> Timing:
    articles = read_articles([corpus])
    wall, cpu, _ = timed(lambda: extract_all(articles, processes))
    return Timing("extract", processes, len(articles), wall, cpu)


def bench_build(corpus: Path, processes: int, store: Path) -> Timing:
    """``kg build CORPUS --jobs N`` into a fresh store, as a command."""
    wall, cpu, done = _command(
        ["build", str(corpus), "--store", str(store), "--jobs", f"{processes}"]
    )
    count = sum(1 for _ in corpus.glob("*.txt"))
    return Timing("build (kg build)", processes, count, wall, cpu, done.stderr.strip())


def _command(args: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    wall, cpu, done = timed(
        lambda: subprocess.run([*KG, *args], cwd=ROOT, capture_output=True, text=True)
    )
    if done.returncode != 0:
        raise SystemExit(f"kg {' '.join(args)} failed: {done.stderr.strip()}")
    return wall, cpu, done


def bench_add_one(store: Path, work: Path, seed: int, name: str = "new-article") -> Timing:
    one = work
    write_corpus(one, 1, seed + 1)
    (one / "gold.json").unlink()
    new = one / f"{name}.txt"
    next(one.glob("synthetic-*.txt")).rename(new)
    wall, cpu, _ = _command(["build", str(new), "--store", str(store), "--jobs", "1"])
    return Timing("add one article (kg build)", 1, 1, wall, cpu, f"into {store.name}")


def add_to(store: Path, adds: int, seed: int) -> Iterator[str]:
    """``adds`` new articles added one ``kg build`` at a time to an existing store (the first
    also brings the index of officials up to date, e.g. makes it for a store built before)."""
    yield "| stage | processes | articles | wall s | CPU s | articles/s (wall) | load | |"
    yield "|---|---|---|---|---|---|---|---|"
    with tempfile.TemporaryDirectory(prefix="kg-bench-add-") as tmp:
        for i in range(adds):
            work = Path(tmp) / f"one-{i}"
            yield bench_add_one(store, work, seed + 1000 + i, f"new-article-{seed}-{i}").row


def bench_load(store: Path, work: Path) -> Timing:
    work.mkdir()
    nquads = work / "union.nt"
    with opened(store, read_only=True) as s:
        data = [str(q.triple) + " .\n" for q in s.inner.quads_for_pattern(None, None, None, None)
                if q.graph_name.__class__.__name__ == "DefaultGraph"]  # fmt: skip
    nquads.write_text("".join(data), encoding="utf-8")
    wall, cpu, _ = _command(["load", str(nquads), "--store", str(work / "loaded")])
    return Timing(
        "load (kg load)", 1, 0, wall, cpu, f"{len(data):,} triples, {len(data) / wall:,.0f}/s"
    )


def loader_ceiling(count: int) -> str:
    """Oxigraph's bulk loader alone on ``count`` short N-Triples statements into the default
    graph of a fresh store: the most ``kg load`` could reach here."""
    import pyoxigraph as ox

    data = b"".join(
        b'<http://example.org/s%d> <http://example.org/p%d> "o%d" .\n' % (i, i % 50, i)
        for i in range(count)
    )
    with tempfile.TemporaryDirectory(prefix="kg-bench-ceiling-") as tmp:
        store = ox.Store(tmp)

        def load() -> None:
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
            store.flush()

        wall, cpu, _ = timed(load)

    return (
        f"Oxigraph bulk loader alone: {count:,} triples in {wall:.1f} s wall, {cpu:.1f} s CPU: "
        f"{count / wall:,.0f} per wall second, {count / cpu:,.0f} per CPU second "
        f"(load {_load_average()})"
    )


def run(sizes: list[int], seed: int, jobs: list[int], load: bool = True) -> Iterator[str]:
    load_lexicon()
    yield (
        f"Synthetic corpora, seed {seed}; {os.cpu_count()} CPU(s), Python "
        f"{sys.version.split()[0]}; wall and CPU seconds (CPU: all processes)."
    )
    yield ""
    yield "| stage | processes | articles | wall s | CPU s | articles/s (wall) | load | |"
    yield "|---|---|---|---|---|---|---|---|"
    with tempfile.TemporaryDirectory(prefix="kg-bench-build-") as tmp:
        work = Path(tmp)
        for size in sizes:
            corpus = work / f"corpus-{size}"
            write_corpus(corpus, size, seed)
            (corpus / "gold.json").unlink()
            for processes in jobs:
                yield bench_extract(corpus, processes).row
            for processes in jobs:
                store = work / f"store-{size}-{processes}"
                yield bench_build(corpus, processes, store).row
            yield bench_add_one(store, work / f"one-{size}", seed).row
            if load:
                yield bench_load(store, work / f"load-{size}").row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the build against extraction.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="process counts")
    parser.add_argument("--no-load", action="store_true", help="skip the kg load row")
    parser.add_argument("--ceiling", type=int, help="only time the bulk loader on N triples")
    parser.add_argument("--into", type=Path, help="only add articles to this existing store")
    parser.add_argument("--adds", type=int, default=3, help="articles added with --into")
    args = parser.parse_args(argv)
    if args.ceiling:
        print(loader_ceiling(args.ceiling))
        return 0
    if args.into is not None:
        for line in add_to(args.into, args.adds, args.seed):
            print(line, flush=True)
        return 0
    for line in run(sorted(args.sizes), args.seed, args.jobs, not args.no_load):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
