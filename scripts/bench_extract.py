"""Benchmark: extraction alone and the whole build, on one core and on all cores.

A synthetic corpus (``scripts/synthetic.py``, deterministic for a seed) is generated first;
then four timings are taken and printed as a Markdown table:

- ``extract``: ``kg.extract.extract`` on articles already read (one process; then a pool of
  one process per core, articles sent to the workers and record counts sent back);
- ``build``: what ``kg build --jobs N`` does into a fresh on-disk store: reading the files,
  extraction (``kg.build.extract_all``: a pool of N processes forked before the store opens),
  resolution, mapping and the writes (``kg.build.build_extractions``: new graphs 256 articles
  per bulk load, up to N loads at a time in threads while the next articles are mapped),
  without the Turtle/TriG export (``--out``).

Loading the lexicon (once per process) is timed separately. With ``--cpu`` the one-process
extraction is also timed in CPU seconds of this process (``time.process_time``, best of
``--repeat`` runs): on a shared machine that is the figure to compare, wall time being mostly
waiting for a core. With ``--against-pure R`` the compiled extractor (``kg native build``) and
the pure-Python one (its sources, ``KG_PURE_PYTHON=1``) are timed the same way in child
processes, alternated R times on the same articles, and the medians reported. Usage::

    .venv/bin/python scripts/bench_extract.py --extract-count 2000 --build-count 10000
    .venv/bin/python scripts/bench_extract.py --extract-count 1000 --build-count 0 --cpu
    .venv/bin/python scripts/bench_extract.py --extract-count 1000 --build-count 0 --against-pure 6
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from synthetic import generate, write_corpus  # noqa: E402

from kg.article import Article, read_article_text  # noqa: E402
from kg.backends import opened  # noqa: E402
from kg.build import build_extractions, extract_all, read_articles  # noqa: E402
from kg.extract import extract  # noqa: E402
from kg.lexicon import load_lexicon  # noqa: E402
from kg.native import OFF, status  # noqa: E402


@dataclass(frozen=True, slots=True)
class Timing:
    stage: str
    processes: int
    articles: int
    words: int
    seconds: float

    @property
    def row(self) -> str:
        return (
            f"| {self.stage} | {self.processes} | {self.articles:,} | {self.words:,} | "
            f"{self.seconds:.2f} | {self.articles / self.seconds:,.0f} | "
            f"{self.words / self.seconds:,.0f} |"
        )


def _synthetic(count: int, seed: int) -> list[Article]:
    """``count`` synthetic articles of ``seed``, read as ``kg build`` reads them."""
    lexicon = load_lexicon()
    return [
        read_article_text(t.text, name=t.id, default_id=t.id, lexicon=lexicon)
        for t in generate(count, seed)
    ]


def _count(text: str) -> int:
    """An argument that counts something: a whole number, 0 or more."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is below 0")
    return value


def _words(articles: list[Article]) -> int:
    return sum(len(a.text.split()) for a in articles)


def _timed(action: Callable[[], Any], clock: Callable[[], float] = time.perf_counter) -> float:
    start = clock()
    action()
    return clock() - start


# --- workers (module level so that they pickle) --------------------------------------------


def _init_worker() -> None:
    load_lexicon()


def _extract_counts(article: Article) -> int:
    x = extract(article)
    return len(x.entities) + len(x.events) + len(x.claims)


