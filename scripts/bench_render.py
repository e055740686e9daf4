"""Benchmark: ``kg render`` pages against the previous page and pyvis's default output.

For each size (default 100, 1,000 and 5,000 nodes; about 1.5 edges per node, a seeded
preferential-attachment graph with our node classes) it measures

- write: seconds to lay out and write the HTML file (ours: :func:`kg.render.render_graph`;
  pyvis: ``Network()`` + ``add_node``/``add_edge`` + ``write_html``; "before": the hand-written
  page of an older checkout given by ``--before DIR``, e.g. a worktree of the commit before the
  pyvis page, run in a child process);
- drawn: seconds from navigation start until the first frame is drawn with the final layout
  (``afterDrawing`` after stabilisation, read from ``performance.now()`` inside the page) in
  headless Debian Chromium, with every request that is not ``file:``/``data:`` aborted.

pyvis is run with its defaults (undirected ``Network()``, physics on) except
``cdn_resources="in_line"``, the only setting under which its page can draw offline at all
(its remote bootstrap links are aborted). Prints a Markdown table.

    .venv/bin/python scripts/bench_render.py [--sizes 100 1000 5000] [--timeout 180] [--before DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import networkx as nx

from kg.render import render_graph

TYPES = ("State", "Official", "Organization", "Meeting", "Agreement", "Exercise", "Claim")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
# pyvis declares ``var network`` and assigns it in drawGraph(): catch the assignment.
PYVIS_HOOK = """
(() => {
  let value;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return value; },
    set(v) {
      value = v;
      if (v && v.once) {
        v.once("afterDrawing", () => { window.__drawnAt = performance.now(); });
      }
    },
  });
})();
"""


def synthetic(n: int, seed: int = 1) -> nx.MultiDiGraph:
    """A seeded graph of ``n`` nodes, each new node linked to one or two earlier ones."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    targets: list[str] = []
    for i in range(n):
        node = f"https://example.org/id/n{i:06d}"
        graph.add_node(node, label=f"Entity {i}", type=TYPES[i % len(TYPES)],
                       evidence=[{"text": f"Sentence about entity {i}.", "article": "a",
                                  "start": 0, "end": 10}])  # fmt: skip
        for _ in range(1 if i % 2 else 2):
            if targets:
                graph.add_edge(node, rng.choice(targets), key="party", label="party",
                               quote={"text": f"Entity {i} met.", "article": "a"})  # fmt: skip
        targets += [node, node]
    return graph


def write_ours(graph: nx.MultiDiGraph, path: Path) -> float:
    start = time.perf_counter()
    page = render_graph(graph, f"{graph.number_of_nodes()} nodes", "full")
    path.write_text(page.html, encoding="utf-8")
    return time.perf_counter() - start


BEFORE = """
import pickle, sys, time
from kg.render import render_graph
graph = pickle.load(open(sys.argv[1], "rb"))
start = time.perf_counter()
page = render_graph(graph, f"{graph.number_of_nodes()} nodes", "full", directed=True)
open(sys.argv[2], "w", encoding="utf-8").write(page.html)
print(time.perf_counter() - start)
"""


def write_before(graph: nx.MultiDiGraph, path: Path, checkout: Path) -> float:
    """The older checkout's page, written in a child process importing that checkout."""
    import pickle
    import subprocess
    import sys

    data = path.with_suffix(".pickle")
    data.write_bytes(pickle.dumps(graph))
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = [sys.executable, "-c", BEFORE, str(data), str(path)]
    out = subprocess.run(command, env=env, cwd=checkout, check=True, capture_output=True,
                         text=True)  # fmt: skip
    return float(out.stdout.strip())


def write_pyvis(graph: nx.MultiDiGraph, path: Path) -> float:
    from pyvis.network import Network

    start = time.perf_counter()
    net = Network(cdn_resources="in_line")
    for node, attrs in graph.nodes(data=True):
        net.add_node(node, label=attrs["label"], title=attrs["type"])
    for u, v, data in graph.edges(data=True):
        net.add_edge(u, v, title=data["label"])
    cwd = os.getcwd()
    os.chdir(path.parent)  # pyvis writes relative to the working directory
    try:
        net.write_html(path.name)
    finally:
        os.chdir(cwd)
    return time.perf_counter() - start


def drawn_seconds(
    browser, path: Path, expression: str, hook: str | None, timeout: float
) -> float | None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route(
        "**/*",
        lambda r: (
            r.continue_() if r.request.url.startswith(("file:", "data:", "about:")) else r.abort()
        ),
    )
    if hook:
        page.add_init_script(hook)
    try:
        page.goto(path.as_uri(), timeout=timeout * 1000)
        page.wait_for_function(f"() => {expression} !== undefined", timeout=timeout * 1000)
        return page.evaluate(f"() => {expression}") / 1000.0
    except Exception:  # noqa: BLE001 - a page that never draws within the timeout
        return None
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--before", type=Path, help="An older checkout whose page is measured too.")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size in args.sizes:
            graph = synthetic(size)
            ours, theirs = Path(tmp) / f"ours-{size}.html", Path(tmp) / f"pyvis-{size}.html"
            ours_write = write_ours(graph, ours)
            pyvis_write = write_pyvis(graph, theirs)
            ours_drawn = drawn_seconds(
                browser, ours, "(window.kg && window.kg.ready ? window.kg.readyAt : undefined)",
                None, args.timeout,
            )  # fmt: skip
            pyvis_drawn = drawn_seconds(
                browser, theirs, "window.__drawnAt", PYVIS_HOOK, args.timeout
            )
            before: tuple[float | None, float | None] = (None, None)
            if args.before:
                old = Path(tmp) / f"before-{size}.html"
                before = (write_before(graph, old, args.before), drawn_seconds(
                    browser, old, "(window.kg && window.kg.ready ? window.kg.readyAt : undefined)",
                    None, args.timeout))  # fmt: skip
            sizes = (ours.stat().st_size, theirs.stat().st_size)
            rows.append((size, graph.number_of_edges(), ours_write, ours_drawn, sizes[0],
                         pyvis_write, pyvis_drawn, sizes[1], *before))  # fmt: skip
        browser.close()

    def secs(value: float | None) -> str:
        return f"> {args.timeout:.0f}" if value is None else f"{value:.2f}"

    def opt(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}"

    print(f"Machine: {os.cpu_count()} cores; headless Chromium; positions computed in Python.\n")
    print("| nodes | edges | kg render: write (s) | kg render: drawn (s) | kg page (MB) "
          "| before: write (s) | before: drawn (s) "
          "| pyvis: write (s) | pyvis: drawn (s) | pyvis page (MB) |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, edges, ow, od, osz, pw, pd, psz, bw, bd in rows:
        print(f"| {size:,} | {edges:,} | {ow:.2f} | {secs(od)} | {osz / 1e6:.1f} "
              f"| {opt(bw)} | {opt(bd)} "
              f"| {pw:.2f} | {secs(pd)} | {psz / 1e6:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
