"""Pictures for the README, taken in headless Chromium (Debian's binary, no download, offline).

- ``graphs/defense-kg.png``: the full-view page of the store, with one node's side panel open;
- ``graphs/timeline-JPN-KOR.png``: the Japan–South Korea timeline (``kg network timeline JPN
  KOR``) drawn as a static HTML figure.

Run after ``make demo`` (which builds ``.kg/store``)::

    .venv/bin/python scripts/screenshot.py [--store .kg/store] [--out graphs]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.network import full_view, resolve, timeline
from kg.render import render_view, timeline_html
from kg.store import opened

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
ALLOWED = ("file:", "about:", "data:")


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Debian Chromium in which every non-file request is aborted."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(ALLOWED) else route.abort(),
    )
    return page


def shoot_network(browser, html: str, out: Path, select: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(html, encoding="utf-8")
        page = new_page(browser, 1600, 1000)
        page.goto(path.as_uri())
        page.wait_for_function("() => window.kg && window.kg.ready === true", timeout=120_000)
        if select:
            page.evaluate(
                """id => { kg.network.selectNodes([id]);
                           kg.network.emit("click", {nodes: [id], edges: []}); }""",
                select,
            )
            page.evaluate("kg.network.fit({animation: false})")
            page.wait_for_timeout(200)
        page.screenshot(path=str(out))
        page.close()


def shoot_html(browser, html: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "figure.html"
        path.write_text(html, encoding="utf-8")
        page = new_page(browser, 1110, 400)
        page.goto(path.as_uri())
        page.screenshot(path=str(out), full_page=True)
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path(".kg/store"))
    parser.add_argument("--out", type=Path, default=Path("graphs"))
    parser.add_argument("--select", default="Meeting between Japan and South Korea",
                        help="Node whose side panel is open in the screenshot.")  # fmt: skip
    args = parser.parse_args()
    with opened(args.store, read_only=True) as store:
        page = render_view(store, "full")
        graph = full_view(store)
    japan, korea = resolve(graph, "JPN"), resolve(graph, "KOR")
    rows = timeline(graph, japan, korea)
    articles = sorted({r.article for r in rows if r.article})
    figure = timeline_html(
        rows,
        f"{graph.nodes[japan]['label']} – {graph.nodes[korea]['label']}: the relation over time",
        f"{len(rows)} entries from {len(articles)} article(s) · kg network timeline JPN KOR · "
        "dates as written (a date without a year is never given one)",
    )
    select = resolve(graph, args.select) if args.select else None
    args.out.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        shoot_network(browser, page.html, args.out / "defense-kg.png", select)
        shoot_html(browser, figure, args.out / "timeline-JPN-KOR.png")
    print(f"wrote {args.out / 'defense-kg.png'} and {args.out / 'timeline-JPN-KOR.png'}")


if __name__ == "__main__":
    main()