def _chunks(n: int, processes: int) -> int:
    return max(1, n // (processes * 8))


# --- the four measurements -----------------------------------------------------------------


def bench_extract(articles: list[Article], processes: int) -> Timing:
    words = _words(articles)
    if processes == 1:
        seconds = _timed(lambda: [_extract_counts(a) for a in articles])
    else:
        with mp.get_context("fork").Pool(processes, initializer=_init_worker) as pool:
            pool.map(_extract_counts, articles[:processes])  # warm every worker up
            seconds = _timed(
                lambda: pool.map(
                    _extract_counts, articles, chunksize=_chunks(len(articles), processes)
                )
            )
    return Timing("extract", processes, len(articles), words, seconds)


def bench_extract_cpu(articles: list[Article], repeat: int) -> Timing:
    """One process, CPU seconds of this process, the best of ``repeat`` runs."""
    seconds = min(
        _timed(lambda: [_extract_counts(a) for a in articles], time.process_time)
        for _ in range(max(1, repeat))
    )
    return Timing(
        f"extract (CPU s, best of {max(1, repeat)})", 1, len(articles), _words(articles), seconds
    )


def bench_against_pure(
    count: int, words: int, seed: int, repeat: int, rounds: int
) -> Iterator[Timing]:
    """The compiled and the pure-Python extractor, each in a child process timing itself as
    ``--cpu`` does, alternated ``rounds`` times; the median of each."""
    runs: dict[bool, list[float]] = {False: [], True: []}
    command = [sys.executable, __file__, "--extract-count", str(count), "--seed", str(seed)]
    command += ["--build-count", "0", "--repeat", str(repeat), "--child"]
    for _ in range(rounds):
        for pure in (False, True):
            env = {k: v for k, v in os.environ.items() if k != OFF}
            if pure:
                env[OFF] = "1"
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            active, seconds = out.stdout.split()
            if active != str(not pure):
                raise SystemExit(f"the {'pure' if pure else 'compiled'} child ran the other one")
            runs[pure].append(float(seconds))
    for pure in (False, True):
        label = "pure Python" if pure else "compiled"
        median = statistics.median(runs[pure])
        best = min(runs[pure])
        stage = (
            f"extract, {label} (CPU s, median of {rounds} alternated runs; best {best:.2f} s, "
            f"{count / best:,.0f}/s)"
        )
        yield Timing(stage, 1, count, words, median)


def bench_build(corpus: Path, processes: int, work: Path) -> Timing:
    """The whole build as ``kg build --jobs N`` does it: read, extract in a pool of N
    processes (forked before the store opens), resolve, map, write in batches."""
    store_dir = work / f"store-{processes}"
    articles: list[Article] = []

    def whole_build() -> None:
        articles.extend(read_articles([corpus]))
        extractions = extract_all(articles, processes)
        with opened(store_dir, create=True) as store:
            build_extractions(store, extractions, jobs=processes)

    seconds = _timed(whole_build)
    return Timing("build", processes, len(articles), _words(articles), seconds)


def run(
    extract_count: int,
    build_count: int,
    processes: int,
    seed: int,
    cpu: bool = False,
    repeat: int = 3,
    against_pure: int = 0,
) -> Iterator[str]:
    """Yield the lines of the Markdown report as the measurements finish."""
    start = time.perf_counter()
    load_lexicon()  # timed here: _synthetic gets the cached one
    yield f"Lexicon loaded in {time.perf_counter() - start:.2f} s (once per process)."
    articles = _synthetic(extract_count, seed)
    yield (
        f"Synthetic corpus: seed {seed}, {_words(articles) / len(articles):.0f} words per article; "
        f"{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}; extractor: {status().reason}."
    )
    yield ""
    yield "| stage | processes | articles | words | seconds | articles/s | words/s |"
    yield "|---|---|---|---|---|---|---|"
    counts = sorted({1, processes})
    for n in counts:
        yield bench_extract(articles, n).row
    if cpu:
        yield bench_extract_cpu(articles, repeat).row
    if against_pure:
        timings = bench_against_pure(extract_count, _words(articles), seed, repeat, against_pure)
        for timing in timings:
            yield timing.row
    if build_count:
        with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
            corpus = Path(tmp) / "corpus"
            write_corpus(corpus, build_count, seed)
            (corpus / "gold.json").unlink()
            for n in counts:
                yield bench_build(corpus, n, Path(tmp)).row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark extraction and the build.")
    parser.add_argument("--extract-count", type=int, default=2000, help="articles to extract")
    parser.add_argument(
        "--build-count", type=int, default=1000, help="articles to build (0: skip the build)"
    )
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cpu", action="store_true", help="also time one-process extraction in CPU seconds"
    )
    parser.add_argument("--repeat", type=_count, default=3, help="--cpu: runs, the best is kept")
    parser.add_argument(
        "--against-pure",
        type=_count,
        default=0,
        metavar="R",
        help="also time the compiled and the pure-Python extractor, alternated R times",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:  # one timing for --against-pure: whether compiled, then CPU seconds
        articles = _synthetic(args.extract_count, args.seed)
        print(status().active, bench_extract_cpu(articles, args.repeat).seconds)
        return 0
    lines = run(
        args.extract_count,
        args.build_count,
        args.processes,
        args.seed,
        args.cpu,
        args.repeat,
        args.against_pure,
    )
    for line in lines:
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
