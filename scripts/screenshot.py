"""Pictures of the pages, taken in headless Chromium (Debian's binary, no download, offline).

README mode (after ``make demo``, which builds ``.kg/store``)::

    .venv/bin/python scripts/screenshot.py [--store .kg/store] [--out graphs]

writes ``graphs/defense-kg.png`` (the full view with one node's side panel open),
``graphs/dyad-JPN-KOR.png`` (the full view filtered to the Japan–South Korea dyad) and
``graphs/timeline-JPN-KOR.png`` (the ``timeline:JPN:KOR`` view).

One page::

    .venv/bin/python scripts/screenshot.py --page FILE.html --png OUT.png [--eval JS]

``--eval`` runs a script in the page (after it is drawn) before the picture is taken.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.backends import opened
from kg.network import full_view, resolve
from kg.render import render_view

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
ALLOWED = ("file:", "about:", "data:", "blob:")
READY = "() => document.querySelector('#kg-network') === null || (window.kg && window.kg.ready)"


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


def shoot(browser, path: Path, out: Path, script: str | None = None, *, width: int = 1600,
          height: int = 1000, full_page: bool = False) -> None:  # fmt: skip
    """Open ``path``, wait until it is drawn, run ``script`` and save a PNG to ``out``."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(ALLOWED) else route.abort(),
    )
    page.goto(path.resolve().as_uri())
    page.wait_for_function(READY, timeout=120_000)
    if script:
        page.evaluate(script)
        page.wait_for_timeout(300)
    page.screenshot(path=str(out), full_page=full_page)
    page.close()


def readme_pictures(store_path: Path, out: Path, select: str) -> list[Path]:
    with opened(store_path, read_only=True) as store:
        full = render_view(store, "full").html
        timeline = render_view(store, "timeline:JPN:KOR").html
        graph = full_view(store)
    chosen = resolve(graph, select)
    japan, korea = resolve(graph, "JPN"), resolve(graph, "KOR")
    out.mkdir(parents=True, exist_ok=True)
    pictures = [out / "defense-kg.png", out / "dyad-JPN-KOR.png", out / "timeline-JPN-KOR.png"]
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        page, figure = Path(tmp) / "full.html", Path(tmp) / "timeline.html"
        page.write_text(full, encoding="utf-8")
        figure.write_text(timeline, encoding="utf-8")
        shoot(browser, page, pictures[0], f"kg.select({chosen!r})")
        dyad = (f"document.getElementById('kg-state-a').value = {japan!r};"
                f"document.getElementById('kg-state-b').value = {korea!r};"
                "kg.refresh();")  # fmt: skip
        shoot(browser, page, pictures[1], dyad)
        shoot(browser, figure, pictures[2], width=1110, height=400, full_page=True)
    return pictures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path(".kg/store"))
    parser.add_argument("--out", type=Path, default=Path("graphs"))
    parser.add_argument("--select", default="Meeting between Japan and South Korea",
                        help="Node whose side panel is open in the full-view picture.")  # fmt: skip
    parser.add_argument("--page", type=Path, help="Take one picture of this page instead.")
    parser.add_argument("--png", type=Path, help="Where --page's picture goes.")
    parser.add_argument("--eval", dest="script", help="Script run in --page before the picture.")
    parser.add_argument("--size", type=int, nargs=2, default=(1600, 1000), metavar=("W", "H"))
    args = parser.parse_args()
    if args.page:
        png = args.png or args.page.with_suffix(".png")
        with chromium() as browser:
            shoot(browser, args.page, png, args.script, width=args.size[0], height=args.size[1])
        print(f"wrote {png}")
        return
    pictures = readme_pictures(args.store, args.out, args.select)
    print("wrote " + ", ".join(str(p) for p in pictures))


if __name__ == "__main__":
    main()
