"""Benchmark: the latency of ``kg query`` as a user sees it, one process per query.

Runs ``python -m kg query`` as a subprocess ``--runs`` times for each case on the seed store
(built once into a temporary folder) and reports, per case, the median and the lowest wall
time and CPU time (user + system of ``kg`` and of the sandboxed child it waits for):

- a trivial query (``SELECT * WHERE { ?s ?p ?o } LIMIT 1``),
- a named query (``--name cq01_meetings``),
- the trivial query with ``--timeout 5``.

``--baseline REF`` measures a second tree in the same run: a temporary, detached git worktree
of REF (e.g. ``main``), removed at the end. The runs of the two trees alternate, so a change
in the machine's load affects both alike. Bytecode caching is on for the subprocesses (a
warm-up run per tree writes ``__pycache__``), as for an installed ``kg``.

Usage::

    .venv/bin/python scripts/bench_query.py [--runs 20] [--baseline main] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
CASES = {
    "trivial query": [TRIVIAL],
    "named query (cq01_meetings)": ["--name", "cq01_meetings"],
    "trivial query, --timeout 5": [TRIVIAL, "--timeout", "5"],
}


def _env(tree: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env["PYTHONPATH"] = str(tree)
    env.pop("KG_ENDPOINT", None)
    return env


def run_once(tree: Path, store: Path, args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``kg query`` (CPU of the process and its waited children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kg", "query", "--store", str(store), *args],
        env=_env(tree),
        cwd=tree,
        capture_output=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: kg query {' '.join(args)} failed: {done.stderr.decode()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def build_seed(store: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "kg", "build", "--store", str(store)],
        env=_env(ROOT),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def baseline_tree(ref: str, folder: Path) -> Path:
    tree = folder / "baseline"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
        check=True,
        capture_output=True,
    )
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baseline", default=None, metavar="REF")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-query-") as tmp:
        folder = Path(tmp)
        store = folder / "store"
        build_seed(store)
        trees = {"this tree": ROOT}
        if args.baseline:
            trees = {f"{args.baseline} (before)": baseline_tree(args.baseline, folder), **trees}
        try:
            samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
            for tree in trees.values():
                run_once(tree, store, [TRIVIAL])  # warm-up: bytecode cache, page cache
            for _ in range(args.runs):
                for case, case_args in CASES.items():
                    for label, tree in trees.items():
                        samples.setdefault((case, label), []).append(
                            run_once(tree, store, case_args)
                        )
        finally:
            if args.baseline:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force",
                     str(folder / "baseline")],
                    check=False,
                    capture_output=True,
                )  # fmt: skip
    lines = [
        f"`kg query` on the seed store, {args.runs} runs per row, "
        f"load average at the end {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
        "",
        "| case | tree | wall median | wall min | CPU median | CPU min |",
        "|---|---|---|---|---|---|",
    ]
    for (case, label), runs in samples.items():
        walls = [w for w, _ in runs]
        cpus = [c for _, c in runs]
        lines.append(
            f"| {case} | {label} | {statistics.median(walls):.3f} s | {min(walls):.3f} s "
            f"| {statistics.median(cpus):.3f} s | {min(cpus):.3f} s |"
        )
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
